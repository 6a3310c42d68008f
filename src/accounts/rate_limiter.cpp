#include "accounts/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace atelier::accounts {

int RateLimiter::Take(const std::string& key, int burst, Millis window_ms) {
  if (!enabled_) return 0;
  Millis now = clock_.Now();
  double rate = static_cast<double>(burst) / static_cast<double>(window_ms);  // tokens per ms
  MutexLock lock(mu_);
  if (now - last_sweep_ > 60'000 && buckets_.size() > 10'000) {
    // Forget buckets that have refilled completely; they carry no information.
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = now - it->second.updated > window_ms ? buckets_.erase(it) : std::next(it);
    last_sweep_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{static_cast<double>(burst), now});
  Bucket& b = it->second;
  b.tokens = std::min<double>(burst, b.tokens + static_cast<double>(now - b.updated) * rate);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate / 1000.0)));
}

void RateLimiter::Require(const std::string& key, int burst, Millis window_ms, const char* detail) {
  if (int wait = Take(key, burst, window_ms); wait > 0)
    throw ApiError(429, "rate_limited", detail).WithRetryAfter(wait);
}

}  // namespace atelier::accounts
