#pragma once
// HTTP ↔ ArtworkService for the endpoints of docs/product.md §6 under /api/v1.
#include "accounts/auth.h"
#include "accounts/rate_limiter.h"
#include "artworks/image.h"
#include "artworks/image_gate.h"
#include "artworks/image_store.h"
#include "artworks/service.h"
#include "http/router.h"

namespace atelier::artworks {

// svc, images, auth, limiter and gate must outlive the router. An upload's image is probed
// against `limits`, then decoded once `gate` admits it (see ImageGate).
void RegisterRoutes(http::Router& router, ArtworkService& svc, const ImageStore& images,
                    const accounts::Authenticator& auth, accounts::RateLimiter& limiter, ImageGate& gate,
                    const ImageLimits& limits);

// The image steps of an upload, shared with the other features that take images (matching's
// deliveries): probe the header against `limits`, wait for `gate`, decode, strip and
// thumbnail. Throws ApiError 413 payload_too_large, 415 unsupported_image, 429 rate_limited
// (the user's other heavy decodes) or 503 busy.
ProcessedImage ProcessUploadImage(std::string_view bytes, std::int64_t user_id, ImageGate& gate,
                                  const ImageLimits& limits);
// The answer for stored image bytes: ETag (the key), immutable caching, 304 on a matching
// If-None-Match, else the file.
http::Response ImageFileResponse(const http::Request& req, const ImageStore& images, const std::string& key,
                                 const std::string& content_type);

// Whether an If-None-Match header value matches the strong ETag `etag` (quoted): a list
// of entity tags, weak ones compared weakly (RFC 9110 §13.1.2), or "*".
bool IfNoneMatchHits(std::string_view header, std::string_view etag);

}  // namespace atelier::artworks
