// EventService against a real (in-memory) database: who may create, edit and advance an
// event, the phase compare-and-set, the phase hooks running inside the change, the
// scheduler driven by a manual clock, and the EVENT_STATUS_UPDATE notifications.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "events/service.h"
#include "testing/service_world.h"

namespace atelier::events {
namespace {

using fixture::kHourMs;
using fixture::World;

EventInput Votes(std::int64_t n) {
  EventInput in;
  in.votes_per_member = n;
  return in;
}
EventInput MaxArtworks(std::int64_t n) {
  EventInput in;
  in.max_artworks_per_member = n;
  return in;
}

class EventServiceTest : public ::testing::Test {
 protected:
  World w;
  EventService svc{*w.db, w.clock, w.notifier, w.no_limits};
  accounts::AuthUser owner = w.AddUser("owner");
  accounts::AuthUser admin = w.AddUser("admin");
  accounts::AuthUser member = w.AddUser("member");
  accounts::AuthUser outsider = w.AddUser("outsider");
  std::int64_t group = w.AddGroup(owner, {admin}, {member});

  static EventInput Named(const std::string& name) {
    EventInput in;
    in.name = name;
    return in;
  }
  std::int64_t CreateEvent(const EventInput& in) { return svc.Create(admin.id, group, in, w.durable).id.value; }
  std::string PhaseOf(std::int64_t event_id) { return std::string(PhaseName(svc.GetEvent(member.id, event_id).phase)); }
  std::vector<fixture::Note> StatusNotes(const accounts::AuthUser& u) { return w.Notes(u.id, "EVENT_STATUS_UPDATE"); }
};

TEST_F(EventServiceTest, AdminsCreateAndEveryMemberIsTold) {
  EXPECT_API_ERROR(svc.Create(member.id, group, Named("X"), w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.Create(outsider.id, group, Named("X"), w.durable), 404, "not_found");
  auto e = svc.Create(admin.id, group, Named("Spring"), w.durable);
  EXPECT_EQ(e.phase, Phase::kOpen);
  EXPECT_EQ(e.groupId.value, group);
  EXPECT_EQ(e.name, "Spring");
  EXPECT_EQ(e.votesPerMember, 3);
  EXPECT_EQ(e.myVotesRemaining, 3);
  EXPECT_FALSE(e.votingStartsAt.has_value());
  for (const auto& u : {owner, admin, member}) {
    auto notes = StatusNotes(u);
    ASSERT_EQ(notes.size(), 1u) << u.username;
    EXPECT_EQ(notes[0].data.at("phase").as_string(), "OPEN");
    EXPECT_EQ(notes[0].data.at("eventId").as_string(), std::to_string(e.id.value));
  }
  EXPECT_TRUE(w.Notes(outsider.id).empty());
}

TEST_F(EventServiceTest, CreateValidatesOnlyForMembersWithTheRole) {
  EventInput bad = Named("");
  bad.votes_per_member = 0;
  bad.times[0] = std::optional<Millis>(w.clock.Now() - 1);  // in the past
  // An outsider learns nothing about the fields.
  EXPECT_API_ERROR(svc.Create(outsider.id, group, bad, w.durable), 404, "not_found");
  ApiError err = fixture::ErrorOf([&] { svc.Create(admin.id, group, bad, w.durable); });
  EXPECT_EQ(err.Status(), 422);
  std::vector<std::string> fields;
  for (const auto& f : err.Fields()) fields.push_back(f.field);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "name"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "votesPerMember"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "votingStartsAt"), fields.end());
  EXPECT_EQ(w.Count("SELECT COUNT(*) FROM events"), 0);
}

TEST_F(EventServiceTest, OnlyMembersReadEvents) {
  std::int64_t id = CreateEvent(Named("Spring"));
  EXPECT_API_ERROR(svc.GetEvent(outsider.id, id), 404, "not_found");
  EXPECT_API_ERROR(svc.List(outsider.id, group, 10, std::nullopt), 404, "not_found");
  EXPECT_API_ERROR(svc.GetEvent(member.id, id + 100), 404, "not_found");
  auto page = svc.List(member.id, group, 10, std::nullopt);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id.value, id);
  EXPECT_FALSE(page.nextCursor.has_value());
}

TEST_F(EventServiceTest, AdvanceMovesOneStepAtATimeForAdminsOnly) {
  std::int64_t id = CreateEvent(Named("Spring"));
  EXPECT_API_ERROR(svc.Advance(member.id, id, Phase::kVoting, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.Advance(outsider.id, id, Phase::kVoting, w.durable), 404, "not_found");
  EXPECT_API_ERROR(svc.Advance(admin.id, id, Phase::kMatching, w.durable), 409, "wrong_phase");
  EXPECT_API_ERROR(svc.Advance(admin.id, id, Phase::kOpen, w.durable), 409, "wrong_phase");
  EXPECT_EQ(PhaseOf(id), "OPEN");

  EXPECT_EQ(svc.Advance(owner.id, id, Phase::kVoting, w.durable).phase, Phase::kVoting);
  EXPECT_EQ(svc.Advance(admin.id, id, Phase::kMatching, w.durable).phase, Phase::kMatching);
  EXPECT_EQ(svc.Advance(admin.id, id, Phase::kClosed, w.durable).phase, Phase::kClosed);
  EXPECT_API_ERROR(svc.Advance(admin.id, id, Phase::kClosed, w.durable), 409, "wrong_phase");

  // One notification per change (newest first), to every member.
  auto notes = StatusNotes(member);
  ASSERT_EQ(notes.size(), 4u);
  EXPECT_EQ(notes[0].data.at("phase").as_string(), "CLOSED");
  EXPECT_EQ(notes[1].data.at("phase").as_string(), "MATCHING");
  EXPECT_EQ(notes[2].data.at("phase").as_string(), "VOTING");
}

TEST_F(EventServiceTest, ChangePhaseIsACompareAndSet) {
  std::int64_t id = CreateEvent(Named("Spring"));
  int before = static_cast<int>(StatusNotes(member).size());
  EXPECT_TRUE(w.db->Write([&](db::Tx& tx) { return svc.ChangePhase(tx, id, Phase::kOpen, Phase::kVoting); }));
  // Lost race: the event is no longer in `from`, so nothing happens and nobody is told.
  EXPECT_FALSE(w.db->Write([&](db::Tx& tx) { return svc.ChangePhase(tx, id, Phase::kOpen, Phase::kVoting); }));
  // `to` must be the next phase of `from`.
  EXPECT_FALSE(w.db->Write([&](db::Tx& tx) { return svc.ChangePhase(tx, id, Phase::kVoting, Phase::kClosed); }));
  EXPECT_FALSE(w.db->Write([&](db::Tx& tx) { return svc.ChangePhase(tx, id + 100, Phase::kOpen, Phase::kVoting); }));
  EXPECT_EQ(PhaseOf(id), "VOTING");
  EXPECT_EQ(static_cast<int>(StatusNotes(member).size()), before + 1);
}

TEST_F(EventServiceTest, HooksRunOnceInsideTheChange) {
  struct Seen {
    std::int64_t event;
    Phase from, to, event_phase;
  };
  std::vector<Seen> seen;
  svc.Hooks().Add([&](db::Tx& tx, const EventInfo& e, Phase from, Phase to) {
    // The hook sees the change it is part of.
    auto stored = tx.QueryOne("SELECT phase FROM events WHERE id = $1", e.id)->Str(0);
    EXPECT_EQ(stored, PhaseName(to));
    seen.push_back({e.id, from, to, e.phase});
  });
  std::int64_t id = CreateEvent(Named("Spring"));
  EXPECT_TRUE(seen.empty());  // creating is not a phase change
  svc.Advance(admin.id, id, Phase::kVoting, w.durable);
  svc.Advance(admin.id, id, Phase::kMatching, w.durable);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].event, id);
  EXPECT_EQ(seen[0].from, Phase::kOpen);
  EXPECT_EQ(seen[0].to, Phase::kVoting);
  EXPECT_EQ(seen[0].event_phase, Phase::kVoting);
  EXPECT_EQ(seen[1].from, Phase::kVoting);
  EXPECT_EQ(seen[1].to, Phase::kMatching);
}

TEST_F(EventServiceTest, AFailingHookUndoesThePhaseChange) {
  std::int64_t id = CreateEvent(Named("Spring"));
  svc.Hooks().Add([](db::Tx&, const EventInfo&, Phase, Phase to) {
    if (to == Phase::kVoting) throw std::runtime_error("hook failed");
  });
  size_t before = StatusNotes(member).size();
  EXPECT_THROW(svc.Advance(admin.id, id, Phase::kVoting, w.durable), std::runtime_error);
  EXPECT_EQ(PhaseOf(id), "OPEN");
  EXPECT_EQ(StatusNotes(member).size(), before);  // the notifications rolled back too
}

TEST_F(EventServiceTest, TheSchedulerAdvancesWhatIsDueOnce) {
  EventInput in = Named("Timed");
  in.times[0] = std::optional<Millis>(w.clock.Now() + kHourMs);
  in.times[1] = std::optional<Millis>(w.clock.Now() + 2 * kHourMs);
  std::int64_t id = CreateEvent(in);
  EXPECT_EQ(svc.AdvanceDue(), 0);
  w.clock.Advance(kHourMs - 1);
  EXPECT_EQ(svc.AdvanceDue(), 0);
  EXPECT_EQ(PhaseOf(id), "OPEN");
  w.clock.Advance(1);
  EXPECT_EQ(svc.AdvanceDue(), 1);
  EXPECT_EQ(PhaseOf(id), "VOTING");
  EXPECT_EQ(svc.AdvanceDue(), 0);  // the next change is not due yet
  w.clock.Advance(10 * kHourMs);
  EXPECT_EQ(svc.AdvanceDue(), 1);  // one step per pass: VOTING → MATCHING
  EXPECT_EQ(PhaseOf(id), "MATCHING");
  EXPECT_EQ(svc.AdvanceDue(), 0);  // no endsAt: MATCHING ends only by hand
}

TEST_F(EventServiceTest, EditedTimesRescheduleAndAHandAdvanceMovesTheSchedulerOn) {
  std::int64_t id = CreateEvent(Named("Spring"));
  EventInput set;
  set.times[0] = std::optional<Millis>(w.clock.Now() + kHourMs);
  set.times[1] = std::optional<Millis>(w.clock.Now() + 3 * kHourMs);
  svc.Update(admin.id, id, set, w.durable);
  EventInput cleared;
  cleared.times[0] = std::optional<Millis>(std::nullopt);  // an explicit null: by hand only
  EXPECT_FALSE(svc.Update(admin.id, id, cleared, w.durable).votingStartsAt.has_value());
  w.clock.Advance(2 * kHourMs);
  EXPECT_EQ(svc.AdvanceDue(), 0);
  EXPECT_EQ(PhaseOf(id), "OPEN");
  // Advanced by hand, the event is due at the time of the change after it.
  svc.Advance(admin.id, id, Phase::kVoting, w.durable);
  EXPECT_EQ(svc.AdvanceDue(), 0);
  w.clock.Advance(kHourMs);
  EXPECT_EQ(svc.AdvanceDue(), 1);
  EXPECT_EQ(PhaseOf(id), "MATCHING");
}

TEST_F(EventServiceTest, UpdateIsForAdminsAndNotForClosedEvents) {
  std::int64_t id = CreateEvent(Named("Spring"));
  EventInput rename = Named("Summer");
  EXPECT_API_ERROR(svc.Update(member.id, id, rename, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.Update(outsider.id, id, rename, w.durable), 404, "not_found");
  EXPECT_EQ(svc.Update(admin.id, id, rename, w.durable).name, "Summer");
  for (Phase p : {Phase::kVoting, Phase::kMatching, Phase::kClosed}) svc.Advance(admin.id, id, p, w.durable);
  EXPECT_API_ERROR(svc.Update(admin.id, id, Named("Autumn"), w.durable), 409, "wrong_phase");
}

TEST_F(EventServiceTest, LimitsChangeOnlyWhileTheyStillMatter) {
  std::int64_t id = CreateEvent(Named("Spring"));
  EventInput votes;
  votes.votes_per_member = 5;
  EventInput max;
  max.max_artworks_per_member = 2;
  EXPECT_EQ(svc.Update(admin.id, id, max, w.durable).maxArtworksPerMember, 2);
  svc.Advance(admin.id, id, Phase::kVoting, w.durable);
  EXPECT_API_ERROR(svc.Update(admin.id, id, MaxArtworks(3), w.durable), 409, "wrong_phase");
  EXPECT_EQ(svc.Update(admin.id, id, votes, w.durable).votesPerMember, 5);
  svc.Advance(admin.id, id, Phase::kMatching, w.durable);
  EXPECT_API_ERROR(svc.Update(admin.id, id, Votes(6), w.durable), 409, "wrong_phase");
  // Restating the value it has is not a change.
  EXPECT_NO_THROW(svc.Update(admin.id, id, votes, w.durable));
}

TEST_F(EventServiceTest, ScheduleEditsMustBeFutureAndInOrder) {
  std::int64_t id = CreateEvent(Named("Spring"));
  EventInput past;
  past.times[0] = std::optional<Millis>(w.clock.Now() - 1);
  EXPECT_API_ERROR(svc.Update(admin.id, id, past, w.durable), 422, "validation_failed");
  EventInput disorder;
  disorder.times[0] = std::optional<Millis>(w.clock.Now() + 2 * kHourMs);
  disorder.times[1] = std::optional<Millis>(w.clock.Now() + kHourMs);
  EXPECT_API_ERROR(svc.Update(admin.id, id, disorder, w.durable), 422, "validation_failed");
  svc.Advance(admin.id, id, Phase::kVoting, w.durable);
  // votingStartsAt belongs to a change that has happened.
  EventInput late;
  late.times[0] = std::optional<Millis>(w.clock.Now() + kHourMs);
  EXPECT_API_ERROR(svc.Update(admin.id, id, late, w.durable), 422, "validation_failed");
  EventInput ok;
  ok.times[1] = std::optional<Millis>(w.clock.Now() + kHourMs);
  EXPECT_EQ(svc.Update(admin.id, id, ok, w.durable).matchingStartsAt, std::optional<Time>(Time{*ok.times[1].value()}));
}

}  // namespace
}  // namespace atelier::events
