#include "events/phase_hooks.h"

#include <utility>
#include <vector>

namespace atelier::events {

namespace {
std::vector<PhaseHook>& Hooks() {
  static std::vector<PhaseHook> hooks;
  return hooks;
}
}  // namespace

void OnPhaseChange(PhaseHook hook) { Hooks().push_back(std::move(hook)); }

void RunPhaseHooks(db::Tx& tx, const EventInfo& event, Phase from, Phase to) {
  for (const auto& hook : Hooks()) hook(tx, event, from, to);
}

}  // namespace atelier::events
