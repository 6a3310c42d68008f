#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "app/context.h"
#include "notify/feed.h"
#include "notify/mail.h"
#include "notify/reminders.h"
#include "notify/routes.h"
#include "notify/stream_hub.h"
#include "notify/unsubscribe.h"

namespace atelier::app {

namespace {
// "https://atelier.example:8443/x" → "atelier.example", for Message-IDs.
std::string HostOf(const std::string& url) {
  std::string rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  if (!rest.empty() && rest.front() == '[') return rest.substr(0, rest.find(']') + 1);
  rest = rest.substr(0, rest.find(':'));
  return rest.empty() ? "localhost" : rest;
}
}  // namespace

notify::ReminderSweeper& WireNotify(AppContext& ctx) {
  auto& feed = ctx.Own<notify::Feed>(*ctx.db);
  notify::HubOptions hub_options;
  hub_options.max_streams = static_cast<std::size_t>(ctx.config.max_streams);
  // For tests that need a client which stops reading to be found quickly.
  if (const char* bytes = std::getenv("ATELIER_STREAM_QUEUE_BYTES"); bytes && std::atoll(bytes) > 0)
    hub_options.max_queued_bytes = static_cast<std::size_t>(std::atoll(bytes));
  auto& hub = ctx.Own<notify::StreamHub>(*ctx.db, hub_options);
  accounts::Authenticator& auth = *ctx.auth;
  notify::RegisterRoutes(
      ctx.router, feed, hub, [&auth](const http::Request& req) { return auth.Require(req).id; },
      [&auth](const http::Request& req) {
        auto user = auth.Require(req);
        return notify::Caller{user.id, std::move(user.session_hash)};
      },
      [&auth](const http::Request& req, const std::function<http::Response(std::int64_t)>& read) {
        return auth.RequireForRead(req, [&](const accounts::AuthUser& user) { return read(user.id); });
      });
  ctx.metrics.AddGauge("atelier_streams_open", "Notification streams open in this process.",
                       [&hub] { return static_cast<double>(hub.OpenStreams()); });
  ctx.metrics.AddGauge("atelier_streams_refused", "Streams refused with 503 busy (over --max-streams) since start.",
                       [&hub] { return static_cast<double>(hub.Stats().refused); });
  ctx.metrics.AddGauge("atelier_streams_dropped",
                       "Streams dropped since start because the client stopped reading (queue bound or write "
                       "timeout).",
                       [&hub] { return static_cast<double>(hub.Stats().dropped); });
  ctx.metrics.AddGauge("atelier_streams_replaced",
                       "Streams closed since start because their user opened more than 5 in this process.",
                       [&hub] { return static_cast<double>(hub.Stats().replaced); });
  ctx.metrics.AddGauge("atelier_streams_revoked",
                       "Streams ended since start because their session ended or the account locked.",
                       [&hub] { return static_cast<double>(hub.Stats().revoked); });
  // Listening starts with serving (not for migrate or demo); streams close on shutdown.
  ctx.starters.push_back([&hub] { hub.Start(); });
  ctx.stoppers.push_back([&hub] { hub.Stop(); });

  // The outbox sender: SMTP when configured, else the mail dir (docs/product.md §1).
  const auto& cfg = ctx.config;
  std::unique_ptr<notify::MailTransport> transport;
  if (!cfg.smtp_url.empty())
    transport = std::make_unique<notify::SmtpTransport>(cfg.smtp_url, cfg.smtp_from);
  else
    transport = std::make_unique<notify::MailDirTransport>(cfg.mail_dir);
  // One-click unsubscribe links in notification mail, signed with the database's key.
  auto& unsubscribe =
      ctx.Own<notify::UnsubscribeLinks>(notify::UnsubscribeLinks::LoadOrCreateKey(*ctx.db), cfg.public_url);
  notify::RegisterUnsubscribeRoutes(ctx.router, *ctx.db, unsubscribe);
  auto& sender = ctx.Own<notify::MailSender>(*ctx.db, ctx.clock, std::move(transport), cfg.smtp_from,
                                             HostOf(cfg.public_url), &unsubscribe);
  ctx.starters.push_back([&sender] { sender.Start(); });
  ctx.stoppers.push_back([&sender] { sender.Stop(); });

  // Reminders (notify/reminders.h): features add their jobs while wiring; one sweep per
  // scheduler interval.
  auto& reminders = ctx.Own<notify::ReminderSweeper>(
      *ctx.db, ctx.clock, std::chrono::milliseconds(std::max(10, cfg.scheduler_interval_ms)));
  ctx.starters.push_back([&reminders] { reminders.Start(); });
  ctx.stoppers.push_back([&reminders] { reminders.Stop(); });
  return reminders;
}

}  // namespace atelier::app
