#pragma once
// HTTP ↔ EventService for the endpoints of docs/product.md §5 under /api/v1.
#include "accounts/auth.h"
#include "events/service.h"
#include "http/router.h"

namespace atelier::events {

// The service and authenticator must outlive the router.
void RegisterRoutes(http::Router& router, EventService& svc, const accounts::Authenticator& auth);

}  // namespace atelier::events
