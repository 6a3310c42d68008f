#include "http/router.h"

#include <boost/url/parse_path.hpp>
#include <boost/url/segments_view.hpp>
#include <stdexcept>

namespace atelier::http {

namespace {
// A route pattern's segments, split as Boost.URL splits a request path: "/" has none,
// "/a/b" has "a" and "b". Patterns are the program's own text ("{id}" is no URL syntax).
std::vector<std::string> PatternSegments(std::string_view pattern) {
  std::vector<std::string> out;
  if (pattern.starts_with('/')) pattern.remove_prefix(1);
  if (pattern.empty()) return out;
  for (;;) {
    const size_t slash = pattern.find('/');
    out.emplace_back(pattern.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    pattern.remove_prefix(slash + 1);
  }
}

// Matches pattern segments against path segments; literal segments score higher so the
// most specific route wins.
bool MatchSegments(const std::vector<std::string>& pattern, std::span<const std::string> path,
                   std::vector<std::pair<std::string, std::string>>& params, int& score) {
  if (pattern.size() != path.size()) return false;
  score = 0;
  params.clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    std::string_view p = pattern[i];
    if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
      if (path[i].empty()) return false;
      params.emplace_back(std::string(p.substr(1, p.size() - 2)), path[i]);
    } else if (p == path[i]) {
      score += 1;
    } else {
      return false;
    }
  }
  return true;
}
}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  auto r = std::make_unique<Route>();
  r->method = std::move(method);
  r->pattern = std::move(pattern);
  r->handler = std::move(handler);
  r->options = options;
  r->index = static_cast<int>(routes_.size());
  r->segments = PatternSegments(r->pattern);
  routes_.push_back(std::move(r));
}

void Router::SetPreCheck(std::string_view method, std::string_view pattern, PreCheck check) {
  for (auto& r : routes_) {
    if (r->method == method && r->pattern == pattern) {
      r->options.pre_check = std::move(check);
      return;
    }
  }
  throw std::logic_error("no route " + std::string(method) + " " + std::string(pattern));
}

Match Router::Find(std::string_view method, std::span<const std::string> segments) const {
  Match best;
  int best_score = -1;
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& r : routes_) {
    int score = 0;
    if (!MatchSegments(r->segments, segments, params, score)) continue;
    best.path_known = true;
    bool method_ok = r->method == method || (method == "HEAD" && r->method == "GET");
    if (method_ok && score > best_score) {
      best_score = score;
      best.route = r.get();
      best.params = params;
    }
  }
  return best;
}

Match Router::Find(std::string_view method, std::string_view path) const {
  auto encoded = boost::urls::parse_path(path);
  if (!encoded) return {};
  const boost::urls::segments_view decoded(*encoded);
  const std::vector<std::string> segments(decoded.begin(), decoded.end());
  return Find(method, segments);
}

}  // namespace atelier::http
