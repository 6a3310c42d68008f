#include "events/phase.h"

#include <gtest/gtest.h>

namespace atelier::events {
namespace {

TEST(Phase, NamesRoundTripAndUnknownNamesAreRefused) {
  for (Phase p : {Phase::kOpen, Phase::kVoting, Phase::kMatching, Phase::kClosed})
    EXPECT_EQ(ParsePhase(PhaseName(p)), p);
  EXPECT_EQ(PhaseName(Phase::kMatching), "MATCHING");
  EXPECT_FALSE(ParsePhase("open"));
  EXPECT_FALSE(ParsePhase(""));
  EXPECT_FALSE(ParsePhase("DONE"));
}

TEST(Phase, MovesOneStepAtATimeAndStopsAtClosed) {
  EXPECT_EQ(NextPhase(Phase::kOpen), Phase::kVoting);
  EXPECT_EQ(NextPhase(Phase::kVoting), Phase::kMatching);
  EXPECT_EQ(NextPhase(Phase::kMatching), Phase::kClosed);
  EXPECT_FALSE(NextPhase(Phase::kClosed));
}

TEST(Phase, CountsAreBlindUntilVotingEnds) {
  EXPECT_FALSE(CountsVisible(Phase::kOpen));
  EXPECT_FALSE(CountsVisible(Phase::kVoting));
  EXPECT_TRUE(CountsVisible(Phase::kMatching));
  EXPECT_TRUE(CountsVisible(Phase::kClosed));
}

TEST(Phase, NextTransitionIsTheTimeOfLeavingTheCurrentPhase) {
  Schedule s;
  s.times = {100, std::nullopt, 300};
  EXPECT_EQ(NextTransitionAt(s, Phase::kOpen), 100);
  EXPECT_EQ(NextTransitionAt(s, Phase::kVoting), std::nullopt);  // unset: only by hand
  EXPECT_EQ(NextTransitionAt(s, Phase::kMatching), 300);
  EXPECT_EQ(NextTransitionAt(s, Phase::kClosed), std::nullopt);
}

std::vector<std::string> Fields(const Validation& v) {
  std::vector<std::string> out;
  try {
    v.ThrowIfAny();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 422);
    for (const auto& f : e.Fields()) out.push_back(f.field);
  }
  return out;
}

TEST(CheckSchedule, AcceptsFutureTimesInOrderAndNoTimesAtAll) {
  Validation v;
  Schedule s;
  s.times = {2000, 3000, 4000};
  CheckSchedule(s, Phase::kOpen, 1000, {true, true, true}, v);
  EXPECT_TRUE(v.Ok());
  Validation none;
  CheckSchedule(Schedule{}, Phase::kOpen, 1000, {false, false, false}, none);
  EXPECT_TRUE(none.Ok());
}

TEST(CheckSchedule, RefusesPastAndPresentTimes) {
  Validation v;
  Schedule s;
  s.times = {1000, std::nullopt, 999};
  CheckSchedule(s, Phase::kOpen, 1000, {true, false, true}, v);
  EXPECT_EQ(Fields(v), (std::vector<std::string>{"votingStartsAt", "endsAt"}));
}

TEST(CheckSchedule, RefusesTimesOutOfOrderOrEqualEvenWithAGap) {
  Validation v;
  Schedule s;
  s.times = {5000, std::nullopt, 4000};
  CheckSchedule(s, Phase::kOpen, 1000, {true, false, true}, v);
  EXPECT_EQ(Fields(v), (std::vector<std::string>{"endsAt"}));
  Validation eq;
  s.times = {5000, 5000, std::nullopt};
  CheckSchedule(s, Phase::kOpen, 1000, {true, true, false}, eq);
  EXPECT_EQ(Fields(eq), (std::vector<std::string>{"matchingStartsAt"}));
}

TEST(CheckSchedule, TimesOfPhaseChangesThatHappenedCannotChangeAndDoNotCountForOrder) {
  Schedule s;
  s.times = {9000, 3000, 4000};  // votingStartsAt is history in VOTING: its value no longer matters
  Validation ok;
  CheckSchedule(s, Phase::kVoting, 1000, {false, true, false}, ok);
  EXPECT_TRUE(ok.Ok());
  Validation passed;
  CheckSchedule(s, Phase::kVoting, 1000, {true, false, false}, passed);
  EXPECT_EQ(Fields(passed), (std::vector<std::string>{"votingStartsAt"}));
}

TEST(CheckSchedule, UnchangedTimesAreNotCheckedForThePastButStillForOrder) {
  Schedule s;
  s.times = {500, 3000, std::nullopt};  // votingStartsAt due but the scheduler has not run yet
  Validation ok;
  CheckSchedule(s, Phase::kOpen, 1000, {false, true, false}, ok);
  EXPECT_TRUE(ok.Ok());
  s.times = {500, 400, std::nullopt};
  Validation bad;
  CheckSchedule(s, Phase::kOpen, 100, {false, true, false}, bad);
  EXPECT_EQ(Fields(bad), (std::vector<std::string>{"matchingStartsAt"}));
}

}  // namespace
}  // namespace atelier::events
