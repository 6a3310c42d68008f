#pragma once
// HTTP ↔ GroupService for docs/product.md §4: parses paths, queries and bodies, and answers
// with the Group, Member and Invitation resources (groups/resources.h) made from the
// service's rows. Routes are added under /api/v1.
#include "accounts/auth.h"
#include "groups/service.h"
#include "http/client_ip.h"
#include "http/router.h"

namespace atelier::groups {

// `service`, `auth` and `proxies` (who the client is, for the preview's rate limit) must
// outlive the router.
void RegisterRoutes(http::Router& router, GroupService& service, const accounts::Authenticator& auth,
                    const Clock& clock, const http::TrustedProxies& proxies);

}  // namespace atelier::groups
