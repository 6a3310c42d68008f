#include "common/clock.h"

#include "common/human_time.h"

#include <chrono>
#include <cstdio>

namespace atelier {

Millis SystemClock::Now() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() + offset_.load();
}

namespace {
// Floor division, so times before 1970 fall in the right second and day.
constexpr std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// A UTC instant split into calendar fields by std::chrono's civil calendar.
struct CivilTime {
  std::int64_t year;  // any year: Millis reaches far beyond chrono::year's ±32767
  unsigned month;     // 1..12
  unsigned day;       // 1..31
  unsigned weekday;   // 0 = Sunday
  int hour, minute, second, ms;
};

// The Gregorian calendar repeats every 400 years (146,097 days), so a day count is split
// into whole 400-year cycles and a day within 1970–2369, which chrono::year_month_day
// converts; the cycles only add to the year.
constexpr std::int64_t kDaysPer400Years = 146'097;
static_assert(kDaysPer400Years % 7 == 0, "the shifted day keeps its weekday");

CivilTime Civil(Millis t) {
  using namespace std::chrono;
  const std::int64_t secs = FloorDiv(t, 1000);
  const std::int64_t day_count = FloorDiv(secs, 86'400);
  const std::int64_t cycles = FloorDiv(day_count, kDaysPer400Years);
  const sys_days day{days{day_count - cycles * kDaysPer400Years}};
  const year_month_day ymd{day};
  const hh_mm_ss hms{seconds{secs - day_count * 86'400}};
  return {static_cast<int>(ymd.year()) + cycles * 400,
          static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()),
          weekday{day}.c_encoding(),
          static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count()),
          static_cast<int>(t - secs * 1000)};
}

// Writes `value` as `width` decimal digits ending at out[pos + width - 1]. snprintf was
// a noticeable share of an artwork list page (one time per artwork).
void PutDigits(char* out, int pos, int value, int width) {
  for (int i = pos + width - 1; i >= pos; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
}
}  // namespace

std::string_view FormatTimeTo(Millis t, char* out) {
  const CivilTime c = Civil(t);
  if (c.year < 0 || c.year > 9999) {
    const int n = std::snprintf(
        out, kMaxTimeText, c.ms == 0 ? "%04lld-%02u-%02uT%02d:%02d:%02dZ" : "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
        static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second, c.ms);
    return {out, static_cast<size_t>(n)};
  }
  // The usual case without snprintf, which was a visible share of an artwork list page
  // (one time per artwork).
  PutDigits(out, 0, static_cast<int>(c.year), 4);
  out[4] = '-';
  PutDigits(out, 5, static_cast<int>(c.month), 2);
  out[7] = '-';
  PutDigits(out, 8, static_cast<int>(c.day), 2);
  out[10] = 'T';
  PutDigits(out, 11, c.hour, 2);
  out[13] = ':';
  PutDigits(out, 14, c.minute, 2);
  out[16] = ':';
  PutDigits(out, 17, c.second, 2);
  if (c.ms == 0) {
    out[19] = 'Z';
    return {out, 20};
  }
  out[19] = '.';
  PutDigits(out, 20, c.ms, 3);
  out[23] = 'Z';
  return {out, 24};
}

std::string FormatMailDate(Millis t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const CivilTime c = Civil(t);
  char buf[kMaxTimeText + 16];
  const int n = std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02d:%02d:%02d +0000", kDays[c.weekday], c.day,
                              kMonths[c.month - 1], static_cast<long long>(c.year), c.hour, c.minute, c.second);
  return std::string(buf, static_cast<size_t>(n));
}

std::string FormatHumanTime(Millis t) {
  static constexpr const char* kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
  const CivilTime c = Civil(t);
  char buf[96];
  const int n = std::snprintf(buf, sizeof buf, "%s %u %s %lld, %02d:%02d UTC", kDays[c.weekday], c.day,
                              kMonths[c.month - 1], static_cast<long long>(c.year), c.hour, c.minute);
  return std::string(buf, static_cast<size_t>(n));
}

std::string FormatTime(Millis t) {
  char buf[kMaxTimeText];
  return std::string(FormatTimeTo(t, buf));
}

namespace {
bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
}  // namespace

std::optional<Millis> ParseTime(std::string_view s) {
  int year, mon, day, hour, min, sec;
  if (!Digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, mon) || s[7] != '-' ||
      !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, hour) || s[13] != ':' ||
      !Digits(s, 14, 2, min) || s[16] != ':' || !Digits(s, 17, 2, sec))
    return std::nullopt;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return std::nullopt;
  size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 3; ++d) ms *= 10;
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, om))
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // Calendar dates only: 2027-02-30 is refused, not read as March 2.
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(mon)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  const long long days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  const long long secs = days * 86400 + hour * 3600 + min * 60 + sec - offset_min * 60LL;
  // Only instants FormatTime writes back as RFC 3339 (years 0000–9999 in UTC): an offset
  // could otherwise move "0000-01-01T00:00:00+01:00" into year -1 (found by fuzz_time).
  constexpr long long kMinMillis = -62167219200000LL;  // 0000-01-01T00:00:00Z
  constexpr long long kMaxMillis = 253402300799999LL;  // 9999-12-31T23:59:59.999Z
  const long long t = secs * 1000 + ms;
  if (t < kMinMillis || t > kMaxMillis) return std::nullopt;
  return t;
}

}  // namespace atelier
