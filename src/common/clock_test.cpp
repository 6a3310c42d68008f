#include "common/clock.h"
#include "common/human_time.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <limits>
#include <random>

namespace atelier {
namespace {

TEST(Time, FormatsAndParsesRfc3339) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00Z");
  auto t = ParseTime("2026-11-24T10:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTime(*t), "2026-11-24T10:00:00Z");
  EXPECT_EQ(ParseTime("2026-11-24T11:00:00+01:00"), t);
  EXPECT_EQ(ParseTime("2026-11-24T10:00:00.250Z"), *t + 250);
  EXPECT_EQ(FormatTime(*t + 250), "2026-11-24T10:00:00.250Z");
  EXPECT_FALSE(ParseTime("2026-11-24 10:00:00Z"));
  EXPECT_FALSE(ParseTime("2026-13-24T10:00:00Z"));
  EXPECT_FALSE(ParseTime("2026-11-24T10:00:00"));
  EXPECT_FALSE(ParseTime("tomorrow"));
}

TEST(Time, RefusesDatesThatAreNotInTheCalendar) {
  for (const char* bad :
       {"2027-02-30T00:00:00Z", "2027-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2027-04-31T00:00:00Z",
        "2027-06-31T23:00:00-01:00", "2027-00-10T00:00:00Z", "2027-01-00T00:00:00Z", "2027-01-32T00:00:00Z"})
    EXPECT_FALSE(ParseTime(bad)) << bad;
  EXPECT_EQ(FormatTime(*ParseTime("2028-02-29T00:00:00Z")), "2028-02-29T00:00:00Z");
  EXPECT_EQ(FormatTime(*ParseTime("2000-02-29T12:00:00Z")), "2000-02-29T12:00:00Z");
  EXPECT_EQ(FormatTime(*ParseTime("2027-12-31T23:59:59Z")), "2027-12-31T23:59:59Z");
}

TEST(Time, MailDateUsesTheSameCalendar) {
  EXPECT_EQ(FormatMailDate(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(FormatMailDate(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
  EXPECT_EQ(FormatMailDate(*ParseTime("2026-12-05T08:00:00.999Z")), "Sat, 05 Dec 2026 08:00:00 +0000");
  EXPECT_EQ(FormatHumanTime(*ParseTime("2027-03-09T18:00:59Z")), "Tuesday 9 March 2027, 18:00 UTC");
  EXPECT_EQ(FormatMailDate(*ParseTime("2000-02-29T23:59:59Z")), "Tue, 29 Feb 2000 23:59:59 +0000");
  // Against libc for a spread of instants.
  for (Millis t = -2'000'000'000'000; t < 4'000'000'000'000; t += 7'777'777'777) {
    const std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    ASSERT_EQ(FormatMailDate(t), buf) << t;
  }
}

TEST(Time, SystemClockAdvances) {
  SystemClock c;
  auto a = c.Now();
  c.Advance(60000);
  EXPECT_GE(c.Now() - a, 60000);
}

}  // namespace
}  // namespace atelier

namespace atelier {
namespace {

// Regression (fuzz_time): an offset must not move a time out of the years FormatTime can
// write back; every accepted time round-trips.
TEST(Time, ParsedTimesStayWithinWhatFormatTimeWrites) {
  EXPECT_FALSE(ParseTime("0000-01-01T00:00:00+23:59"));
  EXPECT_FALSE(ParseTime("9999-12-31T23:59:60Z"));
  EXPECT_FALSE(ParseTime("9999-12-31T23:00:00-01:00"));
  auto lo = ParseTime("0000-01-01T00:00:00Z");
  ASSERT_TRUE(lo);
  EXPECT_EQ(ParseTime(FormatTime(*lo)), lo);
  auto hi = ParseTime("9999-12-31T23:59:59.999Z");
  ASSERT_TRUE(hi);
  EXPECT_EQ(FormatTime(*hi), "9999-12-31T23:59:59.999Z");
  auto shifted = ParseTime("0000-01-01T23:00:00+22:00");
  ASSERT_TRUE(shifted);
  EXPECT_EQ(ParseTime(FormatTime(*shifted)), shifted);
}

}  // namespace
}  // namespace atelier

namespace atelier {
namespace {

// What FormatTime wrote when it used libc's gmtime_r: the reference for the arithmetic.
std::string ViaGmtime(Millis t) {
  const std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  const int ms = static_cast<int>(t - static_cast<Millis>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, ms == 0 ? "%04d-%02d-%02dT%02d:%02d:%02dZ" : "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

TEST(Time, FormatsEveryDayAsLibcDoes) {
  // Every day from 0000-01-01 to 9999-12-31 at a time of day that moves with it, and the
  // edges of every 97th day.
  const Millis first = *ParseTime("0000-01-01T00:00:00Z"), last = *ParseTime("9999-12-31T00:00:00Z");
  int checked = 0;
  for (Millis day = first; day <= last; day += 86'400'000) {
    const Millis within = (day / 86'400'000 % 86'400) * 1000 + 7;
    ASSERT_EQ(FormatTime(day + within), ViaGmtime(day + within)) << day + within;
    ++checked;
    if (checked % 97 == 0) {
      ASSERT_EQ(FormatTime(day), ViaGmtime(day)) << day;
      ASSERT_EQ(FormatTime(day + 86'399'999), ViaGmtime(day + 86'399'999)) << day;
    }
  }
  EXPECT_EQ(checked, 3'652'425);  // days in years 0..9999 of the proleptic Gregorian calendar
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<Millis> any(first, last + 86'399'999);
  for (int i = 0; i < 100'000; ++i) {
    const Millis t = any(rng);
    ASSERT_EQ(FormatTime(t), ViaGmtime(t)) << t;
  }
  // Outside the years RFC 3339 allows the text is still a date (never written by the API).
  EXPECT_EQ(FormatTime(first - 1), ViaGmtime(first - 1));
  EXPECT_EQ(FormatTime(last + 86'400'000), "10000-01-01T00:00:00Z");
}

TEST(Time, FormatTimeToWritesTheSameTextInPlace) {
  char buf[kMaxTimeText];
  EXPECT_EQ(FormatTimeTo(0, buf), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimeTo(-1, buf), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimeTo(951'782'400'000, buf), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatTimeTo(std::numeric_limits<Millis>::max(), buf).size(),
            FormatTime(std::numeric_limits<Millis>::max()).size());
}

}  // namespace
}  // namespace atelier
