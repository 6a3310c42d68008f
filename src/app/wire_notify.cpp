#include <memory>
#include <string>

#include "app/context.h"
#include "notify/feed.h"
#include "notify/mail.h"
#include "notify/routes.h"
#include "notify/stream_hub.h"

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

void WireNotify(AppContext& ctx) {
  auto& feed = ctx.Own<notify::Feed>(*ctx.db);
  auto& hub = ctx.Own<notify::StreamHub>(*ctx.db);
  accounts::Authenticator& auth = *ctx.auth;
  notify::AddRoutes(
      ctx.router, feed, hub, [&auth](const http::Request& req) { return auth.Require(req).id; },
      [&auth](db::Tx& tx, const http::Request& req) { return auth.Require(tx, req).id; });
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
  auto& sender =
      ctx.Own<notify::MailSender>(*ctx.db, ctx.clock, std::move(transport), cfg.smtp_from, HostOf(cfg.public_url));
  ctx.starters.push_back([&sender] { sender.Start(); });
  ctx.stoppers.push_back([&sender] { sender.Stop(); });
}

}  // namespace atelier::app
