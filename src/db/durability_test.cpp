// Durability proven: writes acknowledged through group commit survive a power loss.
//
// The database runs on db/powerloss_vfs.h, which keeps what a disk would hold and throws
// away everything not yet synced when the power is cut. The tests first show that the shim
// does lose unsynced data (so the main test cannot pass for want of a failure to detect),
// then acknowledge writes the way the HTTP layer does (Write with a CommitToken, then
// WhenDurable) while the power goes, and check every acknowledged write after reopening.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/database.h"
#include "db/powerloss_vfs.h"

namespace atelier::db {
namespace {

using namespace std::chrono_literals;
using testing::PowerLossVfs;

class DurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("atelier_durability_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "test.db").string();
    vfs_ = std::make_unique<PowerLossVfs>("powerloss");
  }
  void TearDown() override {
    vfs_.reset();
    std::filesystem::remove_all(dir_);
  }

  // After the power came back: SQLite rebuilds the shared-memory index from the WAL.
  std::unique_ptr<Database> Reopen() {
    std::filesystem::remove(path_ + "-shm");
    return Open("sqlite:" + path_);
  }

  std::set<std::int64_t> Ids(Database& db) {
    std::set<std::int64_t> ids;
    db.Read([&](Tx& tx) {
      EXPECT_EQ(tx.QueryOne("PRAGMA integrity_check")->Str(0), "ok");
      for (const auto& r : tx.Query("SELECT id FROM t ORDER BY id")) ids.insert(r.Int(0));
    });
    return ids;
  }

  void AcknowledgedWritesSurvive(Options options);

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<PowerLossVfs> vfs_;
};

void Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "") << " in " << sql;
}

// The shim at the level of one file: overwritten, appended and truncated bytes all go back
// to what the last sync saw, whichever handle synced.
TEST_F(DurabilityTest, ShimPutsFilesBackAsOfTheirLastSync) {
  sqlite3_vfs* vfs = sqlite3_vfs_find("powerloss");
  ASSERT_NE(vfs, nullptr);
  const std::string name = (dir_ / "file").string();
  auto open = [&] {
    auto* f = static_cast<sqlite3_file*>(std::calloc(1, vfs->szOsFile));
    int out = 0;
    EXPECT_EQ(
        vfs->xOpen(vfs, name.c_str(), f, SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out),
        SQLITE_OK);
    return f;
  };
  sqlite3_file* a = open();
  sqlite3_file* b = open();
  ASSERT_EQ(a->pMethods->xWrite(a, "0123456789", 10, 0), SQLITE_OK);
  ASSERT_EQ(b->pMethods->xSync(b, SQLITE_SYNC_NORMAL), SQLITE_OK);  // another handle, same file
  ASSERT_EQ(a->pMethods->xWrite(a, "abc", 3, 2), SQLITE_OK);
  ASSERT_EQ(a->pMethods->xWrite(a, "XYZ", 3, 8), SQLITE_OK);  // past the synced end
  ASSERT_EQ(a->pMethods->xTruncate(a, 4), SQLITE_OK);
  ASSERT_EQ(a->pMethods->xWrite(a, "--------", 8, 6), SQLITE_OK);
  vfs_->CutPower();
  // Off: nothing changes the file any more, and nothing fails.
  EXPECT_EQ(a->pMethods->xWrite(a, "!!", 2, 0), SQLITE_OK);
  EXPECT_EQ(a->pMethods->xSync(a, SQLITE_SYNC_NORMAL), SQLITE_OK);
  EXPECT_EQ(vfs->xDelete(vfs, name.c_str(), 0), SQLITE_OK);
  for (sqlite3_file* f : {a, b}) {
    f->pMethods->xClose(f);
    std::free(f);
  }
  std::ifstream in(name, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "0123456789");
}

// SQLite itself on the shim: with synchronous=NORMAL a commit is not synced, so the power
// loss takes it; the commit synced before it (synchronous=FULL) stays.
TEST_F(DurabilityTest, ShimLosesACommitThatWasNotSynced) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "powerloss"), SQLITE_OK);
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA wal_autocheckpoint=0");
  Exec(db, "PRAGMA synchronous=FULL");
  Exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
  Exec(db, "INSERT INTO t (id) VALUES (1)");
  const long syncs = vfs_->Syncs();
  Exec(db, "PRAGMA synchronous=NORMAL");
  Exec(db, "INSERT INTO t (id) VALUES (2)");
  EXPECT_EQ(vfs_->Syncs(), syncs);
  vfs_->CutPower();
  sqlite3_close_v2(db);
  auto reopened = Reopen();
  EXPECT_EQ(Ids(*reopened), (std::set<std::int64_t>{1}));
}

// The same through db::Open: a client told "done" when COMMIT returns (not waiting for
// WhenDurable) can lose its write. This is what the main test would see if FlushWal did
// nothing.
TEST_F(DurabilityTest, AcknowledgingAtCommitLosesWrites) {
  Options options;
  options.sqlite_vfs = vfs_->Name();
  auto db = Open("sqlite:" + path_, options);
  db->Write([](Tx& tx) { tx.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)"); });
  CommitToken token;
  db->Write(token, [](Tx&) {});
  std::atomic<bool> durable{false};
  db->WhenDurable(token, [&] { durable = true; });
  while (!durable) std::this_thread::sleep_for(1ms);
  for (int i = 1; i <= 20; ++i) db->Write([&](Tx& tx) { tx.Exec("INSERT INTO t (id) VALUES ($1)", i); });
  vfs_->CutPower();
  db.reset();
  auto reopened = Reopen();
  // (Only a checkpoint between the last commit and the cut, microseconds, could save them.)
  EXPECT_LT(Ids(*reopened).size(), 20u);
}

// Writers acknowledge each write once WhenDurable says so, as http::Server does, and the
// power goes while they write. Every acknowledged row must be there after reopening.
void DurabilityTest::AcknowledgedWritesSurvive(Options options) {
  options.sqlite_vfs = vfs_->Name();
  auto db = Open("sqlite:" + path_, options);
  db->Write([](Tx& tx) { tx.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"); });
  constexpr int kThreads = 8;
  constexpr std::size_t kAckedBeforeCut = 400;
  std::mutex mu;
  bool off = false;
  std::vector<std::int64_t> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  const std::string body(300, 'v');
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (std::int64_t i = 0; !stop; ++i) {
        const std::int64_t id = t * 1'000'000 + i;
        CommitToken token;
        try {
          db->Write(token, [&](Tx& tx) { tx.Exec("INSERT INTO t (id, body) VALUES ($1, $2)", id, body); });
        } catch (const Error&) {
          return;  // the machine is off: what the database reads now is anyone's guess
        }
        auto done = std::make_shared<std::atomic<bool>>(false);
        db->WhenDurable(token, [&, id, done] {
          {
            // An answer sent before the power went; one after it never reaches the client.
            std::lock_guard lk(mu);
            if (!off) acked.push_back(id);
          }
          *done = true;
        });
        while (!*done && !stop) std::this_thread::sleep_for(50us);
      }
    });
  }
  for (;;) {
    std::this_thread::sleep_for(1ms);
    std::lock_guard lk(mu);
    if (acked.size() >= kAckedBeforeCut) {
      off = true;
      break;
    }
  }
  vfs_->CutPower();
  stop = true;
  for (auto& w : writers) w.join();
  db.reset();
  auto reopened = Reopen();
  const auto present = Ids(*reopened);
  std::vector<std::int64_t> lost;
  for (auto id : acked) {
    if (!present.contains(id)) lost.push_back(id);
  }
  EXPECT_GE(acked.size(), kAckedBeforeCut);
  EXPECT_TRUE(lost.empty()) << lost.size() << " of " << acked.size() << " acknowledged writes were lost, e.g. "
                            << lost.front();
}

TEST_F(DurabilityTest, AcknowledgedWritesSurvivePowerLoss) { AcknowledgedWritesSurvive(Options{}); }

// The same with the WAL started over every few commits, so that the power also goes while
// the WAL is being overwritten from its start and cut short.
TEST_F(DurabilityTest, AcknowledgedWritesSurvivePowerLossWhileTheWalStartsOver) {
  Options options;
  options.wal_restart_frames = 32;
  AcknowledgedWritesSurvive(options);
}

}  // namespace
}  // namespace atelier::db
