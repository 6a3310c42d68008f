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
}

json::object NotificationJson(const db::Row& row, size_t first) {
  json::object o;
  o["id"] = IdStr(row.Int(first));
  o["type"] = row.Str(first + 1);
  o["message"] = row.Str(first + 2);
  boost::system::error_code ec;
  json::value data = json::parse(row.Str(first + 3), ec);
  o["data"] = (!ec && data.is_object()) ? std::move(data) : json::value(json::object());
  o["createdAt"] = FormatTime(row.Int(first + 4));
  o["read"] = row.Bool(first + 5);
  return o;
}

std::string SseEvent(std::int64_t id, const json::object& notification) {
  return "id: " + std::to_string(id) + "\nevent: notification\ndata: " + json::serialize(notification) + "\n\n";
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

FeedPage Feed::List(std::int64_t user_id, bool unread_only, int limit, const std::optional<std::string>& cursor) {
  std::int64_t before = cursor ? DecodeCursor(*cursor, 1)[0] : std::numeric_limits<std::int64_t>::max();
  return db_.Read([&](db::Tx& tx) {
    FeedPage page;
    std::string sql = std::string("SELECT ") + kNotificationColumns +
                      " FROM notifications WHERE user_id = $1 AND id < $2" + (unread_only ? " AND is_read = 0" : "") +
                      " ORDER BY id DESC LIMIT $3";
    auto rows = tx.Query(sql, user_id, before, limit + 1);
    if (static_cast<int>(rows.size()) > limit) {
      rows.erase(rows.begin() + limit, rows.end());
      page.next_cursor = EncodeCursor({rows.back().Int(0)});
    }
    for (const auto& r : rows) page.items.push_back(NotificationJson(r));
    page.unread_count =
        tx.QueryOne("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND is_read = 0", user_id)->Int(0);
    return page;
  });
}

void Feed::MarkRead(std::int64_t user_id, std::int64_t id) {
  db_.Write([&](db::Tx& tx) {
    if (!tx.QueryOne("SELECT 1 FROM notifications WHERE id = $1 AND user_id = $2", id, user_id)) throw NotFound();
    tx.Exec("UPDATE notifications SET is_read = 1 WHERE id = $1 AND user_id = $2 AND is_read = 0", id, user_id);
  });
}

void Feed::MarkAllRead(std::int64_t user_id) {
  db_.Write(
      [&](db::Tx& tx) { tx.Exec("UPDATE notifications SET is_read = 1 WHERE user_id = $1 AND is_read = 0", user_id); });
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

EmailSettings Feed::UpdateSettings(std::int64_t user_id, const std::map<Type, bool>& changes) {
  return db_.Write([&](db::Tx& tx) {
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
