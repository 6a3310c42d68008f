#include "http/router.h"

#include <stdexcept>

namespace atelier::http {

namespace {
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  if (!path.empty() && path.front() == '/') pos = 1;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    out.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return out;
}

// Matches pattern segments against path segments; literal segments score higher so the
// most specific route wins.
bool MatchSegments(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
                   std::vector<std::pair<std::string, std::string>>& params, int& score) {
  if (pattern.size() != path.size()) return false;
  score = 0;
  params.clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    std::string_view p = pattern[i];
    if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
      if (path[i].empty()) return false;
      params.emplace_back(std::string(p.substr(1, p.size() - 2)), std::string(path[i]));
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
  for (auto seg : Split(r->pattern)) r->segments.emplace_back(seg);
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

Match Router::Find(std::string_view method, std::string_view path) const {
  Match best;
  int best_score = -1;
  auto segs = Split(path);
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& r : routes_) {
    int score = 0;
    if (!MatchSegments(r->segments, segs, params, score)) continue;
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

}  // namespace atelier::http
