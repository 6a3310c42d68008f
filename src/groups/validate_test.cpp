#include "groups/validate.h"

#include <gtest/gtest.h>

namespace atelier::groups {
namespace {

TEST(GroupValidate, NameLengthCountsCharactersAndTrims) {
  Validation v;
  EXPECT_EQ(CheckGroupName("  Ink  ", v), "Ink");
  EXPECT_TRUE(v.Ok());
  Validation short_name;
  CheckGroupName("ab", short_name);
  EXPECT_FALSE(short_name.Ok());
  Validation unicode;  // three characters, six bytes
  CheckGroupName("éàü", unicode);
  EXPECT_TRUE(unicode.Ok());
  Validation too_long;
  CheckGroupName(std::string(65, 'x'), too_long);
  EXPECT_FALSE(too_long.Ok());
  Validation max;
  CheckGroupName(std::string(64, 'x'), max);
  EXPECT_TRUE(max.Ok());
  Validation control;
  CheckGroupName(std::string("a\x01") + "bc", control);
  EXPECT_FALSE(control.Ok());
  for (const char* bad : {"Ink\nClub", "Ink\tClub", "Ink\u202eClub", "Ink\u2066Club\u2069", "Ink\u0085Club"}) {
    Validation e;
    CheckGroupName(bad, e);
    EXPECT_FALSE(e.Ok()) << bad;
  }
}

TEST(GroupValidate, Email) {
  Validation v;
  EXPECT_EQ(CheckEmail(" Ann@Example.TEST ", v), "ann@example.test");
  EXPECT_TRUE(v.Ok());
  // The rule registration uses (common/text.h IsValidEmail): no display names or lists.
  for (const char* bad : {"", "ann", "@x.y", "ann@", "a@b@c.d", "a b@c.d", "ann@localhost", "Name<a@b.co>", "a,b@c.de",
                          "a;b@c.de", "\"a\"@b.co", "a\n@b.co", "a\u202e@b.co"}) {
    Validation e;
    CheckEmail(bad, e);
    EXPECT_FALSE(e.Ok()) << bad;
  }
}

TEST(GroupValidate, ExpiresInHours) {
  Validation v;
  EXPECT_EQ(CheckExpiresInHours(std::nullopt, v), 168);
  EXPECT_EQ(CheckExpiresInHours(1, v), 1);
  EXPECT_EQ(CheckExpiresInHours(720, v), 720);
  EXPECT_TRUE(v.Ok());
  Validation zero;
  CheckExpiresInHours(0, zero);
  EXPECT_FALSE(zero.Ok());
  Validation big;
  CheckExpiresInHours(721, big);
  EXPECT_FALSE(big.Ok());
}

TEST(GroupValidate, TextLimit) {
  Validation v;
  CheckText("description", std::string(2000, 'a'), 2000, v);
  CheckText("description", "line\nbreak\r\nand\ttab", 2000, v);
  EXPECT_TRUE(v.Ok());
  for (const char* bad : {"a\x1b[2Jb", "a\u202eb", "a\rb", "a\u2028b"}) {
    Validation e;
    CheckText("description", bad, 2000, e);
    EXPECT_FALSE(e.Ok()) << bad;
  }
  Validation over;
  CheckText("description", std::string(2001, 'a'), 2000, over);
  EXPECT_FALSE(over.Ok());
}

}  // namespace
}  // namespace atelier::groups
