#pragma once
// HTTP ↔ Feed and StreamHub for docs/product.md §8: the feed, read marks, email settings and the
// live stream. notify/ sits below accounts/ in the layering, so the caller is resolved
// by a function the wiring passes in (it throws 401/403 like Authenticator::Require).
#include <cstdint>
#include <functional>
#include <string>

#include "http/router.h"
#include "notify/feed.h"
#include "notify/stream_hub.h"

namespace atelier::notify {

using CurrentUser = std::function<std::int64_t(const http::Request&)>;

// The caller and the session it authenticated with (sessions.token_hash), for the live
// stream, which ends with its session.
struct Caller {
  std::int64_t user_id = 0;
  std::string session_hash;
};
using CurrentSession = std::function<Caller(const http::Request&)>;

// Runs a handler that only reads as the caller, and returns its answer (as
// Authenticator::RequireForRead does).
using ReadAsCaller =
    std::function<http::Response(const http::Request&, const std::function<http::Response(std::int64_t)>&)>;

// `feed` and `hub` must outlive the router.
void RegisterRoutes(http::Router& router, Feed& feed, StreamHub& hub, CurrentUser current_user,
                    CurrentSession current_session, ReadAsCaller read_as_caller);

}  // namespace atelier::notify
