#pragma once
// What other features do when an event changes phase. A hook runs inside the transaction
// that makes the change (the compare-and-set on events.phase), so its writes commit with
// the change or not at all, and it runs exactly once per change however many processes
// race for it. artworks registers VOTING → MATCHING (VOTE_NOTIFICATION per artwork);
// matching registers MATCHING → CLOSED (the pairing).
//
// A hook gets every change and picks the ones it cares about by `from`/`to`. It must do
// nothing outside the transaction (on PostgreSQL the transaction may be retried, running
// the hook again), and it may throw: the phase change then fails as a whole.
//
// Thread-safety: register hooks while the program is wired, before the server and the
// scheduler start; running them is then safe from any thread.
#include <functional>

#include "db/database.h"
#include "events/event_store.h"
#include "events/phase.h"

namespace atelier::events {

// `event` is as it is after the change (event.phase == to).
using PhaseHook = std::function<void(db::Tx& tx, const EventInfo& event, Phase from, Phase to)>;

void OnPhaseChange(PhaseHook hook);

// Runs every registered hook, in registration order (used by EventService::ChangePhase).
void RunPhaseHooks(db::Tx& tx, const EventInfo& event, Phase from, Phase to);

}  // namespace atelier::events
