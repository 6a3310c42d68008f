#include "notify/feed.h"

#include <boost/json.hpp>
#include <limits>

#include "common/error.h"
#include "common/json_util.h"

namespace atelier::notify {

namespace json = boost::json;

namespace {
constexpr Type kAllTypes[] = {Type::kGroupInvitation, Type::kEventStatusUpdate, Type::kVoteNotification,
                              Type::kNewMatch, Type::kMatchUpdate};

// Room for one notification in a feed page (~250 bytes with a short message).
constexpr size_t kNotificationJsonReserve = 384;

// The stored data as JSON text to splice. Notifier stores boost::json::serialize's output,
// which is canonical: the usual case costs one scan and no copy. Anything else is parsed
// and serialised again into `reparsed`, or is {} when it is not an object.
std::string_view DataText(std::string_view stored, std::string& reparsed) {
  if (IsCanonicalJsonObject(stored)) return stored;
  boost::system::error_code ec;
  json::value data = json::parse(stored, ec);
  reparsed = !ec && data.is_object() ? json::serialize(data) : "{}";
  return reparsed;
}

// A text cell of either kind of row: a Row's is moved out (the caller drops the row), a
// RowView's is viewed in place.
std::string TextOf(db::Row& row, size_t i) { return row.TakeStr(i); }
std::string_view TextOf(const db::RowView& row, size_t i) { return row.Text(i); }

template <typename R>
void WriteNotificationOf(JsonWriter& w, R& row, size_t first) {
  static constexpr JsonName kId("id"), kRead("read");
  w.BeginObject();
  w.Key(kId).String(IdStr(row.Int(first)));
  const auto type = TextOf(row, first + 1);
  const auto message = TextOf(row, first + 2);
  const auto stored_data = TextOf(row, first + 3);
  std::string reparsed;
  WriteNotificationMembers(w, type, message, DataText(stored_data, reparsed), row.Int(first + 4));
  w.Key(kRead).Bool(row.Bool(first + 5));
  w.EndObject();
}

}  // namespace

void WriteNotification(JsonWriter& w, db::Row& row, size_t first) { WriteNotificationOf(w, row, first); }

std::string NotificationJson(db::Row& row, size_t first) {
  std::string out;
  out.reserve(kNotificationJsonReserve);
  JsonWriter w(out);
  WriteNotification(w, row, first);
  return out;
}

std::string SseEvent(std::int64_t id, std::string_view notification_json) {
  std::string event = "id: " + std::to_string(id) + "\nevent: notification\ndata: ";
  event.append(notification_json);
  event.append("\n\n");
  return event;
}

json::object SettingsJson(const EmailSettings& s) {
  json::object email;
  for (const auto& [type, on] : s) email[type] = on;
  return {{"email", std::move(email)}};
}

std::map<Type, bool> ParseSettingsPatch(const json::object& body) {
  auto it = body.find("email");
  if (it == body.end() || it->value().is_null()) throw BadRequest("Missing field: email");
  Validation v;
  std::map<Type, bool> out;
  if (!it->value().is_object()) {
    v.Add("email", "invalid", "must be an object of notification types to booleans");
    v.ThrowIfAny();
  }
  for (const auto& [key, value] : it->value().get_object()) {
    std::string field = "email." + std::string(key);
    auto type = ParseType(key);
    if (!type) {
      v.Add(field, "invalid", "not a notification type that can be emailed by choice");
    } else if (!value.is_bool()) {
      v.Add(field, "invalid", "must be true or false");
    } else {
      out[*type] = value.get_bool();
    }
  }
  v.ThrowIfAny();
  return out;
}

namespace {
std::string PageSql(const char* columns, bool unread_only) {
  return std::string("SELECT ") + columns + " FROM notifications WHERE user_id = $1 AND id < $2" +
         (unread_only ? " AND is_read = 0" : "") + " ORDER BY id DESC LIMIT $3";
}
}  // namespace

std::string FeedPageSql(bool unread_only) { return PageSql("id, is_read, rendered", unread_only); }

std::string Feed::List(const std::function<ListQuery(db::Tx&)>& resolve) {
  static const std::string kAll = FeedPageSql(false), kUnread = FeedPageSql(true);
  // For rows without `rendered` (written before migration 003): every column, written out.
  static const std::string kAllColumns = PageSql(kNotificationColumns, false),
                           kUnreadColumns = PageSql(kNotificationColumns, true);
  return db_.Read([&](db::Tx& tx) {
    const ListQuery q = resolve(tx);
    const int limit = q.limit;
    const std::int64_t before = q.cursor ? DecodeCursor(*q.cursor, 1)[0] : std::numeric_limits<std::int64_t>::max();
    std::string body;
    body.reserve(static_cast<size_t>(limit) * kNotificationJsonReserve + 128);
    // The rows are written as they are read (no copies); the one past the limit only says
    // that there is a next page. `write_row` returns false for a row it cannot write.
    auto page = [&](const std::string& sql, const auto& write_row) {
      body.clear();
      JsonWriter w(body);
      w.BeginObject();
      BeginPageItems(w);
      int written = 0;
      std::int64_t last_id = 0;
      bool more = false, complete = true;
      tx.ForEach(
          sql,
          [&](const db::RowView& r) {
            if (!complete) return;
            if (written == limit) {
              more = true;
              return;
            }
            if (!write_row(w, r)) {
              complete = false;
              return;
            }
            last_id = r.Int(0);
            ++written;
          },
          q.user_id, before, limit + 1);
      if (!complete) return false;
      EndPageItems(w, more ? std::optional<std::string>(EncodeCursor({last_id})) : std::nullopt);
      w.Key("unreadCount").Int(tx.QueryOne(kUnreadCountSql, q.user_id)->Int(0));
      w.EndObject();
      return true;
    };
    const bool spliced = page(q.unread_only ? kUnread : kAll, [](JsonWriter& w, const db::RowView& r) {
      if (r.IsNull(2)) return false;
      static constexpr JsonName kId("id"), kRead("read");
      w.BeginObject();
      w.Key(kId).String(IdStr(r.Int(0)));
      w.Members(r.Text(2));
      w.Key(kRead).Bool(r.Bool(1));
      w.EndObject();
      return true;
    });
    if (!spliced) {
      page(q.unread_only ? kUnreadColumns : kAllColumns, [](JsonWriter& w, const db::RowView& r) {
        WriteNotificationOf(w, r, 0);
        return true;
      });
    }
    return body;
  });
}

void Feed::MarkRead(std::int64_t user_id, std::int64_t id, db::CommitToken& durable) {
  db_.Write(durable, [&](db::Tx& tx) {
    if (!tx.QueryOne("SELECT 1 FROM notifications WHERE id = $1 AND user_id = $2", id, user_id)) throw NotFound();
    tx.Exec("UPDATE notifications SET is_read = 1 WHERE id = $1 AND user_id = $2 AND is_read = 0", id, user_id);
  });
}

void Feed::MarkAllRead(std::int64_t user_id, db::CommitToken& durable) {
  db_.Write(durable, [&](db::Tx& tx) {
    tx.Exec("UPDATE notifications SET is_read = 1 WHERE user_id = $1 AND is_read = 0", user_id);
  });
}

EmailSettings Feed::SettingsIn(db::Tx& tx, std::int64_t user_id) {
  EmailSettings s;
  for (Type t : kAllTypes) s[std::string(TypeName(t))] = EmailedByDefault(t);
  for (const auto& r : tx.Query("SELECT type, email FROM notification_settings WHERE user_id = $1", user_id)) {
    auto type = r.Str(0);
    if (s.contains(type)) s[type] = r.Bool(1);
  }
  return s;
}

EmailSettings Feed::Settings(std::int64_t user_id) {
  return db_.Read([&](db::Tx& tx) { return SettingsIn(tx, user_id); });
}

EmailSettings Feed::UpdateSettings(std::int64_t user_id, const std::map<Type, bool>& changes,
                                   db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    for (const auto& [type, on] : changes) {
      tx.Exec(
          "INSERT INTO notification_settings (user_id, type, email) VALUES ($1, $2, $3) "
          "ON CONFLICT (user_id, type) DO UPDATE SET email = excluded.email",
          user_id, TypeName(type), on);
    }
    return SettingsIn(tx, user_id);
  });
}

}  // namespace atelier::notify
