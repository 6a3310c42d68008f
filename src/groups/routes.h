#pragma once
// HTTP ↔ GroupService for docs/product.md §4: parses paths, queries and bodies, and writes the
// Group, Member and Invitation JSON. Routes are added under /api/v1.
#include "accounts/auth.h"
#include "groups/service.h"
#include "http/router.h"

namespace atelier::groups {

boost::json::object GroupJson(const GroupRow& g);
boost::json::object MemberJson(const MemberRow& m);
boost::json::object InvitationJson(const InvitationRow& i, Millis now);

// `service` and `auth` must outlive the router.
void AddRoutes(http::Router& router, GroupService& service, const accounts::Authenticator& auth, const Clock& clock);

}  // namespace atelier::groups
