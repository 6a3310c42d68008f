#include <filesystem>

#include "accounts/routes.h"
#include "accounts/service.h"
#include "app/context.h"

namespace atelier::app {

accounts::AccountService& WireAccounts(AppContext& ctx) {
  accounts::AccountsConfig config;
  config.lockout_attempts = ctx.config.lockout_attempts;
  config.lockout_seconds = ctx.config.lockout_seconds;
  config.rate_limits = ctx.config.rate_limits;
  config.shared_limits = ctx.limits_db.get();
  config.export_dir = (std::filesystem::path(ctx.config.data_dir) / "exports").string();
  auto& service = ctx.Own<accounts::AccountService>(*ctx.db, ctx.clock, *ctx.notifier, config);
  accounts::RegisterRoutes(ctx.router, service, *ctx.auth, ctx.trusted_proxies,
                           ctx.config.public_url.starts_with("https://"));
  return service;
}

}  // namespace atelier::app
