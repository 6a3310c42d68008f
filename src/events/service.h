#pragma once
// The rules of events (docs/product.md §5): who may create, edit and advance them, their validation,
// and the one function that changes a phase — used by the advance endpoint and by the
// scheduler alike.
//
// Thread-safety: EventService holds no mutable state; every call runs its own
// transaction and may come from any thread.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "accounts/rate_limiter.h"
#include "common/clock.h"
#include "db/database.h"
#include "events/phase.h"
#include "events/phase_hooks.h"
#include "events/resources.h"
#include "events/store.h"
#include "notify/notifier.h"

namespace atelier::events {

// A create or edit request. Absent fields are nullopt; for the times and the description
// an inner nullopt is an explicit JSON null (clears the time; an empty description).
struct EventInput {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
  std::array<std::optional<std::optional<Millis>>, 3> times;  // as Schedule::times
  std::optional<std::int64_t> votes_per_member;
  std::optional<std::int64_t> max_artworks_per_member;
  std::optional<bool> anonymous_voting;
  // tradesDueAt: inner nullopt clears it. avoidRepeatPartners: absent keeps it.
  std::optional<std::optional<Millis>> trades_due_at;
  std::optional<bool> avoid_repeat_partners;
};

// Methods answer with the Event resource (events/resources.h) as the caller sees it; the
// routes write it. Methods that write take `durable`: they name their commit in it (db::CommitToken), and the
// route puts it on its response (http::Durable) so the answer waits for the disk.
class EventService {
 public:
  // `limiter` bounds event creation per user and per group; it must outlive the service.
  EventService(db::Database& db, const Clock& clock, const notify::Notifier& notifier, accounts::RateLimiter& limiter)
      : db_(db), clock_(clock), notifier_(notifier), limiter_(limiter) {}

  // POST /groups/{id}/events (owner or admin) → the new event. Notifies every member.
  // 429 rate_limited past the per-user or per-group budget (each event notifies everyone).
  api::Event Create(std::int64_t user_id, std::int64_t group_id, const EventInput& in, db::CommitToken& durable);
  // GET /groups/{id}/events (members), newest first.
  PageOfItems<api::Event> List(std::int64_t user_id, std::int64_t group_id, int limit,
                               const std::optional<std::string>& cursor);
  // GET /events/{id} (members).
  api::Event GetEvent(std::int64_t user_id, std::int64_t event_id);
  // PATCH /events/{id} (owner or admin). 409 wrong_phase once CLOSED; votesPerMember may
  // change until VOTING ends, maxArtworksPerMember, anonymousVoting and avoidRepeatPartners
  // while OPEN (else 409 wrong_phase);
  // a time may change only for a phase change still to come, into the future, in order;
  // tradesDueAt may change while not CLOSED, into the future and after endsAt.
  api::Event Update(std::int64_t user_id, std::int64_t event_id, const EventInput& in, db::CommitToken& durable);
  // POST /events/{id}/advance (owner or admin): `to` must be the next phase, else 409
  // wrong_phase.
  api::Event Advance(std::int64_t user_id, std::int64_t event_id, Phase to, db::CommitToken& durable);

  // The phase change, inside the caller's write transaction: a compare-and-set of the
  // phase from `from` to `to` (which must be NextPhase(from)), one EVENT_STATUS_UPDATE
  // for every member, then the phase hooks. False, with nothing changed, when the event
  // is not in `from` (any more).
  bool ChangePhase(db::Tx& tx, std::int64_t event_id, Phase from, Phase to) const;

  // One scheduler pass: advances up to `max_events` events whose next_transition_at has
  // passed, each in its own transaction. With several processes each change happens once:
  // rows are claimed with SKIP LOCKED and the change is a compare-and-set. Returns how
  // many events changed phase. Never throws; failures are logged and retried next pass.
  int AdvanceDue(int max_events = 100);

  // What other features do inside a phase change; add to them only while wiring.
  PhaseHooks& Hooks() { return hooks_; }

 private:
  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  PhaseHooks hooks_;
  accounts::RateLimiter& limiter_;
};

}  // namespace atelier::events
