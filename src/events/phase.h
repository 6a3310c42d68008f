#pragma once
// The event phase machine (docs/product.md §5): OPEN → VOTING → MATCHING → CLOSED, one step at a
// time, and the schedule of automatic changes. Pure functions, no state: safe from any
// thread.
#include <array>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"

namespace atelier::events {

enum class Phase { kOpen = 0, kVoting = 1, kMatching = 2, kClosed = 3 };

std::string_view PhaseName(Phase p);
// nullopt for anything but the four names (case-sensitive, as the API spells them).
std::optional<Phase> ParsePhase(std::string_view s);
// The phase after p; nullopt for CLOSED.
std::optional<Phase> NextPhase(Phase p);
// Voting is blind: counts are visible once VOTING has ended.
inline bool CountsVisible(Phase p) { return p == Phase::kMatching || p == Phase::kClosed; }

// The set times of an event. times[i] is when the change out of phase i happens by
// itself: [0] votingStartsAt (OPEN → VOTING), [1] matchingStartsAt (VOTING → MATCHING),
// [2] endsAt (MATCHING → CLOSED). Unset: that change happens only by hand.
struct Schedule {
  std::array<std::optional<Millis>, 3> times;
};
inline constexpr std::array<std::string_view, 3> kScheduleFields = {"votingStartsAt", "matchingStartsAt", "endsAt"};

// When the automatic change out of phase p is due (events.next_transition_at); nullopt
// when that time is unset or p is CLOSED.
std::optional<Millis> NextTransitionAt(const Schedule& s, Phase p);

// Checks a schedule about to be stored for an event in phase `phase`. `changed[i]` says
// whether times[i] is being set by this request (all given times on create). A changed
// time must belong to a change that has not happened yet and lie after `now`; the times
// of the changes still to come must be strictly in order. Adds field errors ("invalid")
// under the API's field names.
void CheckSchedule(const Schedule& s, Phase phase, Millis now, const std::array<bool, 3>& changed, Validation& v);

// Checks the trade deadline (tradesDueAt) about to be stored with schedule `s`: when it is
// being set (`changed`) it must lie after `now`, and whenever it or endsAt changes it must
// lie after endsAt when both are set. Adds "invalid" on tradesDueAt (or on endsAt when
// only endsAt changed).
void CheckTradesDue(std::optional<Millis> trades_due_at, const Schedule& s, Millis now, bool changed, bool ends_changed,
                    Validation& v);

}  // namespace atelier::events
