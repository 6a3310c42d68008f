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
  EXPECT_EQ(req.path, "");
  EXPECT_EQ(req.query_string, "");
  EXPECT_FALSE(BuildRequestHead("GET", "/a%00b", {}, req));
  EXPECT_FALSE(BuildRequestHead("GET", "/a/%00", {}, req));
  EXPECT_TRUE(req.segments.empty());
}

// The target is read as an RFC 3986 origin-form: a malformed escape anywhere (the query
// included) or a character the RFC does not allow in it is a 400 before routing.
TEST(RequestHead, RefusesTargetsThatAreNotOriginForm) {
  Request req;
  for (const char* target : {"/a?q=%", "/a?q=%4", "/a?q=%zz", "/a?q=1&r=%g0", "abc", "*", "/a b", "/a|b", "/a?q=[1]",
                             "/a#frag", "/\xff\xfe", "/a\"b", "http://host/a"}) {
    EXPECT_FALSE(BuildRequestHead("GET", target, {}, req)) << target;
  }
  // A percent-encoded byte that is not UTF-8 is still a byte: routing answers 404 later.
  ASSERT_TRUE(BuildRequestHead("GET", "/api/v1/users/%ff%fe", {}, req));
  EXPECT_EQ(req.segments.back(), "\xff\xfe");
}

TEST(RequestHead, SplitsThePathIntoDecodedSegments) {
  Request req;
  ASSERT_TRUE(BuildRequestHead("GET", "/api/v1/users/al%69ce", {}, req));
  EXPECT_EQ(req.segments, (std::vector<std::string>{"api", "v1", "users", "alice"}));
  // An encoded '/' is data inside its segment, not a separator (the decoded path has it).
  ASSERT_TRUE(BuildRequestHead("GET", "/api/v1/groups/1%2Fmembers", {}, req));
  EXPECT_EQ(req.segments, (std::vector<std::string>{"api", "v1", "groups", "1/members"}));
  EXPECT_EQ(req.path, "/api/v1/groups/1/members");
  // Dot segments are not resolved: ".." is a segment like any other.
  ASSERT_TRUE(BuildRequestHead("GET", "/api/v1/groups/%2e%2e/x", {}, req));
  EXPECT_EQ(req.segments, (std::vector<std::string>{"api", "v1", "groups", "..", "x"}));
  ASSERT_TRUE(BuildRequestHead("GET", "/a/b/", {}, req));
  EXPECT_EQ(req.segments, (std::vector<std::string>{"a", "b", ""}));
  ASSERT_TRUE(BuildRequestHead("GET", "/", {}, req));
  EXPECT_TRUE(req.segments.empty());
  EXPECT_EQ(req.path, "/");
  // '+' is a '+' in a path (only the query reads it as a space).
  ASSERT_TRUE(BuildRequestHead("GET", "/a+b?q=a+b", {}, req));
  EXPECT_EQ(req.path, "/a+b");
  EXPECT_EQ(req.Query("q"), "a b");
  ASSERT_TRUE(BuildRequestHead("GET", "/a?", {}, req));
  EXPECT_EQ(req.query_string, "");
  EXPECT_FALSE(req.Query("q").has_value());
}

TEST(RequestHead, QueryAndCookieParsingNeverReadsPastTheEnd) {
  Request req;
  req.query_string = "a=%25&b=&=&&d&e==";
  EXPECT_EQ(req.Query("a"), "%");
  EXPECT_EQ(req.Query("b"), "");
  EXPECT_EQ(req.Query(""), "");
  EXPECT_EQ(req.Query("d"), "");
  EXPECT_EQ(req.Query("e"), "=");
  // Truncated or malformed escapes: the server refuses such a target (above); set
  // directly, the query has no parameters at all.
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "a=1&b=%"}) {
    req.query_string = bad;
    EXPECT_FALSE(req.Query("a").has_value()) << bad;
  }
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
