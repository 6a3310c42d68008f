#pragma once
#include "accounts/auth.h"
#include "accounts/service.h"
#include "http/client_ip.h"
#include "http/router.h"

namespace atelier::accounts {

// Adds the endpoints of docs/product.md §3 under /api/v1. `proxies` decides the client
// address that per-address rate limits count (it must outlive the router).
// `secure_cookies`: publicUrl is https.
void RegisterRoutes(http::Router& router, AccountService& service, const Authenticator& auth,
                    const http::TrustedProxies& proxies, bool secure_cookies);

}  // namespace atelier::accounts
