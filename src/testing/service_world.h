#pragma once
// Shared arrangement for the service-level GoogleTests (src/<feature>/*_service_test.cpp):
// a migrated in-memory SQLite database, a clock the test moves by hand, the real Notifier
// and notification Feed, and shortcuts that insert users, groups and events directly so a
// test starts where its rule begins. What a test checks goes through the services' public
// calls; these shortcuts only arrange.
//
// "sqlite::memory:" is one connection shared by every transaction (db/sqlite_backend.cpp),
// so all services of a World see the same database. Header-only; a World belongs to one
// test and is not thread-safe beyond what Database itself guarantees.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "accounts/auth.h"
#include "accounts/rate_limiter.h"
#include "common/clock.h"
#include "common/error.h"
#include "db/database.h"
#include "notify/feed.h"
#include "notify/notifier.h"

namespace atelier::fixture {

// A clock that moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start) : now_(start) {}
  Millis Now() const override { return now_.load(); }
  void Advance(Millis ms) { now_ += ms; }

 private:
  std::atomic<Millis> now_;
};

inline constexpr Millis kHourMs = 3600LL * 1000;
// 2027-01-15T08:00:00Z: any fixed instant works; a fixed one keeps failures reproducible.
inline constexpr Millis kStart = 1'800'000'000'000;

// One notification as the feed lists it.
struct Note {
  std::string type;
  std::string message;
  boost::json::object data;
  bool read = false;
};

struct World {
  std::unique_ptr<db::Database> db = [] {
    auto d = db::Open("sqlite::memory:");
    db::Migrate(*d);
    return d;
  }();
  ManualClock clock{kStart};
  notify::Notifier notifier{*db, clock, "https://atelier.test"};
  notify::Feed feed{*db};
  // Rate limits off, as in the demo and most tests: the services' own rules are under test,
  // not the budgets (rate limiting has its own tests).
  accounts::RateLimiter no_limits{clock, false};
  // Where the services' writes name their commit. The in-memory database has nothing to
  // wait for, so tests pass this one token to every writing call and never read it.
  db::CommitToken durable;

  // A user with a verified (or not) email "<name>@example.test"; the password hash is a
  // placeholder no password matches (accounts tests register through the service).
  accounts::AuthUser AddUser(const std::string& name, bool verified = true) {
    accounts::AuthUser u;
    u.username = name;
    u.display_name = "Display " + name;
    u.email = name + "@example.test";
    u.email_verified = verified;
    u.id = db->Write([&](db::Tx& tx) {
      return tx
          .QueryOne(
              "INSERT INTO users (username, email, password_hash, email_verified, display_name, created_at) "
              "VALUES ($1, $2, 'x', $3, $4, $5) RETURNING id",
              u.username, u.email, verified, u.display_name, clock.Now())
          ->Int(0);
    });
    return u;
  }

  // A group owned by `owner` with the given admins and members.
  std::int64_t AddGroup(const accounts::AuthUser& owner, const std::vector<accounts::AuthUser>& admins = {},
                        const std::vector<accounts::AuthUser>& members = {}, const std::string& name = "Studio") {
    return db->Write([&](db::Tx& tx) {
      std::int64_t id =
          tx.QueryOne(
                "INSERT INTO art_groups (name, name_key, owner_id, member_count, created_at) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                name, name + "-key", owner.id, std::int64_t(1 + admins.size() + members.size()), clock.Now())
              ->Int(0);
      auto add = [&](const accounts::AuthUser& u, const char* role) {
        tx.Exec("INSERT INTO memberships (group_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)", id, u.id, role,
                clock.Now());
      };
      add(owner, "owner");
      for (const auto& u : admins) add(u, "admin");
      for (const auto& u : members) add(u, "member");
      return id;
    });
  }

  // An event of the group in `phase` ("OPEN", "VOTING", "MATCHING", "CLOSED"), no schedule.
  std::int64_t AddEvent(std::int64_t group_id, const std::string& phase, int votes_per_member = 3,
                        int max_artworks_per_member = 1, const std::string& name = "Spring") {
    return db->Write([&](db::Tx& tx) {
      return tx
          .QueryOne(
              "INSERT INTO events (group_id, name, phase, votes_per_member, max_artworks_per_member, created_at) "
              "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
              group_id, name, phase, votes_per_member, max_artworks_per_member, clock.Now())
          ->Int(0);
    });
  }

  // An artwork row (no image files: the keys are placeholders), keeping artwork_count.
  std::int64_t AddArtwork(std::int64_t event_id, const accounts::AuthUser& artist, const std::string& title = "Work") {
    return db->Write([&](db::Tx& tx) {
      std::int64_t id =
          tx.QueryOne(
                "INSERT INTO artworks (event_id, artist_id, title, image_key, image_type, thumb_key, thumb_type, "
                "width, height, created_at) VALUES ($1, $2, $3, $4, 'image/png', $4, 'image/webp', 10, 10, $5) "
                "RETURNING id",
                event_id, artist.id, title, std::string(64, 'a'), clock.Now())
              ->Int(0);
      tx.Exec("UPDATE events SET artwork_count = artwork_count + 1 WHERE id = $1", event_id);
      return id;
    });
  }

  // The user's notifications, newest first, read through the Feed.
  std::vector<Note> Notes(std::int64_t user_id) {
    const std::string text = ToJsonText(feed.List(user_id, false, 100, std::nullopt));
    const boost::json::value page = boost::json::parse(text);
    std::vector<Note> out;
    for (const auto& item : page.at("items").as_array()) {
      const auto& o = item.as_object();
      out.push_back({std::string(o.at("type").as_string()), std::string(o.at("message").as_string()),
                     o.at("data").as_object(), o.at("read").as_bool()});
    }
    return out;
  }
  // Only the notifications of one type, newest first.
  std::vector<Note> Notes(std::int64_t user_id, const std::string& type) {
    std::vector<Note> out;
    for (auto& n : Notes(user_id))
      if (n.type == type) out.push_back(std::move(n));
    return out;
  }

  // Mail queued to an address (subject and body), oldest first.
  std::vector<std::pair<std::string, std::string>> MailTo(const std::string& to) {
    return db->Read([&](db::Tx& tx) {
      std::vector<std::pair<std::string, std::string>> out;
      for (auto& r : tx.Query("SELECT subject, body FROM mail_outbox WHERE to_addr = $1 ORDER BY id", to))
        out.emplace_back(r.Str(0), r.Str(1));
      return out;
    });
  }

  std::int64_t Count(const std::string& sql) {
    return db->Read([&](db::Tx& tx) { return tx.QueryOne(sql)->Int(0); });
  }
};

// The ApiError `fn` throws, or a failed test when it throws none.
inline ApiError ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an ApiError";
  return ApiError(0, "none", "no error was thrown");
}

// EXPECT_API_ERROR(call, 404, "not_found"): call throws ApiError with that status and code.
#define EXPECT_API_ERROR(call, status, code)                                     \
  do {                                                                           \
    SCOPED_TRACE(#call);                                                         \
    ::atelier::ApiError api_error_ = ::atelier::fixture::ErrorOf([&] { call; }); \
    EXPECT_EQ(api_error_.Status(), (status)) << api_error_.what();               \
    EXPECT_EQ(api_error_.Code(), (code)) << api_error_.what();                   \
  } while (0)

}  // namespace atelier::fixture
