#include "http/client_ip.h"

#include <algorithm>

namespace atelier::http {

namespace {
std::vector<std::string>& Trusted() {
  static std::vector<std::string> trusted;
  return trusted;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

void SetTrustedProxies(std::vector<std::string> addresses) { Trusted() = std::move(addresses); }

std::string ResolveClientIp(const std::string& peer, std::string_view forwarded_for,
                            const std::vector<std::string>& trusted) {
  auto is_trusted = [&](std::string_view ip) { return std::find(trusted.begin(), trusted.end(), ip) != trusted.end(); };
  if (!is_trusted(peer) || forwarded_for.empty()) return peer;
  // Walk from the right: each hop appended the address it saw; stop at the first one no
  // trusted proxy vouches for.
  std::string_view rest = forwarded_for;
  std::string last = peer;
  while (!rest.empty()) {
    size_t comma = rest.rfind(',');
    std::string_view item = TrimSpaces(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (item.empty() || item.size() > 64) break;
    last = std::string(item);
    if (!is_trusted(item)) return last;
  }
  return last;
}

std::string ClientIp(const Request& req) {
  return ResolveClientIp(req.remote_ip, req.Header("x-forwarded-for"), Trusted());
}

}  // namespace atelier::http
