#include "app/context.h"
#include "notify/feed.h"
#include "notify/routes.h"
#include "notify/stream_hub.h"

namespace atelier::app {

void WireNotify(AppContext& ctx) {
  auto& feed = ctx.Own<notify::Feed>(*ctx.db);
  auto& hub = ctx.Own<notify::StreamHub>(*ctx.db);
  accounts::Authenticator& auth = *ctx.auth;
  notify::AddRoutes(ctx.router, feed, hub, [&auth](const http::Request& req) { return auth.Require(req).id; });
  // Listening starts with serving (not for migrate or demo); streams close on shutdown.
  ctx.starters.push_back([&hub] { hub.Start(); });
  ctx.stoppers.push_back([&hub] { hub.Stop(); });
}

}  // namespace atelier::app
