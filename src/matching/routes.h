#pragma once
// HTTP ↔ MatchService for the endpoints of docs/product.md §7 under /api/v1: likes and matches.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <utility>

#include "accounts/auth.h"
#include "http/router.h"
#include "matching/exclusions.h"
#include "matching/service.h"

namespace atelier::matching {

// svc and auth must outlive the router.
void RegisterRoutes(http::Router& router, MatchService& svc, const accounts::Authenticator& auth);
// POST/GET /groups/{id}/exclusions, DELETE /exclusions/{id}.
void RegisterExclusionRoutes(http::Router& router, ExclusionService& svc, const accounts::Authenticator& auth);

// The two user ids of a POST /groups/{id}/exclusions body: `userIds`, an array of exactly
// two ids; else 422 with field "userIds", code "invalid".
std::pair<std::int64_t, std::int64_t> ReadExclusionUsers(const boost::json::object& body);

// The rank of a PUT /artworks/{id}/like body: absent or null → unranked; otherwise an
// integer from 1 to kMaxRank, else 422 with field "rank", code "invalid".
std::optional<std::int64_t> ReadRank(const boost::json::object& body);

}  // namespace atelier::matching
