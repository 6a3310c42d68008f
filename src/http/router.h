#pragma once
// Maps method + path to a handler. Patterns are literal segments and {name} segments:
// "/api/v1/groups/{id}/members/{userId}". Literal segments win over parameters.
// Thread-safety: Add() before the server starts; Match() from any thread afterwards.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/types.h"

namespace atelier::http {

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
  int index = 0;  // position in registration order, for metrics
  std::vector<std::string> segments;
};

struct Match {
  const Route* route = nullptr;  // null: no route for this path or method
  bool path_known = false;       // true when the path matched with another method
  std::vector<std::pair<std::string, std::string>> params;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  // `segments`: the request path's segments, percent-decoded (Request::segments).
  Match Find(std::string_view method, std::span<const std::string> segments) const;
  // The same for a path as sent (percent-encoded, "/api/v1/users/al%69ce"), read with
  // Boost.URL; a malformed path matches nothing.
  Match Find(std::string_view method, std::string_view path) const;
  // Sets the pre-check of the route registered as method + pattern (see PreCheck), for
  // code that wires routes it did not add; throws std::logic_error when there is none.
  void SetPreCheck(std::string_view method, std::string_view pattern, PreCheck check);
  const std::vector<std::unique_ptr<Route>>& Routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace atelier::http
