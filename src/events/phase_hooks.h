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
// The EventService owns its PhaseHooks; the wiring hands them to the features that add
// hooks. Thread-safety: Add() while the program is wired, before the server and the
// scheduler start; Run() is then safe from any thread.
#include <functional>
#include <vector>

#include "db/database.h"
#include "events/phase.h"
#include "events/store.h"

namespace atelier::events {

// `event` is as it is after the change (event.phase == to).
using PhaseHook = std::function<void(db::Tx& tx, const EventInfo& event, Phase from, Phase to)>;

class PhaseHooks {
 public:
  void Add(PhaseHook hook) { hooks_.push_back(std::move(hook)); }
  // Runs every hook, in the order they were added (used by EventService::ChangePhase).
  void Run(db::Tx& tx, const EventInfo& event, Phase from, Phase to) const {
    for (const auto& hook : hooks_) hook(tx, event, from, to);
  }

 private:
  std::vector<PhaseHook> hooks_;
};

}  // namespace atelier::events
