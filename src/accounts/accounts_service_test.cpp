// AccountService against a real (in-memory) database and a manual clock: registration,
// email verification, login with lockout, password reset and change, profiles, and the
// rate limits. Argon2id is deliberately slow, so each test hashes only a few passwords;
// users that need no password are inserted by the fixture.
#include <gtest/gtest.h>

#include "accounts/service.h"
#include "common/crypto.h"
#include "testing/service_world.h"

namespace atelier::accounts {
namespace {

using fixture::World;

constexpr Millis kMinuteMs = 60'000;

// The token of the newest link to `path` ("/verify-email", "/reset-password") mailed to `to`.
std::string TokenMailed(World& w, const std::string& to, const std::string& path) {
  auto mail = w.MailTo(to);
  for (auto it = mail.rbegin(); it != mail.rend(); ++it) {
    const std::string marker = "https://atelier.test" + path + "?token=";
    auto at = it->second.find(marker);
    if (at == std::string::npos) continue;
    at += marker.size();
    return it->second.substr(at, it->second.find_first_of("\n ", at) - at);
  }
  ADD_FAILURE() << "no " << path << " link was mailed to " << to;
  return "";
}

class AccountServiceTest : public ::testing::Test {
 protected:
  AccountServiceTest() {
    svc.OnEmailVerified(
        [this](db::Tx&, std::int64_t user_id, const std::string& email) { verified.emplace_back(user_id, email); });
  }
  static AccountsConfig Config() {
    AccountsConfig c;
    c.lockout_attempts = 2;
    c.lockout_seconds = 60;
    return c;
  }

  World w;
  AccountService svc{*w.db, w.clock, w.notifier, Config()};
  std::vector<std::pair<std::int64_t, std::string>> verified;

  std::int64_t Register(const std::string& name, const std::string& password = "correct horse") {
    auto u = svc.Register(name, name + "@example.test", password, w.durable);
    return u.id.value;
  }
  std::int64_t Sessions(std::int64_t user_id) {
    return w.Count("SELECT COUNT(*) FROM sessions WHERE user_id = " + std::to_string(user_id));
  }
  AuthUser SessionUser(std::int64_t id, const api::LoginResponse& login) {
    AuthUser u;
    u.id = id;
    u.username = login.user.username;
    u.email = login.user.email;
    u.session_hash = Sha256Hex(login.token);
    return u;
  }
};

TEST_F(AccountServiceTest, RegisterNormalisesAndMailsAVerificationLink) {
  auto u = svc.Register("  Ann_1 ", "Ann@Example.TEST", "correct horse", w.durable);
  EXPECT_EQ(u.username, "ann_1");
  EXPECT_EQ(u.email, "ann@example.test");
  EXPECT_FALSE(u.emailVerified);
  EXPECT_EQ(u.profile.displayName, "ann_1");
  EXPECT_FALSE(TokenMailed(w, "ann@example.test", "/verify-email").empty());
  // Taken names and addresses are refused (before any hashing), whatever their case.
  EXPECT_API_ERROR(svc.Register("ANN_1", "other@example.test", "correct horse", w.durable), 409, "username_taken");
  EXPECT_API_ERROR(svc.Register("other", "ANN@example.test", "correct horse", w.durable), 409, "email_taken");
  EXPECT_EQ(w.Count("SELECT COUNT(*) FROM users"), 1);
}

TEST_F(AccountServiceTest, RegisterValidatesEveryField) {
  ApiError err = fixture::ErrorOf([&] { svc.Register("a", "not-an-address", "short", w.durable); });
  EXPECT_EQ(err.Status(), 422);
  EXPECT_EQ(err.Code(), "validation_failed");
  ASSERT_EQ(err.Fields().size(), 3u);
  EXPECT_EQ(err.Fields()[0].field, "username");
  EXPECT_EQ(err.Fields()[1].field, "email");
  EXPECT_EQ(err.Fields()[2].code, "weak_password");
  // The password may not be the username.
  EXPECT_API_ERROR(svc.Register("longname1", "x@example.test", "LONGNAME1", w.durable), 422, "validation_failed");
  EXPECT_EQ(w.Count("SELECT COUNT(*) FROM users"), 0);
}

TEST_F(AccountServiceTest, VerificationLinksWorkOnceAndExpire) {
  std::int64_t id = Register("ann");
  std::string token = TokenMailed(w, "ann@example.test", "/verify-email");
  EXPECT_API_ERROR(svc.VerifyEmail("not-a-token", w.durable), 400, "invalid_token");
  EXPECT_API_ERROR(svc.VerifyEmail("", w.durable), 400, "invalid_token");
  EXPECT_TRUE(svc.VerifyEmail(token, w.durable).emailVerified);
  EXPECT_TRUE(svc.Me(id).emailVerified);
  ASSERT_EQ(verified.size(), 1u);  // the hook saw it once, with the address
  EXPECT_EQ(verified[0], std::make_pair(id, std::string("ann@example.test")));
  EXPECT_API_ERROR(svc.VerifyEmail(token, w.durable), 400, "invalid_token");
  EXPECT_EQ(verified.size(), 1u);

  auto bob = w.AddUser("bob", /*verified=*/false);
  svc.ResendVerification("BOB@example.test", w.durable);
  std::string late = TokenMailed(w, bob.email, "/verify-email");
  w.clock.Advance(24 * fixture::kHourMs);
  EXPECT_API_ERROR(svc.VerifyEmail(late, w.durable), 410, "token_expired");
  EXPECT_FALSE(svc.Me(bob.id).emailVerified);
}

TEST_F(AccountServiceTest, ResendIsSilentForUnknownOrVerifiedAddressesAndRateLimited) {
  auto ann = w.AddUser("ann", /*verified=*/true);
  svc.ResendVerification(ann.email, w.durable);
  svc.ResendVerification("nobody@example.test", w.durable);
  EXPECT_TRUE(w.MailTo(ann.email).empty());
  EXPECT_TRUE(w.MailTo("nobody@example.test").empty());

  auto bob = w.AddUser("bob", /*verified=*/false);
  for (int i = 0; i < 3; ++i) svc.ResendVerification(bob.email, w.durable);
  ApiError err = fixture::ErrorOf([&] { svc.ResendVerification(bob.email, w.durable); });
  EXPECT_EQ(err.Status(), 429);
  EXPECT_EQ(err.Code(), "rate_limited");
  EXPECT_GT(err.RetryAfter(), 0);
  EXPECT_EQ(w.MailTo(bob.email).size(), 3u);
  w.clock.Advance(10 * kMinuteMs);  // the bucket refills with time
  EXPECT_NO_THROW(svc.ResendVerification(bob.email, w.durable));
}

TEST_F(AccountServiceTest, LoginByNameOrAddressMakesASession) {
  std::int64_t id = Register("ann");
  EXPECT_API_ERROR(svc.Login("ann", "wrong password", w.durable), 401, "invalid_credentials");
  EXPECT_API_ERROR(svc.Login("nobody", "correct horse", w.durable), 401, "invalid_credentials");
  api::LoginResponse by_name = svc.Login(" ANN ", "correct horse", w.durable);
  EXPECT_FALSE(by_name.token.empty());
  EXPECT_EQ(by_name.expiresAt.value, w.clock.Now() + Config().session_ttl);
  EXPECT_EQ(by_name.user.id.value, id);
  api::LoginResponse by_mail = svc.Login("ann@example.test", "correct horse", w.durable);
  EXPECT_NE(by_mail.token, by_name.token);
  EXPECT_EQ(Sessions(id), 2);
  svc.Logout(SessionUser(id, by_name), w.durable);
  EXPECT_EQ(Sessions(id), 1);
}

TEST_F(AccountServiceTest, FailedLoginsLockTheAccountForAWhile) {
  std::int64_t id = Register("ann");
  EXPECT_API_ERROR(svc.Login("ann", "wrong password", w.durable), 401, "invalid_credentials");
  EXPECT_API_ERROR(svc.Login("ann", "wrong password", w.durable), 401, "invalid_credentials");  // the 2nd locks
  // Locked: even the right password is refused, and the owner is told, with a reset link.
  EXPECT_API_ERROR(svc.Login("ann", "correct horse", w.durable), 423, "account_locked");
  auto mail = w.MailTo("ann@example.test");
  ASSERT_FALSE(mail.empty());
  EXPECT_EQ(mail.back().first, "Security alert: your Atelier account was locked");
  EXPECT_FALSE(TokenMailed(w, "ann@example.test", "/reset-password").empty());
  EXPECT_EQ(Sessions(id), 0);

  w.clock.Advance(60'000);
  EXPECT_NO_THROW(svc.Login("ann", "correct horse", w.durable));
  EXPECT_EQ(Sessions(id), 1);
}

TEST_F(AccountServiceTest, TheResetLinkOfTheAlertUnlocksTheAccount) {
  Register("ann");
  EXPECT_API_ERROR(svc.Login("ann", "wrong password", w.durable), 401, "invalid_credentials");
  EXPECT_API_ERROR(svc.Login("ann", "wrong password", w.durable), 401, "invalid_credentials");
  EXPECT_API_ERROR(svc.Login("ann", "battery staple", w.durable), 423, "account_locked");
  svc.ConfirmPasswordReset(TokenMailed(w, "ann@example.test", "/reset-password"), "battery staple", w.durable);
  EXPECT_NO_THROW(svc.Login("ann", "battery staple", w.durable));  // at once, not after the lock's time
}

TEST_F(AccountServiceTest, APasswordResetIsSingleUseAndEndsSessions) {
  std::int64_t id = Register("ann");
  svc.Login("ann", "correct horse", w.durable);
  svc.RequestPasswordReset("nobody@example.test", true, w.durable);  // unknown: silently nothing
  EXPECT_TRUE(w.MailTo("nobody@example.test").empty());
  svc.RequestPasswordReset("ANN@example.test", true, w.durable);
  std::string token = TokenMailed(w, "ann@example.test", "/reset-password");
  EXPECT_API_ERROR(svc.ConfirmPasswordReset(token, "ann", w.durable), 422, "validation_failed");
  EXPECT_API_ERROR(svc.ConfirmPasswordReset("bogus", "battery staple", w.durable), 400, "invalid_token");
  svc.ConfirmPasswordReset(token, "battery staple", w.durable);
  EXPECT_EQ(Sessions(id), 0);
  EXPECT_TRUE(svc.Me(id).emailVerified);  // the link proved the address
  EXPECT_API_ERROR(svc.ConfirmPasswordReset(token, "another staple", w.durable), 400, "invalid_token");
  EXPECT_API_ERROR(svc.Login("ann", "correct horse", w.durable), 401, "invalid_credentials");
  EXPECT_NO_THROW(svc.Login("ann", "battery staple", w.durable));
}

TEST_F(AccountServiceTest, AResetLinkExpiresAfterAnHour) {
  auto ann = w.AddUser("ann");
  svc.RequestPasswordReset(ann.email, true, w.durable);
  std::string token = TokenMailed(w, ann.email, "/reset-password");
  w.clock.Advance(fixture::kHourMs);
  EXPECT_API_ERROR(svc.ConfirmPasswordReset(token, "battery staple", w.durable), 410, "token_expired");
}

TEST_F(AccountServiceTest, ChangingThePasswordKeepsOnlyTheCurrentSession) {
  std::int64_t id = Register("ann");
  api::LoginResponse here = svc.Login("ann", "correct horse", w.durable);
  svc.Login("ann", "correct horse", w.durable);
  AuthUser me = SessionUser(id, here);
  EXPECT_API_ERROR(svc.ChangePassword(me, "not it", "battery staple", w.durable), 403, "wrong_password");
  EXPECT_API_ERROR(svc.ChangePassword(me, "correct horse", "short", w.durable), 422, "validation_failed");
  EXPECT_EQ(Sessions(id), 2);
  svc.ChangePassword(me, "correct horse", "battery staple", w.durable);
  EXPECT_EQ(Sessions(id), 1);
  EXPECT_EQ(w.Count("SELECT COUNT(*) FROM sessions WHERE token_hash = '" + me.session_hash + "'"), 1);
}

TEST_F(AccountServiceTest, ProfilesValidateAndShowPublicly) {
  auto ann = w.AddUser("ann");
  EXPECT_API_ERROR(svc.UpdateProfile(ann.id, std::string("   "), std::nullopt, std::nullopt, false, w.durable), 422,
                   "validation_failed");
  EXPECT_API_ERROR(svc.UpdateProfile(ann.id, std::nullopt, std::nullopt, std::string("ftp://x.test"), false, w.durable),
                   422, "validation_failed");
  auto me = svc.UpdateProfile(ann.id, std::string("Ann A."), std::string("paints"),
                              std::string("https://ann.example.test/"), false, w.durable);
  EXPECT_EQ(me.profile.displayName, "Ann A.");
  EXPECT_EQ(me.profile.portfolioUrl, "https://ann.example.test/");
  auto pub = svc.PublicProfile("ANN");
  EXPECT_EQ(pub.displayName, "Ann A.");
  EXPECT_EQ(pub.bio, "paints");
  EXPECT_EQ(pub.portfolioUrl, "https://ann.example.test/");
  EXPECT_EQ(ToJsonText(pub).find(ann.email), std::string::npos);  // the public view never shows the address
  me = svc.UpdateProfile(ann.id, std::nullopt, std::nullopt, std::nullopt, /*portfolio_url_null=*/true, w.durable);
  EXPECT_FALSE(me.profile.portfolioUrl.has_value());
  EXPECT_EQ(me.profile.bio, "paints");  // absent fields stay
  EXPECT_API_ERROR(svc.PublicProfile("nobody"), 404, "not_found");
}

}  // namespace
}  // namespace atelier::accounts
