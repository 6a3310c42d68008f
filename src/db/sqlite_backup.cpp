#include "db/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "db/database.h"

namespace atelier::db {
namespace {

// A connection closed on every path out.
class Handle {
 public:
  Handle(const std::string& path, int flags) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg =
          "cannot open SQLite database '" + path + "': " + (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
      sqlite3_close_v2(db_);
      throw Unavailable(msg);
    }
    sqlite3_extended_result_codes(db_, 1);
  }
  ~Handle() { sqlite3_close_v2(db_); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  sqlite3* get() const { return db_; }

  [[noreturn]] void Fail(std::string_view what) const { throw Error(std::string(what) + ": " + sqlite3_errmsg(db_)); }
  void Exec(const char* sql) const {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Fail(sql);
  }
  // Runs one statement; fn gets each row's first column as text (NULLs skipped).
  void ForEachText(std::string_view sql, const std::function<void(std::string_view)>& fn) const {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK)
      Fail("prepare " + std::string(sql));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (sqlite3_column_type(st, 0) == SQLITE_NULL) continue;
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      fn(std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(st, 0))));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) Fail("step " + std::string(sql));
  }

 private:
  sqlite3* db_ = nullptr;
};

void SyncFile(const std::filesystem::path& path, bool directory) {
  const int fd = open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) throw Error("open " + path.string() + ": " + std::strerror(errno));
  const int rc = fsync(fd);
  const int saved = errno;
  close(fd);
  if (rc != 0) throw Error("fsync " + path.string() + ": " + std::strerror(saved));
}

}  // namespace

SqliteBackupResult BackupSqlite(const std::string& source, const std::string& target, std::string_view snapshot_query,
                                const std::function<void(std::string_view)>& on_row, int pages_per_step) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec)) throw Unavailable("no SQLite database at '" + source + "'");
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(target + suffix, ec);

  // Read-write (not read-only): a reader of a WAL database maps the -shm file. No CREATE.
  Handle src(source, SQLITE_OPEN_READWRITE);
  sqlite3_busy_timeout(src.get(), 5000);
  // The snapshot: a read transaction held until the copy is done.
  src.Exec("BEGIN");
  src.ForEachText("SELECT count(*) FROM sqlite_schema", [](std::string_view) {});

  SqliteBackupResult result;
  {
    Handle dst(target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3_backup* backup = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
    if (backup == nullptr) dst.Fail("backup");
    int rc;
    while ((rc = sqlite3_backup_step(backup, pages_per_step)) != SQLITE_DONE) {
      if (rc == SQLITE_OK) {
        ++result.steps;
        continue;
      }
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      sqlite3_backup_finish(backup);
      throw Error(std::string("backup of '") + source + "' failed: " + sqlite3_errstr(rc));
    }
    ++result.steps;
    result.pages = sqlite3_backup_pagecount(backup);
    if (sqlite3_backup_finish(backup) != SQLITE_OK) dst.Fail("backup");
    // What the copy holds, from the same snapshot.
    src.ForEachText(snapshot_query, on_row);
  }
  src.Exec("COMMIT");
  SyncFile(target, false);
  SyncFile(std::filesystem::absolute(target).parent_path(), true);
  return result;
}

bool SqliteInUse(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  Handle probe(path, SQLITE_OPEN_READWRITE);
  sqlite3_busy_timeout(probe.get(), 0);
  // In exclusive locking mode a transaction keeps the file's lock, which every other
  // connection (also an idle one, in WAL mode) prevents.
  probe.Exec("PRAGMA locking_mode=EXCLUSIVE");
  if (sqlite3_exec(probe.get(), "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) != SQLITE_OK) return true;
  sqlite3_exec(probe.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  return false;
}

void SqliteQuickCheck(const std::string& path) {
  Handle db(path, SQLITE_OPEN_READWRITE);
  std::string first;
  db.ForEachText("PRAGMA quick_check(1)", [&](std::string_view text) { first = text; });
  if (first != "ok") throw Error("'" + path + "' is not a sound SQLite database: " + first);
}

}  // namespace atelier::db
