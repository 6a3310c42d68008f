#include <gtest/gtest.h>

#include "accounts/passwords.h"
#include "accounts/rate_limiter.h"
#include "accounts/service.h"
#include "common/crypto.h"
#include "common/text.h"

namespace atelier::accounts {
namespace {

class FakeClock final : public Clock {
 public:
  Millis Now() const override { return now; }
  Millis now = 1'000'000;
};

TEST(Passwords, Argon2idRoundTrip) {
  InitCrypto();
  auto h = HashPassword("correct horse battery");
  EXPECT_TRUE(h.starts_with("$argon2id$"));
  EXPECT_NE(h.find("m=19456,t=2,p=1"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(h, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(h, "correct horse batterz"));
  EXPECT_FALSE(VerifyPassword("garbage", "x"));
}

TEST(Validation, UsernamesEmailsPasswordsUrls) {
  EXPECT_TRUE(ValidUsername("ada_99"));
  EXPECT_FALSE(ValidUsername("ab"));
  EXPECT_FALSE(ValidUsername("has-dash"));
  EXPECT_FALSE(ValidUsername(std::string(33, 'a')));
  // Registration, invitations, resend and reset share common/text's IsValidEmail.
  EXPECT_TRUE(IsValidEmail("a@b.co"));
  EXPECT_FALSE(IsValidEmail("a@b"));
  EXPECT_FALSE(IsValidEmail("a b@c.de"));
  EXPECT_FALSE(IsValidEmail("@c.de"));
  EXPECT_TRUE(WeakPassword("short", "u", "e"));
  EXPECT_TRUE(WeakPassword("ada_lovelace", "ada_lovelace", "e@x.io"));
  EXPECT_TRUE(WeakPassword("ADA@X.IO", "ada", "ada@x.io"));
  EXPECT_FALSE(WeakPassword("ünïcödé!", "u", "e"));  // 8 characters, more bytes
  EXPECT_TRUE(WeakPassword(std::string(129, 'a'), "u", "e"));
  EXPECT_TRUE(ValidHttpUrl("https://example.com/portfolio?x=1"));
  EXPECT_FALSE(ValidHttpUrl("javascript:alert(1)"));
  EXPECT_FALSE(ValidHttpUrl("ftp://example.com"));
  EXPECT_FALSE(ValidHttpUrl("https://"));
}

TEST(RateLimiter, RefillsOverTheWindow) {
  FakeClock clock;
  RateLimiter limiter(clock, true);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("k", 3, 60'000), 0);
  int wait = limiter.Take("k", 3, 60'000);
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 20);
  EXPECT_EQ(limiter.Take("other", 3, 60'000), 0);
  clock.now += 20'000;
  EXPECT_EQ(limiter.Take("k", 3, 60'000), 0);
  RateLimiter off(clock, false);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(off.Take("k", 1, 60'000), 0);
}

TEST(RateLimiter, RequireThrowsRateLimitedWithRetryAfter) {
  FakeClock clock;
  RateLimiter limiter(clock, true);
  limiter.Require("invite:user:1", 2, 3'600'000, "Too many");
  limiter.Require("invite:user:1", 2, 3'600'000, "Too many");
  try {
    limiter.Require("invite:user:1", 2, 3'600'000, "Too many");
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 429);
    EXPECT_EQ(e.Code(), "rate_limited");
    EXPECT_GE(e.RetryAfter(), 1);
    EXPECT_LE(e.RetryAfter(), 1801);  // half the window refills one of two tokens (rounded up)
  }
  limiter.Require("invite:user:2", 2, 3'600'000, "Too many");  // other keys are unaffected
  RateLimiter off(clock, false);
  for (int i = 0; i < 10; ++i) off.Require("k", 1, 60'000, "never");
}

}  // namespace
}  // namespace atelier::accounts
