// Regression tests for hostile input reaching http/: the request head conversion the
// fuzzers drive (fuzz/fuzz_http_request.cpp) and JSON bodies (fuzz/fuzz_json_body.cpp).
// Every crash a fuzzer finds becomes a test here (or next to the code it hit).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "http/request_head.h"
#include "http/types.h"

namespace atelier::http {
namespace {

TEST(RequestHead, DecodesPathSplitsQueryAndLowercasesHeaderNames) {
  std::vector<HeaderField> fields = {{"Content-Type", "application/json"}, {"X-CSRF-Token", "AbC"}};
  Request req;
  ASSERT_TRUE(BuildRequestHead("POST", "/api/v1/users/%61l%69ce?limit=5&cursor=a%2Bb", fields, req));
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/api/v1/users/%61l%69ce?limit=5&cursor=a%2Bb");
  EXPECT_EQ(req.path, "/api/v1/users/alice");
  EXPECT_EQ(req.query_string, "limit=5&cursor=a%2Bb");
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("x-csrf-token"), "AbC");
  EXPECT_EQ(req.Query("cursor"), "a+b");
}

TEST(RequestHead, RejectsMalformedEscapesAndEncodedNul) {
  std::string out;
  EXPECT_FALSE(DecodePath("/a%", out));
  EXPECT_FALSE(DecodePath("/a%4", out));
  EXPECT_FALSE(DecodePath("/a%zz", out));
  EXPECT_FALSE(DecodePath("/a%00b", out));
  EXPECT_TRUE(DecodePath("/a%41", out));
  EXPECT_EQ(out, "/aA");
  EXPECT_TRUE(DecodePath("/%ff%fe", out));  // bytes, not text: routing answers 404 later
  EXPECT_EQ(out, "/\xff\xfe");
  Request req;
  EXPECT_FALSE(BuildRequestHead("GET", "/x%?q=1", {}, req));
  EXPECT_EQ(req.query_string, "q=1");
}

TEST(RequestHead, QueryAndCookieParsingNeverReadsPastTheEnd) {
  Request req;
  req.query_string = "a=%&b=%4&c=%zz&=&&d";
  EXPECT_EQ(req.Query("a"), "%");
  EXPECT_EQ(req.Query("b"), "%4");
  EXPECT_EQ(req.Query("c"), "%zz");
  EXPECT_EQ(req.Query(""), "");
  EXPECT_EQ(req.Query("d"), "");
  req.headers = {{"cookie", ";;  ; a; =x; atelier_session=\"; b=\"\""}};
  EXPECT_EQ(req.Cookie("atelier_session"), "\"");
  EXPECT_EQ(req.Cookie("b"), "");
  EXPECT_FALSE(req.Cookie("a").has_value());
}

int JsonStatus(const std::string& body) {
  Request r;
  r.headers = {{"content-type", "application/json"}};
  r.body = body;
  try {
    r.JsonBody();
    return 200;
  } catch (const ApiError& e) {
    return e.Status();
  }
}

TEST(JsonBodyHostile, InvalidUtf8IsRefused) {
  EXPECT_EQ(JsonStatus("{\"a\":\"ok \xc3\xa9\"}"), 200);
  EXPECT_EQ(JsonStatus("{\"a\":\"\xff\"}"), 400);
  EXPECT_EQ(JsonStatus("{\"a\":\"\xc0\xaf\"}"), 400);          // overlong
  EXPECT_EQ(JsonStatus("{\"a\":\"\xed\xa0\x80\"}"), 400);      // encoded surrogate
  EXPECT_EQ(JsonStatus("{\"a\":\"\xf4\x90\x80\x80\"}"), 400);  // above U+10FFFF
  EXPECT_EQ(JsonStatus("{\"\xff\":1}"), 400);
  EXPECT_EQ(JsonStatus("{\"a\":\"\\ud800\"}"), 400);  // lone surrogate escapes
  EXPECT_EQ(JsonStatus("{\"a\":\"\\udc00x\"}"), 400);
  EXPECT_EQ(JsonStatus("{\"a\":\"\\ud83c\\udfa8\"}"), 200);
}

TEST(JsonBodyHostile, DeepNestingIsRefusedWithoutRecursingDeep) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "{\"a\":";
  deep += "1";
  deep += std::string(100000, '}');
  EXPECT_EQ(JsonStatus(deep), 400);
  EXPECT_EQ(JsonStatus("{\"a\":" + std::string(500000, '[')), 400);
  std::string ok = "{\"a\":" + std::string(30, '[') + std::string(30, ']') + "}";
  EXPECT_EQ(JsonStatus(ok), 200);
}

}  // namespace
}  // namespace atelier::http
