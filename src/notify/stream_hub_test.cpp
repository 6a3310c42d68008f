#include "notify/stream_hub.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "common/error.h"
#include "notify/notifier.h"

namespace atelier::notify {
namespace {

// A user with sessions "s1".."sN" in a fresh in-memory database.
struct Fixture {
  std::unique_ptr<db::Database> db = db::Open("sqlite::memory:");
  std::int64_t user = 0;

  Fixture() {
    db::Migrate(*db);
    user = AddUser("ann");
  }
  std::int64_t AddUser(const std::string& name) {
    return db->Write([&](db::Tx& tx) {
      return tx
          .QueryOne(
              "INSERT INTO users (username, email, password_hash, display_name, created_at) "
              "VALUES ($1, $2, 'x', $1, 0) RETURNING id",
              name, name + "@example.test")
          ->Int(0);
    });
  }
  void AddSession(std::int64_t user_id, const std::string& hash) {
    db->Write([&](db::Tx& tx) {
      tx.Exec("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, 0, $3)", hash,
              user_id, std::int64_t{1} << 50);
    });
  }
};

// Waits (bounded) for the hub thread to act on a signal.
template <typename F>
bool Eventually(F&& done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(SessionSignal, Parses) {
  auto s = ParseSessionSignal("s:42");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user_id, 42);
  EXPECT_FALSE(s->all);
  auto a = ParseSessionSignal("a:7");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->all);
  for (const char* bad : {"", "s:", "x:1", "s:0", "s:-1", "s1", "a:1x", "s:abc"})
    EXPECT_FALSE(ParseSessionSignal(bad)) << bad;
}

TEST(StreamHub, ASixthStreamOfAUserClosesTheOldest) {
  Fixture f;
  f.AddSession(f.user, "s1");
  StreamHub hub(*f.db);
  hub.Start();
  std::vector<std::shared_ptr<http::SseSink>> sinks;
  for (int i = 0; i < 5; ++i) sinks.push_back(hub.Open(f.user, "s1", std::nullopt));
  EXPECT_EQ(hub.OpenStreams(), 5u);
  for (auto& s : sinks) EXPECT_FALSE(s->Closed());
  auto sixth = hub.Open(f.user, "s1", std::nullopt);
  EXPECT_EQ(hub.OpenStreams(), 5u);
  EXPECT_TRUE(sinks[0]->Aborted());
  for (int i = 1; i < 5; ++i) EXPECT_FALSE(sinks[i]->Closed());
  EXPECT_EQ(hub.Stats().replaced, 1u);
  // The replaced stream's end, reported by http/, does not remove another stream.
  sinks[0]->on_end();
  EXPECT_EQ(hub.OpenStreams(), 5u);
  hub.Stop();
}

TEST(StreamHub, OverTheCapOpenIsRefusedWithBusy) {
  Fixture f;
  auto bob = f.AddUser("bob");
  f.AddSession(f.user, "s1");
  f.AddSession(bob, "b1");
  StreamHub hub(*f.db, HubOptions{.max_streams = 2});
  hub.Start();
  auto a = hub.Open(f.user, "s1", std::nullopt);
  auto b = hub.Open(bob, "b1", std::nullopt);
  try {
    hub.Open(bob, "b1", std::nullopt);
    FAIL() << "a third stream was accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 503);
    EXPECT_EQ(e.Code(), "busy");
    EXPECT_GT(e.RetryAfter(), 0);
  }
  EXPECT_EQ(hub.Stats().refused, 1u);
  EXPECT_EQ(hub.OpenStreams(), 2u);
  // A stream that ends makes room.
  a->on_end();
  EXPECT_EQ(hub.OpenStreams(), 1u);
  auto c = hub.Open(bob, "b1", std::nullopt);
  EXPECT_EQ(hub.OpenStreams(), 2u);
  hub.Stop();
}

TEST(StreamHub, AStreamOfASessionThatEndedIsNotOpened) {
  Fixture f;
  StreamHub hub(*f.db);
  hub.Start();
  try {
    hub.Open(f.user, "gone", std::nullopt);
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 401);
  }
  EXPECT_EQ(hub.OpenStreams(), 0u);
  hub.Stop();
}

TEST(StreamHub, EndedSessionsEndTheirStreamsOnly) {
  Fixture f;
  auto bob = f.AddUser("bob");
  f.AddSession(f.user, "s1");
  f.AddSession(f.user, "s2");
  f.AddSession(bob, "b1");
  StreamHub hub(*f.db);
  hub.Start();
  auto one = hub.Open(f.user, "s1", std::nullopt);
  auto two = hub.Open(f.user, "s2", std::nullopt);
  auto bobs = hub.Open(bob, "b1", std::nullopt);
  f.db->Write([&](db::Tx& tx) {
    tx.Exec("DELETE FROM sessions WHERE token_hash = 's1'");
    SignalSessionsEnded(*f.db, tx, f.user);
  });
  EXPECT_TRUE(Eventually([&] { return one->Aborted(); }));
  EXPECT_FALSE(two->Closed());
  EXPECT_FALSE(bobs->Closed());
  EXPECT_EQ(hub.OpenStreams(), 2u);
  EXPECT_EQ(hub.Stats().revoked, 1u);
  // Locking ends every stream of the user, live sessions or not.
  f.db->Write([&](db::Tx& tx) { SignalEndAllStreams(*f.db, tx, f.user); });
  EXPECT_TRUE(Eventually([&] { return two->Aborted(); }));
  EXPECT_FALSE(bobs->Closed());
  EXPECT_EQ(hub.OpenStreams(), 1u);
  hub.Stop();
}

TEST(StreamHub, ALiveEventOverTheQueueBoundDropsTheStream) {
  Fixture f;
  f.AddSession(f.user, "s1");
  StreamHub hub(*f.db, HubOptions{.max_queued_bytes = 100});
  hub.Start();
  auto sink = hub.Open(f.user, "s1", std::nullopt);
  // Nobody takes what is queued: the second notification passes the bound.
  for (int i = 0; i < 2; ++i) {
    f.db->Write([&](db::Tx& tx) {
      auto id = tx.QueryOne(
                      "INSERT INTO notifications (user_id, type, message, data, created_at) VALUES ($1, "
                      "'GROUP_INVITATION', 'a message of some length', '{}', 0) RETURNING id",
                      f.user)
                    ->Int(0);
      f.db->Notify(tx, kChannel, std::to_string(id) + ":" + std::to_string(id));
    });
  }
  EXPECT_TRUE(Eventually([&] { return sink->Dropped(); }));
  bool closed = false;
  EXPECT_TRUE(sink->Take(closed).empty());
  EXPECT_TRUE(closed);
  sink->on_end();  // as http/ reports it
  EXPECT_EQ(hub.Stats().dropped, 1u);
  EXPECT_EQ(hub.OpenStreams(), 0u);
  hub.Stop();
}

}  // namespace
}  // namespace atelier::notify
