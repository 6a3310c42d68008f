#pragma once
// A consistent copy of a SQLite database file that a server may be writing
// (`atelier backup`), through SQLite's online backup API.
//
// The copy is one snapshot: a read transaction on the source is opened first and held
// until the last page is copied, so the backup never restarts however much the server
// writes meanwhile (a backup step that opens its own read transaction starts over after
// every commit of another connection). In WAL mode a reader never blocks the writer; while
// the snapshot is held the server's checkpoints cannot start the WAL over, so it grows by
// what is committed during the copy, and the server's checkpoint thread retries at most
// once a second (db/sqlite_backend.cpp). Pages are copied in steps of `pages_per_step`.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace atelier::db {

struct SqliteBackupResult {
  std::int64_t pages = 0;  // pages in the copy
  int steps = 0;
};

// Copies the database at `source` (which must exist) into a new file `target` (replaced if
// there), made durable (fsync) before returning. `snapshot_query` (no parameters) runs in
// the copied snapshot, and `on_row` gets the first column of each of its rows as text
// (NULLs skipped), so the caller learns what the copy holds without opening it. Throws
// db::Error (db::Unavailable when a file cannot be opened).
SqliteBackupResult BackupSqlite(const std::string& source, const std::string& target, std::string_view snapshot_query,
                                const std::function<void(std::string_view)>& on_row, int pages_per_step = 1024);

// Whether some connection (a running server) has the SQLite database at `path` open: an
// exclusive lock cannot be had at once. False when there is no file.
bool SqliteInUse(const std::string& path);

// Runs SQLite's quick_check on the database at `path`; throws db::Error describing the
// first problem when it is not "ok".
void SqliteQuickCheck(const std::string& path);

}  // namespace atelier::db
