#include "common/json_describe.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace atelier {
namespace {

namespace json = boost::json;

enum class Colour { kRed, kBlue };
void WriteJsonValue(JsonWriter& w, Colour c) { w.String(c == Colour::kRed ? "red" : "blue"); }

struct Person {
  Id id;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(Person, (), (id, name))

struct Thing {
  Id id;
  std::string title;
  std::optional<std::string> note;
  std::optional<Person> owner;
  std::vector<Person> helpers;
  Time createdAt;
  bool shown = false;
  int count = 0;
  std::int64_t big = 0;
  Colour colour = Colour::kRed;
  RawJson data;
};
BOOST_DESCRIBE_STRUCT(Thing, (), (id, title, note, owner, helpers, createdAt, shown, count, big, colour, data))

struct Extended : Person {
  std::string_view role;
};
BOOST_DESCRIBE_STRUCT(Extended, (Person), (role))

TEST(JsonDescribeTest, WritesMembersInDeclarationOrderWithTheirShapes) {
  Thing t{.id = {42},
          .title = "a \"quoted\"\nline",
          .note = std::nullopt,
          .owner = Person{{7}, "ann"},
          .helpers = {Person{{8}, "bo"}, Person{{9}, "cy"}},
          .createdAt = {1'796'000'000'000},
          .shown = true,
          .count = -3,
          .big = 9'000'000'000'000,
          .colour = Colour::kBlue,
          .data = {R"({"k":[1,2]})"}};
  const std::string text = ToJsonText(t);
  EXPECT_EQ(text, R"({"id":"42","title":"a \"quoted\"\nline","note":null,"owner":{"id":"7","name":"ann"},)"
                  R"("helpers":[{"id":"8","name":"bo"},{"id":"9","name":"cy"}],"createdAt":")" +
                      FormatTime(1'796'000'000'000) +
                      R"(","shown":true,"count":-3,"big":9000000000000,"colour":"blue","data":{"k":[1,2]}})");
  // The text is what boost::json writes for the same value.
  EXPECT_EQ(json::serialize(json::parse(text)), text);
}

TEST(JsonDescribeTest, EmptyOptionalsAndVectorsAndInheritedMembers) {
  Thing t;
  t.data.text = "null";
  const json::object o = json::parse(ToJsonText(t)).as_object();
  EXPECT_TRUE(o.at("owner").is_null());
  EXPECT_TRUE(o.at("helpers").as_array().empty());
  EXPECT_EQ(o.at("id").as_string(), "0");
  Extended e;
  e.id = Id{5};
  e.name = "dee";
  e.role = "admin";
  EXPECT_EQ(ToJsonText(e), R"({"id":"5","name":"dee","role":"admin"})");
}

TEST(JsonDescribeTest, PagesAndMembersIntoAnOpenObject) {
  PageOfItems<Person> page{{Person{{1}, "a"}}, "c1"};
  EXPECT_EQ(ToJsonText(page), R"({"items":[{"id":"1","name":"a"}],"nextCursor":"c1"})");
  page.nextCursor.reset();
  page.items.clear();
  EXPECT_EQ(ToJsonText(page), R"({"items":[],"nextCursor":null})");

  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("before").Int(1);
  WriteJsonMembers(w, Person{{2}, "b"});
  w.Key("after").Bool(false).EndObject();
  EXPECT_EQ(out, R"({"before":1,"id":"2","name":"b","after":false})");
}

}  // namespace
}  // namespace atelier
