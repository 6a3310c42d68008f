#include "events/validate.h"

#include <gtest/gtest.h>

namespace atelier::events {
namespace {

TEST(CheckLine, TrimsAndCountsCharactersNotBytes) {
  Validation v;
  EXPECT_EQ(CheckLine("title", "  Sunset  ", kMaxName, v), "Sunset");
  std::string accents;
  for (int i = 0; i < 120; ++i) accents += "\xC3\xA9";  // é: 2 bytes, 1 character
  EXPECT_EQ(CheckLine("title", accents, kMaxName, v), accents);
  EXPECT_TRUE(v.Ok());
  CheckLine("title", accents + "e", kMaxName, v);
  EXPECT_FALSE(v.Ok());
}

TEST(CheckLine, RefusesEmptyBlankControlAndInvalidUtf8) {
  for (std::string bad : {std::string(""), std::string("   "), std::string("a\nb"), std::string("a\x01"),
                          std::string("\xC3\x28"), std::string("a\tb"), std::string("a\u202Eb"),
                          std::string("a\u2067b"), std::string("a\u2028b"), std::string("a\x7f")}) {
    Validation v;
    CheckLine("name", bad, kMaxName, v);
    EXPECT_FALSE(v.Ok()) << bad;
  }
}

TEST(CheckText, AllowsNewlinesAndEmptyAndLimitsLength) {
  Validation v;
  CheckText("description", "", kMaxDescription, v);
  CheckText("description", "line one\nline two\ttab", kMaxDescription, v);
  CheckText("description", std::string(2000, 'x'), kMaxDescription, v);
  EXPECT_TRUE(v.Ok());
  CheckText("description", std::string(2001, 'x'), kMaxDescription, v);
  EXPECT_FALSE(v.Ok());
  Validation nul;
  CheckText("description", std::string("a\0b", 3), kMaxDescription, nul);
  EXPECT_FALSE(nul.Ok());
  for (const char* bad : {"a\u202Db",
                          "a\x1b"
                          "b",
                          "a\rb", "\u2069"}) {
    Validation e;
    CheckText("description", bad, kMaxDescription, e);
    EXPECT_FALSE(e.Ok()) << bad;
  }
}

TEST(CheckRange, BoundsAreInclusive) {
  Validation v;
  CheckRange("votesPerMember", 1, 1, 50, v);
  CheckRange("votesPerMember", 50, 1, 50, v);
  EXPECT_TRUE(v.Ok());
  CheckRange("votesPerMember", 0, 1, 50, v);
  CheckRange("votesPerMember", 51, 1, 50, v);
  try {
    v.ThrowIfAny();
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Fields().size(), 2u);
  }
}

}  // namespace
}  // namespace atelier::events
