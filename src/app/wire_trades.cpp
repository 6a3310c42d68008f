#include "accounts/rate_limiter.h"
#include "app/context.h"
#include "matching/trade_routes.h"
#include "matching/trade_service.h"

namespace atelier::app {

void WireTrades(AppContext& ctx, const ArtworksWiring& artworks) {
  auto& svc =
      ctx.Own<matching::TradeService>(*ctx.db, ctx.clock, *ctx.notifier, artworks.hooks, artworks.uploads.images);
  auto& limiter = ctx.Own<accounts::RateLimiter>(ctx.clock, ctx.config.rate_limits);
  matching::RegisterTradeRoutes(ctx.router, svc, *ctx.auth, limiter, artworks.uploads);
}

}  // namespace atelier::app
