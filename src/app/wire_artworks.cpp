#include <chrono>
#include <cstdlib>

#include "accounts/account_hooks.h"
#include "accounts/rate_limiter.h"
#include "app/context.h"
#include "app/ops.h"
#include "artworks/account_deletion.h"
#include "artworks/image.h"
#include "artworks/image_collector.h"
#include "artworks/image_gate.h"
#include "artworks/image_store.h"
#include "artworks/routes.h"
#include "artworks/service.h"
#include "common/log.h"
#include "events/service.h"
#include "matching/trade_routes.h"

namespace atelier::app {

ArtworksWiring WireArtworks(AppContext& ctx, events::PhaseHooks& phase_hooks, accounts::AccountHooks& account_hooks) {
  artworks::PrepareImages();          // libvips itself starts at the first upload
  auto& images = OwnImageStore(ctx);  // --images dir|db
  if (images.InDatabase()) {
    // Files of --images dir that a db-mode process never serves: say so once.
    std::int64_t files = 0;
    artworks::ImageStore(ctx.config.data_dir).ForEachFile([&files](const artworks::ImageStore::File& f) {
      files += f.key.empty() ? 0 : 1;
    });
    if (files > 0)
      log::Warn(
          "image files found in the data dir's images/, which --images db does not read; copy them into the "
          "database with `atelier images import` (docs/operations.md)",
          {{"component", "image_store"}, {"files", files}});
  }
  auto& svc = ctx.Own<artworks::ArtworkService>(*ctx.db, ctx.clock, *ctx.notifier, images);
  // Tests only, never set in production: an upload waits between storing its files and
  // inserting its row.
  if (const char* pause = std::getenv("ATELIER_TEST_UPLOAD_PAUSE_MS"))
    svc.SetPauseAfterStoreForTests(std::chrono::milliseconds(std::atoll(pause)));
  // Files no row references any more go after a grace period (artworks/image_collector.h).
  if (ctx.config.image_collect_interval_s > 0) {
    auto& collector = ctx.Own<artworks::ImageCollector>(*ctx.db, images, CollectorOptions(ctx.config));
    ctx.starters.push_back([&collector] { collector.Start(); });
    ctx.stoppers.push_back([&collector] { collector.Stop(); });
  }
  auto& limiter = ctx.Own<accounts::RateLimiter>(ctx.clock, ctx.config.rate_limits, ctx.limits_db.get());
  const auto mib = [](int n) { return static_cast<std::size_t>(n) << 20; };
  artworks::ImageGate::Options gate_options;
  gate_options.memory_budget = mib(ctx.config.image_memory_mb);
  gate_options.per_user = ctx.config.image_decodes_per_user;
  // Heavy decodes may block at most all but one of the image pool's threads (see ImageGate).
  gate_options.heavy_slots = ctx.config.image_threads - 1;
  auto& gate = ctx.Own<artworks::ImageGate>(gate_options);
  const artworks::ImageLimits limits{.max_pixels = artworks::kMaxImagePixels,
                                     .max_decode_bytes = mib(ctx.config.image_decode_mb)};
  artworks::RegisterRoutes(ctx.router, svc, images, *ctx.auth, limiter, gate, limits);
  // An upload's body (up to about 21 MiB) is read only for a member who may still submit
  // to an OPEN event; the handler checks all of it again, the insert's transaction last.
  ctx.router.SetPreCheck("POST", "/api/v1/events/{id}/artworks", [&svc, &auth = *ctx.auth](const http::Request& req) {
    auto user = auth.Require(req);
    svc.CheckCanSubmit(user.id, http::PathId(req));
  });
  // Leaving VOTING publishes the counts: one VOTE_NOTIFICATION per artwork.
  phase_hooks.Add([&svc](db::Tx& tx, const events::EventInfo& event, events::Phase from, events::Phase to) {
    if (from == events::Phase::kVoting && to == events::Phase::kMatching) svc.PublishVotes(tx, event);
  });
  // Deleting an account withdraws the person's open votes and deletes their artworks.
  account_hooks.AddBeforeDelete(accounts::AccountHooks::Stage::kRemove, [&svc](db::Tx& tx, std::int64_t user_id) {
    artworks::RemoveLeavingUser(tx, svc.Hooks(), user_id);
  });
  account_hooks.AddExport([&images](db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out) {
    artworks::ExportFor(tx, user_id, out, [&images](const std::string& key) { return images.LocalFile(key); });
  });
  auto& uploads = ctx.Own<matching::UploadTools>(matching::UploadTools{images, limiter, gate, limits});
  return {svc.Hooks(), uploads};
}

}  // namespace atelier::app
