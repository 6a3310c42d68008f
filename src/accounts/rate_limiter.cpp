#include "accounts/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "db/database.h"

namespace atelier::accounts {

namespace {
// One statement takes a token or finds none, atomically on the bucket's row: `avail` is
// what the bucket holds now (refilled since updated_at, never above the burst; a clock of
// another process behind this one's refills nothing). `full_at` is when it would be full
// again, after which the row says nothing a missing row does not, and may go.
#define ATELIER_AVAIL "LEAST($2::float8, b.tokens + GREATEST(0, $3::bigint - b.updated_at) * $4::float8)"
#define ATELIER_TAKEN "CASE WHEN " ATELIER_AVAIL " >= 1 THEN 1 ELSE 0 END"
constexpr const char* kTakeSql =
    "INSERT INTO rate_buckets AS b (key, tokens, updated_at, allowed, full_at) "
    "VALUES ($1, $2::float8 - 1, $3::bigint, 1, $3::bigint + CAST(1 / $4::float8 AS bigint)) "
    "ON CONFLICT (key) DO UPDATE SET "
    "tokens = " ATELIER_AVAIL " - " ATELIER_TAKEN
    ", "
    "allowed = " ATELIER_TAKEN
    ", "
    "updated_at = GREATEST(b.updated_at, $3::bigint), "
    "full_at = $3::bigint + CAST(($2::float8 - " ATELIER_AVAIL " + " ATELIER_TAKEN
    ") / $4::float8 AS bigint) "
    "RETURNING b.allowed, b.tokens";
#undef ATELIER_TAKEN
#undef ATELIER_AVAIL
}  // namespace

int RateLimiter::TakeShared(const std::string& key, int burst, Millis window_ms) {
  const Millis now = clock_.Now();
  const double rate = static_cast<double>(burst) / static_cast<double>(window_ms);  // tokens per ms
  bool sweep = false;
  {
    MutexLock lock(mu_);
    if (now - last_sweep_ > 600'000) {
      last_sweep_ = now;
      sweep = true;
    }
  }
  auto row = shared_->Write([&](db::Tx& tx) {
    if (sweep) tx.Exec("DELETE FROM rate_buckets WHERE full_at < $1", now);
    return tx.QueryOne(kTakeSql, key, static_cast<double>(burst), now, rate);
  });
  if (!row || row->Bool(0)) return 0;
  return std::max(1, static_cast<int>(std::ceil((1.0 - row->Real(1)) / rate / 1000.0)));
}

int RateLimiter::Take(const std::string& key, int burst, Millis window_ms) {
  if (!enabled_) return 0;
  if (shared_ != nullptr) return TakeShared(key, burst, window_ms);
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
