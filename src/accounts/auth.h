#pragma once
// Who is calling: resolves the session token (Bearer header or atelier_session cookie)
// to a user, and enforces CSRF for cookie-authenticated state changes (docs/product.md §2).
// On PostgreSQL the sessions this process resolved are cached (accounts/session_cache.h),
// invalidated by the database's own signals (migration 016); on SQLite every call reads the
// database. Thread-safe; a call may read the database (run it on a worker thread).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "common/json_util.h"
#include "db/database.h"
#include "http/types.h"

namespace atelier::accounts {

class SessionCache;

struct AuthUser {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string email;
  bool email_verified = false;
  std::string session_hash;  // sha256 of the session token used
};

class Authenticator {
 public:
  // On PostgreSQL, subscribes the session cache to its signals (waits, bounded, until they
  // are listened to).
  Authenticator(db::Database& db, const Clock& clock);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;
  // The signed-in user; throws 401 unauthenticated, or 403 csrf_failed when a cookie
  // authenticates a POST/PUT/PATCH/DELETE without a matching X-CSRF-Token header.
  AuthUser Require(const http::Request& req) const;
  // Like Require, but nullopt instead of 401.
  std::optional<AuthUser> Optional(const http::Request& req) const;
  // The same inside the caller's transaction, for a handler that reads anyway: one
  // transaction for the session and the answer.
  AuthUser Require(db::Tx& tx, const http::Request& req) const;
  std::optional<AuthUser> Optional(db::Tx& tx, const http::Request& req) const;
  // Require() for a handler that only reads (it changes nothing, in the database or
  // elsewhere): read(user) runs and its answer is returned. A session found in the cache is
  // not first checked against the signals of other processes (a logout there a moment ago):
  // read's answer, or its error, is given only once those signals are in and the session
  // still stands; else 401. The signals come with read's own statements (the connections
  // that run reads listen too: db::SignalsDelivered), else one round trip after read. So a
  // cached session usually costs a page no round trip of its own.
  template <typename F>
  auto RequireForRead(const http::Request& req, F&& read) const -> decltype(read(std::declval<const AuthUser&>())) {
    const PendingRead pending = BeginRead(req);
    try {
      auto answer = read(pending.user);
      Confirm(pending);
      return answer;
    } catch (...) {
      Confirm(pending);  // an error too is only for the session's holder
      throw;
    }
  }
  // Require() for a handler whose effects are its write transactions on this database (it
  // changes nothing elsewhere before they commit): write(user) runs at once for a session
  // found in the cache, and each of its write transactions confirms the session before it
  // commits (db::CommitCheck): from the cache once the signals from before the request are
  // in (on PostgreSQL the transaction's first message brings them), else from the database
  // in the same transaction; 401 rolls it back. An answer or an error that no transaction
  // confirmed is confirmed as RequireForRead does.
  template <typename F>
  auto RequireForWrite(const http::Request& req, F&& write) const -> decltype(write(std::declval<const AuthUser&>())) {
    const PendingRead pending = BeginRead(req);
    if (pending.stamp == 0) return write(pending.user);
    db::CommitCheck check(db_, [this, &pending](db::Tx& tx) { Confirm(pending, &tx); });
    try {
      auto answer = write(pending.user);
      if (!check.Ran()) Confirm(pending);
      return answer;
    } catch (...) {
      if (!check.Ran()) Confirm(pending);
      throw;
    }
  }
  // Throws 403 email_not_verified unless the user's email is verified.
  static void RequireVerified(const AuthUser& user);
  // The session cache (for tests); null on SQLite.
  SessionCache* Cache() const { return cache_.get(); }

 private:
  struct Token {
    std::string text;
    bool via_cookie = false;  // from the atelier_session cookie, not a Bearer header
  };
  // The request's session token, if it has one of a plausible length.
  static std::optional<Token> UsableToken(const http::Request& req);
  // The session's user (and the CSRF check of a cookie-authenticated state change): from
  // the cache, else read in `tx` when given, else in a read transaction of its own (the
  // only reads the cache keeps: their snapshot is known to start after Generation()).
  std::optional<AuthUser> Lookup(db::Tx* tx, const http::Request& req, const Token& token) const;
  // A session RequireForRead or RequireForWrite has served from the cache before confirming
  // it (stamp != 0): confirmed once the signals from before `stamp` are in (usually the
  // handler's own statements brought them).
  struct PendingRead {
    AuthUser user;
    std::string hash;
    std::uint64_t stamp = 0;
  };
  // The session for RequireForRead and RequireForWrite (with the CSRF check of a
  // cookie-authenticated state change).
  PendingRead BeginRead(const http::Request& req) const;
  // Throws 401 unless the pending session still stands once the signals are in
  // (db::SyncSignals). Inside a write transaction `tx` (where no signal can come in) only
  // those already in count, and the database is read in `tx` when the cache cannot tell.
  void Confirm(const PendingRead& pending, db::Tx* tx = nullptr) const;
  // Throws 403 csrf_failed when a cookie authenticates a state change without the header.
  static void CheckCsrf(const http::Request& req, const Token& token);
  // The session's user and expiry as the database has them now.
  std::optional<std::pair<AuthUser, Millis>> Read(db::Tx& tx, std::string hash) const;

  db::Database& db_;
  const Clock& clock_;
  // Shared with the database's signal callbacks, which may outlive this object.
  std::shared_ptr<SessionCache> cache_;
};

}  // namespace atelier::accounts
