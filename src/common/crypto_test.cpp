#include "common/crypto.h"

#include <gtest/gtest.h>

#include <set>

#include "common/json_util.h"

namespace atelier {
namespace {

TEST(Crypto, TokensAreUrlSafeAndDistinct) {
  InitCrypto();
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto t = RandomToken();
    EXPECT_EQ(t.size(), 43u);  // 256 bits in unpadded base64url
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Crypto, Sha256) {
  InitCrypto();
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

TEST(Cursor, RoundTripsAndRejectsForgeries) {
  auto c = EncodeCursor({42, -7});
  EXPECT_EQ(DecodeCursor(c, 2), (std::vector<std::int64_t>{42, -7}));
  EXPECT_THROW(DecodeCursor(c, 1), ApiError);
  EXPECT_THROW(DecodeCursor("garbage!", 2), ApiError);
  EXPECT_THROW(DecodeCursor(Base64UrlEncode("c1.1.x"), 2), ApiError);
  EXPECT_THROW(DecodeCursor("", 1), ApiError);
}

TEST(Limit, AcceptsOneToHundred) {
  EXPECT_EQ(ParseLimit(std::nullopt), 20);
  EXPECT_EQ(ParseLimit("1"), 1);
  EXPECT_EQ(ParseLimit("100"), 100);
  EXPECT_THROW(ParseLimit("0"), ApiError);
  EXPECT_THROW(ParseLimit("101"), ApiError);
  EXPECT_THROW(ParseLimit("ten"), ApiError);
  EXPECT_THROW(ParseLimit("5x"), ApiError);
}

TEST(Ids, ParseOnlyCanonicalPositiveIntegers) {
  EXPECT_EQ(ParseId("17"), 17);
  EXPECT_FALSE(ParseId("017"));
  EXPECT_FALSE(ParseId("-1"));
  EXPECT_FALSE(ParseId("abc"));
  EXPECT_FALSE(ParseId(""));
  EXPECT_FALSE(ParseId("99999999999999999999"));
}

}  // namespace
}  // namespace atelier
