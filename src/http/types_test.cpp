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

TEST(Request, QueryDecodesLikeAForm) {
  Request r;
  // Escapes decode in names and values; '+' is a space, "%2B" a plus; the first of
  // repeated names wins; a name without '=' has the empty value.
  r.query_string = "a%62c=%C3%A9t%C3%A9&sp=a+b%20c&plus=1%2B1&k=first&k=second&flag&x+y=1&eq=a=b&amp=%26&";
  EXPECT_EQ(r.Query("abc"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(r.Query("sp"), "a b c");
  EXPECT_EQ(r.Query("plus"), "1+1");
  EXPECT_EQ(r.Query("k"), "first");
  EXPECT_EQ(r.Query("flag"), "");
  EXPECT_EQ(r.Query("x y"), "1");
  EXPECT_EQ(r.Query("eq"), "a=b");
  EXPECT_EQ(r.Query("amp"), "&");
  EXPECT_FALSE(r.Query("a%62c").has_value());  // names are compared decoded
  EXPECT_FALSE(r.Query("x+y").has_value());
  // Case matters in names; an encoded NUL is a byte of the value (the value's reader
  // refuses it).
  r.query_string = "Limit=5&cursor=%00";
  EXPECT_FALSE(r.Query("limit").has_value());
  EXPECT_EQ(r.Query("cursor"), std::string(1, '\0'));
  r.query_string = "";
  EXPECT_FALSE(r.Query("").has_value());
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

TEST(Request, JsonBodyRefusesDuplicateKeys) {
  Request r;
  r.headers = {{"content-type", "application/json"}};
  for (const char* bad : {R"({"a":1,"a":2})", R"({"a":1,"b":{"c":1,"c":1}})", R"({"a":[{"x":1},{"y":1,"y":2}]})",
                          R"({"name":"x","n\u0061me":"y"})", R"({"a":1} x)", R"({"a":1}{})"}) {
    r.body = bad;
    try {
      r.JsonBody();
      ADD_FAILURE() << bad;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.Status(), 400) << bad;
      EXPECT_EQ(e.Code(), "bad_request") << bad;
    }
  }
  // The same key in sibling objects, long keys and strings, and escapes that decode to
  // different keys are fine; the values are the parsed ones.
  const std::string long_key(5000, 'k');
  r.body = R"({"a":{"x":1},"b":{"x":2},"c":[{"x":3},{"x":4}],"\u00e9":"\n",")" + long_key + R"(":true, "e": 1.5})";
  auto o = r.JsonBody();
  EXPECT_EQ(o.size(), 6u);
  EXPECT_EQ(o.at("b").at("x").as_int64(), 2);
  EXPECT_EQ(o.at("c").at(1).at("x").as_int64(), 4);
  EXPECT_EQ(o.at("\u00e9").as_string(), "\n");
  EXPECT_TRUE(o.at(long_key).as_bool());
  EXPECT_EQ(o.at("e").as_double(), 1.5);
  r.body = " {} ";
  EXPECT_TRUE(r.JsonBody().empty());
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

TEST(SseSink, PassingTheQueueBoundDropsTheStream) {
  SseSink sink(10);
  int wakes = 0;
  sink.SetWaker([&] { ++wakes; });
  EXPECT_TRUE(sink.Push("12345"));
  EXPECT_TRUE(sink.Push("12345"));
  bool closed = true;
  EXPECT_EQ(sink.Take(closed).size(), 2u);  // taking frees the bound
  EXPECT_FALSE(closed);
  EXPECT_TRUE(sink.Push("1234567890"));
  EXPECT_FALSE(sink.Push("x"));  // the writer took nothing since: the client is not reading
  EXPECT_TRUE(sink.Dropped());
  EXPECT_TRUE(sink.Aborted());
  EXPECT_TRUE(sink.Take(closed).empty());  // what was queued is discarded
  EXPECT_TRUE(closed);
  EXPECT_FALSE(sink.Push("y"));
  EXPECT_EQ(wakes, 4);
}

TEST(SseSink, UnboundedPushesAndAbortDiscardingTheQueue) {
  SseSink sink(4);
  sink.PushUnbounded("a replay longer than the bound");
  EXPECT_FALSE(sink.Closed());
  sink.Abort();
  bool closed = false;
  EXPECT_TRUE(sink.Take(closed).empty());
  EXPECT_TRUE(closed);
  EXPECT_TRUE(sink.Aborted());
  EXPECT_FALSE(sink.Dropped());
  // Close() keeps what is queued for the writer; Drop() counts as the client's fault.
  SseSink other;
  other.Push("e");
  other.Close();
  EXPECT_EQ(other.Take(closed).size(), 1u);
  EXPECT_FALSE(other.Aborted());
  other.Drop();
  EXPECT_TRUE(other.Dropped());
}

}  // namespace
}  // namespace atelier::http
