#pragma once
// The client's address for rate limits and logs. Behind a load balancer every peer is the
// proxy; when the peer is a trusted proxy (--trusted-proxies), the client is the
// rightmost X-Forwarded-For entry that is not itself a trusted proxy. Headers from
// untrusted peers are ignored, so a client cannot choose its own address.
// Thread-safety: SetTrustedProxies once at start-up, before serving; ClientIp from any
// thread afterwards.
#include <string>
#include <vector>

#include "http/types.h"

namespace atelier::http {

// Exact addresses ("127.0.0.1", "::1"); an empty list trusts nobody.
void SetTrustedProxies(std::vector<std::string> addresses);
std::string ClientIp(const Request& req);
// The rule itself, for tests: peer plus the X-Forwarded-For header value.
std::string ResolveClientIp(const std::string& peer, std::string_view forwarded_for,
                            const std::vector<std::string>& trusted);

}  // namespace atelier::http
