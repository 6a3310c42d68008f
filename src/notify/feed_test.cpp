#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/error.h"
#include "notify/feed.h"
#include "notify/stream_hub.h"

namespace atelier::notify {
namespace {

namespace json = boost::json;

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
  json::object n{{"id", "9"}, {"type", "NEW_MATCH"}};
  EXPECT_EQ(SseEvent(9, n), "id: 9\nevent: notification\ndata: {\"id\":\"9\",\"type\":\"NEW_MATCH\"}\n\n");
}

TEST(NotificationJson, FromRow) {
  db::Row row({db::Value(std::int64_t{4}), db::Value(std::string("GROUP_INVITATION")), db::Value(std::string("hi")),
               db::Value(std::string(R"({"groupId":"2"})")), db::Value(std::int64_t{0}), db::Value(std::int64_t{1})});
  auto o = NotificationJson(row);
  EXPECT_EQ(o.at("id").as_string(), "4");
  EXPECT_EQ(o.at("data").as_object().at("groupId").as_string(), "2");
  EXPECT_EQ(o.at("createdAt").as_string(), "1970-01-01T00:00:00Z");
  EXPECT_TRUE(o.at("read").as_bool());
}

}  // namespace
}  // namespace atelier::notify
