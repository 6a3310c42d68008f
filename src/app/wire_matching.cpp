#include "accounts/account_hooks.h"
#include "app/context.h"
#include "artworks/artwork_view.h"
#include "events/service.h"
#include "groups/membership_hooks.h"
#include "matching/account_deletion.h"
#include "matching/exclusions.h"
#include "matching/routes.h"
#include "matching/service.h"
#include "notify/reminders.h"

namespace atelier::app {

void WireMatching(AppContext& ctx, events::PhaseHooks& phase_hooks, artworks::ArtworkHooks& artwork_hooks,
                  accounts::AccountHooks& account_hooks, groups::MembershipHooks& membership_hooks,
                  notify::ReminderSweeper& reminders) {
  auto& svc = ctx.Own<matching::MatchService>(*ctx.db, ctx.clock, *ctx.notifier, artwork_hooks);
  // An artwork shows the viewer's like and whether it is matched; deleting one ends its
  // matches.
  svc.AddArtworkHooks(artwork_hooks);
  matching::RegisterRoutes(ctx.router, svc, *ctx.auth);
  // Deleting an account declines the person's open matches (partners told) before their
  // artworks (and with them the matches) go, and removes their likes.
  account_hooks.AddBeforeDelete(accounts::AccountHooks::Stage::kWithdraw,
                                [&notifier = *ctx.notifier](db::Tx& tx, std::int64_t user_id) {
                                  matching::WithdrawLeavingUser(tx, notifier, user_id);
                                });
  account_hooks.AddExport(
      [](db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out) { matching::ExportFor(tx, user_id, out); });
  auto& exclusions = ctx.Own<matching::ExclusionService>(*ctx.db, ctx.clock);
  matching::RegisterExclusionRoutes(ctx.router, exclusions, *ctx.auth);
  // Leaving MATCHING pairs the artists, in the phase change's transaction: exactly once.
  phase_hooks.Add([&svc](db::Tx& tx, const events::EventInfo& event, events::Phase from, events::Phase to) {
    if (from == events::Phase::kMatching && to == events::Phase::kClosed) svc.CreateMatches(tx, event);
  });
  // A member who leaves or is removed ends their live matches, and the events pair again.
  membership_hooks.Add(
      [&svc](db::Tx& tx, std::int64_t group_id, std::int64_t user_id) { svc.MembershipEnded(tx, group_id, user_id); });
  // TRADE_REMINDER, 24 hours before an event's tradesDueAt, once per participant and match.
  reminders.Add("trade", [&svc](db::Tx& tx, Millis now) { return svc.SendTradeReminders(tx, now); });
}

}  // namespace atelier::app
