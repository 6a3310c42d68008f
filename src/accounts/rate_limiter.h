#pragma once
// Token buckets keyed by (action, client address, account or group). Kept in memory per
// process, or, given a `shared` database (PostgreSQL, where several server processes may
// serve one community), in its table `rate_buckets`, so that N processes allow what one
// does. Thread-safe. `enabled` is --rate-limits (on by default; bench and most tests run
// with it off).
#include <cstdint>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/mutex.h"

namespace atelier::db {
class Database;
}

namespace atelier::accounts {

class RateLimiter {
 public:
  // `shared`, when given, is a database of its own for the buckets (not the one the
  // services use: a bucket is taken inside their transactions, and must not wait for a
  // connection of the pool that transaction holds one of).
  RateLimiter(const Clock& clock, bool enabled, db::Database* shared = nullptr)
      : clock_(clock), enabled_(enabled), shared_(shared) {}
  // Takes one token from the bucket `key` that holds `burst` and refills `burst` per
  // `window_ms`. Returns 0 when allowed, else the seconds until a token is available.
  int Take(const std::string& key, int burst, Millis window_ms);
  // Take(), throwing ApiError 429 `rate_limited` with Retry-After and `detail` when the
  // bucket is empty.
  void Require(const std::string& key, int burst, Millis window_ms, const char* detail);

 private:
  int TakeShared(const std::string& key, int burst, Millis window_ms);

  struct Bucket {
    double tokens;
    Millis updated;
  };
  const Clock& clock_;
  bool enabled_;
  db::Database* shared_;
  Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
  Millis last_sweep_ GUARDED_BY(mu_) = 0;  // of buckets_, or of rate_buckets when shared
};

}  // namespace atelier::accounts
