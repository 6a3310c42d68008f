#include "accounts/service.h"
#include "app/context.h"
#include "groups/routes.h"
#include "groups/service.h"

namespace atelier::app {

groups::GroupService& WireGroups(AppContext& ctx, accounts::AccountService& accounts) {
  auto& limiter = ctx.Own<accounts::RateLimiter>(ctx.clock, ctx.config.rate_limits, ctx.limits_db.get());
  auto& service = ctx.Own<groups::GroupService>(*ctx.db, ctx.clock, *ctx.notifier, limiter);
  accounts.OnEmailVerified([&service](db::Tx& tx, std::int64_t user_id, const std::string& email) {
    service.NotifyEmailInvitations(tx, user_id, email);
  });
  // Deleting an account: refused while the person owns a group, else they leave every group.
  accounts.Hooks().AddBeforeDelete(accounts::AccountHooks::Stage::kCheck, [&service](db::Tx& tx, std::int64_t user_id) {
    service.RefuseLeavingOwner(tx, user_id);
  });
  accounts.Hooks().AddBeforeDelete(
      accounts::AccountHooks::Stage::kRemove,
      [&service](db::Tx& tx, std::int64_t user_id) { service.RemoveLeavingUser(tx, user_id); });
  accounts.Hooks().AddExport(
      [&service](db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out) { service.ExportFor(tx, user_id, out); });
  groups::RegisterRoutes(ctx.router, service, *ctx.auth, ctx.clock, ctx.trusted_proxies);
  return service;
}

}  // namespace atelier::app
