// Raw bytes from a client as the server sees them: Beast's request parser (with the
// server's limits), then the conversion to http::Request, the router's path matching, and
// what handlers read from the request (query parameters, cookies, ids, limits, cursors).
// Several pipelined requests may follow each other in one input.
#include <boost/asio/buffer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/json_util.h"
#include "http/request_head.h"
#include "http/router.h"

namespace bhttp = boost::beast::http;
using namespace atelier;

namespace {

const http::Router& TheRouter() {
  static const http::Router* router = [] {
    auto* r = new http::Router;
    const char* routes[][2] = {
        {"GET", "/healthz"},
        {"GET", "/readyz"},
        {"GET", "/metrics"},
        {"POST", "/api/v1/auth/login"},
        {"GET", "/api/v1/me"},
        {"PATCH", "/api/v1/me"},
        {"GET", "/api/v1/users/{username}"},
        {"GET", "/api/v1/groups"},
        {"POST", "/api/v1/groups"},
        {"GET", "/api/v1/groups/{id}"},
        {"GET", "/api/v1/groups/{id}/members"},
        {"PATCH", "/api/v1/groups/{id}/members/{userId}"},
        {"DELETE", "/api/v1/groups/{id}/members/{userId}"},
        {"POST", "/api/v1/invitations/{id}/accept"},
        {"GET", "/api/v1/groups/{id}/events"},
        {"GET", "/api/v1/events/{id}"},
        {"POST", "/api/v1/events/{id}/artworks"},
        {"GET", "/api/v1/events/{id}/artworks"},
        {"GET", "/api/v1/artworks/{id}"},
        {"GET", "/api/v1/artworks/{id}/image"},
        {"PUT", "/api/v1/artworks/{id}/vote"},
        {"DELETE", "/api/v1/artworks/{id}/vote"},
        {"GET", "/api/v1/notifications"},
        {"GET", "/api/v1/notifications/stream"},
    };
    for (const auto& [method, pattern] : routes)
      r->Add(method, pattern, [](http::Request&) { return http::Response{}; });
    return r;
  }();
  return *router;
}

size_t ParamCount(const std::string& pattern) {
  size_t n = 0;
  for (char c : pattern) n += c == '{';
  return n;
}

// What a handler does with a request; ApiErrors are expected, anything else is a bug.
void Handle(http::Request& req) {
  (void)req.Header("authorization");
  (void)req.Header("x-csrf-token");
  (void)req.Cookie("atelier_session");
  (void)req.Cookie("atelier_csrf");
  (void)req.Query("sort");
  try {
    (void)ParseLimit(req.Query("limit"));
  } catch (const ApiError& e) {
    if (e.Status() != 400) std::abort();
  }
  if (auto cursor = req.Query("cursor")) {
    for (size_t keys = 1; keys <= 2; ++keys) {
      try {
        (void)DecodeCursor(*cursor, keys);
      } catch (const ApiError& e) {
        if (e.Status() != 400) std::abort();
      }
    }
  }
  for (const auto& [name, value] : req.params) {
    if (value.empty()) std::abort();  // the router never matches an empty segment
    (void)ParseId(value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int requests = 0; requests < 8 && !in.empty(); ++requests) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(1024 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    size_t used = 0;
    while (!parser.is_done()) {
      size_t n = parser.put(boost::asio::buffer(in.data() + used, in.size() - used), ec);
      used += n;
      if (ec && ec != bhttp::error::need_more) return 0;
      ec = {};
      // Nothing consumed: Beast wants more than there is (it parses a header only when the
      // whole of it is in the buffer), so the client stopped here.
      if (n == 0 || used == in.size()) {
        if (parser.is_done()) break;
        parser.put_eof(ec);
        if (ec) return 0;
        break;
      }
    }
    if (!parser.is_header_done()) return 0;
    in.remove_prefix(used);

    const auto& hreq = parser.get();
    std::vector<http::HeaderField> fields;
    for (const auto& f : hreq) fields.push_back({f.name_string(), f.value()});
    http::Request req;
    bool path_ok = http::BuildRequestHead(hreq.method_string(), hreq.target(), fields, req);
    if (req.headers.size() != fields.size()) std::abort();
    for (const auto& [name, value] : req.headers)
      for (char c : name)
        if (c >= 'A' && c <= 'Z') std::abort();
    if (!path_ok) continue;
    if (req.path.find('\0') != std::string::npos) std::abort();
    http::Match match = TheRouter().Find(req.method, req.segments);
    if (match.route) {
      if (!match.path_known || match.params.size() != ParamCount(match.route->pattern)) std::abort();
      req.params = match.params;
    }
    req.body = hreq.body();
    Handle(req);
    if (!hreq.keep_alive()) break;
  }
  return 0;
}
