#pragma once
// SQL for events (table `events`). Every function runs inside the caller's transaction;
// nothing here checks permissions or phases — that is service.h's job.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "events/phase.h"

namespace atelier::events {

// One row of `events`, as the rest of the program sees it.
struct EventInfo {
  std::int64_t id = 0;
  std::int64_t group_id = 0;
  std::string name;
  std::string description;
  Phase phase = Phase::kOpen;
  Schedule schedule;
  int votes_per_member = 3;
  int max_artworks_per_member = 1;
  int artwork_count = 0;
  std::optional<std::int64_t> created_by;
  Millis created_at = 0;
  bool anonymous_voting = false;  // artists hidden until VOTING ends (artworks::ArtistHidden)
  // When the trades of the event's matches are due (docs/product.md §7); nullopt: no deadline.
  std::optional<Millis> trades_due_at;
  // Whether the pairing leaves out partners of the group's previous CLOSED event.
  bool avoid_repeat_partners = true;
};

namespace store {

// The event, nullopt when there is none. for_update locks the row (PostgreSQL) so the
// phase read stays the phase until commit.
std::optional<EventInfo> LoadEvent(db::Tx& tx, std::int64_t id, bool for_update = false);
// Inserts the event (its id and created_at are filled in) with next_transition_at set.
void InsertEvent(db::Tx& tx, EventInfo& e);
// Writes the editable fields and next_transition_at of the current phase.
void UpdateEvent(db::Tx& tx, const EventInfo& e);
// The phase change as a compare-and-set: true when the row was in `from` and now is in
// `to`; false when it was not in `from` (another request or process changed it first).
bool CasPhase(db::Tx& tx, std::int64_t id, Phase from, Phase to, std::optional<Millis> next_transition_at);
// Up to `limit` events of a group with id < before (all when before is empty), newest
// first.
std::vector<EventInfo> ListGroupEvents(db::Tx& tx, std::int64_t group_id, std::optional<std::int64_t> before,
                                       int limit);
// Ids of events whose automatic phase change is due at `now`, soonest first.
std::vector<std::int64_t> DueEvents(db::Tx& tx, Millis now, int limit);
// Claims a due event for its phase change: its phase when it is still due and no other
// transaction holds it (PostgreSQL: FOR UPDATE SKIP LOCKED), else nullopt.
std::optional<Phase> ClaimDueEvent(db::Tx& tx, std::int64_t id, Millis now);

}  // namespace store
}  // namespace atelier::events
