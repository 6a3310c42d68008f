#pragma once
// Token buckets keyed by (action, client address, account or group), kept in memory per
// process: with several server processes each enforces its own budget. Thread-safe.
// `enabled` is --rate-limits (on by default; bench and most tests run with it off).
#include <cstdint>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/mutex.h"

namespace atelier::accounts {

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, bool enabled) : clock_(clock), enabled_(enabled) {}
  // Takes one token from the bucket `key` that holds `burst` and refills `burst` per
  // `window_ms`. Returns 0 when allowed, else the seconds until a token is available.
  int Take(const std::string& key, int burst, Millis window_ms);
  // Take(), throwing ApiError 429 `rate_limited` with Retry-After and `detail` when the
  // bucket is empty.
  void Require(const std::string& key, int burst, Millis window_ms, const char* detail);

 private:
  struct Bucket {
    double tokens;
    Millis updated;
  };
  const Clock& clock_;
  bool enabled_;
  Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
  Millis last_sweep_ GUARDED_BY(mu_) = 0;
};

}  // namespace atelier::accounts
