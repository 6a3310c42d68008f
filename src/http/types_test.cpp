#include "http/types.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/error.h"

namespace atelier::http {
namespace {

TEST(Request, ParsesQueryAndCookies) {
  Request r;
  r.query_string = "limit=5&cursor=a%2Bb&name=x+y&flag";
  r.headers = {{"cookie", "a=1; atelier_session=tok123 ; atelier_csrf=\"c\""}};
  EXPECT_EQ(r.Query("limit"), "5");
  EXPECT_EQ(r.Query("cursor"), "a+b");
  EXPECT_EQ(r.Query("name"), "x y");
  EXPECT_EQ(r.Query("flag"), "");
  EXPECT_FALSE(r.Query("missing").has_value());
  EXPECT_EQ(r.Cookie("atelier_session"), "tok123");
  EXPECT_EQ(r.Cookie("atelier_csrf"), "c");
  EXPECT_FALSE(r.Cookie("b").has_value());
}

TEST(Response, JsonTextIsSentAsItIs) {
  auto text = Response::JsonText(201, R"({"a":[1]})");
  EXPECT_EQ(text.status, 201);
  EXPECT_EQ(text.content_type, "application/json");
  EXPECT_EQ(text.body, R"({"a":[1]})");
  auto value = Response::Json(200, boost::json::value{{"a", 1}});
  EXPECT_EQ(value.content_type, text.content_type);
  EXPECT_EQ(value.body, R"({"a":1})");
}

TEST(Request, JsonBodyNeedsJsonObject) {
  Request r;
  r.headers = {{"content-type", "application/json; charset=utf-8"}};
  r.body = R"({"a":1})";
  EXPECT_EQ(r.JsonBody().at("a").as_int64(), 1);
  r.body = "[1]";
  EXPECT_THROW(r.JsonBody(), ApiError);
  r.body = "{bad";
  EXPECT_THROW(r.JsonBody(), ApiError);
  r.body = std::string(100, '[') + std::string(100, ']');
  EXPECT_THROW(r.JsonBody(), ApiError);
  r.headers = {{"content-type", "text/plain"}};
  r.body = R"({"a":1})";
  try {
    r.JsonBody();
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 400);
    EXPECT_EQ(e.Code(), "bad_request");
  }
}

TEST(SseSink, QueuesUntilTakenAndWakes) {
  SseSink sink;
  int wakes = 0;
  sink.SetWaker([&] { ++wakes; });
  sink.Push("a");
  sink.Push("b");
  bool closed = true;
  auto got = sink.Take(closed);
  EXPECT_FALSE(closed);
  ASSERT_EQ(got.size(), 2u);
  sink.Close();
  sink.Push("c");
  got = sink.Take(closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(wakes, 3);
}

}  // namespace
}  // namespace atelier::http
