#include "common/clock.h"

#include <gtest/gtest.h>

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
