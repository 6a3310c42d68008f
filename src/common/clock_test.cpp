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
