#pragma once
// The rules of docs/product.md §3: registration, verification, login with lockout, password reset,
// sessions and profiles. Methods that hash passwords take tens of milliseconds: routes
// run them on the crypto pool. Thread-safe.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accounts/account_hooks.h"
#include "accounts/auth.h"
#include "accounts/rate_limiter.h"
#include "accounts/resources.h"
#include "common/clock.h"
#include "db/database.h"
#include "notify/notifier.h"

namespace atelier::accounts {

struct AccountsConfig {
  int lockout_attempts = 5;
  int lockout_seconds = 900;
  bool rate_limits = true;
  db::Database* shared_limits = nullptr;  // RateLimiter's `shared`: buckets in the database
  Millis session_ttl = 30LL * 24 * 3600 * 1000;
  // Where GET /me/export writes its archives (<data-dir>/exports); each is removed an hour
  // after it was made.
  std::string export_dir = "data/exports";
};

// Methods answer with the account's resources (accounts/resources.h); the routes write them.
// Methods that write take `durable`: they name their commit in it (db::CommitToken), and the
// route puts it on its response (http::Durable) so the answer waits for the disk.
class AccountService {
 public:
  AccountService(db::Database& db, const Clock& clock, const notify::Notifier& notifier, AccountsConfig config);

  api::User Register(const std::string& username, const std::string& email, const std::string& password,
                     db::CommitToken& durable);
  api::User VerifyEmail(const std::string& token, db::CommitToken& durable);
  // Called inside the transaction that verifies an address, with the user and the address
  // (e.g. to turn invitations sent to that address into notifications). Register before
  // the server starts.
  using EmailVerifiedHook = std::function<void(db::Tx& tx, std::int64_t user_id, const std::string& email)>;
  void OnEmailVerified(EmailVerifiedHook hook) { email_verified_hooks_.push_back(std::move(hook)); }
  void ResendVerification(const std::string& email, db::CommitToken& durable);
  // Locking the account (too many failures) also ends every live stream of the user.
  // The new session's token, its expiry and the account.
  api::LoginResponse Login(const std::string& login, const std::string& password, db::CommitToken& durable);
  // Ends the caller's session and its live streams (in every process, after commit).
  void Logout(const AuthUser& user, db::CommitToken& durable);
  // `login` is an email or a username (`by_email_field`: it came as `{email}`, so it must be
  // an address). Mails the account's address a reset link when there is one.
  void RequestPasswordReset(const std::string& login, bool by_email_field, db::CommitToken& durable);
  // Sets the password, retires every other reset token of the account and ends every
  // session with its streams; a token retired so answers 400 invalid_token.
  void ConfirmPasswordReset(const std::string& token, const std::string& password, db::CommitToken& durable);
  // The caller's account; 404 when it is gone.
  api::User Me(std::int64_t user_id);
  // Absent optionals leave a field alone; portfolio_url_null clears the URL.
  api::User UpdateProfile(std::int64_t user_id, const std::optional<std::string>& display_name,
                          const std::optional<std::string>& bio, const std::optional<std::string>& portfolio_url,
                          bool portfolio_url_null, db::CommitToken& durable);
  // Retires the account's reset tokens and ends the other sessions with their streams.
  void ChangePassword(const AuthUser& user, const std::string& current, const std::string& next,
                      db::CommitToken& durable);
  // DELETE /me (docs/product.md §3): checks the password (403 wrong_password), runs the
  // other features' hooks (which may refuse: 409 owner_must_transfer), ends every session
  // and stream, removes the account's own rows and anonymises the user row (username and
  // email freed, display name "Deleted user"), all in one transaction.
  void DeleteAccount(const AuthUser& user, const std::string& password, db::CommitToken& durable);
  // GET /me/export: writes the person's data (data.json) and original images into a ZIP
  // file in the export directory, from one read transaction; returns its path.
  std::filesystem::path Export(std::int64_t user_id);
  // The hooks other features add for account deletion and export (wired before serving).
  AccountHooks& Hooks() { return hooks_; }

  // 404 when no user has that username (any case).
  api::UserProfile PublicProfile(const std::string& username);

  // Throws 429 rate_limited with Retry-After when `key` has used its budget.
  void Limit(const std::string& key, int burst, Millis window_ms);

 private:
  // Creates a verification or reset token in tx; returns the token (only its hash is kept).
  std::string NewToken(db::Tx& tx, const char* kind, std::int64_t user_id, const std::string& email, Millis ttl);
  api::User LoadUser(db::Tx& tx, std::int64_t user_id);
  // Marks every unused reset token of the user used: a new password (by reset or by
  // change) retires the links mailed before it, in the transaction that sets it.
  void EndResetTokens(db::Tx& tx, std::int64_t user_id, Millis now);

  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  AccountsConfig config_;
  RateLimiter limiter_;
  std::vector<EmailVerifiedHook> email_verified_hooks_;
  AccountHooks hooks_;
};

// Password rules (docs/product.md §3): 8–128 characters, not equal to the username or email.
bool WeakPassword(const std::string& password, const std::string& username, const std::string& email);
bool ValidUsername(const std::string& lowered);
bool ValidHttpUrl(const std::string& url);

}  // namespace atelier::accounts
