#pragma once
// HTTP ↔ ArtworkService for the endpoints of docs/product.md §6 under /api/v1.
#include "accounts/auth.h"
#include "accounts/rate_limiter.h"
#include "artworks/artwork_service.h"
#include "artworks/image.h"
#include "artworks/image_gate.h"
#include "http/router.h"

namespace atelier::artworks {

// svc, images, auth, limiter and gate must outlive the router. An upload's image is probed
// against `limits`, then decoded once `gate` admits it (see ImageGate).
void RegisterRoutes(http::Router& router, ArtworkService& svc, const ImageStore& images,
                    const accounts::Authenticator& auth, accounts::RateLimiter& limiter, ImageGate& gate,
                    const ImageLimits& limits);

// Whether an If-None-Match header value matches the strong ETag `etag` (quoted): a list
// of entity tags, weak ones compared weakly (RFC 9110 §13.1.2), or "*".
bool IfNoneMatchHits(std::string_view header, std::string_view etag);

}  // namespace atelier::artworks
