#pragma once
// Everything the features are built from, and what they register: the one place that
// builds the parts and hands each what it needs (constructor injection). Each feature
// has a Wire*() function in app/wire_<feature>.cpp that creates its services and adds
// its routes and background jobs.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "accounts/auth.h"
#include "app/config.h"
#include "common/clock.h"
#include "db/database.h"
#include "http/client_ip.h"
#include "http/metrics.h"
#include "http/router.h"
#include "notify/notifier.h"

namespace atelier::accounts {
class AccountService;
class AccountHooks;
}  // namespace atelier::accounts
namespace atelier::events {
class EventService;
class PhaseHooks;
}  // namespace atelier::events
namespace atelier::artworks {
class ArtworkHooks;
}
namespace atelier::groups {
class GroupService;
class MembershipHooks;
}  // namespace atelier::groups
namespace atelier::matching {
struct UploadTools;
}
namespace atelier::notify {
class ReminderSweeper;
}

namespace atelier::app {

struct AppContext {
  Config config;
  SystemClock clock;
  std::unique_ptr<db::Database> db;
  // PostgreSQL with --rate-limits on: a second, small pool for the rate limits' buckets
  // (accounts/rate_limiter.h), which every process shares. Null otherwise.
  std::unique_ptr<db::Database> limits_db;
  http::Router router;
  http::Metrics metrics;
  // --trusted-proxies: for the server's per-address cap and for rate limits by client.
  http::TrustedProxies trusted_proxies;
  std::unique_ptr<accounts::Authenticator> auth;
  std::unique_ptr<notify::Notifier> notifier;
  // Background work: started once the server listens (serve only), stopped in reverse
  // order before exit.
  std::vector<std::function<void()>> starters;
  std::vector<std::function<void()>> stoppers;

  // Keeps a feature's object alive as long as the context; returns it.
  template <typename T, typename... A>
  T& Own(A&&... args) {
    auto p = std::make_shared<T>(std::forward<A>(args)...);
    T& ref = *p;
    owned_.push_back(std::move(p));
    return ref;
  }
  ~AppContext() {
    // Destroy features before the database they use, newest first.
    while (!owned_.empty()) owned_.pop_back();
  }

 private:
  std::vector<std::shared_ptr<void>> owned_;
};

// The order of these calls is the order of dependencies: what a feature needs from
// another is an argument, so it cannot be wired before what it uses.
void WireHealth(AppContext& ctx);
// The reminder sweeper (notify/reminders.h): features add their reminder jobs to it while
// wiring.
notify::ReminderSweeper& WireNotify(AppContext& ctx);
accounts::AccountService& WireAccounts(AppContext& ctx);
groups::GroupService& WireGroups(AppContext& ctx, accounts::AccountService& accounts);
events::EventService& WireEvents(AppContext& ctx, notify::ReminderSweeper& reminders);
// What other features take from artworks: the hooks, and the parts of an upload (image
// store, upload rate limit, decode gate, limits) for trades' deliveries.
struct ArtworksWiring {
  artworks::ArtworkHooks& hooks;
  const matching::UploadTools& uploads;
};
ArtworksWiring WireArtworks(AppContext& ctx, events::PhaseHooks& phase_hooks, accounts::AccountHooks& account_hooks);
void WireMatching(AppContext& ctx, events::PhaseHooks& phase_hooks, artworks::ArtworkHooks& artwork_hooks,
                  accounts::AccountHooks& account_hooks, groups::MembershipHooks& membership_hooks,
                  notify::ReminderSweeper& reminders);
// Messages, deliveries and the trade gallery of matches.
void WireTrades(AppContext& ctx, const ArtworksWiring& artworks, accounts::AccountHooks& account_hooks);
// After every Wire*: gives each API route that needs a session, and has no pre-check of its
// own, one that refuses a caller without a valid session from the request head (401, or
// 403 csrf_failed), so an anonymous client's large body is never read.
void GuardBodies(AppContext& ctx);

// `atelier demo`: fills an empty database with a demo community; prints the logins.
int RunDemo(AppContext& ctx, const events::PhaseHooks& phase_hooks);

}  // namespace atelier::app
