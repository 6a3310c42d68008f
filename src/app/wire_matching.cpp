#include "app/context.h"
#include "artworks/artwork_view.h"
#include "events/event_service.h"
#include "matching/match_service.h"
#include "matching/routes.h"

namespace atelier::app {

void WireMatching(AppContext& ctx, events::PhaseHooks& phase_hooks, artworks::ArtworkHooks& artwork_hooks) {
  auto& svc = ctx.Own<matching::MatchService>(*ctx.db, ctx.clock, *ctx.notifier, artwork_hooks);
  // An artwork shows the viewer's like and whether it is matched; deleting one ends its
  // matches.
  svc.AddArtworkHooks(artwork_hooks);
  matching::RegisterRoutes(ctx.router, svc, *ctx.auth);
  // Leaving MATCHING pairs the artists, in the phase change's transaction: exactly once.
  phase_hooks.Add([&svc](db::Tx& tx, const events::EventInfo& event, events::Phase from, events::Phase to) {
    if (from == events::Phase::kMatching && to == events::Phase::kClosed) svc.CreateMatches(tx, event);
  });
}

}  // namespace atelier::app
