#include "accounts/auth.h"

#include "accounts/session_cache.h"
#include "common/crypto.h"
#include "common/error.h"
#include "common/json_util.h"
#include "db/listen_state.h"

namespace atelier::accounts {

namespace {
std::optional<std::string> TokenOf(const http::Request& req, bool& via_cookie) {
  std::string_view authz = req.Header("authorization");
  if (authz.size() > 7 && (authz.substr(0, 7) == "Bearer " || authz.substr(0, 7) == "bearer ")) {
    via_cookie = false;
    return std::string(authz.substr(7));
  }
  if (auto c = req.Cookie("atelier_session"); c && !c->empty()) {
    via_cookie = true;
    return c;
  }
  return std::nullopt;
}

bool ChangesState(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}
}  // namespace

Authenticator::Authenticator(db::Database& db, const Clock& clock) : db_(db), clock_(clock) {
  // SQLite: one process, and a lookup is a local B-tree read; the cache would save little
  // (docs/architecture.md) and need in-process invalidation. PostgreSQL: a round trip.
  if (db.GetDialect() != db::Dialect::kPostgres) return;
  cache_ = std::make_shared<SessionCache>();
  db.Listen(std::string(kSessionCacheChannel),
            [cache = cache_](std::string_view payload) { cache->OnSignal(payload); });
  // Also on the connections that run reads, so a read's own answer brings the logouts
  // committed before it (RequireForRead). A signal handled twice drops a user twice.
  db::ListenOnEveryConnection(db, std::string(kSessionCacheChannel));
  // After Listen: the cache turns on only once its channel is listened to.
  db::OnListenState(db, [cache = cache_](bool listening) { cache->SetListening(listening); });
}

Authenticator::~Authenticator() = default;

std::optional<Authenticator::Token> Authenticator::UsableToken(const http::Request& req) {
  Token t;
  auto text = TokenOf(req, t.via_cookie);
  if (!text || text->size() > 128) return std::nullopt;
  t.text = std::move(*text);
  return t;
}

std::optional<AuthUser> Authenticator::Optional(const http::Request& req) const {
  // No usable token, no transaction.
  auto token = UsableToken(req);
  if (!token) return std::nullopt;
  return Lookup(nullptr, req, *token);
}

std::optional<AuthUser> Authenticator::Optional(db::Tx& tx, const http::Request& req) const {
  auto token = UsableToken(req);
  if (!token) return std::nullopt;
  return Lookup(&tx, req, *token);
}

std::optional<std::pair<AuthUser, Millis>> Authenticator::Read(db::Tx& tx, std::string hash) const {
  auto row = tx.QueryOne(
      "SELECT u.id, u.username, u.display_name, u.email, u.email_verified, s.expires_at FROM sessions s "
      "JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
      hash, clock_.Now());
  if (!row) return std::nullopt;
  AuthUser u;
  u.id = row->Int(0);
  u.username = row->Str(1);
  u.display_name = row->Str(2);
  u.email = row->Str(3);
  u.email_verified = row->Bool(4);
  u.session_hash = std::move(hash);
  return std::pair{std::move(u), row->Int(5)};
}

std::optional<AuthUser> Authenticator::Lookup(db::Tx* tx, const http::Request& req, const Token& token) const {
  std::string hash = Sha256Hex(token.text);
  std::optional<AuthUser> user;
  // A cached session is served only once every signal committed before this request is in
  // (a logout answered by another process a moment ago has dropped it by then): one shared
  // SELECT 1 on the listening connection instead of a transaction of three statements.
  if (cache_ && cache_->Find(hash, clock_.Now()) && db::AwaitSignals(db_)) user = cache_->Find(hash, clock_.Now());
  if (!user) {
    std::optional<std::pair<AuthUser, Millis>> found;
    if (tx != nullptr) {
      // The caller's snapshot may be older than any generation read now: not cached.
      found = Read(*tx, std::move(hash));
    } else {
      const std::uint64_t generation = cache_ ? cache_->Generation() : 0;
      found = db_.ReadSingle([&](db::Tx& own) { return Read(own, hash); });
      if (found && cache_) cache_->Insert(found->first, found->second, generation);
    }
    if (!found) return std::nullopt;
    user = std::move(found->first);
  }
  CheckCsrf(req, token);
  return user;
}

void Authenticator::CheckCsrf(const http::Request& req, const Token& token) {
  if (!token.via_cookie || !ChangesState(req.method)) return;
  auto cookie = req.Cookie("atelier_csrf");
  std::string_view header = req.Header("x-csrf-token");
  if (!cookie || cookie->empty() || !ConstantTimeEquals(*cookie, header))
    throw ApiError(403, "csrf_failed", "The X-CSRF-Token header must match the atelier_csrf cookie");
}

Authenticator::PendingRead Authenticator::BeginRead(const http::Request& req) const {
  auto token = UsableToken(req);
  if (!token) throw Unauthenticated();
  if (cache_) {
    std::string hash = Sha256Hex(token->text);
    if (auto user = cache_->Find(hash, clock_.Now())) {
      CheckCsrf(req, *token);
      // The handler's own statements usually bring the signals; else Confirm asks for them.
      // A stamp is 0 only where signals come through the listener alone (the constructor
      // listens on every connection): then the usual lookup below.
      if (const std::uint64_t stamp = db::SignalStamp(db_); stamp != 0)
        return PendingRead{.user = std::move(*user), .hash = std::move(hash), .stamp = stamp};
    }
  }
  auto user = Lookup(nullptr, req, *token);
  if (!user) throw Unauthenticated();
  return PendingRead{.user = std::move(*user), .hash = {}, .stamp = 0};
}

void Authenticator::Confirm(const PendingRead& pending, db::Tx* tx) const {
  if (pending.stamp == 0) return;
  const bool signals_in =
      tx != nullptr ? db::SignalsDelivered(db_, pending.stamp) : db::SyncSignals(db_, pending.stamp);
  if (signals_in && cache_->Find(pending.hash, clock_.Now())) return;
  // Dropped meanwhile, or the signals did not come in time: the database decides.
  auto found =
      tx != nullptr ? Read(*tx, pending.hash) : db_.ReadSingle([&](db::Tx& own) { return Read(own, pending.hash); });
  if (!found || found->first.id != pending.user.id) throw Unauthenticated();
}

AuthUser Authenticator::Require(const http::Request& req) const {
  auto u = Optional(req);
  if (!u) throw Unauthenticated();
  return std::move(*u);
}

AuthUser Authenticator::Require(db::Tx& tx, const http::Request& req) const {
  auto u = Optional(tx, req);
  if (!u) throw Unauthenticated();
  return std::move(*u);
}

void Authenticator::RequireVerified(const AuthUser& user) {
  if (!user.email_verified)
    throw ApiError(403, "email_not_verified", "Verify your email address first (see the link we emailed you)");
}

}  // namespace atelier::accounts
