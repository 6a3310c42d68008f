#pragma once
// Private to src/db: what Open() and Migrate() need from the backends beyond database.h.
// Not for feature code.
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "db/database.h"

namespace atelier::db::internal {

struct Migration {
  int version;
  const char* name;  // file name without ".sql"
  const char* sql;   // may contain {{pk}}; may begin "-- only on sqlite" (db::Migrate)
};

// The migrations compiled into this binary, in version order (generated at build time).
std::span<const Migration> EmbeddedMigrations();

// A Tx that can also run a multi-statement script without parameters (migrations).
class ScriptTx : public Tx {
 public:
  virtual void ExecScript(std::string_view sql) = 0;
};

class DatabaseImpl : public Database {
 public:
  // Runs fn in a write transaction for Migrate(). On PostgreSQL this is READ COMMITTED
  // rather than SERIALIZABLE: after waiting for the advisory lock, the next statement must
  // see what the process that held the lock committed (a SERIALIZABLE snapshot would be
  // taken before the wait and miss it).
  virtual void RunMigrationTransaction(const std::function<void(ScriptTx&)>& fn) = 0;
  // db::OnListenState (db/listen_state.h). SQLite's signals are never missed.
  virtual void OnListenState(std::function<void(bool listening)> callback) { callback(true); }
  // db::AwaitSignals in two halves: RequestSignals names every signal committed before the
  // call (0 when nothing listens), WaitForSignals returns true once those are delivered.
  // SQLite delivers a signal before its commit returns.
  virtual std::uint64_t RequestSignals() { return 1; }
  virtual bool WaitForSignals(std::uint64_t ticket, std::chrono::milliseconds /*timeout*/) { return ticket != 0; }
  // db::ListenOnEveryConnection, db::SignalStamp, db::SignalsDelivered, db::SyncSignals.
  // SQLite has no connections to listen on and delivers every signal before its commit
  // returns.
  virtual void ListenOnEveryConnection(std::string /*channel*/) {}
  virtual std::uint64_t SignalStamp() { return 1; }
  virtual bool SignalsDelivered(std::uint64_t stamp) { return stamp != 0; }
  virtual bool SyncSignals(std::uint64_t stamp, std::chrono::milliseconds /*timeout*/) { return stamp != 0; }
};

std::unique_ptr<DatabaseImpl> OpenSqlite(const std::string& path, bool memory, const Options& options);
std::unique_ptr<DatabaseImpl> OpenPostgres(const std::string& url, const Options& options);

// The first line of a (libpq or SQLite) message, without trailing blanks.
std::string FirstLine(std::string_view message);

// Transparent hashing so statement caches can be looked up by string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace atelier::db::internal
