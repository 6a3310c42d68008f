// Storage layer tests against real databases: SQLite (a temp file) always, PostgreSQL when
// ATELIER_TEST_PG_URL is set (start one with scripts/pg-cluster).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "db/connection_pool.h"
#include "db/content_epoch.h"
#include "db/database.h"
#include "db/internal.h"
#include "db/listen_state.h"
#include "db/listeners.h"

namespace atelier::db {
namespace {

using namespace std::chrono_literals;

const char* PgUrl() {
  const char* url = std::getenv("ATELIER_TEST_PG_URL");
  return (url != nullptr && *url != '\0') ? url : nullptr;
}

// Versions of the embedded migrations: one per step (a step may have a file per dialect).
std::int64_t MigrationVersions() {
  std::set<int> versions;
  for (const auto& m : internal::EmbeddedMigrations()) versions.insert(m.version);
  return static_cast<std::int64_t>(versions.size());
}

class DbTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "pg") {
      if (PgUrl() == nullptr) GTEST_SKIP() << "ATELIER_TEST_PG_URL not set";
      url_ = PgUrl();
    } else {
      dir_ = std::filesystem::temp_directory_path() /
             ("atelier_db_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "test.db").string();
    }
    db_ = OpenDb();
  }
  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Database> OpenDb(Options options = {}) { return Open(url_, options); }
  bool IsPg() const { return GetParam() == "pg"; }

  // A fresh scratch table (PostgreSQL's database is shared by all tests).
  void Scratch(Database& db, const std::string& name, const std::string& columns) {
    db.Write([&](Tx& tx) {
      tx.Exec("DROP TABLE IF EXISTS " + name);
      tx.Exec("CREATE TABLE " + name + " (" + columns + ")");
    });
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

TEST_P(DbTest, MigrationsApplyAndAreIdempotent) {
  Migrate(*db_);
  Migrate(*db_);
  const auto n = static_cast<std::size_t>(MigrationVersions());
  ASSERT_GE(n, 1u);
  auto rows =
      db_->Read([](Tx& tx) { return tx.Query("SELECT version, name FROM schema_migrations ORDER BY version"); });
  ASSERT_EQ(rows.size(), n);
  EXPECT_EQ(rows[0].Int(0), 1);
  EXPECT_EQ(rows[0].Str(1), "001_init");
  // The schema works: auto-increment ids, defaults, foreign keys.
  db_->Write([](Tx& tx) {
    tx.Exec("DELETE FROM users WHERE username = $1", "mig_user");
    auto id = tx.QueryOne(
        "INSERT INTO users (username, email, password_hash, display_name, created_at) VALUES ($1, $2, $3, $4, $5) "
        "RETURNING id, bio, email_verified",
        "mig_user", "mig@example.com", "h", "Mig", 1);
    ASSERT_TRUE(id);
    EXPECT_GT(id->Int(0), 0);
    EXPECT_EQ(id->Str(1), "");
    EXPECT_FALSE(id->Bool(2));
  });
  // Foreign keys are enforced (on SQLite only with PRAGMA foreign_keys=ON).
  EXPECT_THROW(db_->Write([](Tx& tx) {
    tx.Exec("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, 1, 2)", "t",
            std::int64_t{1} << 40);
  }),
               ConstraintError);
}

// A migration that begins "-- only on sqlite" (003) runs there alone; PostgreSQL records
// its version without running it and keeps 001's indexes.
TEST_P(DbTest, AMigrationForOneDialectRunsOnlyThere) {
  Migrate(*db_);
  auto index_names = [&] {
    return db_->Read([&](Tx& tx) {
      std::vector<std::string> names;
      const char* sql = IsPg() ? "SELECT indexname FROM pg_indexes WHERE tablename = 'notifications' ORDER BY 1"
                               : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notifications' "
                                 "ORDER BY 1";
      for (auto& r : tx.Query(sql)) names.push_back(r.Str(0));
      return names;
    });
  };
  const auto names = index_names();
  if (IsPg()) {
    EXPECT_EQ(names, (std::vector<std::string>{"notifications_pkey", "notifications_unread", "notifications_user"}));
  } else {
    EXPECT_EQ(names, (std::vector<std::string>{"notifications_feed", "notifications_unread"}));
  }
  for (int version : {3, 4}) {
    EXPECT_TRUE(
        db_->Read([&](Tx& tx) { return tx.QueryOne("SELECT 1 FROM schema_migrations WHERE version = $1", version); }));
  }
}

// Each dialect's migration gives notifications.rendered a check that lets only JSON
// members that begin with "type" in (a feed page splices the text after a comma).
TEST_P(DbTest, RenderedNotificationTextMustBeJsonMembers) {
  Migrate(*db_);
  struct RolledBack {};
  auto insert = [&](const std::string& rendered) {
    try {
      db_->Write([&](Tx& tx) {
        auto user = tx.QueryOne(
            "INSERT INTO users (username, email, password_hash, display_name, created_at) "
            "VALUES ('rendered_check', 'rendered_check@example.com', 'h', 'R', 1) RETURNING id");
        tx.Exec(
            "INSERT INTO notifications (user_id, type, message, data, created_at, rendered) "
            "VALUES ($1, 'NEW_MATCH', 'm', '{}', 1, $2)",
            user->Int(0), rendered);
        throw RolledBack{};
      });
    } catch (const RolledBack&) {
      return true;
    } catch (const Error&) {
      return false;
    }
    return false;
  };
  EXPECT_TRUE(insert(R"("type":"NEW_MATCH","message":"m","data":{"a":[1,"\n"]},"createdAt":"1970-01-01T00:00:00Z")"));
  for (const std::string bad : {R"("type":)", R"("type":1})", R"("type":1,"b":{)", "}{", "\"type\":\"\n\"", "x", "",
                                " ", R"("a":1)", R"( "type":1)", R"("type":1,)"})
    EXPECT_FALSE(insert(bad)) << bad;
}

// Migration 007 stores the version of the rendering's shape with it in each dialect.
TEST_P(DbTest, NotificationsCarryTheirRenderingsVersion) {
  Migrate(*db_);
  const auto columns = db_->Read([&](Tx& tx) {
    std::vector<std::string> names;
    const char* sql = IsPg() ? "SELECT column_name FROM information_schema.columns WHERE table_name = "
                               "'notifications' ORDER BY ordinal_position"
                             : "SELECT name FROM pragma_table_info('notifications') ORDER BY cid";
    for (auto& r : tx.Query(sql)) names.push_back(r.Str(0));
    return names;
  });
  EXPECT_EQ(columns, (std::vector<std::string>{"id", "user_id", "type", "message", "data", "created_at", "is_read",
                                               "rendered", "rendered_version"}));
}

TEST_P(DbTest, ConcurrentMigrateFromTwoDatabases) {
  auto other = OpenDb();
  std::exception_ptr err;
  std::thread t([&] {
    try {
      Migrate(*other);
    } catch (...) {
      err = std::current_exception();
    }
  });
  Migrate(*db_);
  t.join();
  if (err) std::rethrow_exception(err);
  EXPECT_EQ(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM schema_migrations")->Int(0); }),
            MigrationVersions());
}

// A version with a file for each dialect (005) runs the file of the dialect at hand and
// records its name; the other file is not recorded.
TEST_P(DbTest, TwinMigrationsRunTheFileOfTheirDialect) {
  Migrate(*db_);
  auto name = db_->Read([](Tx& tx) { return tx.QueryOne("SELECT name FROM schema_migrations WHERE version = 5"); });
  ASSERT_TRUE(name);
  EXPECT_EQ(name->Str(0), IsPg() ? "005_content_epoch_triggers_postgresql" : "005_content_epoch_triggers_sqlite");
}

// The content epoch moves by the triggers of migration 005 alone: for changed titles,
// descriptions and display names and for deleted artworks (also by cascade), never for a
// vote or for a change that sets a column to the value it has.
TEST_P(DbTest, ContentEpochMovesByTriggers) {
  Migrate(*db_);
  struct RolledBack {};
  try {
    db_->Write([&](Tx& tx) {
      auto epoch = [&] { return ReadContentEpoch(tx); };
      const auto user = tx.QueryOne(
                              "INSERT INTO users (username, email, password_hash, display_name, created_at) "
                              "VALUES ('epoch_user', 'epoch@example.com', 'h', 'Ann', 1) RETURNING id")
                            ->Int(0);
      const auto group = tx.QueryOne(
                               "INSERT INTO art_groups (name, name_key, owner_id, created_at) "
                               "VALUES ('Epoch', 'epoch-test', $1, 1) RETURNING id",
                               user)
                             ->Int(0);
      const auto event = tx.QueryOne(
                               "INSERT INTO events (group_id, name, phase, votes_per_member, max_artworks_per_member, "
                               "created_at) VALUES ($1, 'E', 'VOTING', 5, 3, 1) RETURNING id",
                               group)
                             ->Int(0);
      auto artwork = [&](const char* title) {
        return tx
            .QueryOne(
                "INSERT INTO artworks (event_id, artist_id, title, image_key, image_type, thumb_key, thumb_type, "
                "width, height, created_at) VALUES ($1, $2, $3, 'k', 'image/png', 't', 'image/webp', 1, 1, 1) "
                "RETURNING id",
                event, user, title)
            ->Int(0);
      };
      const auto a = artwork("A");
      const auto b = artwork("B");
      const auto c = artwork("C");
      auto e0 = epoch();
      // What a vote writes.
      tx.Exec("INSERT INTO vote_budgets (event_id, user_id, used) VALUES ($1, $2, 1)", event, user);
      tx.Exec("INSERT INTO votes (voter_id, artwork_id, event_id, created_at) VALUES ($1, $2, $3, 1)", user, a, event);
      tx.Exec("UPDATE artworks SET vote_count = vote_count + 1 WHERE id = $1", a);
      tx.Exec("UPDATE vote_budgets SET used = used + 1 WHERE event_id = $1 AND user_id = $2", event, user);
      EXPECT_EQ(epoch(), e0);
      tx.Exec("UPDATE artworks SET title = 'A', description = '' WHERE id = $1", a);  // unchanged
      tx.Exec("UPDATE users SET display_name = 'Ann', bio = 'new bio' WHERE id = $1", user);
      EXPECT_EQ(epoch(), e0);
      tx.Exec("UPDATE artworks SET title = 'A2' WHERE id = $1", a);
      EXPECT_EQ(epoch(), e0 + 1);
      tx.Exec("UPDATE artworks SET description = 'about' WHERE id = $1", a);
      EXPECT_EQ(epoch(), e0 + 2);
      tx.Exec("UPDATE users SET display_name = 'Bea' WHERE id = $1", user);
      EXPECT_EQ(epoch(), e0 + 3);
      tx.Exec("DELETE FROM artworks WHERE id = $1", c);
      EXPECT_EQ(epoch(), e0 + 4);
      tx.Exec("DELETE FROM art_groups WHERE id = $1", group);  // its event and artworks a, b go with it
      EXPECT_FALSE(tx.QueryOne("SELECT 1 FROM artworks WHERE id = $1", b));
      EXPECT_EQ(epoch(), e0 + 6);
      throw RolledBack{};  // PostgreSQL's database is shared by all tests
    });
  } catch (const RolledBack&) {
  }
}

TEST_P(DbTest, ParamsOfEveryTypeRoundTrip) {
  Scratch(*db_, "t_params", "id INTEGER PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT, b INTEGER, n TEXT");
  const std::string text = "it's \"quoted\" $1 ?1 — ünïcödé 🎨";
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  std::optional<std::string> none;
  db_->Write([&](Tx& tx) {
    EXPECT_EQ(tx.Exec("INSERT INTO t_params (id, i, d, s, b, n) VALUES ($1, $2, $3, $4, $5, $6)", 1, big, 0.1, text,
                      true, none),
              1);
    EXPECT_EQ(tx.Exec("INSERT INTO t_params (id, i, d, s, b, n) VALUES ($1, $2, $3, $4, $5, $6)", 2, small, -1e300,
                      std::string_view(""), false, std::optional<std::string>("x")),
              1);
  });
  auto rows = db_->Read([](Tx& tx) { return tx.Query("SELECT i, d, s, b, n FROM t_params ORDER BY id"); });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Int(0), big);
  EXPECT_EQ(rows[0].Real(1), 0.1);
  EXPECT_EQ(rows[0].Str(2), text);
  EXPECT_TRUE(rows[0].Bool(3));
  EXPECT_TRUE(rows[0].IsNull(4));
  EXPECT_FALSE(rows[0].OptStr(4));
  EXPECT_THROW(rows[0].Str(4), std::runtime_error);
  EXPECT_EQ(rows[1].Int(0), small);
  EXPECT_EQ(rows[1].Real(1), -1e300);
  EXPECT_EQ(rows[1].Str(2), "");
  EXPECT_FALSE(rows[1].Bool(3));
  EXPECT_EQ(rows[1].OptStr(4), "x");
  // Placeholders inside literals and quoted identifiers are not parameters.
  auto lit = db_->Read([](Tx& tx) { return tx.QueryOne("SELECT '$1', $1 AS \"$2\"", "v"); });
  EXPECT_EQ(lit->Str(0), "$1");
  EXPECT_EQ(lit->Str(1), "v");
  // Text/number conversions in the accessors.
  auto conv = db_->Read([](Tx& tx) { return tx.QueryOne("SELECT '42', 7, '2.5', SUM(i) FROM t_params WHERE id = 1"); });
  EXPECT_EQ(conv->Int(0), 42);
  EXPECT_EQ(conv->Str(1), "7");
  EXPECT_EQ(conv->Real(2), 2.5);
  EXPECT_EQ(conv->Real(1), 7.0);
  // Wrong parameter count is an error, not a silent NULL.
  EXPECT_THROW(db_->Read([](Tx& tx) { tx.Query("SELECT $1, $2", 1); }), Error);
  EXPECT_THROW(db_->Read([](Tx& tx) { tx.Query("SELECT $1", 1, 2); }), Error);
  // $N is the N-th argument wherever it stands, and may stand more than once.
  auto order = db_->Read([](Tx& tx) { return tx.QueryOne("SELECT $2, $1, $2 || $1, $3", "a", "b", 3); });
  EXPECT_EQ(order->Str(0), "b");
  EXPECT_EQ(order->Str(1), "a");
  EXPECT_EQ(order->Str(2), "ba");
  EXPECT_EQ(order->Int(3), 3);
  // Only $N parameters (SQLite alone would also take ?, :name, @name).
  EXPECT_THROW(db_->Read([](Tx& tx) { tx.Query("SELECT :a", 1); }), Error);
}

TEST_P(DbTest, ForEachSeesWhatQueryReturns) {
  Scratch(*db_, "t_each", "id INTEGER PRIMARY KEY, i BIGINT, s TEXT, n BIGINT");
  db_->Write([&](Tx& tx) {
    for (int k = 1; k <= 300; ++k)
      tx.Exec("INSERT INTO t_each (id, i, s, n) VALUES ($1, $2, $3, $4)", k, std::int64_t{k} * 1'000'000'007,
              "row " + std::to_string(k), k % 3 == 0 ? std::optional<std::int64_t>() : std::optional<std::int64_t>(k));
  });
  db_->Read([](Tx& tx) {
    const char* sql = "SELECT id, i, s, n, '17' FROM t_each WHERE id >= $1 ORDER BY id";
    auto rows = tx.Query(sql, 5);
    size_t seen = 0;
    tx.ForEach(
        sql,
        [&](const RowView& r) {
          ASSERT_LT(seen, rows.size());
          const Row& q = rows[seen++];
          EXPECT_EQ(r.Int(0), q.Int(0));
          EXPECT_EQ(r.Int(1), q.Int(1));
          EXPECT_EQ(r.Cell(2), q.Cell(2));
          EXPECT_EQ(r.IsNull(3), q.IsNull(3));
          EXPECT_EQ(r.OptInt(3), q.OptInt(3));
          EXPECT_EQ(r.Int(4), 17);  // text converts as Row::Int does
          EXPECT_EQ(r.Text(2), q.Str(2));
          EXPECT_EQ(r.Text(1), q.Str(1));  // a number as its text, as Row::Str gives it
          EXPECT_EQ(r.Text(4), "17");
          if (r.IsNull(3)) {
            EXPECT_THROW(r.Int(3), std::runtime_error);
            EXPECT_THROW(r.Text(3), std::runtime_error);
          }
          EXPECT_THROW(r.Int(5), std::out_of_range);
        },
        5);
    EXPECT_EQ(seen, 296u);
    EXPECT_EQ(tx.Changes(), 296);
    // An exception from the callback leaves the statement reusable.
    EXPECT_THROW(tx.ForEach(
                     sql, [](const RowView&) { throw std::runtime_error("stop"); }, 1),
                 std::runtime_error);
    size_t again = 0;
    tx.ForEach(
        sql, [&](const RowView&) { ++again; }, 299);
    EXPECT_EQ(again, 2u);
  });
}

TEST_P(DbTest, ReturningAndChanges) {
  Scratch(*db_, "t_ret",
          IsPg() ? "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v TEXT" : "id INTEGER PRIMARY KEY, v TEXT");
  db_->Write([](Tx& tx) {
    auto a = tx.QueryOne("INSERT INTO t_ret (v) VALUES ($1) RETURNING id, v", "a");
    auto b = tx.QueryOne("INSERT INTO t_ret (v) VALUES ($1) RETURNING id, v", "b");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->Str(1), "a");
    EXPECT_EQ(b->Int(0), a->Int(0) + 1);
    EXPECT_EQ(tx.Exec("UPDATE t_ret SET v = v || 'x'"), 2);
    EXPECT_EQ(tx.Exec("UPDATE t_ret SET v = 'z' WHERE id = $1", -5), 0);
    auto c = tx.Query("UPDATE t_ret SET v = 'y' WHERE id = $1 RETURNING v", a->Int(0));
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].Str(0), "y");
    EXPECT_EQ(tx.Changes(), 1);
  });
}

TEST_P(DbTest, ConstraintErrorOnDuplicateKey) {
  Scratch(*db_, "t_uniq", "id INTEGER PRIMARY KEY, v TEXT NOT NULL");
  db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_uniq (id, v) VALUES (1, 'a')"); });
  EXPECT_THROW(db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_uniq (id, v) VALUES (1, 'b')"); }), ConstraintError);
  EXPECT_THROW(db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_uniq (id, v) VALUES (2, NULL)"); }), ConstraintError);
  // The database is usable afterwards and the failed transactions left nothing.
  db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_uniq (id, v) VALUES (3, 'c')"); });
  EXPECT_EQ(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_uniq")->Int(0); }), 2);
}

TEST_P(DbTest, RollbackOnThrow) {
  Scratch(*db_, "t_rb", "id INTEGER PRIMARY KEY");
  struct Boom {};
  EXPECT_THROW(db_->Write([](Tx& tx) {
    tx.Exec("INSERT INTO t_rb (id) VALUES (1)");
    throw Boom{};
  }),
               Boom);
  EXPECT_EQ(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_rb")->Int(0); }), 0);
  // Same connection(s) still fine, with the prepared statement cached.
  db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_rb (id) VALUES (1)"); });
  EXPECT_EQ(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_rb")->Int(0); }), 1);
}

// One connection, reused by every kind of transaction in turn: reads whose COMMIT is still
// on its way when the next transaction starts, transactions that run no statement, and
// first statements that fail (on PostgreSQL each of those travels with its BEGIN).
TEST_P(DbTest, OneConnectionServesEveryKindOfTransactionInTurn) {
  Options options;
  options.pool_size = 1;
  auto db = OpenDb(options);
  Scratch(*db, "t_turns", "id INTEGER PRIMARY KEY, v TEXT NOT NULL");
  auto count = [&] { return db->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_turns")->Int(0); }); };
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(count(), i - 1);
    db->Write([&](Tx& tx) { tx.Exec("INSERT INTO t_turns (id, v) VALUES ($1, 'x')", i); });
  }
  // No statement at all, read or write.
  db->Read([](Tx&) {});
  db->Write([](Tx&) {});
  EXPECT_EQ(count(), 3);
  // A first statement that fails: the error is the statement's, and nothing stays open.
  EXPECT_THROW(db->Read([](Tx& tx) { tx.Query("SELECT nope FROM t_turns"); }), Error);
  EXPECT_THROW(db->Write([](Tx& tx) { tx.Exec("INSERT INTO t_turns (id, v) VALUES (1, 'dup')"); }), ConstraintError);
  EXPECT_THROW(db->Write([](Tx& tx) { tx.Exec("INSERT INTO t_turns (id, v) VALUES (9, NULL)"); }), ConstraintError);
  EXPECT_EQ(count(), 3);
  if (IsPg()) {
    // A read that swallows its statement's error cannot pass for a good one (PostgreSQL
    // aborts the transaction; SQLite goes on).
    EXPECT_THROW(db->Read([](Tx& tx) {
      try {
        tx.Query("SELECT nope FROM t_turns");
      } catch (const Error&) {
      }
    }),
                 Error);
  }
  // A write after a failed first statement commits normally.
  db->Write([](Tx& tx) { tx.Exec("INSERT INTO t_turns (id, v) VALUES (4, 'y')"); });
  EXPECT_EQ(count(), 4);
  if (IsPg()) {
    // The reads' COMMITs were not waited for, yet no transaction is left open: the
    // connection is idle, not "idle in transaction", once its last COMMIT has arrived.
    auto other = OpenDb();
    const auto pid = db->Read([](Tx& tx) { return tx.QueryOne("SELECT pg_backend_pid()")->Int(0); });
    std::string state;
    for (int i = 0; i < 100 && state != "idle"; ++i) {
      state = other->Read([&](Tx& tx) {
        auto row = tx.QueryOne("SELECT state FROM pg_stat_activity WHERE pid = $1", pid);
        return row ? row->Str(0) : std::string("gone");
      });
      if (state != "idle") std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(state, "idle");
  }
}

// A read transaction sees one snapshot from its first statement on, also when a write
// commits between its statements.
TEST_P(DbTest, AReadSeesOneSnapshot) {
  Scratch(*db_, "t_snap", "id INTEGER PRIMARY KEY");
  db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_snap (id) VALUES (1)"); });
  auto writer = OpenDb();
  auto [first, second] = db_->Read([&](Tx& tx) {
    const auto a = tx.QueryOne("SELECT COUNT(*) FROM t_snap")->Int(0);
    writer->Write([](Tx& w) { w.Exec("INSERT INTO t_snap (id) VALUES (2)"); });
    const auto b = tx.QueryOne("SELECT COUNT(*) FROM t_snap")->Int(0);
    return std::make_pair(a, b);
  });
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
  EXPECT_EQ(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_snap")->Int(0); }), 2);
}

// ReadSingle: one statement runs once (on PostgreSQL on its own, without a transaction); a
// function that runs a second statement is run again in a read transaction, so what it
// returns comes from one snapshot, also when it swallows the refusal of that statement.
TEST_P(DbTest, ASingleStatementReadRunsOnceAndALongerOneAgainInOneSnapshot) {
  Options options;
  options.pool_size = 1;  // every call below on the same connection
  auto db = OpenDb(options);
  Scratch(*db, "t_single", "id INTEGER PRIMARY KEY");
  db->Write([](Tx& tx) { tx.Exec("INSERT INTO t_single (id) VALUES (1)"); });
  auto writer = OpenDb();
  auto count = [](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_single")->Int(0); };

  int runs = 0;
  EXPECT_EQ(db->ReadSingle([&](Tx& tx) {
    ++runs;
    return count(tx);
  }),
            1);
  EXPECT_EQ(runs, 1);

  runs = 0;
  auto [before, after] = db->ReadSingle([&](Tx& tx) {
    ++runs;
    const auto a = count(tx);
    writer->Write([&](Tx& w) { w.Exec("INSERT INTO t_single (id) VALUES ($1)", 10 + runs); });
    const auto b = count(tx);
    return std::make_pair(a, b);
  });
  EXPECT_EQ(runs, IsPg() ? 2 : 1);
  EXPECT_EQ(before, after);  // one snapshot: the write of the last run is not seen
  EXPECT_EQ(after, IsPg() ? 2 : 1);

  runs = 0;
  const auto swallowed = db->ReadSingle([&](Tx& tx) {
    ++runs;
    const auto a = count(tx);
    writer->Write([&](Tx& w) { w.Exec("INSERT INTO t_single (id) VALUES ($1)", 20 + runs); });
    try {
      return count(tx) - a;
    } catch (const std::exception&) {
      return std::int64_t{-1};  // refused and swallowed: this run's answer is not used
    }
  });
  EXPECT_EQ(runs, IsPg() ? 2 : 1);
  EXPECT_EQ(swallowed, 0);

  // Nothing written through a read, single or not; a failed statement leaves the
  // connection usable for a write.
  EXPECT_THROW(db->ReadSingle([](Tx& tx) { tx.Exec("INSERT INTO t_single (id) VALUES (99)"); }), Error);
  EXPECT_THROW(db->Read([](Tx& tx) { tx.Exec("INSERT INTO t_single (id) VALUES (98)"); }), Error);
  EXPECT_THROW(db->ReadSingle([](Tx& tx) { tx.Query("SELECT nope FROM t_single"); }), Error);
  db->Write([](Tx& tx) { tx.Exec("INSERT INTO t_single (id) VALUES (2)"); });
  EXPECT_EQ(db->ReadSingle(count), IsPg() ? 6 : 4);
}

TEST_P(DbTest, WriteRetriesOnSerializationConflicts) {
  Options options;
  options.write_retries = 1000;
  auto db = OpenDb(options);
  Scratch(*db, "t_counter", "id INTEGER PRIMARY KEY, n BIGINT NOT NULL");
  db->Write([](Tx& tx) { tx.Exec("INSERT INTO t_counter (id, n) VALUES (1, 0)"); });
  constexpr int kPerThread = 50;
  std::atomic<int> runs{0};
  auto work = [&] {
    for (int i = 0; i < kPerThread; ++i) {
      db->Write([&](Tx& tx) {
        ++runs;
        // Read-then-write without FOR UPDATE: only SERIALIZABLE keeps this exact.
        auto n = tx.QueryOne("SELECT n FROM t_counter WHERE id = 1")->Int(0);
        // Widen the window so the two threads' transactions overlap and conflict.
        std::this_thread::sleep_for(1ms);
        tx.Exec("UPDATE t_counter SET n = $1 WHERE id = 1", n + 1);
      });
    }
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(db->Read([](Tx& tx) { return tx.QueryOne("SELECT n FROM t_counter WHERE id = 1")->Int(0); }),
            2 * kPerThread);
  if (IsPg()) {
    EXPECT_GT(runs, 2 * kPerThread) << "no serialization conflict happened; the test did not test retries";
    std::cout << "[          ] transaction runs: " << runs << " for " << 2 * kPerThread << " commits\n";
  }
}

// Collects payloads delivered to a Listen callback.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> got;
  auto Callback() {
    return [this](std::string_view p) {
      std::lock_guard lk(mu);
      got.emplace_back(p);
      cv.notify_all();
    };
  }
  bool WaitFor(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, timeout, [&] { return got.size() >= n; });
  }
  std::vector<std::string> Snapshot() {
    std::lock_guard lk(mu);
    return got;
  }
};

TEST_P(DbTest, NotifyOnlyAfterCommit) {
  Inbox inbox;
  db_->Listen("t_chan", inbox.Callback());
  db_->Write([&](Tx& tx) {
    db_->Notify(tx, "t_chan", "first");
    // Not delivered while the transaction is open.
    if (IsPg()) std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(inbox.Snapshot().empty());
  });
  EXPECT_TRUE(inbox.WaitFor(1, 5s));
  struct Boom {};
  EXPECT_THROW(db_->Write([&](Tx& tx) {
    db_->Notify(tx, "t_chan", "rolled back");
    throw Boom{};
  }),
               Boom);
  db_->Write([&](Tx& tx) { db_->Notify(tx, "t_chan", "second"); });
  EXPECT_TRUE(inbox.WaitFor(2, 5s));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(inbox.Snapshot(), (std::vector<std::string>{"first", "second"}));
  EXPECT_THROW(db_->Read([&](Tx& tx) { db_->Notify(tx, "t_chan", "x"); }), Error);
}

TEST_P(DbTest, ListenAcrossTwoDatabases) {
  if (!IsPg()) GTEST_SKIP() << "cross-process notifications are PostgreSQL only";
  auto other = OpenDb();
  Inbox inbox;
  other->Listen("t_cross", inbox.Callback());
  db_->Write([&](Tx& tx) { db_->Notify(tx, "t_cross", "hello"); });
  ASSERT_TRUE(inbox.WaitFor(1, 5s));
  EXPECT_EQ(inbox.Snapshot()[0], "hello");
}

TEST_P(DbTest, AwaitSignalsReturnsOnceEverySignalCommittedBeforeIsDelivered) {
  // SQLite delivers before the commit returns: listening at once, nothing to wait for.
  auto listener = IsPg() ? OpenDb() : nullptr;
  Database& db = IsPg() ? *listener : *db_;
  Inbox inbox;
  db.Listen("t_await", inbox.Callback());
  std::vector<bool> states;
  std::mutex mu;
  OnListenState(db, [&](bool on) {
    std::lock_guard lk(mu);
    states.push_back(on);
  });
  for (int i = 0; i < 20; ++i) {
    db_->Write([&](Tx& tx) { db_->Notify(tx, "t_await", std::to_string(i)); });
    // No polling: once AwaitSignals returns, the signal committed before it is in.
    ASSERT_TRUE(AwaitSignals(db));
    ASSERT_EQ(inbox.Snapshot().size(), static_cast<size_t>(i + 1));
  }
  std::lock_guard lk(mu);
  ASSERT_FALSE(states.empty());
  EXPECT_TRUE(states.back());
}

// A channel listened to on every connection: a signal committed before a stamp comes with
// the answer of the next statement that ends a transaction (delivered by the thread that
// ran it), or with SyncSignals; other channels only through the listener.
TEST_P(DbTest, SignalsOfAChannelOnEveryConnectionComeWithTheReadersOwnStatements) {
  auto reader = IsPg() ? OpenDb() : nullptr;
  Database& db = IsPg() ? *reader : *db_;
  std::mutex mu;
  std::vector<std::pair<std::string, std::thread::id>> got;
  auto record = [&](std::string_view payload) {
    std::lock_guard lk(mu);
    got.emplace_back(std::string(payload), std::this_thread::get_id());
  };
  db.Listen("t_every", record);
  db.Listen("t_listener_only", record);
  ListenOnEveryConnection(db, "t_every");
  // Delivered to a callback by this thread (SQLite: by the committing thread, also this one).
  auto delivered_here = [&](const std::string& payload) {
    std::lock_guard lk(mu);
    return std::any_of(got.begin(), got.end(),
                       [&](const auto& g) { return g.first == payload && g.second == std::this_thread::get_id(); });
  };
  auto notify = [&](const char* channel, const std::string& payload) {
    db_->Write([&](Tx& tx) { db_->Notify(tx, channel, payload); });
  };
  auto select_one = [](Tx& tx) { tx.QueryOne("SELECT 1"); };
  db.ReadSingle(select_one);  // the connection LISTENs (and waits for the listener) first
  for (int i = 0; i < 10; ++i) {
    const std::string payload = "single " + std::to_string(i);
    notify("t_every", payload);
    const std::uint64_t stamp = SignalStamp(db);
    ASSERT_NE(stamp, 0u);
    // Nothing has run since the stamp (SQLite: delivered at commit).
    EXPECT_EQ(SignalsDelivered(db, stamp), !IsPg());
    db.ReadSingle(select_one);
    EXPECT_TRUE(SignalsDelivered(db, stamp));
    EXPECT_TRUE(delivered_here(payload)) << payload;
  }
  // A read transaction's COMMIT is answered when its connection is next used: SyncSignals.
  notify("t_every", "read");
  std::uint64_t stamp = SignalStamp(db);
  db.Read([](Tx& tx) {
    tx.QueryOne("SELECT 1");
    tx.QueryOne("SELECT 2");
  });
  EXPECT_TRUE(SyncSignals(db, stamp));
  EXPECT_TRUE(delivered_here("read"));
  // A write's COMMIT brings them at once.
  notify("t_every", "write");
  stamp = SignalStamp(db);
  db.Write(select_one);
  EXPECT_TRUE(SignalsDelivered(db, stamp));
  EXPECT_TRUE(delivered_here("write"));
  // Nothing run since the stamp: SyncSignals asks (an empty query).
  notify("t_every", "sync");
  stamp = SignalStamp(db);
  EXPECT_TRUE(SyncSignals(db, stamp));
  EXPECT_TRUE(delivered_here("sync"));
  // A write under a CommitCheck asks for them ahead of its BEGIN: in by its check.
  notify("t_every", "check");
  stamp = SignalStamp(db);
  bool in_by_check = false;
  {
    CommitCheck check(db, [&](Tx&) { in_by_check = SignalsDelivered(db, stamp) && delivered_here("check"); });
    db.Write(select_one);
  }
  EXPECT_TRUE(in_by_check);
  // A channel not listened to on every connection comes through the listener only.
  if (IsPg()) {
    notify("t_listener_only", "elsewhere");
    ASSERT_TRUE(AwaitSignals(db));
    db.ReadSingle(select_one);
    std::lock_guard lk(mu);
    const auto n = std::count_if(got.begin(), got.end(), [](const auto& g) { return g.first == "elsewhere"; });
    EXPECT_EQ(n, 1);
    EXPECT_FALSE(std::any_of(got.begin(), got.end(), [](const auto& g) {
      return g.first == "elsewhere" && g.second == std::this_thread::get_id();
    }));
  }
}

// A CommitCheck runs inside each write of its database on its thread, after the write's
// function and before the commit; a throw rolls the write back.
TEST_P(DbTest, ACommitCheckRunsInsideEveryWriteBeforeItCommits) {
  Scratch(*db_, "t_check", "id INTEGER PRIMARY KEY");
  auto count = [&](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_check")->Int(0); };
  std::vector<std::int64_t> seen;  // what each check saw in its transaction
  auto other = OpenDb();
  {
    CommitCheck check(*db_, [&](Tx& tx) { seen.push_back(count(tx)); });
    EXPECT_FALSE(check.Ran());
    db_->Read(count);
    db_->ReadSingle(count);
    EXPECT_FALSE(check.Ran());
    db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_check (id) VALUES (1)"); });
    EXPECT_TRUE(check.Ran());
    EXPECT_EQ(seen, std::vector<std::int64_t>{1});  // inside, after the insert
    // Another database's writes and another thread's are not checked.
    other->Write([](Tx& tx) { tx.Exec("INSERT INTO t_check (id) VALUES (2)"); });
    std::thread([&] { db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_check (id) VALUES (3)"); }); }).join();
    EXPECT_EQ(seen.size(), 1u);
  }
  {
    CommitCheck check(*db_, [](Tx&) { throw std::runtime_error("refused"); });
    EXPECT_THROW(db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_check (id) VALUES (4)"); }), std::runtime_error);
  }
  // Rolled back; and once the check is gone, writes commit unchecked.
  db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_check (id) VALUES (5)"); });
  EXPECT_EQ(db_->Read(count), 4);
  EXPECT_FALSE(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT id FROM t_check WHERE id = 4").has_value(); }));
  EXPECT_EQ(seen.size(), 1u);
}

TEST_P(DbTest, ListenStateGoesFalseWhenTheListenerIsLostAndTrueWhenItIsBack) {
  if (!IsPg()) GTEST_SKIP() << "PostgreSQL only";
  auto listener = OpenDb();
  Inbox inbox;
  listener->Listen("t_state", inbox.Callback());
  std::mutex mu;
  std::condition_variable cv;
  std::vector<bool> states;
  OnListenState(*listener, [&](bool on) {
    std::lock_guard lk(mu);
    states.push_back(on);
    cv.notify_all();
  });
  // Waits until `on` is reported after the state reported last time (the listener may be
  // lost and back before a wait for false begins: then the false is already there).
  size_t seen = 0;
  auto wait_for = [&](bool on) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, 15s, [&] {
      for (; seen < states.size(); ++seen) {
        if (states[seen] == on) {
          ++seen;
          return true;
        }
      }
      return false;
    });
  };
  ASSERT_TRUE(wait_for(true));
  db_->Write([](Tx& tx) {
    tx.Query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND "
        "query = 'LISTEN \"t_state\"'");
  });
  ASSERT_TRUE(wait_for(false));
  ASSERT_TRUE(wait_for(true));
  // Listening again: a signal is delivered, and AwaitSignals answers.
  db_->Write([&](Tx& tx) { db_->Notify(tx, "t_state", "back"); });
  EXPECT_TRUE(AwaitSignals(*listener));
  EXPECT_EQ(inbox.Snapshot(), std::vector<std::string>{"back"});
}

TEST_P(DbTest, ReconnectsAfterConnectionsAreKilled) {
  if (!IsPg()) GTEST_SKIP() << "PostgreSQL only";
  auto listener = OpenDb();
  Inbox inbox;
  listener->Listen("t_reconnect", inbox.Callback());
  ASSERT_TRUE(listener->Ping());
  // Kill every other session to this database: the listener's and the pooled ones.
  db_->Write([](Tx& tx) {
    tx.Query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
        "pg_backend_pid()");
  });
  // The pool's dead connection fails once (Ping says false) and is replaced.
  EXPECT_FALSE(listener->Ping());
  EXPECT_TRUE(listener->Ping());
  // The listener reconnects and LISTENs again; notifications sent while it was away are
  // lost, so keep sending until one arrives.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  bool got = false;
  while (!got && std::chrono::steady_clock::now() < deadline) {
    db_->Write([&](Tx& tx) { db_->Notify(tx, "t_reconnect", "again"); });
    got = inbox.WaitFor(1, 200ms);
  }
  EXPECT_TRUE(got);
}

TEST_P(DbTest, ConcurrentReadersAndWriter) {
  Scratch(*db_, "t_pairs", "id INTEGER PRIMARY KEY");
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> bad{0};
  std::thread writer([&] {
    // Readers must be reading while this writes: wait until each has read once.
    while (reads < 4) std::this_thread::yield();
    for (int i = 0; i < 200; ++i) {
      // Two rows per transaction: a reader's snapshot must always see an even count.
      db_->Write([&](Tx& tx) {
        tx.Exec("INSERT INTO t_pairs (id) VALUES ($1)", 2 * i);
        tx.Exec("INSERT INTO t_pairs (id) VALUES ($1)", 2 * i + 1);
      });
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      do {
        db_->Read([&](Tx& tx) {
          auto a = tx.QueryOne("SELECT COUNT(*) FROM t_pairs")->Int(0);
          auto b = tx.QueryOne("SELECT COUNT(*) FROM t_pairs")->Int(0);
          if (a != b || a % 2 != 0) ++bad;
        });
        ++reads;
      } while (!done);
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad, 0);
  EXPECT_GE(reads, 4);  // every reader read at least once before the writer began
  EXPECT_EQ(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_pairs")->Int(0); }), 400);
  EXPECT_TRUE(db_->Ping());
  auto stats = db_->Stats();
  EXPECT_GT(stats.size, 0);
  EXPECT_EQ(stats.in_use, 0);
}

// Waits for WhenDurable's callback, which may run on another thread.
bool WaitDurable(Database& db, CommitToken token) {
  auto fired = std::make_shared<std::atomic<bool>>(false);
  db.WhenDurable(token, [fired] { *fired = true; });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!*fired && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  return *fired;
}

TEST_P(DbTest, CommitTokens) {
  Scratch(*db_, "t_tokens", "id INTEGER PRIMARY KEY");
  CommitToken token;
  db_->Write(token, [](Tx& tx) { tx.Exec("INSERT INTO t_tokens (id) VALUES (1)"); });
  if (IsPg()) {
    EXPECT_TRUE(token.Empty());  // PostgreSQL's COMMIT returns once it is durable
  } else {
    EXPECT_FALSE(token.Empty());
  }
  // A failed write leaves the token as it was.
  CommitToken failed = token;
  EXPECT_THROW(db_->Write(failed,
                          [](Tx& tx) {
                            tx.Exec("INSERT INTO t_tokens (id) VALUES (2)");
                            throw std::runtime_error("no");
                          }),
               std::runtime_error);
  EXPECT_EQ(failed.seq, token.seq);
  // One token collects several writes: it names the newest.
  CommitToken both;
  db_->Write(both, [](Tx& tx) { tx.Exec("INSERT INTO t_tokens (id) VALUES (3)"); });
  const CommitToken first = both;
  std::thread([&] { db_->Write([](Tx& tx) { tx.Exec("INSERT INTO t_tokens (id) VALUES (4)"); }); }).join();
  db_->Write(both, [](Tx& tx) { tx.Exec("INSERT INTO t_tokens (id) VALUES (5)"); });
  if (!IsPg()) {
    EXPECT_GT(first.seq, token.seq);
    EXPECT_EQ(both.seq, first.seq + 2);  // the other thread's commit came between
  }

  EXPECT_TRUE(WaitDurable(*db_, token));
  EXPECT_TRUE(WaitDurable(*db_, both));
  if (!IsPg()) {
    auto s = db_->Syncs();
    EXPECT_GE(s.durable, both.seq);
    EXPECT_GE(s.syncs, 1u);
    EXPECT_EQ(s.commits, both.seq);
  }
  // Once durable, the callback runs at once on the caller's thread; so does an empty token's.
  bool now = false;
  db_->WhenDurable(token, [&] { now = true; });
  EXPECT_TRUE(now);
  bool empty = false;
  db_->WhenDurable(CommitToken{}, [&] { empty = true; });
  EXPECT_TRUE(empty);
}

TEST_P(DbTest, GroupCommitFlushesForManyWritersAtOnce) {
  if (IsPg()) GTEST_SKIP() << "SQLite's group commit";
  Scratch(*db_, "t_group", "id INTEGER PRIMARY KEY, thread INTEGER NOT NULL");
  constexpr int kThreads = 32;
  constexpr int kEach = 30;
  const auto before = db_->Syncs();
  std::atomic<int> early{0};
  std::atomic<int> lost{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        CommitToken token;
        db_->Write(token,
                   [&](Tx& tx) { tx.Exec("INSERT INTO t_group (id, thread) VALUES ($1, $2)", t * kEach + i, t); });
        const std::uint64_t ticket = token.seq;
        // The callback may only run once a flush has covered this commit.
        auto done = std::make_shared<std::atomic<bool>>(false);
        db_->WhenDurable(token, [this, ticket, done, &early] {
          if (db_->Syncs().durable < ticket) ++early;
          *done = true;
        });
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!*done && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100us);
        if (!*done) ++lost;
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto after = db_->Syncs();
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(early, 0);
  EXPECT_EQ(after.commits - before.commits, static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_EQ(after.durable, after.commits);
  // Writers that wait together share flushes.
  EXPECT_LT(after.syncs - before.syncs, after.commits - before.commits);
  EXPECT_EQ(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_group")->Int(0); }), kThreads * kEach);
}

TEST_P(DbTest, CheckpointsRunInTheBackground) {
  if (IsPg()) GTEST_SKIP() << "SQLite's WAL";
  // The writer never checkpoints (wal_autocheckpoint=0): only the checkpoint thread moves
  // committed pages from the WAL into the database file, while every connection stays open.
  Scratch(*db_, "t_ckpt", "id INTEGER PRIMARY KEY, body TEXT NOT NULL");
  const auto file = dir_ / "test.db";
  const auto before = std::filesystem::file_size(file);
  const std::string body(1000, 'x');
  for (int i = 0; i < 300; ++i) {
    db_->Write([&](Tx& tx) {
      for (int j = 0; j < 10; ++j) tx.Exec("INSERT INTO t_ckpt (id, body) VALUES ($1, $2)", i * 10 + j, body);
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::filesystem::file_size(file) < before + 2'000'000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(std::filesystem::file_size(file), before + 2'000'000);
  EXPECT_EQ(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_ckpt")->Int(0); }), 3000);
}

// Under writes that never pause, a PASSIVE checkpoint never finds the WAL all copied, so
// SQLite alone would never start it over: the checkpoint thread restarts it, and the file
// stays near its restart size instead of growing with every commit. Nothing is lost.
TEST_P(DbTest, TheWalStartsOverWhileWritesGoOn) {
  if (IsPg()) GTEST_SKIP() << "SQLite's WAL";
  Options options;
  options.wal_restart_frames = 4096;  // ~16 MiB
  db_ = OpenDb(options);
  Scratch(*db_, "t_restart", "id INTEGER PRIMARY KEY, body TEXT NOT NULL");
  const auto wal = dir_ / "test.db-wal";
  const std::string body(16'000, 'x');       // ~4 pages a row
  constexpr int kThreads = 8, kEach = 2000;  // ~70,000 frames, ~290 MB written to the WAL
  std::atomic<std::uintmax_t> largest{0};
  std::atomic<bool> done{false};
  std::thread watch([&] {
    while (!done) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(wal, ec);
      if (!ec && size > largest) largest = size;
      std::this_thread::sleep_for(2ms);
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        CommitToken token;
        db_->Write(token,
                   [&](Tx& tx) { tx.Exec("INSERT INTO t_restart (id, body) VALUES ($1, $2)", t * kEach + i, body); });
        db_->WhenDurable(token, [] {});
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  watch.join();
  // Without restarts the file would hold all ~290 MB; with them it stays under twice the
  // restart size, however little CPU the checkpoint thread gets (writers wait for it).
  EXPECT_GE(db_->Syncs().wal_restarts, 3u);
  EXPECT_LT(largest.load(), 48u << 20) << "the WAL grew to " << largest.load() << " bytes";
  EXPECT_EQ(db_->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM t_restart")->Int(0); }), kThreads * kEach);
}

// A reader that holds an old snapshot for long (`atelier backup` does, in another process)
// keeps the WAL from starting over. Writers must not wait for a restart that cannot happen:
// the WAL grows past twice its restart size and writes go on at their pace; once the
// reader is done, the next retry starts the WAL over.
TEST_P(DbTest, AReaderHoldingAnOldSnapshotDoesNotHoldUpWriters) {
  if (IsPg()) GTEST_SKIP() << "SQLite's WAL";
  Options options;
  options.wal_restart_frames = 1024;  // ~4 MiB
  db_ = OpenDb(options);
  Scratch(*db_, "t_held", "id INTEGER PRIMARY KEY, body TEXT NOT NULL");
  std::atomic<bool> holding{false}, writes_done{false};
  std::thread reader([&] {
    db_->Read([&](Tx& tx) {
      tx.QueryOne("SELECT COUNT(*) FROM t_held");  // the snapshot starts here
      holding = true;
      const auto until = std::chrono::steady_clock::now() + 30s;
      while (!writes_done && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
      return 0;
    });
  });
  while (!holding) std::this_thread::sleep_for(1ms);
  const std::string body(16'000, 'x');  // ~4 pages a row: 1,000 rows are ~5 restart sizes
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) {
    CommitToken token;
    db_->Write(token, [&](Tx& tx) { tx.Exec("INSERT INTO t_held (id, body) VALUES ($1, $2)", i, body); });
  }
  const auto took = std::chrono::steady_clock::now() - start;
  writes_done = true;
  reader.join();
  // Waiting 2 s per write once past twice the restart size would take minutes.
  EXPECT_LT(took, 10s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  EXPECT_EQ(db_->Syncs().wal_restarts, 0u);
  // The reader gone, a retry within a second starts the WAL over.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (int i = 1000; db_->Syncs().wal_restarts == 0 && std::chrono::steady_clock::now() < deadline; ++i) {
    CommitToken token;
    db_->Write(token, [&](Tx& tx) { tx.Exec("INSERT INTO t_held (id, body) VALUES ($1, $2)", i, body); });
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(db_->Syncs().wal_restarts, 1u);
}

TEST_P(DbTest, WaitersAreReleasedWhenTheDatabaseCloses) {
  if (IsPg()) GTEST_SKIP() << "SQLite's group commit";
  Scratch(*db_, "t_close", "id INTEGER PRIMARY KEY");
  std::atomic<int> released{0};
  for (int i = 0; i < 20; ++i) {
    CommitToken token;
    db_->Write(token, [&](Tx& tx) { tx.Exec("INSERT INTO t_close (id) VALUES ($1)", i); });
    db_->WhenDurable(token, [&] { ++released; });
  }
  db_.reset();
  EXPECT_EQ(released, 20);
}

INSTANTIATE_TEST_SUITE_P(Backends, DbTest, ::testing::Values("sqlite", "pg"),
                         [](const auto& info) { return info.param; });

TEST(DbOpen, UnreachablePostgresIsUnavailableQuickly) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(Open("postgresql://postgres@127.0.0.1:1/atelier"), Unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(DbOpen, UnsupportedUrl) {
  try {
    Open("mysql://root:secret@localhost/x");
    FAIL() << "expected Error";
  } catch (const Unavailable&) {
    FAIL() << "expected plain Error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("unsupported database URL"), std::string::npos);
    EXPECT_EQ(msg.find("secret"), std::string::npos);
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
  EXPECT_THROW(Open("sqlite:"), Error);
}

TEST(DbOpen, SqliteCannotOpenIsUnavailable) {
  EXPECT_THROW(Open("sqlite:/nonexistent-dir-atelier/x/y.db"), Unavailable);
}

TEST(DbOpen, SqliteMemory) {
  auto db = Open("sqlite::memory:");
  Migrate(*db);
  Migrate(*db);
  EXPECT_EQ(db->Read([](Tx& tx) { return tx.QueryOne("SELECT COUNT(*) FROM schema_migrations")->Int(0); }),
            MigrationVersions());
  // Migration 002's counter starts at 0.
  EXPECT_EQ(db->Read([](Tx& tx) { return ReadContentEpoch(tx); }), 0);
  Inbox inbox;
  db->Listen("c", inbox.Callback());
  db->Write([&](Tx& tx) { db->Notify(tx, "c", "p"); });
  EXPECT_EQ(inbox.Snapshot(), std::vector<std::string>{"p"});
  CommitToken token;
  db->Write(token, [](Tx&) {});
  EXPECT_TRUE(token.Empty());  // nothing to flush in memory
  // A nested transaction on the single connection would deadlock; it is an error instead.
  EXPECT_THROW(db->Write([&](Tx&) { db->Read([](Tx&) {}); }), Error);
  EXPECT_TRUE(db->Ping());
}

TEST(DbRow, Conversions) {
  Row row({Value(std::int64_t{5}), Value(2.0), Value(std::string("12")), Value(nullptr), Value(std::string("x")),
           Value(2.5)});
  EXPECT_EQ(row.Int(0), 5);
  EXPECT_EQ(row.Str(0), "5");
  EXPECT_EQ(row.Int(1), 2);
  EXPECT_EQ(row.Real(0), 5.0);
  EXPECT_EQ(row.Int(2), 12);
  EXPECT_EQ(row.Real(2), 12.0);
  EXPECT_EQ(row.Str(5), "2.5");
  EXPECT_THROW(row.Int(3), std::runtime_error);
  EXPECT_THROW(row.Int(4), std::runtime_error);
  EXPECT_THROW(row.Int(5), std::runtime_error);
  EXPECT_THROW(row.Real(4), std::runtime_error);
  EXPECT_FALSE(row.OptInt(3));
  EXPECT_THROW(row.Int(9), std::out_of_range);
}

TEST(DbRow, TakeStrMovesTextAndConvertsTheRest) {
  std::string long_text(100, 'x');
  Row row({Value(long_text), Value(std::int64_t{7}), Value(nullptr)});
  EXPECT_EQ(row.TakeStr(0), long_text);
  EXPECT_EQ(row.TakeStr(1), "7");
  EXPECT_EQ(row.Int(1), 7);
  EXPECT_THROW(row.TakeStr(2), std::runtime_error);
}

// The pool both backends lend their connections from (db/connection_pool.h).
struct FakeConn {
  int id = 0;
  bool broken = false;
};

TEST(ConnectionPool, LendsUpToItsCapacityAndWaitsUntilTheDeadline) {
  int opened = 0;
  internal::ConnectionPool<FakeConn> pool(2, [&] { return std::make_unique<FakeConn>(FakeConn{++opened}); });
  auto a = pool.Acquire();
  auto b = pool.Acquire();
  EXPECT_EQ(opened, 2);
  EXPECT_EQ(pool.InUse(), 2);
  const auto t0 = std::chrono::steady_clock::now();
  auto none = pool.Acquire(t0 + 50ms);
  EXPECT_FALSE(none);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 50ms);
  const int a_id = a->id;
  a.Return();
  EXPECT_EQ(pool.InUse(), 1);
  auto c = pool.Acquire(std::chrono::steady_clock::now() + 1s);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id, a_id);  // kept and lent again, not opened anew
  EXPECT_EQ(opened, 2);
  // A waiter without a deadline is served when a connection comes back.
  std::thread returner([&] {
    std::this_thread::sleep_for(20ms);
    b.Return();
  });
  auto d = pool.Acquire();
  returner.join();
  EXPECT_TRUE(d);
  EXPECT_EQ(opened, 2);
}

TEST(ConnectionPool, DropsWhatIsNotReusableAndFreesTheSlotOfAFailedOpen) {
  int opened = 0;
  bool fail = false;
  internal::ConnectionPool<FakeConn> pool(
      1,
      [&] {
        if (fail) throw Unavailable("down");
        return std::make_unique<FakeConn>(FakeConn{++opened});
      },
      [](const FakeConn& c) { return !c.broken; });
  {
    auto a = pool.Acquire();
    a->broken = true;
  }
  EXPECT_EQ(pool.InUse(), 0);
  fail = true;
  EXPECT_THROW(pool.Acquire(), Unavailable);  // the broken one was closed: a new one is opened
  EXPECT_EQ(pool.InUse(), 0);
  fail = false;
  auto b = pool.Acquire(std::chrono::steady_clock::now() + 1s);  // the failed open gave its slot back
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 2);
}

TEST(ConnectionPool, FillOpensEveryConnectionAtOnce) {
  int opened = 0;
  internal::ConnectionPool<FakeConn> pool(3, [&] { return std::make_unique<FakeConn>(FakeConn{++opened}); });
  pool.Fill();
  EXPECT_EQ(opened, 3);
  std::vector<internal::ConnectionPool<FakeConn>::Lease> held;
  for (int i = 0; i < 3; ++i) held.push_back(pool.Acquire());
  EXPECT_EQ(opened, 3);
  EXPECT_FALSE(pool.Acquire(std::chrono::steady_clock::now() + 10ms));
  internal::ConnectionPool<FakeConn> failing(2, []() -> std::unique_ptr<FakeConn> { throw Unavailable("no"); });
  EXPECT_THROW(failing.Fill(), Unavailable);
}

TEST(Listeners, DeliverToTheChannelsCallbacksInOrderAndSurviveAFailingOne) {
  internal::Listeners listeners("test_listen");
  std::vector<std::string> got;
  listeners.Add("a", [&](std::string_view p) { got.push_back("a1:" + std::string(p)); });
  listeners.Add("a", [&](std::string_view) { throw std::runtime_error("listener bug"); });
  listeners.Add("a", [&](std::string_view p) { got.push_back("a3:" + std::string(p)); });
  listeners.Add("b", [&](std::string_view p) { got.push_back("b:" + std::string(p)); });
  listeners.Deliver("a", "x");
  listeners.Deliver("c", "nobody listens");
  listeners.Deliver("b", "y");
  EXPECT_EQ(got, (std::vector<std::string>{"a1:x", "a3:x", "b:y"}));
  auto channels = listeners.Channels();
  std::sort(channels.begin(), channels.end());
  EXPECT_EQ(channels, (std::vector<std::string>{"a", "b"}));
  // A callback may register another (no lock is held while it runs).
  listeners.Add("c", [&](std::string_view) { listeners.Add("d", [](std::string_view) {}); });
  listeners.Deliver("c", "");
  EXPECT_EQ(listeners.Channels().size(), 4u);
}

}  // namespace
}  // namespace atelier::db
