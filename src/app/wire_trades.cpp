#include "accounts/account_hooks.h"
#include "accounts/rate_limiter.h"
#include "app/context.h"
#include "artworks/image_store.h"
#include "matching/account_deletion.h"
#include "matching/trade_routes.h"
#include "matching/trade_service.h"

namespace atelier::app {

void WireTrades(AppContext& ctx, const ArtworksWiring& artworks, accounts::AccountHooks& account_hooks) {
  auto& svc =
      ctx.Own<matching::TradeService>(*ctx.db, ctx.clock, *ctx.notifier, artworks.hooks, artworks.uploads.images);
  auto& limiter = ctx.Own<accounts::RateLimiter>(ctx.clock, ctx.config.rate_limits);
  matching::RegisterTradeRoutes(ctx.router, svc, *ctx.auth, limiter, artworks.uploads);
  // Deleting an account: after the artworks (registered earlier in the same stage) took the
  // person's matches with their messages and deliveries, anything of theirs left goes.
  account_hooks.AddBeforeDelete(accounts::AccountHooks::Stage::kRemove, [](db::Tx& tx, std::int64_t user_id) {
    matching::RemoveLeavingUserTrades(tx, user_id);
  });
  account_hooks.AddExport([&images = artworks.uploads.images](db::Tx& tx, std::int64_t user_id,
                                                              accounts::ExportSink& out) {
    matching::ExportTradesFor(tx, user_id, out, [&images](const std::string& key) { return images.LocalFile(key); });
  });
}

}  // namespace atelier::app
