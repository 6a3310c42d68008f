// The session cache (accounts/session_cache.h): its bounds, expiry and invalidation rules
// alone, then the Authenticator on PostgreSQL (when ATELIER_TEST_PG_URL names one), where
// the database's triggers (migration 016) invalidate what another connection changed.
#include "accounts/session_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include <unistd.h>

#include "accounts/auth.h"
#include "common/crypto.h"
#include "common/error.h"
#include "db/database.h"
#include "db/listen_state.h"

namespace atelier::accounts {
namespace {

using namespace std::chrono_literals;

AuthUser User(std::int64_t id, const std::string& hash) {
  AuthUser u;
  u.id = id;
  u.username = "user" + std::to_string(id);
  u.display_name = "User " + std::to_string(id);
  u.email = u.username + "@example.test";
  u.session_hash = hash;
  return u;
}

TEST(SessionCache, OffUntilListening) {
  SessionCache c;
  c.Insert(User(1, "h1"), 1000, c.Generation());
  EXPECT_EQ(c.Size(), 0U);
  EXPECT_FALSE(c.Find("h1", 0));
  c.SetListening(true);
  c.Insert(User(1, "h1"), 1000, c.Generation());
  auto got = c.Find("h1", 0);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, 1);
  EXPECT_EQ(got->display_name, "User 1");
  EXPECT_EQ(got->session_hash, "h1");
  // Losing the listener empties it and refuses entries until it is back.
  c.SetListening(false);
  EXPECT_FALSE(c.Find("h1", 0));
  c.Insert(User(1, "h1"), 1000, c.Generation());
  EXPECT_EQ(c.Size(), 0U);
}

TEST(SessionCache, NeverServesASessionAtOrPastItsExpiry) {
  SessionCache c;
  c.SetListening(true);
  c.Insert(User(1, "h1"), 1000, c.Generation());
  EXPECT_TRUE(c.Find("h1", 999));
  EXPECT_FALSE(c.Find("h1", 1000));  // the database's test is expires_at > now
  EXPECT_EQ(c.Size(), 0U);           // and the expired entry is gone
}

TEST(SessionCache, EvictsTheOldestBeyondItsCapacity) {
  SessionCache c(3);
  c.SetListening(true);
  for (int i = 1; i <= 5; ++i) c.Insert(User(i, "h" + std::to_string(i)), 1000, c.Generation());
  EXPECT_EQ(c.Size(), 3U);
  EXPECT_FALSE(c.Find("h1", 0));
  EXPECT_FALSE(c.Find("h2", 0));
  for (const char* h : {"h3", "h4", "h5"}) EXPECT_TRUE(c.Find(h, 0)) << h;
  // Inserting a cached session again renews its place.
  c.Insert(User(3, "h3"), 1000, c.Generation());
  c.Insert(User(6, "h6"), 1000, c.Generation());
  EXPECT_TRUE(c.Find("h3", 0));
  EXPECT_FALSE(c.Find("h4", 0));
  EXPECT_EQ(c.Size(), 3U);
  // An evicted session's user index is gone with it: dropping user 4 leaves the others.
  c.DropUser(4);
  EXPECT_EQ(c.Size(), 3U);
}

TEST(SessionCache, ASignalDropsEverySessionOfItsUser) {
  SessionCache c;
  c.SetListening(true);
  c.Insert(User(7, "a"), 1000, c.Generation());
  c.Insert(User(7, "b"), 1000, c.Generation());
  c.Insert(User(8, "c"), 1000, c.Generation());
  c.OnSignal("7");
  EXPECT_FALSE(c.Find("a", 0));
  EXPECT_FALSE(c.Find("b", 0));
  EXPECT_TRUE(c.Find("c", 0));
  // A payload that is not an id cannot name the user: everything goes.
  c.OnSignal("7x");
  EXPECT_EQ(c.Size(), 0U);
}

TEST(SessionCache, RefusesWhatWasReadBeforeAnInvalidation) {
  SessionCache c;
  c.SetListening(true);
  // A reader takes the generation, reads the session; meanwhile the session ends elsewhere
  // and its signal arrives before the reader inserts: the stale read is not kept.
  std::uint64_t before = c.Generation();
  c.OnSignal("9");
  c.Insert(User(9, "h"), 1000, before);
  EXPECT_FALSE(c.Find("h", 0));
  // So is one read before the listener came back.
  before = c.Generation();
  c.SetListening(false);
  c.SetListening(true);
  c.Insert(User(9, "h"), 1000, before);
  EXPECT_FALSE(c.Find("h", 0));
  c.Insert(User(9, "h"), 1000, c.Generation());
  EXPECT_TRUE(c.Find("h", 0));
}

// --- The Authenticator on PostgreSQL: two Database objects stand for two processes. ---

const char* PgUrl() {
  const char* url = std::getenv("ATELIER_TEST_PG_URL");
  return (url != nullptr && *url != '\0') ? url : nullptr;
}

class FixedClock final : public Clock {
 public:
  Millis Now() const override { return now; }
  Millis now = 1'800'000'000'000;
};

template <typename F>
bool WaitUntil(F&& done, std::chrono::milliseconds timeout = 5000ms) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class PgSessionCache : public ::testing::Test {
 protected:
  void SetUp() override {
    if (PgUrl() == nullptr) GTEST_SKIP() << "ATELIER_TEST_PG_URL not set";
    writer = db::Open(PgUrl());
    db::Migrate(*writer);
    // Named, so a test can find the reader's own connections among those of other tests.
    const std::string url = PgUrl();
    reader = db::Open(url + (url.find('?') == std::string::npos ? "?" : "&") + "application_name=" + ReaderName());
    auth = std::make_unique<Authenticator>(*reader, clock);
    ASSERT_NE(auth->Cache(), nullptr);
    // The first Listen of this Database starts its listener; wait until it listens.
    ASSERT_TRUE(WaitUntil([&] { return Login(); }));
  }

  // A fresh user with one session; true when it resolves (and so is cached) through `auth`.
  bool Login() {
    const std::string name = "sc" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    token = name + "-token";
    user_id = writer->Write([&](db::Tx& tx) {
      auto id = tx.QueryOne(
                      "INSERT INTO users (username, email, password_hash, display_name, created_at) "
                      "VALUES ($1, $2, 'x', $3, 0) RETURNING id",
                      name, name + "@example.test", "Name " + name)
                    ->Int(0);
      tx.Exec("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, 0, $3)",
              Sha256Hex(token), id, clock.now + 3'600'000);
      return id;
    });
    return Resolve().has_value() && Cached();
  }
  std::optional<AuthUser> Resolve() {
    http::Request req;
    req.method = "GET";
    req.headers.emplace_back("authorization", "Bearer " + token);
    return auth->Optional(req);
  }
  bool Cached() const { return Find().has_value(); }
  static std::string ReaderName() { return "session_cache_test_" + std::to_string(::getpid()); }
  // Through the cache alone.
  std::optional<AuthUser> Find() const { return auth->Cache()->Find(Sha256Hex(token), clock.now); }

  static inline int counter = 0;
  FixedClock clock;
  std::unique_ptr<db::Database> writer, reader;
  std::unique_ptr<Authenticator> auth;
  std::string token;
  std::int64_t user_id = 0;
};

TEST_F(PgSessionCache, ADeletedSessionIsDroppedAtOnce) {
  writer->Write([&](db::Tx& tx) { tx.Exec("DELETE FROM sessions WHERE user_id = $1", user_id); });
  // Once the signals committed so far are in, the entry is gone: no waiting.
  ASSERT_TRUE(db::AwaitSignals(*reader));
  EXPECT_FALSE(Find());
  EXPECT_FALSE(Resolve());
}

// RequireForRead serves a cached session while it reads, and confirms the session before
// it answers: a session that ended meanwhile (its signal in, its cache entry dropped) gets
// 401 for the answer and for an error alike; a session that stands gets read's answer.
TEST_F(PgSessionCache, AReadAsACachedSessionIsConfirmedBeforeItsAnswer) {
  http::Request req;
  req.method = "GET";
  req.headers.emplace_back("authorization", "Bearer " + token);
  auto status_of = [&](const auto& read) {
    try {
      auth->RequireForRead(req, read);
      return 200;
    } catch (const ApiError& e) {
      return e.Status();
    }
  };
  int runs = 0;
  EXPECT_EQ(auth->RequireForRead(req,
                                 [&](const AuthUser& u) {
                                   ++runs;
                                   return u.id;
                                 }),
            user_id);
  EXPECT_EQ(runs, 1);
  // Read's own error, for a session that stands.
  EXPECT_EQ(status_of([](const AuthUser&) -> int { throw NotFound(); }), 404);
  ASSERT_TRUE(Cached());

  // The session ends while the read runs: as if its signal came in during the read.
  auto end_session = [&] {
    writer->Write([&](db::Tx& tx) { tx.Exec("DELETE FROM sessions WHERE user_id = $1", user_id); });
    auth->Cache()->DropUser(user_id);
  };
  EXPECT_EQ(status_of([&](const AuthUser&) {
              end_session();
              return 1;
            }),
            401);
  ASSERT_TRUE(Login());
  req.headers.back().second = "Bearer " + token;
  EXPECT_EQ(status_of([&](const AuthUser&) -> int {
              end_session();
              throw NotFound();
            }),
            401);
  // Not cached: the session is looked up first, as Require does.
  EXPECT_EQ(status_of([](const AuthUser&) { return 1; }), 401);
}

// RequireForWrite writes at once as a cached session and confirms it inside each write
// transaction, before the commit: a session that ended before the transaction began gets
// 401 and its write is rolled back; an error goes only to a session that stands. (One that
// ends while the transaction runs is ordered after it, as a logout answered later.)
TEST_F(PgSessionCache, AWriteAsACachedSessionIsConfirmedBeforeItCommits) {
  writer->Write([](db::Tx& tx) { tx.Exec("CREATE TABLE IF NOT EXISTS session_cache_test_writes (user_id BIGINT)"); });
  http::Request req;
  req.method = "PUT";
  req.headers.emplace_back("authorization", "Bearer " + token);
  auto rows = [&] {
    return writer->Read([&](db::Tx& tx) {
      return tx.QueryOne("SELECT COUNT(*) FROM session_cache_test_writes WHERE user_id = $1", user_id)->Int(0);
    });
  };
  auto end_session = [&] {
    writer->Write([&](db::Tx& tx) { tx.Exec("DELETE FROM sessions WHERE user_id = $1", user_id); });
  };
  // A handler's write: `before` runs in the handler before its transaction, then the
  // transaction inserts a row and, with `fail`, throws 404.
  auto write = [&](const std::function<void()>& before, bool fail = false) {
    try {
      auth->RequireForWrite(req, [&](const AuthUser& u) {
        if (before) before();
        reader->Write([&](db::Tx& tx) {
          tx.Exec("INSERT INTO session_cache_test_writes (user_id) VALUES ($1)", u.id);
          if (fail) throw NotFound();
        });
        return 0;
      });
      return 200;
    } catch (const ApiError& e) {
      return e.Status();
    }
  };
  auto relogin = [&] {
    ASSERT_TRUE(Login());
    req.headers.back().second = "Bearer " + token;
  };
  ASSERT_TRUE(Cached());
  EXPECT_EQ(write(nullptr), 200);
  EXPECT_EQ(rows(), 1);
  EXPECT_EQ(write(nullptr, true), 404);
  EXPECT_EQ(rows(), 1);
  // Ended after the session was served from the cache, before the transaction: the check
  // finds it dropped and reads the database in the transaction.
  auto end_and_drop = [&] {
    end_session();
    auth->Cache()->DropUser(user_id);
  };
  EXPECT_EQ(write(end_and_drop), 401);
  EXPECT_EQ(rows(), 1);
  relogin();
  EXPECT_EQ(write(end_and_drop, true), 401);
  EXPECT_EQ(rows(), 0);
  // Ended through another connection just before the request: the write's own first
  // message brings the signal when the listener has not delivered it yet.
  for (int i = 0; i < 20; ++i) {
    relogin();
    end_session();
    EXPECT_EQ(write(nullptr), 401);
    EXPECT_EQ(rows(), 0);
  }
}

TEST_F(PgSessionCache, AChangedDisplayNameIsReadAgain) {
  writer->Write([&](db::Tx& tx) { tx.Exec("UPDATE users SET display_name = 'Renamed' WHERE id = $1", user_id); });
  // Once the signals committed so far are in, the entry is gone: no waiting.
  ASSERT_TRUE(db::AwaitSignals(*reader));
  EXPECT_FALSE(Find());
  auto u = Resolve();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->display_name, "Renamed");
}

TEST_F(PgSessionCache, ADeletedUserIsDroppedAtOnce) {
  writer->Write([&](db::Tx& tx) { tx.Exec("DELETE FROM users WHERE id = $1", user_id); });
  // Once the signals committed so far are in, the entry is gone: no waiting.
  ASSERT_TRUE(db::AwaitSignals(*reader));
  EXPECT_FALSE(Find());
  EXPECT_FALSE(Resolve());
}

TEST_F(PgSessionCache, UnrelatedColumnsAndLoginsSendNothing) {
  writer->Write([&](db::Tx& tx) {
    tx.Exec("UPDATE users SET failed_logins = failed_logins + 1, bio = 'hello' WHERE id = $1", user_id);
    tx.Exec("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, 0, 1)",
            Sha256Hex(token + "-second"), user_id);
  });
  // A signal would arrive within milliseconds; none is due.
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(Find());
}

TEST_F(PgSessionCache, ExpiresWithoutTheDatabase) {
  clock.now += 3'600'000;
  EXPECT_FALSE(Find());
  EXPECT_FALSE(Resolve());
}

TEST_F(PgSessionCache, ALostListenerEmptiesTheCacheUntilItIsBack) {
  // Kill the reader's listener connection: the reader's connection whose last query was a
  // LISTEN or the listener's SELECT 1 (the pooled ones, which listen too, have run a
  // statement since their LISTEN).
  writer->Write([&](db::Tx& tx) {
    tx.Query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND "
        "application_name = $1 AND query IN ('SELECT 1', 'LISTEN \"atelier_session_cache\"')",
        ReaderName());
  });
  EXPECT_TRUE(WaitUntil([&] { return !Find(); }));
  // Back: sessions are cached again (and a deletion is still seen).
  EXPECT_TRUE(WaitUntil([&] { return Resolve().has_value() && Cached(); }, 15000ms));
  writer->Write([&](db::Tx& tx) { tx.Exec("DELETE FROM sessions WHERE user_id = $1", user_id); });
  EXPECT_TRUE(WaitUntil([&] { return !Find(); }));
  EXPECT_FALSE(Resolve());
}

TEST_F(PgSessionCache, ManyConcurrentLookupsShareTheWaitForSignals) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (Resolve() && db::AwaitSignals(*reader)) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8 * 50);
  // A change made meanwhile by the other connection is seen by the very next lookup.
  writer->Write([&](db::Tx& tx) { tx.Exec("DELETE FROM sessions WHERE user_id = $1", user_id); });
  EXPECT_FALSE(Resolve());
}

TEST_F(PgSessionCache, CsrfIsCheckedOnCachedSessionsAsBefore) {
  http::Request req;
  req.method = "POST";
  req.headers.emplace_back("cookie", "atelier_session=" + token + "; atelier_csrf=abc");
  ASSERT_TRUE(Cached());
  EXPECT_THROW(auth->Optional(req), ApiError);
  req.headers.emplace_back("x-csrf-token", "abc");
  auto u = auth->Optional(req);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, user_id);
}

}  // namespace
}  // namespace atelier::accounts
