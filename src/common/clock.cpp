#include "common/clock.h"

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

struct CivilDate {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// The proleptic Gregorian date `days` after 1970-01-01. Counts in 400-year eras of
// 146,097 days whose years start on 1 March, so that the leap day ends a year.
constexpr CivilDate CivilFromDays(std::int64_t days) {
  const std::int64_t shifted = days + 719468;  // days since 0000-03-01
  const std::int64_t era = FloorDiv(shifted, 146097);
  const std::int64_t day_of_era = shifted - era * 146097;  // [0, 146096]
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;                    // [0, 399]
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // [0, 365]
  const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;                                        // [0, 11]
  const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  const int month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}
static_assert(CivilFromDays(0).year == 1970 && CivilFromDays(0).month == 1 && CivilFromDays(0).day == 1);
static_assert(CivilFromDays(-1).year == 1969 && CivilFromDays(-1).month == 12 && CivilFromDays(-1).day == 31);
static_assert(CivilFromDays(11016).month == 2 && CivilFromDays(11016).day == 29);  // 2000-02-29
}  // namespace

std::string_view FormatTimeTo(Millis t, char* out) {
  const std::int64_t secs = FloorDiv(t, 1000);
  const int ms = static_cast<int>(t - secs * 1000);
  const std::int64_t days = FloorDiv(secs, 86400);
  const int second_of_day = static_cast<int>(secs - days * 86400);
  const CivilDate date = CivilFromDays(days);
  const int hour = second_of_day / 3600, minute = second_of_day / 60 % 60, second = second_of_day % 60;
  if (date.year < 0 || date.year > 9999) {
    const int n = std::snprintf(out, kMaxTimeText,
                                ms == 0 ? "%04lld-%02d-%02dT%02d:%02d:%02dZ" : "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
                                static_cast<long long>(date.year), date.month, date.day, hour, minute, second, ms);
    return {out, static_cast<size_t>(n)};
  }
  // The usual case without snprintf, which was a visible share of an artwork list page
  // (one time per artwork).
  auto put = [out](int pos, int value, int width) {
    for (int i = pos + width - 1; i >= pos; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<int>(date.year), 4);
  out[4] = '-';
  put(5, date.month, 2);
  out[7] = '-';
  put(8, date.day, 2);
  out[10] = 'T';
  put(11, hour, 2);
  out[13] = ':';
  put(14, minute, 2);
  out[16] = ':';
  put(17, second, 2);
  if (ms == 0) {
    out[19] = 'Z';
    return {out, 20};
  }
  out[19] = '.';
  put(20, ms, 3);
  out[23] = 'Z';
  return {out, 24};
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
  // Days from civil (Howard Hinnant's algorithm).
  int y = year - (mon <= 2);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  long long days = static_cast<long long>(era) * 146097 + static_cast<long long>(doe) - 719468;
  long long secs = days * 86400 + hour * 3600 + min * 60 + sec - offset_min * 60LL;
  // Only instants FormatTime writes back as RFC 3339 (years 0000–9999 in UTC): an offset
  // could otherwise move "0000-01-01T00:00:00+01:00" into year -1 (found by fuzz_time).
  constexpr long long kMinMillis = -62167219200000LL;  // 0000-01-01T00:00:00Z
  constexpr long long kMaxMillis = 253402300799999LL;  // 9999-12-31T23:59:59.999Z
  const long long t = secs * 1000 + ms;
  if (t < kMinMillis || t > kMaxMillis) return std::nullopt;
  return t;
}

}  // namespace atelier
