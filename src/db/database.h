#pragma once
// The storage interface every feature uses. Two backends implement it: SQLite (one writer
// connection, several readers, WAL) and PostgreSQL (libpq, a pool). Feature code writes
// SQL that both accept, with numbered parameters $1, $2, … only; where the dialects
// differ, the difference is asked of Tx (ForUpdate(), Dialect()).
//
// Thread-safety: Database is safe to use from any number of threads. A Tx belongs to the
// thread that runs the transaction's function and must not escape it.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace atelier::db {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter or a result cell. Booleans are stored as integers 0/1, times as
// integer milliseconds since the epoch, ids as integers.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// Builds a Value from the usual C++ types (bool and all integers become int64,
// std::optional<T> becomes NULL when empty, string-likes become text).
template <typename T>
Value ToValue(T&& v) {
  using D = std::decay_t<T>;
  if constexpr (std::is_same_v<D, Value>) {
    return v;
  } else if constexpr (std::is_same_v<D, std::nullptr_t>) {
    return nullptr;
  } else if constexpr (std::is_same_v<D, bool>) {
    return std::int64_t{v ? 1 : 0};
  } else if constexpr (std::is_integral_v<D>) {
    return static_cast<std::int64_t>(v);
  } else if constexpr (std::is_floating_point_v<D>) {
    return static_cast<double>(v);
  } else if constexpr (requires {
                         v.has_value();
                         *v;
                       }) {
    if (!v.has_value()) return nullptr;
    return ToValue(*v);
  } else {
    return std::string(std::string_view(v));
  }
}

class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}
  size_t Size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::nullptr_t>(cells_.at(i)); }
  // Int() and Str() convert between text and integers when the backend returned the
  // other form (PostgreSQL answers text); they throw std::runtime_error on NULL.
  std::int64_t Int(size_t i) const;
  double Real(size_t i) const;
  std::string Str(size_t i) const;
  // Str() that moves a text cell out instead of copying it; the cell is left holding an
  // unspecified string. For code that reads each cell once and then drops the row.
  std::string TakeStr(size_t i);
  bool Bool(size_t i) const { return Int(i) != 0; }
  std::optional<std::int64_t> OptInt(size_t i) const {
    return IsNull(i) ? std::nullopt : std::optional<std::int64_t>(Int(i));
  }
  std::optional<std::string> OptStr(size_t i) const {
    return IsNull(i) ? std::nullopt : std::optional<std::string>(Str(i));
  }
  const Value& Cell(size_t i) const { return cells_.at(i); }

 private:
  std::vector<Value> cells_;
};

// Row::Int()'s conversion of one cell (column i, for the error message).
std::int64_t IntOf(const Value& v, size_t i);

// A result row as the backend holds it, not copied: valid only inside the Tx::ForEach
// callback that receives it. Int() converts as Row::Int() does.
class RowView {
 public:
  virtual bool IsNull(size_t i) const = 0;
  virtual Value Cell(size_t i) const = 0;
  virtual std::int64_t Int(size_t i) const { return IntOf(Cell(i), i); }
  // A text cell (a number as its text), valid until the callback returns; throws
  // std::runtime_error on NULL, like Row::Str().
  virtual std::string_view Text(size_t i) const = 0;
  bool Bool(size_t i) const { return Int(i) != 0; }
  std::optional<std::int64_t> OptInt(size_t i) const {
    return IsNull(i) ? std::nullopt : std::optional<std::int64_t>(Int(i));
  }

 protected:
  ~RowView() = default;
};

// Errors the backends raise. Unavailable: the database cannot be reached (the server
// answers 503). Constraint: a UNIQUE/CHECK/FOREIGN KEY constraint refused a change.
// Serialization failures are retried inside Database::Write and never reach callers
// unless the retries run out (then they surface as Error).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class Unavailable : public Error {
 public:
  using Error::Error;
};
class ConstraintError : public Error {
 public:
  using Error::Error;
};
class SerializationError : public Error {
 public:
  using Error::Error;
};

class Tx {
 public:
  virtual ~Tx() = default;
  virtual Dialect GetDialect() const = 0;
  // Runs one statement with bound parameters; returns its rows (empty for statements
  // without RETURNING). Statements are prepared once per connection and cached.
  virtual std::vector<Row> Run(std::string_view sql, std::span<const Value> params) = 0;
  // Runs one statement and calls fn with each result row, in order, without copying the
  // rows into Row objects (for results of many rows on hot paths).
  virtual void RunEach(std::string_view sql, std::span<const Value> params,
                       const std::function<void(const RowView&)>& fn) = 0;
  // Rows changed by the last statement run on this Tx.
  virtual std::int64_t Changes() const = 0;

  template <typename... A>
  std::vector<Row> Query(std::string_view sql, A&&... args) {
    const Value params[] = {Value(nullptr), ToValue(std::forward<A>(args))...};
    return Run(sql, std::span<const Value>(params + 1, sizeof...(A)));
  }
  template <typename F, typename... A>
  void ForEach(std::string_view sql, F&& fn, A&&... args) {
    const Value params[] = {Value(nullptr), ToValue(std::forward<A>(args))...};
    RunEach(sql, std::span<const Value>(params + 1, sizeof...(A)), std::forward<F>(fn));
  }
  template <typename... A>
  std::optional<Row> QueryOne(std::string_view sql, A&&... args) {
    auto rows = Query(sql, std::forward<A>(args)...);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }
  // Runs a statement and returns the number of rows it changed.
  template <typename... A>
  std::int64_t Exec(std::string_view sql, A&&... args) {
    Query(sql, std::forward<A>(args)...);
    return Changes();
  }
  // " FOR UPDATE" on PostgreSQL, "" on SQLite (whose write transactions already hold
  // the database's single write lock).
  const char* ForUpdate() const { return GetDialect() == Dialect::kPostgres ? " FOR UPDATE" : ""; }
  const char* SkipLocked() const { return GetDialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : ""; }
};

// Names a committed write for Database::WhenDurable: "this commit and every earlier one".
// Empty (the default) names nothing to wait for. Cheap to copy; meaningful only to the
// Database that filled it.
struct CommitToken {
  std::uint64_t seq = 0;
  bool Empty() const { return seq == 0; }
};

class Database;

// A check every write transaction of one database run by this thread makes before it
// commits, while the CommitCheck is alive: fn(tx) runs inside the transaction after the
// transaction's function returned; should it throw, the transaction rolls back and the
// exception goes on. For a request whose caller is confirmed only as its write commits
// (Authenticator::RequireForWrite). Checks nest (the innermost one runs). Not copyable;
// construct and destroy it on one thread.
class CommitCheck {
 public:
  CommitCheck(Database& db, std::function<void(Tx&)> fn);
  ~CommitCheck();
  CommitCheck(const CommitCheck&) = delete;
  CommitCheck& operator=(const CommitCheck&) = delete;
  // Whether a write transaction has run the check (it may have rolled back since).
  bool Ran() const { return ran_; }
  // The check this thread runs for db's writes, or null.
  static CommitCheck* ActiveFor(const Database& db);
  // Runs it (the database's write path, at the end of a transaction's function).
  void Run(Tx& tx);

 private:
  Database& db_;
  std::function<void(Tx&)> fn_;
  CommitCheck* outer_;
  bool ran_ = false;
};

struct PoolStats {
  int size = 0;    // connections the pool may hold
  int in_use = 0;  // connections lent out now
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect GetDialect() const = 0;

  // Runs fn in a read-only transaction (one consistent snapshot) and returns what it
  // returns.
  template <typename F>
  auto Read(F&& fn) -> decltype(fn(std::declval<Tx&>())) {
    CommitToken none;
    return Invoke(Kind::kRead, none, std::forward<F>(fn));
  }
  // Read() for a function that usually runs one statement. On PostgreSQL that statement
  // runs on its own, without BEGIN and COMMIT (one message each way, and it is its own
  // snapshot); should fn run a second statement, that statement is refused inside fn and fn
  // is run again as a Read(), so fn always sees one consistent snapshot and must have no
  // effects outside the database until it returns. SQLite runs it as a Read().
  template <typename F>
  auto ReadSingle(F&& fn) -> decltype(fn(std::declval<Tx&>())) {
    CommitToken none;
    return Invoke(Kind::kSingleRead, none, std::forward<F>(fn));
  }
  // Runs fn in a write transaction: committed when fn returns, rolled back when it
  // throws (the exception goes on). On PostgreSQL (SERIALIZABLE) fn may run more than
  // once after a serialization failure, so it must have no effects outside the
  // transaction until it returns.
  template <typename F>
  auto Write(F&& fn) -> decltype(fn(std::declval<Tx&>())) {
    CommitToken ignored;
    return Invoke(Kind::kWrite, ignored, std::forward<F>(fn));
  }
  // Write() that also names its commit in `token`, for whoever acknowledges the write to a
  // client (see WhenDurable). A token already naming a commit keeps the newer of the two,
  // so one token can collect every write of a request. Untouched when fn throws.
  template <typename F>
  auto Write(CommitToken& token, F&& fn) -> decltype(fn(std::declval<Tx&>())) {
    return Invoke(Kind::kWrite, token, std::forward<F>(fn));
  }

  // Durable acknowledgements (group commit, db/group_commit.h). A write transaction's
  // COMMIT may return before its changes are on disk: on SQLite the WAL is written at
  // commit and a background thread flushes it once for every commit made meanwhile, so one
  // disk flush serves many writers. WhenDurable(token, fn) calls fn once that commit and
  // every earlier one are on disk: at once on the calling thread when they already are
  // (always for an empty token, and on PostgreSQL and in memory, whose COMMIT returns
  // durable), else on the database's sync thread. fn must be quick and must not throw.
  virtual void WhenDurable(CommitToken token, std::function<void()> fn) {
    (void)token;
    fn();
  }
  struct SyncStats {
    std::uint64_t commits = 0;       // write transactions committed
    std::uint64_t durable = 0;       // the newest of them known to be on disk
    std::uint64_t syncs = 0;         // disk flushes made for them
    std::uint64_t wal_restarts = 0;  // SQLite: times the WAL was started over while writes went on
  };
  virtual SyncStats Syncs() const { return {}; }

  // True when the database answers a trivial query now.
  virtual bool Ping() = 0;
  virtual PoolStats Stats() const = 0;

  // Cross-process signals (PostgreSQL LISTEN/NOTIFY; in-process on SQLite). Notify()
  // inside a write transaction is delivered only if it commits. The callback runs on a
  // background thread of the database; it must be quick.
  virtual void Notify(Tx& tx, std::string_view channel, std::string_view payload) = 0;
  virtual void Listen(std::string channel, std::function<void(std::string_view payload)> callback) = 0;

 protected:
  // Runs fn in a transaction and commits it; a write's commit is named in `token` (kept
  // when it is newer than what the token names already).
  virtual void RunTransaction(bool write, const std::function<void(Tx&)>& fn, CommitToken& token) = 0;
  // ReadSingle(); a backend without a cheaper way runs a read transaction.
  virtual void RunSingleRead(const std::function<void(Tx&)>& fn) {
    CommitToken none;
    RunTransaction(false, fn, none);
  }

 private:
  enum class Kind { kRead, kSingleRead, kWrite };
  void Run(Kind kind, const std::function<void(Tx&)>& fn, CommitToken& token) {
    if (kind == Kind::kSingleRead) {
      RunSingleRead(fn);
    } else if (CommitCheck* check = kind == Kind::kWrite ? CommitCheck::ActiveFor(*this) : nullptr) {
      RunTransaction(
          true,
          [&](Tx& tx) {
            fn(tx);
            check->Run(tx);
          },
          token);
    } else {
      RunTransaction(kind == Kind::kWrite, fn, token);
    }
  }
  template <typename F>
  auto Invoke(Kind kind, CommitToken& token, F&& fn) -> decltype(fn(std::declval<Tx&>())) {
    using R = decltype(fn(std::declval<Tx&>()));
    if constexpr (std::is_void_v<R>) {
      Run(
          kind, [&](Tx& tx) { fn(tx); }, token);
    } else {
      std::optional<R> result;
      // A function run again (a retried write, a single read that needed a transaction)
      // replaces what its earlier run returned.
      Run(
          kind, [&](Tx& tx) { result.emplace(fn(tx)); }, token);
      return std::move(*result);
    }
  }
};

struct Options {
  int pool_size = 8;           // readers (SQLite) or connections (PostgreSQL)
  int busy_timeout_ms = 5000;  // SQLite
  int write_retries = 20;      // PostgreSQL serialization failures
  // SQLite: a WAL of this many frames (4 KiB each: 64 MiB, the size a restart trims the
  // file to, so it never has to shrink) is started over even while writes go on (the
  // checkpoint thread pauses them briefly); a shorter one is started over by SQLite itself
  // once writes pause.
  int wal_restart_frames = 16384;
  // SQLite: the name of a registered sqlite3_vfs to open the files with; empty for SQLite's
  // default. For tests that inject faults (db/powerloss_vfs.h), not for production.
  std::string sqlite_vfs;
};

// Opens "sqlite:PATH", "sqlite::memory:" or "postgresql://…" / "postgres://…".
// Throws Error with a one-line message for a malformed URL and Unavailable when the
// database cannot be opened or reached.
std::unique_ptr<Database> Open(const std::string& url, const Options& options = {});

// Applies the embedded migrations not yet recorded in schema_migrations, each in its own
// transaction, in order. Safe to run from several processes at once.
void Migrate(Database& db);

}  // namespace atelier::db
