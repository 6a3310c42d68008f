#include "common/text.h"

#include <gtest/gtest.h>

namespace atelier {
namespace {

TEST(Text, Utf8ValidationAndLength) {
  EXPECT_TRUE(IsValidUtf8("héllo ✓ 🎨"));
  EXPECT_EQ(Utf8Length("héllo ✓ 🎨"), 9u);
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

TEST(Text, CaseFoldKey) {
  EXPECT_EQ(CaseFoldKey("Sketch Club"), CaseFoldKey("sketch club"));
  EXPECT_EQ(CaseFoldKey("ÉCOLE"), CaseFoldKey("école"));
  EXPECT_NE(CaseFoldKey("a"), CaseFoldKey("b"));
}

TEST(Text, ParseIntWholeStringOnly) {
  EXPECT_EQ(ParseInt("42"), 42);
  EXPECT_FALSE(ParseInt("42 "));
  EXPECT_FALSE(ParseInt(""));
}

}  // namespace
}  // namespace atelier
