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

TEST(Text, PlainTextRefusesControlsAndBidiOverrides) {
  for (auto kind : {TextKind::kSingleLine, TextKind::kMultiLine}) {
    EXPECT_TRUE(IsPlainText("Ada Lovelace ✓ 🎨 עִבְרִית", kind));
    EXPECT_TRUE(IsPlainText("", kind));
    EXPECT_TRUE(IsPlainText("name\u200Ewith marks\u200F\u061C", kind));  // direction marks stay allowed
    EXPECT_FALSE(IsPlainText(std::string_view("a\0b", 3), kind));
    EXPECT_FALSE(IsPlainText("a\x1b[31mb", kind));
    EXPECT_FALSE(IsPlainText("a\x7f", kind));
    EXPECT_FALSE(IsPlainText("a\u0085b", kind));  // C1 (NEL)
    EXPECT_FALSE(IsPlainText("a\u2028b", kind));
    EXPECT_FALSE(IsPlainText("a\u2029b", kind));
    for (char32_t cp :
         {U'\u202A', U'\u202B', U'\u202C', U'\u202D', U'\u202E', U'\u2066', U'\u2067', U'\u2068', U'\u2069'}) {
      std::string s = "ab";
      s.insert(1, {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                   static_cast<char>(0x80 | (cp & 0x3F))});
      EXPECT_FALSE(IsPlainText(s, kind)) << static_cast<unsigned>(cp);
    }
    EXPECT_FALSE(IsPlainText("\xC3", kind));  // not UTF-8
    EXPECT_FALSE(IsPlainText("\xED\xA0\x80", kind));
  }
  EXPECT_FALSE(IsPlainText("two\nlines", TextKind::kSingleLine));
  EXPECT_FALSE(IsPlainText("tab\there", TextKind::kSingleLine));
  EXPECT_FALSE(IsPlainText("cr\r\n", TextKind::kSingleLine));
  EXPECT_TRUE(IsPlainText("two\nlines\r\nand\ttabs", TextKind::kMultiLine));
  EXPECT_FALSE(IsPlainText("lone\rreturn", TextKind::kMultiLine));
  EXPECT_FALSE(IsPlainText("ends in\r", TextKind::kMultiLine));
  EXPECT_FALSE(IsPlainText("form\ffeed", TextKind::kMultiLine));
}

TEST(Text, OneEmailRule) {
  EXPECT_EQ(NormalizeEmail("  Ada@Example.COM "), "ada@example.com");
  EXPECT_TRUE(IsValidEmail("ada@example.com"));
  EXPECT_TRUE(IsValidEmail("a.b+tag@sub.example.org"));
  EXPECT_TRUE(IsValidEmail("zoë@exämple.de"));
  for (const char* bad :
       {"name<a@b.co>", "a,b@c.de", "a@b", "@b.co", "a@.co", "a@co.", "a@@b.co", "a@b@c.co", "a b@c.de", "\"a\"@b.co",
        "a;b@c.de", "a(b)@c.de", "a\\b@c.de", "a\n@b.co", "a\u202E@b.co", "ab"})
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
  EXPECT_FALSE(IsValidEmail(std::string(250, 'a') + "@b.co"));
}

TEST(Text, ParseIntWholeStringOnly) {
  EXPECT_EQ(ParseInt("42"), 42);
  EXPECT_FALSE(ParseInt("42 "));
  EXPECT_FALSE(ParseInt(""));
}

}  // namespace
}  // namespace atelier
