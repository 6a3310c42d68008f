#pragma once
// HTTP ↔ Feed and StreamHub for docs/product.md §8: the feed, read marks, email settings and the
// live stream. notify/ sits below accounts/ in the layering, so the caller is resolved
// by a function the wiring passes in (it throws 401/403 like Authenticator::Require).
#include <cstdint>
#include <functional>

#include "http/router.h"
#include "notify/feed.h"
#include "notify/stream_hub.h"

namespace atelier::notify {

using CurrentUser = std::function<std::int64_t(const http::Request&)>;
// The same inside a read transaction the handler opened anyway (the feed page).
using CurrentUserIn = std::function<std::int64_t(db::Tx&, const http::Request&)>;

// `feed` and `hub` must outlive the router.
void AddRoutes(http::Router& router, Feed& feed, StreamHub& hub, CurrentUser current_user,
               CurrentUserIn current_user_in);

}  // namespace atelier::notify
