#include <algorithm>
#include <chrono>

#include "app/context.h"
#include "events/reminders.h"
#include "events/routes.h"
#include "events/scheduler.h"
#include "events/service.h"

namespace atelier::app {

events::EventService& WireEvents(AppContext& ctx, notify::ReminderSweeper& reminders) {
  auto& limiter = ctx.Own<accounts::RateLimiter>(ctx.clock, ctx.config.rate_limits, ctx.limits_db.get());
  auto& svc = ctx.Own<events::EventService>(*ctx.db, ctx.clock, *ctx.notifier, limiter);
  events::RegisterRoutes(ctx.router, svc, *ctx.auth);
  auto& scheduler =
      ctx.Own<events::Scheduler>(svc, std::chrono::milliseconds(std::max(10, ctx.config.scheduler_interval_ms)));
  ctx.starters.push_back([&scheduler] { scheduler.Start(); });
  ctx.stoppers.push_back([&scheduler] { scheduler.Stop(); });
  // DEADLINE_REMINDER, 24 h before VOTING and MATCHING end; each sent once across processes.
  events::AddDeadlineReminders(reminders, *ctx.notifier);
  return svc;
}

}  // namespace atelier::app
