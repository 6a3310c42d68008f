#include <string_view>

#include "app/context.h"

namespace atelier::app {

namespace {
// The API routes that serve callers without a session: registration, login, email
// verification and password reset, one-click unsubscribe, an invitation's preview, plus the health and metrics
// endpoints (outside /api/).
bool IsPublic(std::string_view pattern) {
  if (!pattern.starts_with("/api/")) return true;
  // The one-click unsubscribe link (notify/unsubscribe.h) carries its own signed token.
  if (pattern == "/api/v1/unsubscribe") return true;
  // The link in an invitation's email carries a token of its own (groups/service.h, Preview).
  if (pattern == "/api/v1/invitations/preview") return true;
  return pattern.starts_with("/api/v1/auth/") && pattern != "/api/v1/auth/logout";
}
}  // namespace

void GuardBodies(AppContext& ctx) {
  const accounts::Authenticator& auth = *ctx.auth;
  for (const auto& route : ctx.router.Routes()) {
    if (route->options.pre_check || IsPublic(route->pattern)) continue;
    ctx.router.SetPreCheck(route->method, route->pattern,
                           [&auth](const http::Request& req) { (void)auth.Require(req); });
  }
}

}  // namespace atelier::app
