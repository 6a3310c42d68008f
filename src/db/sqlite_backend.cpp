// SQLite backend. One writer connection behind a mutex (write transactions are
// BEGIN IMMEDIATE … COMMIT, so they never meet SQLITE_BUSY from inside this process) and a
// pool of reader connections (WAL lets them read a snapshot while the writer writes).
// "sqlite::memory:" has a single connection for everything, since each in-memory
// connection would be a separate database.
//
// Thread-safety: SqliteDatabase is safe from any thread. A connection (and its statement
// cache) is used by one thread at a time: the writer under write_mu_, a reader while it is
// lent out of the pool. Connections are opened SQLITE_OPEN_NOMUTEX for that reason.
//
// Durability (group commit, db/group_commit.h): the writer runs synchronous=NORMAL, so
// COMMIT writes the transaction's WAL frames but does not flush them, and the write lock
// is free for the next transaction at once. GroupCommit's thread flushes the WAL
// (FlushWal) whenever someone waits for a commit (WhenDurable), covering every commit made
// before the flush started. Checkpoints stay SQLite's, which flushes the WAL before
// copying it into the database.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/log.h"
#include "common/mutex.h"
#include "db/connection_pool.h"
#include "db/group_commit.h"
#include "db/internal.h"
#include "db/listeners.h"

namespace atelier::db::internal {
namespace {

[[noreturn]] void ThrowSqlite(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + FirstLine(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      throw ConstraintError(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      throw Unavailable(msg);
    default:
      throw Error(msg);
  }
}

class Conn {
 public:
  Conn(const std::string& path, int busy_timeout_ms, bool reader, const std::string& vfs) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             vfs.empty() ? nullptr : vfs.c_str());
    if (rc != SQLITE_OK) {
      std::string msg = "cannot open SQLite database '" + path +
                        "': " + FirstLine(db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
      sqlite3_close_v2(db_);
      throw Unavailable(msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    try {
      if (!reader) {
        Exec("PRAGMA journal_mode=WAL");
        Exec("PRAGMA synchronous=NORMAL");
      }
      Exec("PRAGMA foreign_keys=ON");
      // Readers serve Database::Read; refusing writes there catches a misplaced INSERT.
      if (reader) Exec("PRAGMA query_only=ON");
    } catch (const Error& e) {
      sqlite3_close_v2(db_);
      throw Unavailable(std::string("cannot open SQLite database '") + path + "': " + e.what());
    }
  }
  ~Conn() {
    for (auto& [sql, prepared] : cache_) sqlite3_finalize(prepared.st);
    sqlite3_close_v2(db_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  sqlite3* Handle() const { return db_; }

  // Runs statements without parameters and ignores their rows (also multi-statement text).
  void Exec(std::string_view sql) {
    const char* p = sql.data();
    const char* end = sql.data() + sql.size();
    while (p < end) {
      sqlite3_stmt* st = nullptr;
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v2(db_, p, static_cast<int>(end - p), &st, &tail);
      if (rc != SQLITE_OK) ThrowSqlite(db_, rc, "prepare");
      if (st == nullptr) {  // only blanks or comments were left
        if (tail == p) break;
        p = tail;
        continue;
      }
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      }
      sqlite3_finalize(st);
      if (rc != SQLITE_DONE) ThrowSqlite(db_, rc, "exec");
      p = tail;
    }
  }

  // BEGIN / COMMIT through the statement cache. Exec() prepares its text every time, and
  // parsing costs far more than stepping these, and an artwork list page runs two
  // transactions (four parses).
  void Control(std::string_view sql) {
    std::int64_t changes = 0;
    Run(sql, {}, changes);
  }

  // Best effort: used on the way out of a failed transaction.
  void RollbackQuietly() {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  std::vector<Row> Run(std::string_view sql, std::span<const Value> params, std::int64_t& changes) {
    std::vector<Row> rows;
    Steps(sql, params, changes, [&](sqlite3_stmt* st) {
      const int ncol = sqlite3_column_count(st);
      std::vector<Value> cells;
      cells.reserve(ncol);
      for (int c = 0; c < ncol; ++c) cells.push_back(CellOf(st, c));
      rows.emplace_back(std::move(cells));
    });
    return rows;
  }

  void RunEach(std::string_view sql, std::span<const Value> params, const std::function<void(const RowView&)>& fn,
               std::int64_t& changes) {
    Steps(sql, params, changes, [&](sqlite3_stmt* st) { fn(StmtRow(st)); });
  }

 private:
  // A row of a statement that has just stepped to it.
  class StmtRow final : public RowView {
   public:
    explicit StmtRow(sqlite3_stmt* st) : st_(st), ncol_(sqlite3_column_count(st)) {}
    bool IsNull(size_t i) const override { return sqlite3_column_type(st_, Col(i)) == SQLITE_NULL; }
    Value Cell(size_t i) const override { return CellOf(st_, Col(i)); }
    std::int64_t Int(size_t i) const override {
      if (sqlite3_column_type(st_, Col(i)) == SQLITE_INTEGER) return sqlite3_column_int64(st_, Col(i));
      return IntOf(Cell(i), i);
    }
    std::string_view Text(size_t i) const override {
      const int c = Col(i);
      if (sqlite3_column_type(st_, c) == SQLITE_NULL)
        throw std::runtime_error("column " + std::to_string(i) + " is NULL");
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, c));
      return {p != nullptr ? p : "", static_cast<size_t>(sqlite3_column_bytes(st_, c))};
    }

   private:
    int Col(size_t i) const {
      if (i >= static_cast<size_t>(ncol_)) throw std::out_of_range("column " + std::to_string(i) + " out of range");
      return static_cast<int>(i);
    }
    sqlite3_stmt* st_;
    int ncol_;
  };

  static Value CellOf(sqlite3_stmt* st, int c) {
    switch (sqlite3_column_type(st, c)) {
      case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(st, c));
      case SQLITE_FLOAT:
        return sqlite3_column_double(st, c);
      case SQLITE_NULL:
        return nullptr;
      default: {  // TEXT or BLOB
        const auto* p = static_cast<const char*>(sqlite3_column_blob(st, c));
        return std::string(p != nullptr ? p : "", sqlite3_column_bytes(st, c));
      }
    }
  }

  // Prepares (or takes from the cache) and binds the statement, then calls on_row(st) at
  // each row it steps to.
  template <typename OnRow>
  void Steps(std::string_view sql, std::span<const Value> params, std::int64_t& changes, OnRow&& on_row) {
    const Prepared& prepared = Prepare(sql);
    sqlite3_stmt* st = prepared.st;
    // Reset even when a step throws, so the statement holds no read lock afterwards.
    struct ResetGuard {
      sqlite3_stmt* st;
      ~ResetGuard() {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
      }
    } guard{st};
    if (prepared.expected != static_cast<int>(params.size())) {
      throw Error("statement expects " + std::to_string(prepared.expected) + " parameters, got " +
                  std::to_string(params.size()) + ": " + FirstLine(sql.substr(0, 80)));
    }
    const int bound = sqlite3_bind_parameter_count(st);
    for (int idx = 1; idx <= bound; ++idx) {
      const size_t i = prepared.slots.empty() ? static_cast<size_t>(idx - 1) : prepared.slots[idx - 1];
      int rc = std::visit(
          [&](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              return sqlite3_bind_null(st, idx);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
              return sqlite3_bind_int64(st, idx, v);
            } else if constexpr (std::is_same_v<T, double>) {
              return sqlite3_bind_double(st, idx, v);
            } else {
              return sqlite3_bind_text64(st, idx, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) ThrowSqlite(db_, rc, "bind");
    }
    std::int64_t n = 0;
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) ThrowSqlite(db_, rc, "step");
      on_row(st);
      ++n;
    }
    // A SELECT changes nothing; report its row count like PostgreSQL's command tag does.
    changes = sqlite3_stmt_readonly(st) ? n : sqlite3_changes64(db_);
  }

  // A cached statement. Feature SQL's $1, $2 … are SQLite parameters as they are: SQLite
  // reads "$1" as a parameter named "$1" and numbers named parameters in the order they
  // first appear, so `slots` maps SQLite's numbers to the caller's (slots[k - 1] is the
  // index into params of SQLite's parameter k; empty when they are the same, as they are
  // when the text names $1, $2 … in that order).
  struct Prepared {
    sqlite3_stmt* st = nullptr;
    std::vector<size_t> slots;
    int expected = 0;  // parameters the caller must pass: the highest $N
  };

  const Prepared& Prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    Prepared p;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &p.st, &tail);
    if (rc != SQLITE_OK) ThrowSqlite(db_, rc, "prepare");
    if (p.st == nullptr) throw Error("empty SQL statement");
    struct Finalize {
      sqlite3_stmt*& st;
      ~Finalize() {
        if (st != nullptr) sqlite3_finalize(st);
      }
    } finalize{p.st};
    for (const char* t = tail; t != nullptr && t < sql.data() + sql.size(); ++t) {
      if (*t != ' ' && *t != '\n' && *t != '\t' && *t != '\r' && *t != ';') {
        throw Error("Tx::Run takes one statement: " + FirstLine(sql.substr(0, 80)));
      }
    }
    const int count = sqlite3_bind_parameter_count(p.st);
    bool in_order = true;
    for (int k = 1; k <= count; ++k) {
      const char* name = sqlite3_bind_parameter_name(p.st, k);
      char* end = nullptr;
      const long n = name != nullptr && name[0] == '$' ? std::strtol(name + 1, &end, 10) : 0;
      if (n < 1 || end == nullptr || *end != '\0') {
        throw Error("parameters are written $1, $2 …, not " + std::string(name != nullptr ? name : "?") + ": " +
                    FirstLine(sql.substr(0, 80)));
      }
      p.slots.push_back(static_cast<size_t>(n - 1));
      in_order = in_order && n == k;
      p.expected = std::max(p.expected, static_cast<int>(n));
    }
    if (in_order) p.slots.clear();
    auto pos = cache_.emplace(std::string(sql), p).first;
    p.st = nullptr;  // the cache owns it now
    return pos->second;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> cache_;
};

class SqliteTx final : public ScriptTx {
 public:
  SqliteTx(Conn& conn, bool write) : conn_(conn), write_(write) {}
  Dialect GetDialect() const override { return Dialect::kSqlite; }
  std::vector<Row> Run(std::string_view sql, std::span<const Value> params) override {
    return conn_.Run(sql, params, changes_);
  }
  void RunEach(std::string_view sql, std::span<const Value> params,
               const std::function<void(const RowView&)>& fn) override {
    conn_.RunEach(sql, params, fn, changes_);
  }
  std::int64_t Changes() const override { return changes_; }
  void ExecScript(std::string_view sql) override { conn_.Exec(sql); }

  bool IsWrite() const { return write_; }
  std::vector<std::pair<std::string, std::string>>& Pending() { return pending_; }

 private:
  Conn& conn_;
  bool write_;
  std::int64_t changes_ = 0;
  std::vector<std::pair<std::string, std::string>> pending_;  // Notify()s, sent on commit
};

// The SqliteDatabase whose write mutex this thread holds, to turn a nested Write (which
// would deadlock) into an error.
thread_local const void* tl_holding_write = nullptr;

[[noreturn]] void SyncFailed(const std::string& what, int rc) {
  // Like PostgreSQL after a failed fsync: the kernel may have dropped the dirty pages, so
  // carrying on could acknowledge writes that are not on disk. Stop instead.
  log::Fatal("cannot flush the SQLite WAL; stopping",
             {{"component", "sqlite_sync"}, {"error", what + ": " + sqlite3_errstr(rc)}});
  std::abort();
}

class SqliteDatabase final : public DatabaseImpl {
 public:
  SqliteDatabase(const std::string& path, bool memory, const Options& options)
      : memory_(memory),
        busy_timeout_ms_(options.busy_timeout_ms),
        restart_frames_(std::max(1, options.wal_restart_frames)),
        readers_(memory ? 0 : std::max(1, options.pool_size), [path, options] {
          return std::make_unique<Conn>(path, options.busy_timeout_ms, true, options.sqlite_vfs);
        }) {
    writer_ = std::make_unique<Conn>(path, options.busy_timeout_ms, false, options.sqlite_vfs);
    readers_.Fill();
    if (memory_) return;
    std::int64_t changes = 0;
    auto mode = writer_->Run("PRAGMA journal_mode", {}, changes);
    if (mode.empty() || mode.front().Str(0) != "wal") {
      // No WAL (a file system without shared memory): every commit flushes by itself.
      writer_->Exec("PRAGMA synchronous=FULL");
      return;
    }
    const char* wal = sqlite3_filename_wal(sqlite3_db_filename(writer_->Handle(), "main"));
    if (wal == nullptr || *wal == '\0') return;
    wal_path_ = wal;
    OpenWalForSync();
    group_commit_ = std::make_unique<GroupCommit>([this] { FlushWal(); });
    // Checkpoints move off the commit path: by default SQLite's COMMIT that takes the WAL
    // past 1,000 pages copies it into the database and flushes both, holding the write
    // lock — with ~6 pages per vote that was a checkpoint every ~170 votes. A thread of
    // its own runs PASSIVE checkpoints (never blocking readers or the writer) instead.
    writer_->Exec("PRAGMA wal_autocheckpoint=0");
    writer_->Exec("PRAGMA journal_size_limit=67108864");  // a WAL reset truncates it to 64 MiB
    // After each commit SQLite reports the WAL's length; past restart_frames_ the
    // checkpoint thread is woken at once instead of at its next round.
    sqlite3_wal_hook(writer_->Handle(), &SqliteDatabase::OnWalCommit, this);
    checkpoint_conn_ = std::make_unique<Conn>(path, options.busy_timeout_ms, false, options.sqlite_vfs);
    checkpointer_ = std::thread([this] { CheckpointLoop(); });
  }

  ~SqliteDatabase() override {
    if (!checkpointer_.joinable()) return;
    {
      MutexLock lk(checkpoint_mu_);
      stop_ = true;
    }
    checkpoint_cv_.notify_one();
    checkpointer_.join();
    group_commit_.reset();  // flushes for the last waiters, through wal_file_
  }

  Dialect GetDialect() const override { return Dialect::kSqlite; }

  bool Ping() override {
    try {
      return Read([](Tx& tx) { return tx.QueryOne("SELECT 1").has_value(); });
    } catch (const std::exception&) {
      return false;
    }
  }

  PoolStats Stats() const override {
    return PoolStats{readers_.Capacity() + 1, readers_.InUse() + (writer_busy_.load() ? 1 : 0)};
  }

  void Notify(Tx& tx, std::string_view channel, std::string_view payload) override {
    auto* stx = dynamic_cast<SqliteTx*>(&tx);
    if (stx == nullptr || !stx->IsWrite()) throw Error("Notify needs a write transaction of this database");
    stx->Pending().emplace_back(std::string(channel), std::string(payload));
  }

  void Listen(std::string channel, std::function<void(std::string_view payload)> callback) override {
    listeners_.Add(std::move(channel), std::move(callback));
  }

  void WhenDurable(CommitToken token, std::function<void()> fn) override {
    if (group_commit_ && !token.Empty()) {
      group_commit_->WhenDurable(token.seq, std::move(fn));
    } else {
      fn();
    }
  }

  SyncStats Syncs() const override {
    if (!group_commit_) return {};
    const auto s = group_commit_->GetStats();
    return SyncStats{s.commits, s.durable, s.syncs, wal_restarts_.load()};
  }

  void RunMigrationTransaction(const std::function<void(ScriptTx&)>& fn) override {
    CommitToken token;
    RunOnWriter(
        true, [&](SqliteTx& tx) { fn(tx); }, token);
  }

 protected:
  void RunTransaction(bool write, const std::function<void(Tx&)>& fn, CommitToken& token) override {
    if (write || memory_) {
      RunOnWriter(
          write, [&](SqliteTx& tx) { fn(tx); }, token);
      return;
    }
    // Reads are short and local: wait for a reader as long as it takes.
    auto conn = readers_.Acquire();
    SqliteTx tx(*conn, false);
    conn->Control("BEGIN");
    try {
      fn(tx);
      conn->Control("COMMIT");
    } catch (...) {
      conn->RollbackQuietly();
      throw;
    }
  }

 private:
  void RunOnWriter(bool write, const std::function<void(SqliteTx&)>& fn, CommitToken& token) {
    if (tl_holding_write == this) {
      throw Error("nested transaction on the SQLite writer connection (would deadlock)");
    }
    std::vector<std::pair<std::string, std::string>> to_send;
    {
      YieldToWalRestart();
      MutexLock lk(write_mu_);
      tl_holding_write = this;
      SetWriterBusy(true);
      struct Unmark {
        SqliteDatabase* self;
        ~Unmark() {
          tl_holding_write = nullptr;
          self->SetWriterBusy(false);
        }
      } unmark{this};
      SqliteTx tx(*writer_, write);
      writer_->Control(write ? "BEGIN IMMEDIATE" : "BEGIN");
      try {
        fn(tx);
        writer_->Control("COMMIT");
      } catch (...) {
        writer_->RollbackQuietly();
        throw;
      }
      if (write && group_commit_) {
        // Numbered under write_mu_, so the numbers follow the commit order, and after
        // COMMIT returned, so the sync thread's flush covers every number it has read.
        token.seq = std::max(token.seq, group_commit_->Committed());
      }
      to_send = std::move(tx.Pending());
    }
    // Delivered after the lock is released so a callback may use the database.
    for (const auto& [channel, payload] : to_send) listeners_.Deliver(channel, payload);
  }

  // Every kCheckpointEvery, when something was committed since the last time: a PASSIVE
  // checkpoint, which copies what no reader still needs from the WAL into the database
  // (flushing the WAL first and the database after, as synchronous=NORMAL does). SQLite
  // starts the WAL over from its beginning only when a write begins with all of it
  // copied, which a steady stream of commits never allows (each pass misses what was
  // committed while it copied), and the file only grows.
  // So once the WAL holds restart_frames_ (the writer's WAL hook wakes this thread
  // then), RestartWal catches up and starts it over with the writer lock held.
  void CheckpointLoop() {
    static constexpr auto kCheckpointEvery = std::chrono::milliseconds(200);
    std::uint64_t done = 0;
    MutexLock lk(checkpoint_mu_);
    // Restarts that keep failing (a reader of another process, such as `atelier backup`,
    // holds an old snapshot for long) are spaced out: each try holds the writer lock up to
    // 50 ms, and a full WAL asks for one after every commit. The first retry is at once (a
    // reader of a moment is gone by then), the next ones wait 20 ms, 40 ms, … up to 1 s.
    static constexpr auto kFirstBackoff = std::chrono::milliseconds(20);
    static constexpr auto kMaxBackoff = std::chrono::milliseconds(1000);
    auto restart_after = std::chrono::steady_clock::time_point::min();
    std::chrono::milliseconds backoff{0};
    const auto may_restart = [&restart_after] { return std::chrono::steady_clock::now() >= restart_after; };
    while (!stop_) {
      const auto until = std::chrono::steady_clock::now() + kCheckpointEvery;
      while (!stop_ && !(wal_full_ && may_restart()) &&
             checkpoint_cv_.wait_until(lk.Native(), until) != std::cv_status::timeout) {
      }
      if (stop_) break;
      const std::uint64_t now = group_commit_->Commits();
      if (now == done) continue;
      lk.Unlock();
      const auto [rc, frames, copied] = Checkpoint(SQLITE_CHECKPOINT_PASSIVE);
      if (rc == SQLITE_OK) {
        done = now;
        if (frames >= restart_frames_ && may_restart()) {
          if (RestartWal(frames)) {
            backoff = std::chrono::milliseconds(0);
          } else {
            restart_after = std::chrono::steady_clock::now() + backoff;
            backoff = std::min(kMaxBackoff, backoff.count() == 0 ? kFirstBackoff : 2 * backoff);
          }
        }
      }
      lk.Lock();
      wal_full_ = false;
    }
  }

  // sqlite3_wal_hook: on the writer's thread after each commit, under write_mu_.
  static int OnWalCommit(void* self_ptr, sqlite3*, const char*, int frames) {
    auto* self = static_cast<SqliteDatabase*>(self_ptr);
    self->wal_frames_.store(frames, std::memory_order_relaxed);
    // Once per restart: the commits that follow until the checkpoint thread has run only
    // read the flag, and take no lock.
    if (frames >= self->restart_frames_ && !self->wal_full_.load(std::memory_order_relaxed)) {
      MutexLock lk(self->checkpoint_mu_);
      if (!self->wal_full_) {
        self->wal_full_ = true;
        self->checkpoint_cv_.notify_one();
      }
    }
    return SQLITE_OK;
  }

  struct CheckpointResult {
    int rc = SQLITE_OK;
    int frames = 0;  // in the WAL
    int copied = 0;  // of them, in the database now
  };
  CheckpointResult Checkpoint(int mode) {
    CheckpointResult r;
    r.rc = sqlite3_wal_checkpoint_v2(checkpoint_conn_->Handle(), "main", mode, &r.frames, &r.copied);
    if (r.rc != SQLITE_OK && r.rc != SQLITE_BUSY && r.rc != SQLITE_LOCKED) {
      log::WriteLimited(
          "sqlite_checkpoint", log::kRepeatEvery, log::Level::kWarn, "SQLite checkpoint failed",
          {{"component", "sqlite_checkpoint"}, {"mode", mode}, {"error", sqlite3_errmsg(checkpoint_conn_->Handle())}});
    }
    return r;
  }

  // More PASSIVE passes while writes go on, each copying what arrived during the last,
  // until a pass finds few new frames; then a RESTART with write_mu_ held, so that no frame
  // is added while it copies the rest and waits for readers of older snapshots to finish
  // (they take microseconds, so it polls every 100 µs where SQLite's busy timeout would
  // sleep a millisecond or more with the lock held; it gives up after 50 ms and tries
  // again next time).
  // The next write begins the WAL from its start. Writers arriving meanwhile let the
  // checkpoint thread take write_mu_ first (restart_waiting_): std::mutex is not fair,
  // and busy writers kept it from the lock while the WAL grew on. The pause is what the
  // locked checkpoint's two flushes take. Restarts raise vote throughput and keep the WAL
  // small at some cost in p99; a much larger restart size makes each pause, and the p99,
  // longer (bench/README.md, "Figures behind design choices").
  // Returns whether the WAL was started over.
  bool RestartWal(int frames) {
    // What is left for the locked part: at most ~4 MiB to copy and flush. Under a steady
    // stream of votes a pass finds what was committed during the last, so this takes a few.
    const int few = std::min(1024, restart_frames_ / 4);
    bool caught_up = false;
    for (int pass = 0; pass < 8 && !caught_up; ++pass) {
      auto r = Checkpoint(SQLITE_CHECKPOINT_PASSIVE);
      if (r.rc != SQLITE_OK) return false;
      caught_up = r.frames - frames <= few;
      frames = r.frames;
    }
    // Not caught up after all passes (writes outpace the copying): the locked part copies
    // more, but the WAL stops growing, which is the point.
    {
      MutexLock lk(restart_mu_);
      restart_waiting_ = true;
    }
    bool restarted = false;
    {
      MutexLock writes(write_mu_);
      sqlite3_busy_handler(
          checkpoint_conn_->Handle(),
          [](void*, int tries) {
            if (tries >= 500) return 0;
            std::this_thread::sleep_for(std::chrono::microseconds(100));
            return 1;
          },
          nullptr);
      restarted = Checkpoint(SQLITE_CHECKPOINT_RESTART).rc == SQLITE_OK;
      restart_blocked_.store(!restarted, std::memory_order_relaxed);
      sqlite3_busy_timeout(checkpoint_conn_->Handle(), busy_timeout_ms_);
      // The next commit writes from the WAL's start (and the hook reports its length again).
      if (restarted) wal_frames_.store(0, std::memory_order_relaxed);
    }
    {
      MutexLock lk(restart_mu_);
      restart_waiting_ = false;
    }
    restart_cv_.notify_all();
    if (restarted) ++wal_restarts_;
    return restarted;
  }

  // Called by writers before they take write_mu_: waits while RestartWal wants it, and
  // while the WAL is twice its restart size. The second is back-pressure for a starved
  // checkpoint thread: on a machine whose cores the writers (or other processes) keep
  // busy, it ran its catch-up passes so slowly that the WAL grew past 350 MB before the
  // restart, where a restart size of 16 MiB was asked. Writers then wait for the restart,
  // but never longer than kMaxWalWait, and not at all while the last restart failed: one
  // that cannot finish (a reader of another process, such as `atelier backup`, holds an
  // old snapshot) must not hold up the writes, which go on growing the WAL until the
  // reader is done and a retry (CheckpointLoop's back-off) succeeds.
  void YieldToWalRestart() {
    static constexpr auto kMaxWalWait = std::chrono::seconds(2);
    const auto over = [this] {
      return wal_frames_.load(std::memory_order_relaxed) >= 2 * restart_frames_ &&
             !restart_blocked_.load(std::memory_order_relaxed);
    };
    if (!over() && !restart_waiting_.load(std::memory_order_acquire)) return;
    const auto until = std::chrono::steady_clock::now() + kMaxWalWait;
    MutexLock lk(restart_mu_);
    while (restart_waiting_.load() || over()) {
      if (restart_cv_.wait_until(lk.Native(), until) == std::cv_status::timeout) return;
    }
  }

  // The sync thread's own handle of the WAL, opened through the database's VFS so that the
  // flush is the VFS's (a fault-injecting VFS in tests sees it; SQLite's unix VFS
  // fdatasyncs, and flushes the directory on the first sync so that the WAL's name
  // survives a power loss too). A handle of its own, because SQLite's file objects are not
  // for use by two threads. SQLite keeps the WAL file, never replacing it, as long as a
  // connection (here: the writer, for this object's life) has the database open.
  void OpenWalForSync() {
    sqlite3_vfs* vfs = nullptr;
    if (sqlite3_file_control(writer_->Handle(), "main", SQLITE_FCNTL_VFS_POINTER, &vfs) != SQLITE_OK ||
        vfs == nullptr) {
      throw Unavailable("cannot find the SQLite VFS of '" + wal_path_ + "'");
    }
    wal_file_.reset(static_cast<sqlite3_file*>(std::calloc(1, vfs->szOsFile)));
    if (!wal_file_) throw std::bad_alloc();
    int out = 0;
    // The name must outlive the handle (the unix VFS keeps the pointer): wal_path_ does.
    const int rc = vfs->xOpen(vfs, wal_path_.c_str(), wal_file_.get(),
                              SQLITE_OPEN_WAL | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out);
    if (rc != SQLITE_OK) {
      // (A failed xOpen may leave pMethods set; the deleter then closes what it opened.)
      throw Unavailable("cannot open the SQLite WAL '" + wal_path_ + "': " + sqlite3_errstr(rc));
    }
  }

  // Makes every WAL frame written so far durable (GroupCommit's flush).
  void FlushWal() {
    const int rc = wal_file_->pMethods->xSync(wal_file_.get(), SQLITE_SYNC_NORMAL | SQLITE_SYNC_DATAONLY);
    if (rc != SQLITE_OK) SyncFailed("sync " + wal_path_, rc);
  }

  void SetWriterBusy(bool busy) { writer_busy_.store(busy); }

  const bool memory_;
  const int busy_timeout_ms_;
  const int restart_frames_;  // Options::wal_restart_frames; 64 MiB of WAL by default
  // Held for the whole of a write transaction, and by RestartWal. It serialises the use of
  // writer_, which is not annotated as guarded by it: the constructor and the WAL hook (which
  // SQLite calls under it, where the analysis cannot see) use writer_ too.
  Mutex write_mu_;
  std::unique_ptr<Conn> writer_;
  std::atomic<bool> writer_busy_{false};  // for Stats()
  // Opened at start (Fill): an SQLite connection does not break, so each is kept for the
  // database's life; none in memory, where the writer serves every transaction.
  ConnectionPool<Conn> readers_;
  Listeners listeners_{"sqlite_listen"};

  // Group commit and checkpoints (a file database in WAL mode only; set up by the
  // constructor).
  std::string wal_path_;
  struct FreeFile {
    void operator()(sqlite3_file* f) const {
      if (f->pMethods != nullptr) f->pMethods->xClose(f);
      std::free(f);
    }
  };
  std::unique_ptr<sqlite3_file, FreeFile> wal_file_;  // OpenWalForSync; used by FlushWal only
  std::unique_ptr<GroupCommit> group_commit_;         // numbers commits; its thread runs FlushWal
  Mutex checkpoint_mu_;                               // guards stop_, wal_full_'s changes
  std::condition_variable checkpoint_cv_;             // the checkpoint thread waits on it (stop_, wal_full_)
  std::atomic<std::uint64_t> wal_restarts_{0};
  bool stop_ GUARDED_BY(checkpoint_mu_) = false;
  // The WAL passed restart_frames_: the checkpoint thread should run now. Set and cleared
  // under checkpoint_mu_; the WAL hook reads it without the lock first.
  std::atomic<bool> wal_full_{false};
  Mutex restart_mu_;  // with restart_cv_: writers wait here while restart_waiting_
  std::condition_variable restart_cv_;
  std::atomic<bool> restart_waiting_{false};  // RestartWal wants write_mu_ before any writer
  std::atomic<int> wal_frames_{0};            // the WAL's length after the last commit (0 after a restart)
  std::atomic<bool> restart_blocked_{false};  // the last RESTART checkpoint could not finish
  std::unique_ptr<Conn> checkpoint_conn_;     // used by the checkpoint thread only
  std::thread checkpointer_;                  // started by the constructor once the WAL's path is known
};

}  // namespace

std::unique_ptr<DatabaseImpl> OpenSqlite(const std::string& path, bool memory, const Options& options) {
  return std::make_unique<SqliteDatabase>(path, memory, options);
}

}  // namespace atelier::db::internal
