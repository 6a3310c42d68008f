#include "accounts/service.h"

#include <algorithm>
#include <chrono>

#include <boost/url/parse.hpp>

#include "accounts/passwords.h"
#include "accounts/zip_writer.h"
#include "common/crypto.h"
#include "common/error.h"
#include "common/json_describe.h"
#include "common/json_writer.h"
#include "common/text.h"
#include "notify/stream_hub.h"

namespace atelier::accounts {

namespace {
constexpr Millis kVerifyTtl = 24LL * 3600 * 1000;
constexpr Millis kResetTtl = 3600LL * 1000;
constexpr Millis kMinute = 60'000;

// The same rule as registration: an address that could never have an account is a 422
// (it says nothing about which accounts exist).
void RequireValidEmail(const std::string& email) {
  Validation v;
  if (!IsValidEmail(email)) v.Add("email", "invalid", "not a valid email address");
  v.ThrowIfAny();
}

ApiError InvalidToken() { return ApiError(400, "invalid_token", "This link is not valid (or was used already)"); }
}  // namespace

bool ValidUsername(const std::string& u) {
  if (u.size() < 3 || u.size() > 32) return false;
  for (char c : u)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool ValidHttpUrl(const std::string& url) {
  if (url.size() > 2048 || !IsValidUtf8(url)) return false;
  auto r = boost::urls::parse_absolute_uri(url);
  if (!r) return false;
  auto scheme = AsciiLower(r->scheme());
  return (scheme == "http" || scheme == "https") && r->has_authority() && !r->host().empty();
}

bool WeakPassword(const std::string& password, const std::string& username, const std::string& email) {
  size_t len = Utf8Length(password);
  if (len < 8 || len > 128) return true;
  std::string lowered = AsciiLower(password);
  return lowered == username || lowered == email;
}

AccountService::AccountService(db::Database& db, const Clock& clock, const notify::Notifier& notifier,
                               AccountsConfig config)
    : db_(db),
      clock_(clock),
      notifier_(notifier),
      config_(config),
      limiter_(clock, config.rate_limits, config.shared_limits) {}

void AccountService::Limit(const std::string& key, int burst, Millis window_ms) {
  if (int wait = limiter_.Take(key, burst, window_ms); wait > 0)
    throw ApiError(429, "rate_limited", "Too many attempts; try again in " + std::to_string(wait) + " s")
        .WithRetryAfter(wait);
}

std::string AccountService::NewToken(db::Tx& tx, const char* kind, std::int64_t user_id, const std::string& email,
                                     Millis ttl) {
  std::string token = RandomToken();
  Millis now = clock_.Now();
  tx.Exec(
      "INSERT INTO account_tokens (token_hash, kind, user_id, email, created_at, expires_at) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      Sha256Hex(token), kind, user_id, email, now, now + ttl);
  return token;
}

void AccountService::EndResetTokens(db::Tx& tx, std::int64_t user_id, Millis now) {
  tx.Exec("UPDATE account_tokens SET used_at = $2 WHERE user_id = $1 AND kind = 'reset' AND used_at IS NULL", user_id,
          now);
}

api::User AccountService::LoadUser(db::Tx& tx, std::int64_t user_id) {
  auto r = tx.QueryOne(
      "SELECT id, username, email, email_verified, created_at, display_name, bio, portfolio_url FROM users "
      "WHERE id = $1",
      user_id);
  if (!r) throw NotFound();
  return {.id = {r->Int(0)},
          .username = r->Str(1),
          .email = r->Str(2),
          .emailVerified = r->Bool(3),
          .createdAt = {r->Int(4)},
          .profile = {.displayName = r->Str(5), .bio = r->Str(6), .portfolioUrl = r->OptStr(7)}};
}

api::User AccountService::Register(const std::string& username_in, const std::string& email_in,
                                   const std::string& password, db::CommitToken& durable) {
  std::string username = AsciiLower(Trim(username_in));
  std::string email = NormalizeEmail(email_in);
  Validation v;
  if (!ValidUsername(username))
    v.Add("username", "invalid", "3–32 characters: lowercase letters, digits and underscores");
  if (!IsValidEmail(email)) v.Add("email", "invalid", "not a valid email address");
  if (WeakPassword(password, username, email))
    v.Add("password", "weak_password", "8–128 characters, and not your username or email");
  v.ThrowIfAny();
  // Cheap duplicate check before the expensive hash; the UNIQUE constraints decide races.
  auto taken = [&](db::Tx& tx) {
    if (tx.QueryOne("SELECT 1 FROM users WHERE username = $1", username))
      throw Conflict("username_taken", "That username is taken");
    if (tx.QueryOne("SELECT 1 FROM users WHERE email = $1", email))
      throw Conflict("email_taken", "An account with that email exists");
  };
  db_.Read(taken);
  std::string hash = HashPassword(password);
  Millis now = clock_.Now();
  try {
    return db_.Write(durable, [&](db::Tx& tx) {
      taken(tx);
      auto row = tx.QueryOne(
          "INSERT INTO users (username, email, password_hash, display_name, created_at) VALUES ($1, $2, $3, $1, $4) "
          "RETURNING id",
          username, email, hash, now);
      std::int64_t id = row->Int(0);
      std::string token = NewToken(tx, "verify", id, email, kVerifyTtl);
      notifier_.QueueMail(tx, {email, "Verify your email address for Atelier",
                               "Welcome to Atelier, " + username +
                                   "!\n\nPlease confirm your email address by opening this link (valid for 24 "
                                   "hours):\n\n" +
                                   notifier_.PublicUrl() + "/verify-email?token=" + token +
                                   "\n\nIf you did not sign up, ignore this message.\n"});
      return LoadUser(tx, id);
    });
  } catch (const db::ConstraintError&) {
    // Lost a race with a registration of the same name or address.
    db_.Read(taken);
    throw;
  }
}

api::User AccountService::VerifyEmail(const std::string& token, db::CommitToken& durable) {
  if (token.empty() || token.size() > 128) throw InvalidToken();
  std::string hash = Sha256Hex(token);
  Millis now = clock_.Now();
  return db_.Write(durable, [&](db::Tx& tx) {
    auto t = tx.QueryOne(
        "SELECT user_id, email, expires_at, used_at FROM account_tokens WHERE token_hash = $1 AND kind = 'verify'",
        hash);
    if (!t || !t->IsNull(3)) throw InvalidToken();
    if (t->Int(2) <= now) throw ApiError(410, "token_expired", "This link has expired; ask for a new one");
    tx.Exec("UPDATE account_tokens SET used_at = $2 WHERE token_hash = $1", hash, now);
    if (tx.Exec("UPDATE users SET email_verified = 1 WHERE id = $1 AND email = $2 AND email_verified = 0", t->Int(0),
                t->Str(1)) > 0) {
      for (const auto& hook : email_verified_hooks_) hook(tx, t->Int(0), t->Str(1));
    }
    return LoadUser(tx, t->Int(0));
  });
}

void AccountService::ResendVerification(const std::string& email_in, db::CommitToken& durable) {
  std::string email = NormalizeEmail(email_in);
  RequireValidEmail(email);
  Limit("resend:" + email, 3, 10 * kMinute);
  db_.Write(durable, [&](db::Tx& tx) {
    auto u = tx.QueryOne("SELECT id, username FROM users WHERE email = $1 AND email_verified = 0", email);
    if (!u) return;
    std::string token = NewToken(tx, "verify", u->Int(0), email, kVerifyTtl);
    notifier_.QueueMail(tx, {email, "Verify your email address for Atelier",
                             "Hello " + u->Str(1) +
                                 ",\n\nPlease confirm your email address by opening this link (valid for 24 "
                                 "hours):\n\n" +
                                 notifier_.PublicUrl() + "/verify-email?token=" + token + "\n"});
  });
}

api::LoginResponse AccountService::Login(const std::string& login_in, const std::string& password,
                                         db::CommitToken& durable) {
  std::string login = AsciiLower(Trim(login_in));
  Limit("login:account:" + login, 10, kMinute);
  Millis now = clock_.Now();
  auto user = db_.Read([&](db::Tx& tx) {
    return tx.QueryOne(
        "SELECT id, password_hash, locked_until FROM users WHERE (username = $1 OR email = $1) AND deleted_at IS NULL "
        "ORDER BY id LIMIT 1",
        login);
  });
  // The answer names when the lock ends (docs/product.md §3): in `detail`, and in Retry-After.
  auto locked = [&](Millis until) {
    int wait = static_cast<int>(std::max<Millis>(1, (until - clock_.Now() + 999) / 1000));
    return ApiError(423, "account_locked",
                    "Too many failed logins; the account is locked until " + FormatTime(until) + ".")
        .WithRetryAfter(wait);
  };
  if (user && user->Int(2) > now) throw locked(user->Int(2));
  bool ok = false;
  if (user) {
    ok = VerifyPassword(user->Str(1), password);
  } else {
    VerifyDummy(password);
  }
  if (!user) throw ApiError(401, "invalid_credentials", "Wrong username, email or password");
  std::int64_t id = user->Int(0);
  enum class Outcome { kOk, kFailed, kLocked };
  Millis locked_until = 0;
  std::string token = RandomToken();
  now = clock_.Now();
  Millis expires = now + config_.session_ttl;
  Outcome outcome = db_.Write(durable, [&](db::Tx& tx) {
    auto state = tx.QueryOne(std::string("SELECT locked_until, email FROM users WHERE id = $1") + tx.ForUpdate(), id);
    if (!state) return Outcome::kFailed;
    // Re-checked inside the transaction: a parallel attempt may have locked it meanwhile.
    if (state->Int(0) > now) {
      locked_until = state->Int(0);
      return Outcome::kLocked;
    }
    if (ok) {
      tx.Exec("UPDATE users SET failed_logins = 0 WHERE id = $1", id);
      tx.Exec("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
              Sha256Hex(token), id, now, expires);
      return Outcome::kOk;
    }
    auto count =
        tx.QueryOne("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins", id);
    if (count->Int(0) >= config_.lockout_attempts) {
      tx.Exec("UPDATE users SET failed_logins = 0, locked_until = $2 WHERE id = $1", id,
              now + config_.lockout_seconds * 1000LL);
      notify::SignalEndAllStreams(db_, tx, id);
      std::string email = state->Str(1);
      std::string reset = NewToken(tx, "reset", id, email, kResetTtl);
      notifier_.QueueMail(
          tx, {email, "Security alert: your Atelier account was locked",
               "There were " + std::to_string(config_.lockout_attempts) +
                   " failed attempts to log in to your Atelier account, so it is locked for " +
                   std::to_string(config_.lockout_seconds / 60) +
                   " minutes.\n\nIf this was not you, reset your password now (the link is valid for one hour):\n\n" +
                   notifier_.PublicUrl() + "/reset-password?token=" + reset + "\n"});
    }
    return Outcome::kFailed;
  });
  if (outcome == Outcome::kLocked) throw locked(locked_until);
  if (outcome == Outcome::kFailed) {
    // The refusal does not wait for the failed-attempt count to reach the disk (an error
    // answer carries no commit token): an unknown login writes nothing, and the two
    // answers must take the same time.
    throw ApiError(401, "invalid_credentials", "Wrong username, email or password");
  }
  return {.token = std::move(token), .expiresAt = {expires}, .user = db_.Read([&](db::Tx& tx) {
            return LoadUser(tx, id);
          })};
}

void AccountService::Logout(const AuthUser& user, db::CommitToken& durable) {
  db_.Write(durable, [&](db::Tx& tx) {
    tx.Exec("DELETE FROM sessions WHERE token_hash = $1", user.session_hash);
    notify::SignalSessionsEnded(db_, tx, user.id);
  });
}

void AccountService::RequestPasswordReset(const std::string& login_in, bool by_email_field, db::CommitToken& durable) {
  // `{email}`, or `{login}` as login takes it: an email when it has an '@', else a username
  // (docs/product.md §3). Either way the answer does not tell whether an account exists.
  std::string login = AsciiLower(Trim(login_in));
  const bool is_email = by_email_field || login.find('@') != std::string::npos;
  if (is_email) {
    login = NormalizeEmail(login_in);
    if (!IsValidEmail(login)) {
      Validation v;
      v.Add(by_email_field ? "email" : "login", "invalid", "not a valid email address");
      v.ThrowIfAny();
    }
  }
  Limit("reset:" + login, 3, 10 * kMinute);
  if (!is_email && !ValidUsername(login)) return;  // no account could have that name
  db_.Write(durable, [&](db::Tx& tx) {
    auto u = tx.QueryOne(is_email ? "SELECT id, username, email FROM users WHERE email = $1"
                                  : "SELECT id, username, email FROM users WHERE username = $1",
                         login);
    if (!u) return;
    const std::string email = u->Str(2);
    std::string token = NewToken(tx, "reset", u->Int(0), email, kResetTtl);
    notifier_.QueueMail(tx, {email, "Reset your Atelier password",
                             "Hello " + u->Str(1) +
                                 ",\n\nSomeone asked to reset the password of your Atelier account. To choose a new "
                                 "password, open this link (valid for one hour):\n\n" +
                                 notifier_.PublicUrl() + "/reset-password?token=" + token +
                                 "\n\nIf it was not you, ignore this message; your password stays as it is.\n"});
  });
}

void AccountService::ConfirmPasswordReset(const std::string& token, const std::string& password,
                                          db::CommitToken& durable) {
  if (token.empty() || token.size() > 128) throw InvalidToken();
  std::string hash = Sha256Hex(token);
  Millis now = clock_.Now();
  auto t = db_.Read([&](db::Tx& tx) {
    return tx.QueryOne(
        "SELECT t.user_id, t.expires_at, t.used_at, u.username, u.email FROM account_tokens t "
        "JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.kind = 'reset'",
        hash);
  });
  if (!t || !t->IsNull(2)) throw InvalidToken();
  if (t->Int(1) <= now) throw ApiError(410, "token_expired", "This link has expired; ask for a new one");
  if (WeakPassword(password, t->Str(3), t->Str(4))) {
    Validation v;
    v.Add("password", "weak_password", "8–128 characters, and not your username or email");
    v.ThrowIfAny();
  }
  std::string new_hash = HashPassword(password);
  db_.Write(durable, [&](db::Tx& tx) {
    // Single use: only the first confirmation flips used_at.
    if (tx.Exec("UPDATE account_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL", hash, now) != 1)
      throw InvalidToken();
    tx.Exec(
        "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = 0, email_verified = 1 WHERE id = $1",
        t->Int(0), new_hash);
    EndResetTokens(tx, t->Int(0), now);
    tx.Exec("DELETE FROM sessions WHERE user_id = $1", t->Int(0));
    notify::SignalSessionsEnded(db_, tx, t->Int(0));
  });
}

api::User AccountService::Me(std::int64_t user_id) {
  return db_.ReadSingle([&](db::Tx& tx) { return LoadUser(tx, user_id); });
}

api::User AccountService::UpdateProfile(std::int64_t user_id, const std::optional<std::string>& display_name,
                                        const std::optional<std::string>& bio,
                                        const std::optional<std::string>& portfolio_url, bool portfolio_url_null,
                                        db::CommitToken& durable) {
  Validation v;
  if (display_name) {
    size_t n = Utf8Length(*display_name);
    if (!IsPlainText(*display_name, TextKind::kSingleLine))
      v.Add("displayName", "invalid", "plain text on one line, without control or bidi override characters");
    else if (n < 1 || n > 64 || Trim(*display_name).empty())
      v.Add("displayName", "invalid", "1–64 characters, not only spaces");
  }
  if (bio && !IsPlainText(*bio, TextKind::kMultiLine))
    v.Add("bio", "invalid", "plain text, without control or bidi override characters");
  else if (bio && Utf8Length(*bio) > 2000)
    v.Add("bio", "too_long", "at most 2000 characters");
  if (portfolio_url && !ValidHttpUrl(*portfolio_url))
    v.Add("portfolioUrl", "invalid", "an http:// or https:// URL of at most 2048 characters");
  v.ThrowIfAny();
  return db_.Write(durable, [&](db::Tx& tx) {
    if (display_name) tx.Exec("UPDATE users SET display_name = $2 WHERE id = $1", user_id, *display_name);
    if (bio) tx.Exec("UPDATE users SET bio = $2 WHERE id = $1", user_id, *bio);
    if (portfolio_url) tx.Exec("UPDATE users SET portfolio_url = $2 WHERE id = $1", user_id, *portfolio_url);
    if (portfolio_url_null) tx.Exec("UPDATE users SET portfolio_url = NULL WHERE id = $1", user_id);
    return LoadUser(tx, user_id);
  });
}

void AccountService::ChangePassword(const AuthUser& user, const std::string& current, const std::string& next,
                                    db::CommitToken& durable) {
  auto hash = db_.Read(
      [&](db::Tx& tx) { return tx.QueryOne("SELECT password_hash FROM users WHERE id = $1", user.id)->Str(0); });
  if (!VerifyPassword(hash, current)) throw ApiError(403, "wrong_password", "The current password is not right");
  if (WeakPassword(next, user.username, user.email)) {
    Validation v;
    v.Add("newPassword", "weak_password", "8–128 characters, and not your username or email");
    v.ThrowIfAny();
  }
  std::string new_hash = HashPassword(next);
  db_.Write(durable, [&](db::Tx& tx) {
    tx.Exec("UPDATE users SET password_hash = $2 WHERE id = $1", user.id, new_hash);
    EndResetTokens(tx, user.id, clock_.Now());
    tx.Exec("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2", user.id, user.session_hash);
    notify::SignalSessionsEnded(db_, tx, user.id);
  });
}

void AccountService::DeleteAccount(const AuthUser& user, const std::string& password, db::CommitToken& durable) {
  auto hash = db_.Read([&](db::Tx& tx) {
    auto r = tx.QueryOne("SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL", user.id);
    if (!r) throw Unauthenticated();
    return r->Str(0);
  });
  if (!VerifyPassword(hash, password)) throw ApiError(403, "wrong_password", "The password is not right");
  db_.Write(durable, [&](db::Tx& tx) {
    // Locks the row: a parallel login, reset or second deletion waits for this one.
    if (!tx.QueryOne(std::string("SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL") + tx.ForUpdate(), user.id))
      throw Unauthenticated();
    hooks_.RunBeforeDelete(tx, user.id);
    tx.Exec("DELETE FROM sessions WHERE user_id = $1", user.id);
    notify::SignalSessionsEnded(db_, tx, user.id);
    tx.Exec("DELETE FROM account_tokens WHERE user_id = $1", user.id);
    tx.Exec("DELETE FROM notifications WHERE user_id = $1", user.id);
    tx.Exec("DELETE FROM notification_settings WHERE user_id = $1", user.id);
    tx.Exec("DELETE FROM reminders_sent WHERE user_id = $1", user.id);
    // What others' data still points at (votes in finished events, invitations the person
    // sent) keeps the row, with nothing of the person in it. "deleted-<id>" is no username
    // or email anyone can register (a hyphen, no '@'), so the old ones are free at once;
    // the empty hash matches no password.
    const std::string placeholder = "deleted-" + std::to_string(user.id);
    tx.Exec(
        "UPDATE users SET username = $2, email = $2, password_hash = '', email_verified = 0, "
        "display_name = 'Deleted user', bio = '', portfolio_url = NULL, failed_logins = 0, locked_until = 0, "
        "deleted_at = $3 WHERE id = $1",
        user.id, placeholder, clock_.Now());
  });
}

std::filesystem::path AccountService::Export(std::int64_t user_id) {
  namespace fs = std::filesystem;
  const fs::path dir = config_.export_dir;
  fs::create_directories(dir);
  // Archives are served from disk after this returns; an hour later they go.
  const Millis now = clock_.Now();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto age = fs::file_time_type::clock::now() - entry.last_write_time(ec);
    if (!ec && age > std::chrono::hours(1)) fs::remove(entry.path(), ec);
  }
  std::string json;
  JsonWriter w(json);
  ExportSink sink{w, {}};
  db_.Read([&](db::Tx& tx) {
    w.BeginObject();
    w.Key("exportedAt").String(FormatTime(now));
    w.Key("account");
    WriteJson(w, LoadUser(tx, user_id));
    w.Key("emailSettings").BeginObject();
    for (int i = 0;; ++i) {
      auto type = static_cast<notify::Type>(i);
      if (!notify::ParseType(notify::TypeName(type))) break;
      auto stored = tx.QueryOne("SELECT email FROM notification_settings WHERE user_id = $1 AND type = $2", user_id,
                                notify::TypeName(type));
      w.Key(notify::TypeName(type)).Bool(stored ? stored->Bool(0) : notify::EmailedByDefault(type));
      if (type == notify::Type::kDeadlineReminder) break;
    }
    w.EndObject();
    w.Key("notifications");
    WriteRows(w,
              tx.Query("SELECT id, type, message, data, created_at, is_read FROM notifications WHERE user_id = $1 "
                       "ORDER BY id",
                       user_id),
              {{"id", ExportColumn::Kind::kId},
               {"type", ExportColumn::Kind::kString},
               {"message", ExportColumn::Kind::kString},
               {"data", ExportColumn::Kind::kJson},
               {"createdAt", ExportColumn::Kind::kTime},
               {"read", ExportColumn::Kind::kBool}});
    hooks_.RunExport(tx, user_id, sink);
    w.EndObject();
  });
  const fs::path path = dir / (RandomToken(18) + ".zip");
  try {
    ZipWriter zip(path);
    zip.AddBytes("data.json", json);
    for (const auto& [name, file] : sink.files) zip.AddFile(name, file);
    zip.Finish();
  } catch (...) {
    fs::remove(path, ec);
    throw;
  }
  return path;
}

api::UserProfile AccountService::PublicProfile(const std::string& username) {
  auto r = db_.Read([&](db::Tx& tx) {
    return tx.QueryOne("SELECT id, username, display_name, bio, portfolio_url FROM users WHERE username = $1",
                       AsciiLower(username));
  });
  if (!r) throw NotFound("No such user");
  api::UserProfile p;
  p.id = {r->Int(0)};
  p.username = r->Str(1);
  p.displayName = r->Str(2);
  p.bio = r->Str(3);
  p.portfolioUrl = r->OptStr(4);
  return p;
}

}  // namespace atelier::accounts
