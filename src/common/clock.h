#pragma once
// Time as milliseconds since the Unix epoch, UTC. Everything that reads the time goes
// through Clock so tests can move it.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atelier {

using Millis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis Now() const = 0;
};

// Wall clock plus an offset that tests can set (ATELIER_TEST_CLOCK_OFFSET_MS is not used
// in production; see app/config).
class SystemClock final : public Clock {
 public:
  Millis Now() const override;
  void Advance(Millis ms) { offset_ += ms; }

 private:
  std::atomic<Millis> offset_{0};
};

// "2026-11-24T10:00:00Z" (seconds precision, as docs/product.md §2) — or with milliseconds when
// they are not zero ("2026-11-24T10:00:00.123Z"), so ordering survives a round trip.
std::string FormatTime(Millis t);
// The same text written to `out` (room for kMaxTimeText bytes), returned as a view of it:
// no allocation and no libc time conversion (gmtime_r takes a process-wide lock).
inline constexpr size_t kMaxTimeText = 48;
std::string_view FormatTimeTo(Millis t, char* out);
// Parses RFC 3339 with 'Z' or a numeric offset; nullopt when malformed.
std::optional<Millis> ParseTime(std::string_view s);

}  // namespace atelier
