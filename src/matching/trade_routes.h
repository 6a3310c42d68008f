#pragma once
// HTTP ↔ TradeService: match messages, deliveries and their images, the trade gallery
// (docs/product.md §7 "Trades") under /api/v1.
#include "accounts/auth.h"
#include "accounts/rate_limiter.h"
#include "artworks/image.h"
#include "artworks/image_gate.h"
#include "artworks/image_store.h"
#include "http/router.h"
#include "matching/trade_service.h"

namespace atelier::matching {

// What a delivery upload shares with artwork uploads: the image store, the upload rate
// limit's buckets, the decode gate and the image limits. All must outlive the router.
struct UploadTools {
  artworks::ImageStore& images;
  accounts::RateLimiter& upload_limiter;
  artworks::ImageGate& gate;
  artworks::ImageLimits limits;
};

// Messages per user: 30 a minute, 500 a day (429 rate_limited with Retry-After).
inline constexpr int kMessagesPerMinute = 30;
inline constexpr int kMessagesPerDay = 500;

// svc, auth, message_limiter and the tools must outlive the router. Registers the delivery
// upload's pre-check too (the head is refused before its body is read).
void RegisterTradeRoutes(http::Router& router, TradeService& svc, const accounts::Authenticator& auth,
                         accounts::RateLimiter& message_limiter, const UploadTools& uploads);

}  // namespace atelier::matching
