#pragma once
// Reading request bodies and writing ids, cursors and pages. Errors are ApiErrors with
// the codes docs/product.md §2 names.
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/json_writer.h"

namespace atelier {

// Ids are integers inside, decimal strings outside. ParseId: nullopt when not a positive
// decimal integer (the caller answers 404).
std::string IdStr(std::int64_t id);
std::optional<std::int64_t> ParseId(std::string_view s);

// Typed access to the fields of a JSON object body. Getters return nullopt when the
// field is absent; a field present with the wrong type adds a 422 field error "invalid"
// (thrown by Finish(), or at once by the Require* getters).
class BodyReader {
 public:
  explicit BodyReader(const boost::json::object& obj) : obj_(obj) {}
  bool Has(std::string_view key) const { return obj_.contains(key); }
  bool IsNull(std::string_view key) const;
  std::optional<std::string> String(std::string_view key);
  std::optional<std::int64_t> Int(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  const boost::json::object* Object(std::string_view key);
  // Missing field → 400 bad_request naming it.
  std::string RequireString(std::string_view key);
  Validation& Errors() { return errors_; }
  // Throws 422 when any field error was recorded.
  void Finish() { errors_.ThrowIfAny(); }

 private:
  const boost::json::object& obj_;
  Validation errors_;
};

// Pagination (docs/product.md §2): limit 1–100 (default 20); cursors are opaque to clients and
// carry the sort key of the last item. Both throw 400 bad_request when malformed.
int ParseLimit(const std::optional<std::string>& raw);
std::string EncodeCursor(const std::vector<std::int64_t>& keys);
std::vector<std::int64_t> DecodeCursor(const std::string& cursor, size_t expected_keys);

// {"items":[…],"nextCursor":…}, nextCursor null on the last page.
inline constexpr std::string_view kPageItems = "items";
inline constexpr std::string_view kPageNextCursor = "nextCursor";
boost::json::object Page(boost::json::array items, const std::optional<std::string>& next_cursor);
// The two members in two halves, for a writer that streams the items in between:
// `"items":[` …  `],"nextCursor":…`.
inline void BeginPageItems(JsonWriter& w) { w.Key(kPageItems).BeginArray(); }
inline void EndPageItems(JsonWriter& w, const std::optional<std::string>& next_cursor) {
  w.EndArray().Key(kPageNextCursor);
  if (next_cursor)
    w.String(*next_cursor);
  else
    w.Null();
}
// The same two members written with a JsonWriter into an object the caller has begun
// (and ends, after adding members of its own if any): write_item(w, item) writes one
// element of "items".
template <typename Items, typename WriteItem>
void WritePageMembers(JsonWriter& w, Items& items, WriteItem&& write_item,
                      const std::optional<std::string>& next_cursor) {
  BeginPageItems(w);
  for (auto& item : items) write_item(w, item);
  EndPageItems(w, next_cursor);
}

}  // namespace atelier
