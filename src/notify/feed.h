#pragma once
// The in-app notification feed and the email settings of docs/product.md §8: listing (newest
// first, keyset pages), read marks, and per-type email choices. Thread-safe.
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "db/database.h"
#include "notify/notifier.h"
#include "notify/resources.h"

namespace atelier::notify {

// Columns every reader of notifications selects, in the order NotificationJson and feed
// pages read them.
inline constexpr const char* kNotificationColumns = "id, type, message, data, created_at, is_read";
// The notification in a row of kNotificationColumns starting at column `first`, as JSON
// text written from api::Notification; the text cells are taken out of the row. data is
// the stored JSON object: spliced as it is when it is in the form Notifier stores
// (IsCanonicalJsonObject, which makes it the same bytes parsing and serialising would
// give), else parsed and written again, or {} when it is not a JSON object.
std::string NotificationJson(db::Row& row, size_t first = 0);
// One SSE event: "id: N\nevent: notification\ndata: JSON\n\n". The JSON text must be on
// one line, as JsonWriter and boost::json write it (they escape line breaks in strings).
std::string SseEvent(std::int64_t id, std::string_view notification_json);

// Parses a PATCH body; 400 when "email" is missing, 422 for an unknown type or a value
// that is not a boolean (field "email.<TYPE>").
std::map<Type, bool> ParseSettingsPatch(const boost::json::object& body);

// The statements of a feed page ($1 user, $2 the id to start below, $3 the limit + 1; it
// reads id, is_read, rendered_version and rendered) and of its unread count ($1 user, as
// column n). On SQLite each is answered from one index alone (migrations 003 and 007;
// feed_test checks the plans); PostgreSQL runs the two as one statement.
std::string FeedPageSql(bool unread_only);
inline constexpr const char* kUnreadCountSql =
    "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND is_read = 0";

// Methods that write take `durable`: they name their commit in it (db::CommitToken), and the
// route puts it on its response (http::Durable) so the answer waits for the disk.
class Feed {
 public:
  explicit Feed(db::Database& db) : db_(db) {}
  // A page of the user's notifications, newest first: at most `limit` (1…100, as
  // ParseLimit gives) with ids below `before` (the key of the previous page's nextCursor;
  // none: from the newest), only unread ones when `unread_only`. The page owns its
  // items' text; nextCursor is set when there are more.
  api::NotificationPage List(std::int64_t user_id, bool unread_only, int limit, std::optional<std::int64_t> before);
  // Throws 404 when the notification is not the user's.
  void MarkRead(std::int64_t user_id, std::int64_t id, db::CommitToken& durable);
  void MarkAllRead(std::int64_t user_id, db::CommitToken& durable);
  // The user's choices, the defaults (EmailedByDefault) where there is none.
  api::EmailSettings Settings(std::int64_t user_id);
  // Records the changes and returns the settings after them.
  api::EmailSettings UpdateSettings(std::int64_t user_id, const std::map<Type, bool>& changes,
                                    db::CommitToken& durable);

 private:
  api::EmailSettings SettingsIn(db::Tx& tx, std::int64_t user_id);
  db::Database& db_;
};

}  // namespace atelier::notify
