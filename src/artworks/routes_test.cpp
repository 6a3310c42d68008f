#include "artworks/routes.h"

#include <gtest/gtest.h>

namespace atelier::artworks {
namespace {

TEST(IfNoneMatch, MatchesListsWeakTagsAndStar) {
  const std::string etag = "\"abc\"";
  EXPECT_TRUE(IfNoneMatchHits("\"abc\"", etag));
  EXPECT_TRUE(IfNoneMatchHits("\"x\", \"abc\"", etag));
  EXPECT_TRUE(IfNoneMatchHits("W/\"abc\"", etag));
  EXPECT_TRUE(IfNoneMatchHits("*", etag));
  EXPECT_FALSE(IfNoneMatchHits("", etag));
  EXPECT_FALSE(IfNoneMatchHits("abc", etag));
  EXPECT_FALSE(IfNoneMatchHits("\"abcd\", \"ab\"", etag));
}

}  // namespace
}  // namespace atelier::artworks
