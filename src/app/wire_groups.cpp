#include "app/context.h"
#include "groups/routes.h"
#include "groups/service.h"

namespace atelier::app {

void WireGroups(AppContext& ctx) {
  auto& service = ctx.Own<groups::GroupService>(*ctx.db, ctx.clock, *ctx.notifier);
  groups::AddRoutes(ctx.router, service, *ctx.auth, ctx.clock);
}

}  // namespace atelier::app
