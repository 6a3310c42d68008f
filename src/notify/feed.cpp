#include "notify/feed.h"

#include <boost/json.hpp>
#include <limits>
#include <memory>
#include <utility>

#include "common/error.h"
#include "common/json_util.h"

namespace atelier::notify {

namespace json = boost::json;

namespace {
constexpr Type kAllTypes[] = {Type::kGroupInvitation, Type::kEventStatusUpdate, Type::kVoteNotification,
                              Type::kNewMatch,        Type::kMatchUpdate,       Type::kMatchMessage,
                              Type::kTradeDelivered,  Type::kNoMatch,           Type::kTradeReminder,
                              Type::kDeadlineReminder};

// Room for one notification's JSON (~250 bytes with a short message), and for the text
// of its type, message and data in a page.
constexpr size_t kNotificationJsonReserve = 384;
constexpr size_t kNotificationTextReserve = 160;

// The member of `s` named as the type is (the description names them so).
bool& EmailChoice(api::EmailSettings& s, Type type) {
  bool* found = nullptr;
  boost::mp11::mp_for_each<boost::describe::describe_members<api::EmailSettings, boost::describe::mod_public>>(
      [&](auto member) {
        if (member.name == TypeName(type)) found = &(s.*member.pointer);
      });
  return *found;  // every Type has its member: feed_test checks them all
}

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

}  // namespace

std::string NotificationJson(db::Row& row, size_t first) {
  const std::string type = row.TakeStr(first + 1), message = row.TakeStr(first + 2),
                    stored_data = row.TakeStr(first + 3);
  std::string reparsed;
  const api::Notification n{.id = {row.Int(first)},
                            .type = type,
                            .message = message,
                            .data = {DataText(stored_data, reparsed)},
                            .createdAt = {row.Int(first + 4)},
                            .read = row.Bool(first + 5)};
  std::string out;
  out.reserve(kNotificationJsonReserve);
  JsonWriter w(out);
  WriteJson(w, n);
  return out;
}

std::string SseEvent(std::int64_t id, std::string_view notification_json) {
  std::string event = "id: " + std::to_string(id) + "\nevent: notification\ndata: ";
  event.append(notification_json);
  event.append("\n\n");
  return event;
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
constexpr const char* kFeedColumns = "id, is_read, rendered_version, rendered";

std::string PageSql(const char* columns, bool unread_only) {
  return std::string("SELECT ") + columns + " FROM notifications WHERE user_id = $1 AND id < $2" +
         (unread_only ? " AND is_read = 0" : "") + " ORDER BY id DESC LIMIT $3";
}

// The page after its unread count, in one statement: at least one row (the count and NULLs
// when the page is empty). For PostgreSQL, where each statement is a round trip; SQLite
// answers the two statements each from one index, faster than this join.
std::string CountedPageSql(const char* columns, bool unread_only) {
  return std::string("SELECT c.n, p.* FROM (") + kUnreadCountSql + ") c LEFT JOIN (" + PageSql(columns, unread_only) +
         ") p ON 1 = 1 ORDER BY p.id DESC";
}

// A page's statements, by unread_only: `rendered` reads kFeedColumns, `full` (for pages with
// rows whose rendering is missing or of another version) kNotificationColumns; when
// `counted`, after the unread count.
struct PageStatements {
  bool counted = false;
  std::string rendered[2], full[2];
};
PageStatements MakePageStatements(bool counted) {
  auto sql = counted ? CountedPageSql : PageSql;
  return {.counted = counted,
          .rendered = {sql(kFeedColumns, false), sql(kFeedColumns, true)},
          .full = {sql(kNotificationColumns, false), sql(kNotificationColumns, true)}};
}
const PageStatements& PageStatementsFor(db::Dialect dialect) {
  static const PageStatements sqlite = MakePageStatements(false), pg = MakePageStatements(true);
  return dialect == db::Dialect::kPostgres ? pg : sqlite;
}

// A row of a page's statement without the columns before the page's own (the count).
class PageRow final : public db::RowView {
 public:
  PageRow(const db::RowView& r, size_t first) : r_(r), first_(first) {}
  bool IsNull(size_t i) const override { return r_.IsNull(i + first_); }
  db::Value Cell(size_t i) const override { return r_.Cell(i + first_); }
  std::int64_t Int(size_t i) const override { return r_.Int(i + first_); }
  std::string_view Text(size_t i) const override { return r_.Text(i + first_); }

 private:
  const db::RowView& r_;
  size_t first_;
};
}  // namespace

std::string FeedPageSql(bool unread_only) { return PageSql(kFeedColumns, unread_only); }

namespace {

// Where one text of an item lies in its page's text.
struct Span {
  std::uint32_t at = 0, size = 0;
};

// The text of a page's items, copied out of the rows as they are read (a row's cells live
// only until the next one); the items view it once it no longer grows.
struct PageText {
  std::string text;
  Span Add(std::string_view s) {
    Span span{static_cast<std::uint32_t>(text.size()), static_cast<std::uint32_t>(s.size())};
    text.append(s);
    return span;
  }
  std::string_view View(Span s) const { return std::string_view(text).substr(s.at, s.size); }
};

}  // namespace

api::NotificationPage Feed::List(std::int64_t user_id, bool unread_only, int limit,
                                 std::optional<std::int64_t> before) {
  api::NotificationPage page;
  auto text = std::make_shared<PageText>();
  text->text.reserve(static_cast<size_t>(limit) * kNotificationTextReserve);
  // Per item: its rendering, or its type, message and data.
  struct Texts {
    Span rendered, type, message, data;
  };
  std::vector<Texts> spans;
  spans.reserve(static_cast<size_t>(limit));
  page.items.reserve(static_cast<size_t>(limit));
  const std::int64_t below = before.value_or(std::numeric_limits<std::int64_t>::max());
  // On PostgreSQL one statement, unless a row's rendering is missing or old.
  db_.ReadSingle([&](db::Tx& tx) {
    const PageStatements& statements = PageStatementsFor(tx.GetDialect());
    // The rows are copied as they are read; the one past the limit only says that there
    // is a next page. `add_row` returns false for a row it cannot take.
    auto read_page = [&](const std::string& sql, const auto& add_row) {
      page.items.clear();
      spans.clear();
      text->text.clear();
      std::int64_t last_id = 0;
      bool more = false, complete = true;
      tx.ForEach(
          sql,
          [&](const db::RowView& row) {
            if (statements.counted) {
              page.unreadCount = row.Int(0);
              if (row.IsNull(1)) return;  // the page is empty
            }
            const PageRow r(row, statements.counted ? 1 : 0);
            if (!complete) return;
            if (std::cmp_equal(page.items.size(), limit)) {
              more = true;
              return;
            }
            if (!add_row(r)) {
              complete = false;
              return;
            }
            last_id = r.Int(0);
          },
          user_id, below, limit + 1);
      if (complete && more) page.nextCursor = EncodeCursor({last_id});
      return complete;
    };
    const bool rendered = read_page(statements.rendered[unread_only], [&](const db::RowView& r) {
      if (r.IsNull(3) || r.IsNull(2) || r.Int(2) != api::kRenderedVersion) return false;
      spans.push_back({.rendered = text->Add(r.Text(3)), .type = {}, .message = {}, .data = {}});
      page.items.push_back({.id = {r.Int(0)}, .read = r.Bool(1)});
      return true;
    });
    if (!rendered) {
      std::string reparsed;
      read_page(statements.full[unread_only], [&](const db::RowView& r) {
        spans.push_back({.rendered = {},
                         .type = text->Add(r.Text(1)),
                         .message = text->Add(r.Text(2)),
                         .data = text->Add(DataText(r.Text(3), reparsed))});
        page.items.push_back({.id = {r.Int(0)}, .createdAt = {r.Int(4)}, .read = r.Bool(5)});
        return true;
      });
    }
    if (!statements.counted) page.unreadCount = tx.QueryOne(kUnreadCountSql, user_id)->Int(0);
  });
  for (size_t i = 0; i < page.items.size(); ++i) {
    auto& item = page.items[i];
    item.rendered = text->View(spans[i].rendered);
    item.type = text->View(spans[i].type);
    item.message = text->View(spans[i].message);
    item.data.text = text->View(spans[i].data);
  }
  page.text = std::shared_ptr<const std::string>(text, &text->text);
  return page;
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

api::EmailSettings Feed::SettingsIn(db::Tx& tx, std::int64_t user_id) {
  api::EmailSettings s;
  for (Type t : kAllTypes) EmailChoice(s, t) = EmailedByDefault(t);
  tx.ForEach(
      "SELECT type, email FROM notification_settings WHERE user_id = $1",
      [&](const db::RowView& r) {
        if (auto type = ParseType(r.Text(0))) EmailChoice(s, *type) = r.Bool(1);
      },
      user_id);
  return s;
}

api::EmailSettings Feed::Settings(std::int64_t user_id) {
  return db_.Read([&](db::Tx& tx) { return SettingsIn(tx, user_id); });
}

api::EmailSettings Feed::UpdateSettings(std::int64_t user_id, const std::map<Type, bool>& changes,
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
