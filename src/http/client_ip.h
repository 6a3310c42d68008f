#pragma once
// The client's address for rate limits and logs. Behind a load balancer every peer is the
// proxy; when the peer is a trusted proxy (--trusted-proxies), the client is the
// rightmost X-Forwarded-For entry that is not itself a trusted proxy. Headers from
// untrusted peers are ignored, so a client cannot choose its own address.
#include <string>
#include <string_view>
#include <vector>

#include "http/types.h"

namespace atelier::http {

// The set of trusted proxies, built once from the configuration (app/main.cpp) and handed
// to what needs it: the server (whose per-address connection cap does not count them) and
// the routes that key rate limits by client address. Immutable after construction, so any
// thread may use it; copies are independent values.
class TrustedProxies {
 public:
  // Trusts nobody: ClientIp is the socket peer.
  TrustedProxies() = default;
  // Exact addresses ("127.0.0.1", "::1"); an empty list trusts nobody.
  explicit TrustedProxies(std::vector<std::string> addresses) : addresses_(std::move(addresses)) {}

  bool Trusts(std::string_view ip) const;
  // The client of `req`: its socket peer, or the hop its X-Forwarded-For names.
  std::string ClientIp(const Request& req) const;
  // The rule itself: peer plus the X-Forwarded-For header value.
  std::string Resolve(const std::string& peer, std::string_view forwarded_for) const;

 private:
  std::vector<std::string> addresses_;
};

}  // namespace atelier::http
