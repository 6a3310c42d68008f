#include "http/client_ip.h"

#include <algorithm>

namespace atelier::http {

namespace {
std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

bool TrustedProxies::Trusts(std::string_view ip) const {
  return std::find(addresses_.begin(), addresses_.end(), ip) != addresses_.end();
}

std::string TrustedProxies::Resolve(const std::string& peer, std::string_view forwarded_for) const {
  if (!Trusts(peer) || forwarded_for.empty()) return peer;
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
    if (!Trusts(item)) return last;
  }
  return last;
}

std::string TrustedProxies::ClientIp(const Request& req) const {
  return Resolve(req.remote_ip, req.Header("x-forwarded-for"));
}

}  // namespace atelier::http
