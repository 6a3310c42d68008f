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

namespace atelier {
namespace {

// Regression (fuzz_token): libsodium alone accepts some bytes >= 0x80 as alphabet
// characters ("\xca" as '_'); every value must have exactly one accepted spelling.
TEST(Base64Url, RejectsEveryByteOutsideTheAlphabet) {
  std::string out;
  ASSERT_TRUE(Base64UrlDecode("Pd_0", out));
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int c = 0; c < 256; ++c) {
    if (alphabet.find(static_cast<char>(c)) != std::string::npos) continue;
    std::string s = "Pd_0";
    s[2] = static_cast<char>(c);
    EXPECT_FALSE(Base64UrlDecode(s, out)) << "byte " << c;
  }
  std::string artifact = "NlAoqhIkKxB6SjSPd\xca";
  artifact += "0vBy-6tePLbSQBNzCIOSz3KQQ";
  EXPECT_FALSE(Base64UrlDecode(artifact, out));
}

}  // namespace
}  // namespace atelier

namespace atelier {
namespace {

// Regression (fuzz_json_body): a huge number for an integer field was converted to int64
// before its range was checked (undefined behaviour); it is a field error instead.
TEST(BodyReaderInt, OutOfRangeNumbersAreFieldErrorsNotUndefinedBehaviour) {
  auto obj = boost::json::parse(R"({"a":1.8446744073709552e19,"b":-1e300,"c":3.0,"d":18446744073709551615,"e":2.5})")
                 .as_object();
  BodyReader r(obj);
  EXPECT_FALSE(r.Int("a"));
  EXPECT_FALSE(r.Int("b"));
  EXPECT_EQ(r.Int("c"), 3);
  EXPECT_FALSE(r.Int("d"));
  EXPECT_FALSE(r.Int("e"));
  EXPECT_THROW(r.Finish(), ApiError);
}

}  // namespace
}  // namespace atelier
