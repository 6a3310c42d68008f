#include "http/client_ip.h"

#include <gtest/gtest.h>

namespace atelier::http {
namespace {

TEST(ClientIp, IgnoresForwardedForFromUntrustedPeers) {
  EXPECT_EQ(ResolveClientIp("203.0.113.9", "1.2.3.4", {}), "203.0.113.9");
  EXPECT_EQ(ResolveClientIp("203.0.113.9", "1.2.3.4", {"127.0.0.1"}), "203.0.113.9");
}

TEST(ClientIp, TakesTheRightmostUntrustedHop) {
  std::vector<std::string> trusted = {"127.0.0.1", "10.0.0.2"};
  EXPECT_EQ(ResolveClientIp("127.0.0.1", "198.51.100.7", trusted), "198.51.100.7");
  // A client that forges an X-Forwarded-For entry only adds hops to the left.
  EXPECT_EQ(ResolveClientIp("127.0.0.1", "6.6.6.6, 198.51.100.7", trusted), "198.51.100.7");
  EXPECT_EQ(ResolveClientIp("127.0.0.1", "198.51.100.7, 10.0.0.2", trusted), "198.51.100.7");
  EXPECT_EQ(ResolveClientIp("127.0.0.1", "", trusted), "127.0.0.1");
  EXPECT_EQ(ResolveClientIp("127.0.0.1", "10.0.0.2", trusted), "10.0.0.2");
}

}  // namespace
}  // namespace atelier::http
