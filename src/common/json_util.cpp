#include "common/json_util.h"

#include "common/crypto.h"
#include "common/text.h"

namespace atelier {

std::string IdStr(std::int64_t id) { return std::to_string(id); }

std::optional<std::int64_t> ParseId(std::string_view s) {
  if (s.empty() || s.size() > 18 || s[0] == '0') return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  return ParseInt(s);
}

bool BodyReader::IsNull(std::string_view key) const {
  auto it = obj_.find(key);
  return it != obj_.end() && it->value().is_null();
}

std::optional<std::string> BodyReader::String(std::string_view key) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_string()) {
    errors_.Add(std::string(key), "invalid", "must be a string");
    return std::nullopt;
  }
  return std::string(it->value().get_string());
}

std::optional<std::int64_t> BodyReader::Int(std::string_view key) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::nullopt;
  const auto& v = it->value();
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double()) {
    double d = v.get_double();
    // Range first: converting a double outside int64 is undefined (found by fuzz_json_body).
    if (d > -9e15 && d < 9e15 && d == static_cast<double>(static_cast<std::int64_t>(d)))
      return static_cast<std::int64_t>(d);
  }
  errors_.Add(std::string(key), "invalid", "must be an integer");
  return std::nullopt;
}

std::optional<bool> BodyReader::Bool(std::string_view key) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_bool()) {
    errors_.Add(std::string(key), "invalid", "must be true or false");
    return std::nullopt;
  }
  return it->value().get_bool();
}

const boost::json::object* BodyReader::Object(std::string_view key) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return nullptr;
  if (!it->value().is_object()) {
    errors_.Add(std::string(key), "invalid", "must be an object");
    return nullptr;
  }
  return &it->value().get_object();
}

std::string BodyReader::RequireString(std::string_view key) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) throw BadRequest("Missing field: " + std::string(key));
  if (!it->value().is_string()) {
    throw ApiError(422, "validation_failed", "The request has invalid fields",
                   {{std::string(key), "invalid", "must be a string"}});
  }
  return std::string(it->value().get_string());
}

int ParseLimit(const std::optional<std::string>& raw) {
  if (!raw) return 20;
  auto v = ParseInt(*raw);
  if (!v || *v < 1 || *v > 100) throw BadRequest("limit must be a number from 1 to 100");
  return static_cast<int>(*v);
}

// A cursor is base64url("c1" followed by the keys, each as ".<decimal>").
std::string EncodeCursor(const std::vector<std::int64_t>& keys) {
  std::string raw = "c1";
  for (auto k : keys) raw += "." + std::to_string(k);
  return Base64UrlEncode(raw);
}

std::vector<std::int64_t> DecodeCursor(const std::string& cursor, size_t expected_keys) {
  std::string raw;
  if (cursor.size() > 200 || !Base64UrlDecode(cursor, raw) || raw.rfind("c1", 0) != 0)
    throw BadRequest("cursor is not one this server issued");
  std::vector<std::int64_t> keys;
  size_t pos = 2;
  while (pos < raw.size()) {
    if (raw[pos] != '.') throw BadRequest("cursor is not one this server issued");
    size_t next = raw.find('.', pos + 1);
    auto v = ParseInt(std::string_view(raw).substr(pos + 1, (next == std::string::npos ? raw.size() : next) - pos - 1));
    if (!v) throw BadRequest("cursor is not one this server issued");
    keys.push_back(*v);
    pos = next == std::string::npos ? raw.size() : next;
  }
  if (keys.size() != expected_keys) throw BadRequest("cursor is not one this server issued");
  return keys;
}

boost::json::object Page(boost::json::array items, const std::optional<std::string>& next_cursor) {
  boost::json::object page;
  page[kPageItems] = std::move(items);
  if (next_cursor)
    page[kPageNextCursor] = *next_cursor;
  else
    page[kPageNextCursor] = nullptr;
  return page;
}

}  // namespace atelier
