#include "http/router.h"

#include <gtest/gtest.h>

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace atelier::http {
namespace {

Response Named(std::string name) {
  Response r;
  r.body = std::move(name);
  return r;
}

TEST(Router, MatchesLiteralsBeforeParameters) {
  Router router;
  router.Add("GET", "/api/v1/users/{username}", [](Request&) { return Named("user"); });
  router.Add("GET", "/api/v1/users/me", [](Request&) { return Named("me"); });
  Request req;
  auto m = router.Find("GET", "/api/v1/users/me");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->handler(req).body, "me");
  m = router.Find("GET", "/api/v1/users/alice");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->handler(req).body, "user");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "username");
  EXPECT_EQ(m.params[0].second, "alice");
}

TEST(Router, TellsUnknownPathFromWrongMethod) {
  Router router;
  router.Add("GET", "/api/v1/groups/{id}", [](Request&) { return Named("g"); });
  auto m = router.Find("DELETE", "/api/v1/groups/5");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);
  m = router.Find("GET", "/api/v1/groups/5/extra");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_known);
  m = router.Find("GET", "/api/v1/groups/");
  EXPECT_EQ(m.route, nullptr);
}

TEST(Router, MatchesDecodedSegments) {
  Router router;
  router.Add("GET", "/api/v1/users/{username}", [](Request&) { return Named("user"); });
  router.Add("GET", "/api/v1/groups/{id}/members", [](Request&) { return Named("members"); });
  router.Add("GET", "/", [](Request&) { return Named("root"); });
  auto m = router.Find("GET", "/api/v1/%75sers/al%69ce");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params[0].second, "alice");
  // An encoded '/' stays in its segment: it neither splits a parameter nor a literal.
  m = router.Find("GET", "/api/v1/users/a%2Fb");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params[0].second, "a/b");
  EXPECT_EQ(router.Find("GET", "/api/v1/groups/1%2Fmembers").route, nullptr);
  EXPECT_EQ(router.Find("GET", "/api%2Fv1/users/alice").route, nullptr);
  EXPECT_NE(router.Find("GET", "/api/v1/groups/1/members").route, nullptr);
  EXPECT_EQ(router.Find("GET", "/").route->pattern, "/");
  // A malformed path matches nothing.
  EXPECT_EQ(router.Find("GET", "/api/v1/users/%zz").route, nullptr);
  EXPECT_FALSE(router.Find("GET", "/api/v1/users/%zz").path_known);
  const std::vector<std::string> segments = {"api", "v1", "users", "bob"};
  EXPECT_EQ(router.Find("GET", std::span<const std::string>(segments)).params[0].second, "bob");
}

TEST(Router, HeadUsesGetRoutes) {
  Router router;
  router.Add("GET", "/healthz", [](Request&) { return Named("ok"); });
  EXPECT_NE(router.Find("HEAD", "/healthz").route, nullptr);
}

TEST(Router, SetPreCheckFindsTheRouteOrThrows) {
  Router router;
  router.Add("POST", "/a/{id}", [](Request&) { return Named("a"); });
  router.SetPreCheck("POST", "/a/{id}", [](const Request&) {});
  EXPECT_TRUE(router.Find("POST", "/a/1").route->options.pre_check);
  EXPECT_THROW(router.SetPreCheck("GET", "/a/{id}", [](const Request&) {}), std::logic_error);
}

}  // namespace
}  // namespace atelier::http
