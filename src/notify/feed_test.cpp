#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <iterator>
#include <random>

#include "common/error.h"
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

}  // namespace
}  // namespace atelier::notify
