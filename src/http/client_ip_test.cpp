#include "http/client_ip.h"

#include <gtest/gtest.h>

namespace atelier::http {
namespace {

TEST(ClientIp, IgnoresForwardedForFromUntrustedPeers) {
  EXPECT_EQ(TrustedProxies().Resolve("203.0.113.9", "1.2.3.4"), "203.0.113.9");
  EXPECT_EQ(TrustedProxies({"127.0.0.1"}).Resolve("203.0.113.9", "1.2.3.4"), "203.0.113.9");
}

TEST(ClientIp, TakesTheRightmostUntrustedHop) {
  TrustedProxies trusted({"127.0.0.1", "10.0.0.2"});
  EXPECT_EQ(trusted.Resolve("127.0.0.1", "198.51.100.7"), "198.51.100.7");
  // A client that forges an X-Forwarded-For entry only adds hops to the left.
  EXPECT_EQ(trusted.Resolve("127.0.0.1", "6.6.6.6, 198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(trusted.Resolve("127.0.0.1", "198.51.100.7, 10.0.0.2"), "198.51.100.7");
  EXPECT_EQ(trusted.Resolve("127.0.0.1", ""), "127.0.0.1");
  EXPECT_EQ(trusted.Resolve("127.0.0.1", "10.0.0.2"), "10.0.0.2");
}

TEST(ClientIp, ReadsThePeerAndHeaderOfARequest) {
  Request req;
  req.remote_ip = "127.0.0.1";
  req.headers.push_back({"x-forwarded-for", "198.51.100.7"});
  EXPECT_EQ(TrustedProxies({"127.0.0.1"}).ClientIp(req), "198.51.100.7");
  EXPECT_EQ(TrustedProxies().ClientIp(req), "127.0.0.1");
}

// Two sets in one process do not share state: each caller sees only the set it was given
// (the old process-wide setter made every server and test see the last one set).
TEST(ClientIp, SetsAreIndependentValues) {
  TrustedProxies a({"10.0.0.1"});
  TrustedProxies b({"10.0.0.2"});
  EXPECT_TRUE(a.Trusts("10.0.0.1"));
  EXPECT_FALSE(a.Trusts("10.0.0.2"));
  EXPECT_TRUE(b.Trusts("10.0.0.2"));
  EXPECT_EQ(a.Resolve("10.0.0.1", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(b.Resolve("10.0.0.1", "198.51.100.7"), "10.0.0.1");
}

}  // namespace
}  // namespace atelier::http
