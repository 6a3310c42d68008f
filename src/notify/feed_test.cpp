#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <iterator>
#include <random>

#include "common/error.h"
#include "common/json_util.h"
#include "notify/feed.h"
#include "notify/stream_hub.h"

namespace atelier::notify {
namespace {

namespace json = boost::json;

// What SQLite's planner makes of a statement, one line per step of EXPLAIN QUERY PLAN.
std::string PlanOf(db::Database& db, const std::string& sql) {
  return db.Read([&](db::Tx& tx) {
    std::string plan;
    for (auto& row : tx.Query("EXPLAIN QUERY PLAN " + sql, std::int64_t{1}, std::int64_t{1} << 40, std::int64_t{21}))
      plan += row.Str(3) + "\n";
    return plan;
  });
}

TEST(FeedPlans, EveryStatementOfAPageReadsOneIndexAlone) {
  auto db = db::Open("sqlite::memory:");
  db::Migrate(*db);
  // The page: a range of the covering index, newest first, with no sort and no table rows.
  const std::string page = PlanOf(*db, FeedPageSql(false));
  EXPECT_EQ(page, "SEARCH notifications USING COVERING INDEX notifications_feed (user_id=? AND id<?)\n");
  // The unread count: the partial index alone (is_read is in it).
  const std::string count = db->Read(
      [&](db::Tx& tx) { return tx.QueryOne(std::string("EXPLAIN QUERY PLAN ") + kUnreadCountSql, 1)->Str(3); });
  EXPECT_EQ(count, "SEARCH notifications USING COVERING INDEX notifications_unread (user_id=? AND is_read=?)");
  // Only unread: an index range too, never a scan or a sort.
  const std::string unread = PlanOf(*db, FeedPageSql(true));
  EXPECT_TRUE(unread.starts_with("SEARCH notifications USING ")) << unread;
  EXPECT_EQ(unread.find("SCAN"), std::string::npos) << unread;
  EXPECT_EQ(unread.find("TEMP B-TREE"), std::string::npos) << unread;
}

TEST(SettingsPatch, AcceptsKnownTypesWithBooleans) {
  auto body = json::parse(R"({"email":{"GROUP_INVITATION":false,"VOTE_NOTIFICATION":true}})").as_object();
  auto out = ParseSettingsPatch(body);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out.at(Type::kGroupInvitation));
  EXPECT_TRUE(out.at(Type::kVoteNotification));
}

int StatusOf(const char* text) {
  try {
    ParseSettingsPatch(json::parse(text).as_object());
  } catch (const ApiError& e) {
    return e.Status();
  }
  return 200;
}

TEST(SettingsPatch, RejectsUnknownTypesNonBooleansAndMissingEmail) {
  EXPECT_EQ(StatusOf(R"({"email":{"SECURITY_ALERT":false}})"), 422);
  EXPECT_EQ(StatusOf(R"({"email":{"NOPE":true}})"), 422);
  EXPECT_EQ(StatusOf(R"({"email":{"NEW_MATCH":"yes"}})"), 422);
  EXPECT_EQ(StatusOf(R"({"email":{"NEW_MATCH":1}})"), 422);
  EXPECT_EQ(StatusOf(R"({"email":[]})"), 422);
  EXPECT_EQ(StatusOf(R"({})"), 400);
  EXPECT_EQ(StatusOf(R"({"email":{}})"), 200);
}

TEST(Range, Parses) {
  EXPECT_EQ(ParseRange("3:7"), std::make_pair(std::int64_t{3}, std::int64_t{7}));
  EXPECT_EQ(ParseRange("5:5"), std::make_pair(std::int64_t{5}, std::int64_t{5}));
  EXPECT_FALSE(ParseRange("7:3"));
  EXPECT_FALSE(ParseRange("x:3"));
  EXPECT_FALSE(ParseRange("3"));
  EXPECT_FALSE(ParseRange(""));
  EXPECT_FALSE(ParseRange("0:2"));
}

TEST(Sse, EventFormat) {
  EXPECT_EQ(SseEvent(9, R"({"id":"9","type":"NEW_MATCH"})"),
            "id: 9\nevent: notification\ndata: {\"id\":\"9\",\"type\":\"NEW_MATCH\"}\n\n");
}

db::Row NotificationRow(std::string message, std::string data) {
  return db::Row({db::Value(std::int64_t{4}), db::Value(std::string("GROUP_INVITATION")), db::Value(std::move(message)),
                  db::Value(std::move(data)), db::Value(std::int64_t{0}), db::Value(std::int64_t{1})});
}

// What the feed sent before data was spliced: the stored text parsed, serialised again,
// {} when it is not an object.
std::string ReparsedData(const std::string& stored) {
  boost::system::error_code ec;
  json::value v = json::parse(stored, ec);
  return !ec && v.is_object() ? json::serialize(v) : "{}";
}

std::string Expected(const std::string& message_json, const std::string& data_json) {
  return R"({"id":"4","type":"GROUP_INVITATION","message":)" + message_json + R"(,"data":)" + data_json +
         R"(,"createdAt":"1970-01-01T00:00:00Z","read":true})";
}

TEST(NotificationJson, FromRow) {
  auto row = NotificationRow("hi", R"({"groupId":"2"})");
  EXPECT_EQ(NotificationJson(row), Expected(R"("hi")", R"({"groupId":"2"})"));
  auto other =
      db::Row({db::Value(std::string("1")), db::Value(std::int64_t{7}), db::Value(std::int64_t{9}),
               db::Value(std::string(R"({"groupId":"2"})")), db::Value(std::int64_t{0}), db::Value(std::int64_t{1})});
  EXPECT_EQ(json::parse(NotificationJson(other)).at("message").as_string(), "9");  // text from a number, as Str() does
}

TEST(NotificationJson, MessageEscapedAndOnOneLine) {
  std::string message = "\"q\" \\ \n\r\t\x01 \xe2\x80\x9cé\xe2\x80\x9d \xf0\x9f\x8e\xa8";
  auto row = NotificationRow(message, R"({"a":"x\ny"})");
  std::string text = NotificationJson(row);
  EXPECT_EQ(text, Expected(json::serialize(json::value(json::string(message))), R"({"a":"x\ny"})"));
  EXPECT_EQ(json::parse(text).at("message").as_string(), message);
  EXPECT_EQ(SseEvent(4, text).find('\n'), std::string("id: 4").size());
  EXPECT_EQ(SseEvent(4, text).find('\r'), std::string::npos);
}

TEST(NotificationJson, DataNotInOurFormIsRewrittenOrEmptied) {
  for (const char* stored :
       {R"({ "groupId" : "2" })", R"({"a":1.50,"b":"\u00e9\/"})", R"({"a":1,"a":2})", R"({"a":12345678901234567890})",
        R"({"a":)", "[1,2]", "\"x\"", "", "null", "{\"a\":\"\xff\"}", "{\"a\":\"\x01\"}"}) {
    auto row = NotificationRow("m", stored);
    EXPECT_EQ(NotificationJson(row), Expected(R"("m")", ReparsedData(stored))) << stored;
  }
  auto row = NotificationRow("m", R"({ "groupId" : "2" })");
  EXPECT_EQ(json::parse(NotificationJson(row)).at("data").at("groupId").as_string(), "2");
}

// The feed's bytes are what they were when data was always parsed and serialised again,
// whatever the stored text: canonical texts and mutations of them.
TEST(NotificationJson, SameBytesAsReparsingForRandomData) {
  std::mt19937_64 rng(17);
  static const char kAlphabet[] = "{}[]\",:\\/ 0129-.eEtrufalsn\x01\x7f\x80\xc3\xa9";
  const char* seeds[] = {R"({"groupId":"12","invitationId":"7"})", R"({"eventId":"1","groupId":"1","phase":"VOTING"})",
                         R"({"artworkId":"55","eventId":"3","voteCount":0,"rank":1})",
                         R"({"matchId":"9","eventId":"2","with":{"id":"3","username":"a\"b"},"list":[1,-2,true,null]})",
                         "{}"};
  for (int i = 0; i < 50000; ++i) {
    std::string stored = seeds[rng() % std::size(seeds)];
    for (size_t m = rng() % 3; m > 0 && !stored.empty(); --m) {
      size_t at = rng() % stored.size();
      char c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
      if (rng() % 2 == 0)
        stored[at] = c;
      else
        stored.insert(stored.begin() + static_cast<std::ptrdiff_t>(at), c);
    }
    auto row = NotificationRow("m", stored);
    ASSERT_EQ(NotificationJson(row), Expected(R"("m")", ReparsedData(stored))) << stored;
  }
}

// A feed page (which splices the stored rendering) and the live stream (NotificationJson,
// from the columns) write the same notification the same way, for both ways Notifier
// inserts, for text that needs escaping, and for rows without a rendering (data stored in
// another form than Notifier's among them), alone or mixed with Notifier's rows in a page.
class FeedPages : public ::testing::Test {
 protected:
  void SetUp() override {
    db::Migrate(*db_);
    db_->Write([&](db::Tx& tx) {
      for (int i = 1; i <= 2; ++i) {
        tx.Exec(
            "INSERT INTO users (id, username, email, password_hash, display_name, created_at) "
            "VALUES ($1, $2, $3, 'h', 'U', 0)",
            i, "u" + std::to_string(i), "u" + std::to_string(i) + "@example.com");
      }
      tx.Exec("INSERT INTO art_groups (id, name, name_key, owner_id, created_at) VALUES (1, 'G', 'g', 1, 0)");
      tx.Exec(
          "INSERT INTO memberships (group_id, user_id, role, joined_at) VALUES (1, 1, 'owner', 0), (1, 2, 'member', "
          "0)");
    });
  }

  // Every page of user 1's feed, as the route asks for them, items only (as JSON text).
  std::vector<std::string> Items(bool unread_only, int limit) {
    std::vector<std::string> items;
    std::optional<std::int64_t> before;
    do {
      auto page = json::parse(ToJsonText(feed_.List(1, unread_only, limit, before))).as_object();
      for (const auto& item : page.at("items").as_array()) items.push_back(json::serialize(item));
      before = page.at("nextCursor").is_null()
                   ? std::nullopt
                   : std::optional<std::int64_t>(DecodeCursor(std::string(page.at("nextCursor").as_string()), 1)[0]);
    } while (before);
    return items;
  }

  // What the live stream writes for user 1's rows, newest first.
  std::vector<std::string> FromColumns(bool unread_only) {
    return db_->Read([&](db::Tx& tx) {
      std::vector<std::string> out;
      for (auto& row :
           tx.Query(std::string("SELECT ") + kNotificationColumns + " FROM notifications WHERE user_id = 1" +
                    (unread_only ? " AND is_read = 0" : "") + " ORDER BY id DESC"))
        out.push_back(json::serialize(json::parse(NotificationJson(row))));
      return out;
    });
  }

  std::unique_ptr<db::Database> db_ = db::Open("sqlite::memory:");
  SystemClock clock_;
  Notifier notifier_{*db_, clock_, "http://localhost"};
  Feed feed_{*db_};
};

TEST_F(FeedPages, PagesSayWhatTheStreamSays) {
  const std::string odd = "\"q\" \\ \n\t\x01 \xe2\x80\x9c\xc3\xa9\xe2\x80\x9d \xf0\x9f\x8e\xa8 </script>";
  db_->Write([&](db::Tx& tx) {
    notifier_.Notify(tx, 1, Type::kNewMatch, "plain", {{"matchId", "9"}}, false);
    notifier_.Notify(tx, 1, Type::kMatchUpdate, odd,
                     {{"text", odd}, {"n", -3}, {"list", json::array{1, true, nullptr}}}, false);
    notifier_.NotifyGroupMembers(tx, 1, Type::kEventStatusUpdate,
                                 "\xe2\x80\x9c"
                                 "E\xe2\x80\x9d is now VOTING",
                                 {{"eventId", "1"}, {"phase", "VOTING"}});
    tx.Exec("UPDATE notifications SET is_read = 1 WHERE id = (SELECT MIN(id) FROM notifications)");
  });
  EXPECT_EQ(db_->Read([](db::Tx& tx) {
    return tx.QueryOne("SELECT COUNT(*) FROM notifications WHERE rendered IS NULL")->Int(0);
  }),
            0);
  const auto expected = FromColumns(false);
  ASSERT_EQ(expected.size(), 3u);
  EXPECT_EQ(Items(false, 20), expected);
  EXPECT_EQ(Items(false, 1), expected);
  EXPECT_EQ(Items(true, 1), FromColumns(true));
  EXPECT_EQ(json::parse(Items(false, 20)[1]).at("message").as_string(), odd);
}

TEST_F(FeedPages, DataInAnotherFormIsRewrittenInPagesToo) {
  db_->Write([&](db::Tx& tx) {
    tx.Exec(
        "INSERT INTO notifications (user_id, type, message, data, created_at, is_read) "
        "VALUES (1, 'NEW_MATCH', 'old \"one\"', '{ \"matchId\" : \"1\" }', 1000, 1)");
    notifier_.Notify(tx, 1, Type::kNewMatch, "new", {{"matchId", "2"}}, false);
    tx.Exec(
        "INSERT INTO notifications (user_id, type, message, data, created_at) "
        "VALUES (1, 'MATCH_UPDATE', 'old two', '[1]', 2000)");
  });
  const auto expected = FromColumns(false);
  ASSERT_EQ(expected.size(), 3u);
  EXPECT_EQ(Items(false, 20), expected);  // one page, old and new rows mixed
  EXPECT_EQ(Items(false, 2), expected);
  EXPECT_EQ(Items(true, 20), FromColumns(true));
  EXPECT_EQ(json::parse(expected.back()).at("data").at("matchId").as_string(), "1");
  EXPECT_EQ(json::serialize(json::parse(expected.front()).at("data")), "{}");
}

// The whole page, byte for byte: member order, cursor, and the unread count of every
// unread notification (not only those on the page); none of another user's.
TEST_F(FeedPages, PageBytes) {
  db_->Write([&](db::Tx& tx) {
    for (int i = 1; i <= 3; ++i)
      tx.Exec(
          "INSERT INTO notifications (id, user_id, type, message, data, created_at, is_read) "
          "VALUES ($1, 1, 'NEW_MATCH', 'm', '{\"matchId\":\"7\"}', 0, $2)",
          i, i == 1 ? 1 : 0);
    tx.Exec(
        "INSERT INTO notifications (id, user_id, type, message, data, created_at) "
        "VALUES (4, 2, 'NEW_MATCH', 'theirs', '{}', 0)");
  });
  auto item = [](int id, bool read) {
    return R"({"id":")" + std::to_string(id) +
           R"(","type":"NEW_MATCH","message":"m","data":{"matchId":"7"},"createdAt":"1970-01-01T00:00:00Z","read":)" +
           (read ? "true" : "false") + "}";
  };
  const auto first = feed_.List(1, false, 2, std::nullopt);
  EXPECT_EQ(ToJsonText(first), R"({"items":[)" + item(3, false) + "," + item(2, false) + R"(],"nextCursor":")" +
                                   EncodeCursor({2}) + R"(","unreadCount":2})");
  const auto copy = first;  // a copy shares the text its items view
  EXPECT_EQ(ToJsonText(copy), ToJsonText(first));
  EXPECT_EQ(ToJsonText(feed_.List(1, false, 2, 2)),
            R"({"items":[)" + item(1, true) + R"(],"nextCursor":null,"unreadCount":2})");
  EXPECT_EQ(ToJsonText(feed_.List(1, true, 20, 3)),
            R"({"items":[)" + item(2, false) + R"(],"nextCursor":null,"unreadCount":2})");
  EXPECT_EQ(ToJsonText(feed_.List(1, false, 20, 1)), R"({"items":[],"nextCursor":null,"unreadCount":2})");
}

// Every type has its member in EmailSettings (named as the type), with its default, and a
// change reaches the member of its type alone.
TEST_F(FeedPages, EmailSettingsDefaultsAndChanges) {
  EXPECT_EQ(ToJsonText(api::NotificationSettings{feed_.Settings(1)}),
            R"({"email":{"DEADLINE_REMINDER":true,"EVENT_STATUS_UPDATE":false,"GROUP_INVITATION":true,)"
            R"("MATCH_MESSAGE":true,"MATCH_UPDATE":true,"NEW_MATCH":true,"NO_MATCH":true,"TRADE_DELIVERED":true,)"
            R"("TRADE_REMINDER":true,"VOTE_NOTIFICATION":false}})");
  db::CommitToken durable;
  const auto after =
      feed_.UpdateSettings(1, {{Type::kGroupInvitation, false}, {Type::kVoteNotification, true}}, durable);
  EXPECT_FALSE(after.GROUP_INVITATION);
  EXPECT_TRUE(after.VOTE_NOTIFICATION);
  EXPECT_TRUE(after.NEW_MATCH);
  EXPECT_EQ(ToJsonText(feed_.Settings(1)), ToJsonText(after));
  EXPECT_TRUE(feed_.Settings(2).GROUP_INVITATION);  // another user's choices are theirs
  EXPECT_FALSE(feed_.Settings(2).VOTE_NOTIFICATION);
  for (int i = 0; i <= static_cast<int>(Type::kDeadlineReminder); ++i) {
    const Type t = static_cast<Type>(i);
    ASSERT_EQ(ParseType(TypeName(t)), t);
    db::CommitToken d;
    const auto flipped = feed_.UpdateSettings(2, {{t, !EmailedByDefault(t)}}, d);
    const auto text = json::parse(ToJsonText(flipped)).as_object();
    EXPECT_EQ(text.at(TypeName(t)).as_bool(), !EmailedByDefault(t)) << TypeName(t);
    db_->Write([&](db::Tx& tx) { tx.Exec("DELETE FROM notification_settings WHERE user_id = 2"); });
  }
}

// Notifier stores the rendering with the version the server writes; a page of rows whose
// rendering is missing or of another version (a shape change since) is written from the
// columns, and says what the stream says, alone or mixed with current rows.
TEST_F(FeedPages, RenderingsOfAnotherVersionAreNotSpliced) {
  db_->Write([&](db::Tx& tx) {
    notifier_.Notify(tx, 1, Type::kNewMatch, "new", {{"matchId", "2"}}, false);
    notifier_.Notify(tx, 1, Type::kNewMatch, "stale", {{"matchId", "3"}}, false);
  });
  EXPECT_EQ(db_->Read([](db::Tx& tx) {
    return tx.QueryOne("SELECT COUNT(*) FROM notifications WHERE rendered_version = $1", api::kRenderedVersion)->Int(0);
  }),
            2);
  const auto expected = FromColumns(false);
  // A rendering in an older shape: were it spliced, the page would say "old" and lack data.
  db_->Write([&](db::Tx& tx) {
    tx.Exec(
        "UPDATE notifications SET rendered = '\"type\":\"NEW_MATCH\",\"message\":\"old\"', rendered_version = $1 "
        "WHERE message = 'stale'",
        api::kRenderedVersion + 1);
  });
  EXPECT_EQ(Items(false, 20), expected);
  EXPECT_EQ(Items(false, 1), expected);
  db_->Write([&](db::Tx& tx) { tx.Exec("UPDATE notifications SET rendered_version = NULL"); });
  EXPECT_EQ(Items(false, 20), expected);
}

// The version follows the description: it is what Notifier stores, and RenderedMembers is
// the description's members but id and read.
TEST(Rendered, MembersAreTheDescriptionsThatNeverChange) {
  EXPECT_EQ(RenderedMembers(Type::kNewMatch, "m\n", R"({"a":1})", 0),
            R"("type":"NEW_MATCH","message":"m\n","data":{"a":1},"createdAt":"1970-01-01T00:00:00Z")");
  EXPECT_GT(api::kRenderedVersion, 0);
  const api::Notification n{
      .id = {5}, .type = "NEW_MATCH", .message = "m", .data = {"{}"}, .createdAt = {0}, .read = true};
  api::Notification spliced = n;
  const std::string rendered = RenderedMembers(Type::kNewMatch, "m", "{}", 0);
  spliced.rendered = rendered;
  spliced.message = "not read when rendered";
  EXPECT_EQ(ToJsonText(spliced), ToJsonText(n));
}

}  // namespace
}  // namespace atelier::notify
