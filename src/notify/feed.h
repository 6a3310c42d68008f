#pragma once
// The in-app notification feed and the email settings of docs/product.md §8: listing (newest
// first, keyset pages), read marks, and per-type email choices. Thread-safe.
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json_writer.h"
#include "db/database.h"
#include "notify/notifier.h"

namespace atelier::notify {

// Columns every reader of notifications selects, in the order WriteNotification expects.
inline constexpr const char* kNotificationColumns = "id, type, message, data, created_at, is_read";
// Writes {"id","type","message","data","createdAt","read"} from a row of
// kNotificationColumns starting at column `first`, taking the text cells out of the row.
// data is the stored JSON object: spliced as it is when it is in the form Notifier stores
// (IsCanonicalJsonObject, which makes it the same bytes parsing and serialising would
// give), else parsed and written again, or {} when it is not a JSON object.
void WriteNotification(JsonWriter& w, db::Row& row, size_t first = 0);
// The same, alone, as JSON text.
std::string NotificationJson(db::Row& row, size_t first = 0);
// One SSE event: "id: N\nevent: notification\ndata: JSON\n\n". The JSON text must be on
// one line, as JsonWriter and boost::json write it (they escape line breaks in strings).
std::string SseEvent(std::int64_t id, std::string_view notification_json);

// {"email":{TYPE:bool,…}} for the five listable types.
using EmailSettings = std::map<std::string, bool>;
boost::json::object SettingsJson(const EmailSettings& s);
// Parses a PATCH body; 400 when "email" is missing, 422 for an unknown type or a value
// that is not a boolean (field "email.<TYPE>").
std::map<Type, bool> ParseSettingsPatch(const boost::json::object& body);

// The statements of a feed page ($1 user, $2 the id to start below, $3 the limit + 1;
// it reads id, is_read and rendered, see RenderedMembers) and of its unread count ($1
// user). On SQLite each is answered from one index alone (migration 003; feed_test checks
// the plans).
std::string FeedPageSql(bool unread_only);
inline constexpr const char* kUnreadCountSql = "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND is_read = 0";

// Methods that write take `durable`: they name their commit in it (db::CommitToken), and the
// route puts it on its response (http::Durable) so the answer waits for the disk.
class Feed {
 public:
  explicit Feed(db::Database& db) : db_(db) {}
  // GET /notifications: a page of the user's notifications, newest first, as JSON text,
  // {"items":[…],"nextCursor":…,"unreadCount":N}. What it asks for, as its route reads it:
  struct ListQuery {
    std::int64_t user_id = 0;
    bool unread_only = false;
    int limit = 20;
    std::optional<std::string> cursor;
  };
  // `resolve` runs first inside the page's read transaction (the route resolves the
  // caller's session there: one transaction per page) and returns the query; whatever it
  // throws ends the request.
  std::string List(const std::function<ListQuery(db::Tx&)>& resolve);
  // Throws 404 when the notification is not the user's.
  void MarkRead(std::int64_t user_id, std::int64_t id, db::CommitToken& durable);
  void MarkAllRead(std::int64_t user_id, db::CommitToken& durable);
  EmailSettings Settings(std::int64_t user_id);
  EmailSettings UpdateSettings(std::int64_t user_id, const std::map<Type, bool>& changes, db::CommitToken& durable);

 private:
  EmailSettings SettingsIn(db::Tx& tx, std::int64_t user_id);
  db::Database& db_;
};

}  // namespace atelier::notify
