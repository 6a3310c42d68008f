#include "notify/unsubscribe.h"

#include <sodium.h>

#include "common/crypto.h"
#include "common/error.h"
#include "common/json_util.h"
#include "http/durable.h"
#include "http/json_response.h"
#include "notify/resources.h"

namespace atelier::notify {

namespace {
constexpr std::string_view kSecretName = "unsubscribe_hmac";

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}
ApiError InvalidToken() { return ApiError(400, "invalid_token", "This unsubscribe link is not valid"); }
}  // namespace

std::string UnsubscribeLinks::LoadOrCreateKey(db::Database& db) {
  return db.Write([&](db::Tx& tx) {
    tx.Exec("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", kSecretName,
            RandomToken(32));
    return tx.QueryOne("SELECT value FROM server_secrets WHERE name = $1", kSecretName)->Str(0);
  });
}

std::string UnsubscribeLinks::Mac(std::int64_t user_id, std::string_view type) const {
  return Base64UrlEncode(HmacSha256(key_, "unsubscribe:" + std::to_string(user_id) + ":" + std::string(type)));
}

std::string UnsubscribeLinks::Token(std::int64_t user_id, Type type) const {
  return std::to_string(user_id) + "." + std::string(TypeName(type)) + "." + Mac(user_id, TypeName(type));
}

std::optional<std::pair<std::int64_t, Type>> UnsubscribeLinks::Verify(std::string_view token) const {
  if (token.size() > 200) return std::nullopt;
  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  auto id = ParseId(token.substr(0, dot1));
  auto type_name = token.substr(dot1 + 1, dot2 - dot1 - 1);
  auto type = ParseType(type_name);
  if (!id || !type) return std::nullopt;
  if (!ConstantTimeEquals(Mac(*id, type_name), token.substr(dot2 + 1))) return std::nullopt;
  return std::make_pair(*id, *type);
}

void RegisterUnsubscribeRoutes(http::Router& router, db::Database& db, const UnsubscribeLinks& links) {
  router.Add("POST", "/api/v1/unsubscribe", [&db, &links](http::Request& req) {
    // RFC 8058: the body is `List-Unsubscribe=One-Click` (form-encoded) and says nothing
    // more; the token in the URL is what counts.
    auto named = links.Verify(req.Query("token").value_or(""));
    if (!named) throw InvalidToken();
    // Plain copies, not a structured binding: clang 14 cannot capture one in the lambda.
    const auto user_id = named->first;
    const auto type = named->second;
    db::CommitToken durable;
    db.Write(durable, [&](db::Tx& tx) {
      if (!tx.QueryOne("SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL", user_id)) throw InvalidToken();
      tx.Exec(
          "INSERT INTO notification_settings (user_id, type, email) VALUES ($1, $2, 0) "
          "ON CONFLICT (user_id, type) DO UPDATE SET email = 0",
          user_id, TypeName(type));
    });
    return http::Durable(http::JsonResponse(200, api::Unsubscribed{.type = TypeName(type)}), durable);
  });
}

}  // namespace atelier::notify
