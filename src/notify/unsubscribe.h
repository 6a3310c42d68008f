#pragma once
// One-click unsubscribe (RFC 8058, docs/product.md §8). Every notification email carries
// `List-Unsubscribe: <{publicUrl}/api/v1/unsubscribe?token=T>` and
// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and its text a link to the web page
// `{publicUrl}/unsubscribe?token=T` that confirms and then POSTs. T names the user and the
// type and is signed with HMAC-SHA-256 under a key the server makes at its first start
// (table server_secrets, migration 011; every process reads the same one):
// `<user id>.<TYPE>.<base64url MAC>`. A POST with a valid token turns email off for that
// type, without a session; anything else is 400 invalid_token. Account mail (verification,
// reset, security alerts) carries none.
// Thread-safe after construction (immutable).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "db/database.h"
#include "http/router.h"
#include "notify/notifier.h"

namespace atelier::notify {

class UnsubscribeLinks {
 public:
  UnsubscribeLinks(std::string key, std::string public_url)
      : key_(std::move(key)), public_url_(std::move(public_url)) {}
  // The key in server_secrets, made (32 random bytes) by the first process that finds none.
  static std::string LoadOrCreateKey(db::Database& db);

  std::string Token(std::int64_t user_id, Type type) const;
  // The user and type a token names; nullopt when it is malformed or its MAC is wrong.
  std::optional<std::pair<std::int64_t, Type>> Verify(std::string_view token) const;
  // The one-click POST target (List-Unsubscribe) and the confirming web page (mail text).
  std::string PostUrl(const std::string& token) const { return public_url_ + "/api/v1/unsubscribe?token=" + token; }
  std::string PageUrl(const std::string& token) const { return public_url_ + "/unsubscribe?token=" + token; }

 private:
  std::string Mac(std::int64_t user_id, std::string_view type) const;
  std::string key_;
  std::string public_url_;
};

// POST /api/v1/unsubscribe?token=T: no session, no CSRF token (the signed token is the
// authority); 200 {"type","email":false}.
void RegisterUnsubscribeRoutes(http::Router& router, db::Database& db, const UnsubscribeLinks& links);

}  // namespace atelier::notify
