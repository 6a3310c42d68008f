#include "events/store.h"

#include "common/error.h"
#include "events/event_lookup.h"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace atelier::events {
namespace store {

namespace {

constexpr const char* kColumns =
    "e.id, e.group_id, e.name, e.description, e.phase, e.voting_starts_at, e.matching_starts_at, e.ends_at, "
    "e.votes_per_member, e.max_artworks_per_member, e.artwork_count, e.created_by, e.created_at, "
    "e.anonymous_voting, e.trades_due_at, e.avoid_repeat_partners";

Phase PhaseOf(const db::Row& r, size_t i) {
  auto p = ParsePhase(r.Str(i));
  if (!p) throw std::runtime_error("events.phase holds an unknown phase: " + r.Str(i));
  return *p;
}

EventInfo FromRow(const db::Row& r) {
  EventInfo e;
  e.id = r.Int(0);
  e.group_id = r.Int(1);
  e.name = r.Str(2);
  e.description = r.Str(3);
  e.phase = PhaseOf(r, 4);
  for (size_t i = 0; i < 3; ++i) e.schedule.times[i] = r.OptInt(5 + i);
  e.votes_per_member = static_cast<int>(r.Int(8));
  e.max_artworks_per_member = static_cast<int>(r.Int(9));
  e.artwork_count = static_cast<int>(r.Int(10));
  e.created_by = r.OptInt(11);
  e.created_at = r.Int(12);
  e.anonymous_voting = r.Bool(13);
  e.trades_due_at = r.OptInt(14);
  e.avoid_repeat_partners = r.Bool(15);
  return e;
}

}  // namespace

std::optional<EventInfo> LoadEvent(db::Tx& tx, std::int64_t id, bool for_update) {
  static const std::string kSelect = std::string("SELECT ") + kColumns + " FROM events e WHERE e.id = $1";
  static const std::string kSelectForUpdate = kSelect + " FOR UPDATE";
  const bool lock = for_update && *tx.ForUpdate() != '\0';
  auto row = tx.QueryOne(lock ? kSelectForUpdate : kSelect, id);
  if (!row) return std::nullopt;
  return FromRow(*row);
}

void InsertEvent(db::Tx& tx, EventInfo& e) {
  auto row = tx.QueryOne(
      "INSERT INTO events (group_id, name, description, phase, voting_starts_at, matching_starts_at, ends_at, "
      "votes_per_member, max_artworks_per_member, artwork_count, created_by, created_at, next_transition_at, "
      "anonymous_voting, trades_due_at, avoid_repeat_partners) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13, $14, $15) RETURNING id",
      e.group_id, e.name, e.description, PhaseName(e.phase), e.schedule.times[0], e.schedule.times[1],
      e.schedule.times[2], e.votes_per_member, e.max_artworks_per_member, e.created_by, e.created_at,
      NextTransitionAt(e.schedule, e.phase), e.anonymous_voting ? 1 : 0, e.trades_due_at,
      e.avoid_repeat_partners ? 1 : 0);
  e.id = row->Int(0);
}

void UpdateEvent(db::Tx& tx, const EventInfo& e) {
  tx.Exec(
      "UPDATE events SET name = $2, description = $3, voting_starts_at = $4, matching_starts_at = $5, ends_at = $6, "
      "votes_per_member = $7, max_artworks_per_member = $8, next_transition_at = $9, anonymous_voting = $10, "
      "trades_due_at = $11, avoid_repeat_partners = $12 WHERE id = $1",
      e.id, e.name, e.description, e.schedule.times[0], e.schedule.times[1], e.schedule.times[2], e.votes_per_member,
      e.max_artworks_per_member, NextTransitionAt(e.schedule, e.phase), e.anonymous_voting ? 1 : 0, e.trades_due_at,
      e.avoid_repeat_partners ? 1 : 0);
}

bool CasPhase(db::Tx& tx, std::int64_t id, Phase from, Phase to, std::optional<Millis> next_transition_at) {
  return tx.Exec("UPDATE events SET phase = $2, next_transition_at = $3 WHERE id = $1 AND phase = $4", id,
                 PhaseName(to), next_transition_at, PhaseName(from)) == 1;
}

std::vector<EventInfo> ListGroupEvents(db::Tx& tx, std::int64_t group_id, std::optional<std::int64_t> before,
                                       int limit) {
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM events e WHERE e.group_id = $1 AND e.id < $2 ORDER BY e.id DESC LIMIT $3";
  std::vector<EventInfo> out;
  for (const auto& r : tx.Query(sql, group_id, before.value_or(INT64_MAX), limit)) out.push_back(FromRow(r));
  return out;
}

std::vector<std::int64_t> DueEvents(db::Tx& tx, Millis now, int limit) {
  std::vector<std::int64_t> ids;
  for (const auto& r :
       tx.Query("SELECT id FROM events WHERE next_transition_at IS NOT NULL AND next_transition_at <= $1 "
                "ORDER BY next_transition_at, id LIMIT $2",
                now, limit))
    ids.push_back(r.Int(0));
  return ids;
}

std::optional<Phase> ClaimDueEvent(db::Tx& tx, std::int64_t id, Millis now) {
  auto row = tx.QueryOne(std::string("SELECT phase FROM events WHERE id = $1 AND next_transition_at IS NOT NULL AND "
                                     "next_transition_at <= $2") +
                             tx.SkipLocked(),
                         id, now);
  if (!row) return std::nullopt;
  return PhaseOf(*row, 0);
}

}  // namespace store

EventInfo MustLoadEvent(db::Tx& tx, std::int64_t event_id, bool for_update) {
  auto e = store::LoadEvent(tx, event_id, for_update);
  if (!e) throw NotFound();
  return std::move(*e);
}

int UsedVotes(db::Tx& tx, std::int64_t event_id, std::int64_t user_id) {
  auto row = tx.QueryOne("SELECT used FROM vote_budgets WHERE event_id = $1 AND user_id = $2", event_id, user_id);
  return row ? static_cast<int>(row->Int(0)) : 0;
}

}  // namespace atelier::events
