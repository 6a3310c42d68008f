#pragma once
#include "accounts/auth.h"
#include "accounts/service.h"
#include "http/router.h"

namespace atelier::accounts {

// Adds the endpoints of docs/product.md §3 under /api/v1. `secure_cookies`: publicUrl is https.
void RegisterRoutes(http::Router& router, AccountService& service, const Authenticator& auth, bool secure_cookies);

}  // namespace atelier::accounts
