#include "accounts/auth.h"

#include "common/crypto.h"
#include "common/error.h"
#include "common/json_util.h"

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
  return db_.Read([&](db::Tx& tx) { return Lookup(tx, req, *token); });
}

std::optional<AuthUser> Authenticator::Optional(db::Tx& tx, const http::Request& req) const {
  auto token = UsableToken(req);
  if (!token) return std::nullopt;
  return Lookup(tx, req, *token);
}

std::optional<AuthUser> Authenticator::Lookup(db::Tx& tx, const http::Request& req, const Token& token) const {
  const bool via_cookie = token.via_cookie;
  std::string hash = Sha256Hex(token.text);
  auto row = tx.QueryOne(
      "SELECT u.id, u.username, u.display_name, u.email, u.email_verified FROM sessions s "
      "JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
      hash, clock_.Now());
  if (!row) return std::nullopt;
  if (via_cookie && ChangesState(req.method)) {
    auto cookie = req.Cookie("atelier_csrf");
    std::string_view header = req.Header("x-csrf-token");
    if (!cookie || cookie->empty() || !ConstantTimeEquals(*cookie, header))
      throw ApiError(403, "csrf_failed", "The X-CSRF-Token header must match the atelier_csrf cookie");
  }
  AuthUser u;
  u.id = row->Int(0);
  u.username = row->Str(1);
  u.display_name = row->Str(2);
  u.email = row->Str(3);
  u.email_verified = row->Bool(4);
  u.session_hash = std::move(hash);
  return u;
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
