// PostgreSQL backend (libpq). A pool of connections made on demand; write transactions are
// SERIALIZABLE and re-run on serialization failures, reads are REPEATABLE READ READ ONLY.
// Statements are prepared once per connection (protocol-level prepared statements survive
// rollbacks, so the cache stays valid). LISTEN runs on one extra connection owned by a
// background thread.
//
// Round trips: a transaction's BEGIN travels with its first statement (one pipeline, one
// wait), and a read's COMMIT is sent without waiting for its answer, which the
// connection's next user reads first. So a read of one statement costs one round trip, a
// write of n statements n + 1. The snapshot is the same as with a separate BEGIN: PostgreSQL
// takes it at a transaction's first statement either way. A single read
// (Database::ReadSingle) sends no BEGIN or COMMIT at all: its one statement is its own
// transaction.
//
// Pooled connections are read-only by default (default_transaction_read_only), and a
// write transaction's BEGIN says READ WRITE: a statement that runs outside BEGIN, as a
// single read's does, cannot change anything.
//
// Signals on every connection (db::ListenOnEveryConnection): pooled connections LISTEN
// such channels too, and whoever ends a transaction on one delivers what it brought. The
// server sends a listening connection the notifications it has been signalled of before the
// ReadyForQuery that ends a transaction, so once a statement sent after stamp S has been
// answered outside a transaction, every signal committed before S is in (those committed
// before the connection's LISTEN were awaited through the listener connection when it
// LISTENed). `delivered_` keeps the newest such S.
//
// Thread-safety: PgDatabase is safe from any thread. A PgConn is used by one thread at a
// time (while lent out of the pool); the listener connection only by the listener thread.
#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.h"
#include "common/mutex.h"
#include "db/connection_pool.h"
#include "db/internal.h"
#include "db/listeners.h"

namespace atelier::db::internal {
namespace {

using Clock = std::chrono::steady_clock;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// Type OIDs from pg_type.h (stable across versions).
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

// libpq prints NOTICEs (e.g. "table does not exist, skipping") to stderr by default;
// they are not errors and would only clutter the server's log.
void SilenceNotices(PGconn* c) {
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
}

class PgConn {
 public:
  explicit PgConn(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (conn_ == nullptr) throw Unavailable("cannot reach PostgreSQL: out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = "cannot reach PostgreSQL: " + FirstLine(PQerrorMessage(conn_));
      PQfinish(conn_);
      throw Unavailable(msg);
    }
    SilenceNotices(conn_);
    ResultPtr r(PQexec(conn_, "SET default_transaction_read_only = on"));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      std::string msg = "cannot set up a PostgreSQL connection: " + FirstLine(PQerrorMessage(conn_));
      r.reset();
      PQfinish(conn_);
      throw Unavailable(msg);
    }
  }
  ~PgConn() { PQfinish(conn_); }
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  PGconn* Handle() const { return conn_; }
  bool Broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }
  void MarkBroken() { broken_ = true; }

  // Sends COMMIT of a read transaction without waiting for the answer (Settle reads it).
  void SendCommit() {
    if (PQsendQuery(conn_, "COMMIT") == 0) {
      broken_ = true;
      return;
    }
    commit_in_flight_ = true;
  }
  bool CommitInFlight() const { return commit_in_flight_; }
  // The stamp taken before the COMMIT in flight was sent (see PgDatabase::Stamp).
  std::uint64_t CommitStamp() const { return commit_stamp_; }
  void SetCommitStamp(std::uint64_t stamp) { commit_stamp_ = stamp; }

  // How many of the channels listened to on every connection this one LISTENs (they are
  // only ever added to), and whether the signals from before its LISTEN were awaited.
  std::size_t Listened() const { return listened_; }
  void SetListened(std::size_t n) { listened_ = n; }
  bool SignalsReady() const { return signals_ready_; }
  void SetSignalsReady(bool ready) { signals_ready_ = ready; }
  // Not ready: when to await the listener for it again.
  std::chrono::steady_clock::time_point ReadyRetryAt() const { return ready_retry_at_; }
  void SetReadyRetryAt(std::chrono::steady_clock::time_point at) { ready_retry_at_ = at; }
  // Reads the answer of a COMMIT sent by SendCommit, if any; a connection whose COMMIT
  // failed is marked broken (what its transaction read was already consistent).
  // Returns whether a COMMIT was read.
  bool Settle() {
    if (!commit_in_flight_) return false;
    commit_in_flight_ = false;
    bool ok = true;
    while (PGresult* r = PQgetResult(conn_)) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK) ok = false;
      PQclear(r);
    }
    if (!ok || PQtransactionStatus(conn_) != PQTRANS_IDLE) broken_ = true;
    return !broken_;
  }

  // Classifies a failed result (or a failed send when r is null) and throws.
  [[noreturn]] void Fail(const PGresult* r, std::string_view what, bool* serialization = nullptr) {
    const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const char* text = r != nullptr ? PQresultErrorMessage(r) : "";
    if (text == nullptr || *text == '\0') text = PQerrorMessage(conn_);
    std::string msg = std::string(what) + ": " + FirstLine(text);
    if (PQstatus(conn_) != CONNECTION_OK) {
      broken_ = true;
      throw Unavailable(msg);
    }
    std::string_view s = state != nullptr ? state : "";
    if (s == "40001" || s == "40P01") {
      if (serialization != nullptr) *serialization = true;
      throw SerializationError(msg);
    }
    if (s.starts_with("23")) throw ConstraintError(msg);
    // Connection exceptions, shutdown, too many connections: the server is not usable.
    if (s.starts_with("08") || s.starts_with("57P") || s.starts_with("53")) {
      broken_ = true;
      throw Unavailable(msg);
    }
    throw Error(msg);
  }

  // A command without parameters; returns the result (tuples or command OK).
  ResultPtr Command(const char* sql, bool* serialization = nullptr) {
    ResultPtr r(PQexec(conn_, sql));
    auto st = PQresultStatus(r.get());
    if (r == nullptr || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) Fail(r.get(), sql, serialization);
    return r;
  }

  void RollbackQuietly() {
    if (Broken()) return;
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    ResultPtr r(PQexec(conn_, "ROLLBACK"));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) broken_ = true;
  }

  const std::string& Prepared(std::string_view sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) return it->second;
    std::string name = "atelier_" + std::to_string(++next_stmt_);
    std::string text(sql);
    ResultPtr r(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) Fail(r.get(), "prepare " + FirstLine(text.substr(0, 80)));
    return stmts_.emplace(std::move(text), std::move(name)).first->second;
  }

 private:
  PGconn* conn_;
  bool broken_ = false;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> stmts_;
  std::uint64_t next_stmt_ = 0;
  bool commit_in_flight_ = false;
  std::uint64_t commit_stamp_ = 0;
  std::size_t listened_ = 0;
  bool signals_ready_ = false;
  std::chrono::steady_clock::time_point ready_retry_at_{};
};

std::string DoubleText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, ec == std::errc() ? end : buf);
}

Value CellValue(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return nullptr;
  const char* p = PQgetvalue(r, row, col);
  const int len = PQgetlength(r, row, col);
  switch (PQftype(r, col)) {
    case kInt2:
    case kInt4:
    case kInt8: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(p, p + len, v);
      if (ec == std::errc() && end == p + len) return v;
      break;
    }
    case kFloat4:
    case kFloat8:
    case kNumeric: {
      double v = 0;
      auto [end, ec] = std::from_chars(p, p + len, v);
      if (ec == std::errc() && end == p + len) return v;
      break;
    }
    case kBool:  // e.g. EXISTS(…): SQLite answers 0/1, so do the same here
      return std::int64_t{len > 0 && p[0] == 't' ? 1 : 0};
    default:
      break;
  }
  return std::string(p, len);
}

// Where a write's first pipeline reports that it asked for the signals first (a Sync
// before its BEGIN): the stamp taken before it was sent, and the delivery once answered.
class SignalSink {
 public:
  virtual std::uint64_t Stamp() = 0;
  virtual void Deliver(PgConn& conn, std::uint64_t sent) = 0;

 protected:
  ~SignalSink() = default;
};

// What a single read's second statement throws (after setting PgTx::NeedsTransaction):
// the function is run again in a transaction.
class NeedsTransactionError : public Error {
 public:
  NeedsTransactionError() : Error("a single read ran a second statement; it is run again in a transaction") {}
};

class PgTx final : public ScriptTx {
 public:
  // `begin` (a static string) is sent with the first statement, not before. A single read
  // (begin null, single true) runs its first statement on its own and refuses a second.
  // With `presync`, a Sync goes ahead of BEGIN in the first pipeline, and what it brought is
  // delivered there (a write run under a db::CommitCheck, which wants the signals).
  PgTx(PgConn& conn, bool write, const char* begin, bool single = false, SignalSink* presync = nullptr)
      : conn_(conn), write_(write), begin_(begin), single_(single), presync_(presync) {}
  Dialect GetDialect() const override { return Dialect::kPostgres; }
  std::int64_t Changes() const override { return changes_; }
  bool IsWrite() const { return write_; }
  bool SawSerializationFailure() const { return serialization_; }
  bool* SerializationFlag() { return &serialization_; }
  // False until a statement has run (then the transaction is open on the server).
  bool Begun() const { return begin_ == nullptr; }
  // A statement failed (its error was thrown to fn): the transaction must not commit.
  bool Failed() const { return failed_; }
  // A single read whose function ran (or tried to run) a second statement.
  bool NeedsTransaction() const { return needs_tx_; }
  // A single read whose statement was sent.
  bool SingleRan() const { return single_ran_; }

  std::vector<Row> Run(std::string_view sql, std::span<const Value> params) override {
    ResultPtr r = Execute(sql, params);
    std::vector<Row> rows;
    const int nrows = PQntuples(r.get());
    const int ncols = PQnfields(r.get());
    rows.reserve(nrows);
    for (int i = 0; i < nrows; ++i) {
      std::vector<Value> cells;
      cells.reserve(ncols);
      for (int c = 0; c < ncols; ++c) cells.push_back(CellValue(r.get(), i, c));
      rows.emplace_back(std::move(cells));
    }
    return rows;
  }

  void RunEach(std::string_view sql, std::span<const Value> params,
               const std::function<void(const RowView&)>& fn) override {
    ResultPtr r = Execute(sql, params);
    const int nrows = PQntuples(r.get());
    for (int i = 0; i < nrows; ++i) fn(ResultRow(r.get(), i));
  }

  void ExecScript(std::string_view sql) override {
    if (single_) throw Error("a single read cannot run a script");
    if (begin_ != nullptr) conn_.Command(std::exchange(begin_, nullptr));
    conn_.Command(std::string(sql).c_str(), &serialization_);
  }

 private:
  class ResultRow final : public RowView {
   public:
    ResultRow(const PGresult* r, int row) : r_(r), row_(row) {}
    bool IsNull(size_t i) const override { return PQgetisnull(r_, row_, Col(i)) != 0; }
    Value Cell(size_t i) const override { return CellValue(r_, row_, Col(i)); }
    std::string_view Text(size_t i) const override {
      const int c = Col(i);
      if (PQgetisnull(r_, row_, c)) throw std::runtime_error("column " + std::to_string(i) + " is NULL");
      return {PQgetvalue(r_, row_, c), static_cast<size_t>(PQgetlength(r_, row_, c))};
    }

   private:
    int Col(size_t i) const {
      if (i >= static_cast<size_t>(PQnfields(r_)))
        throw std::out_of_range("column " + std::to_string(i) + " out of range");
      return static_cast<int>(i);
    }
    const PGresult* r_;
    int row_;
  };

  // Runs the statement (prepared once per connection); throws on failure.
  ResultPtr Execute(std::string_view sql, std::span<const Value> params) {
    // As on the server once a transaction is open: after a failed statement, nothing more
    // runs and the transaction cannot commit (also when it failed before BEGIN was sent).
    if (failed_) throw Error("current transaction is aborted after an earlier error");
    failed_ = true;
    ResultPtr r = ExecuteOnce(sql, params);
    failed_ = false;
    return r;
  }

  ResultPtr ExecuteOnce(std::string_view sql, std::span<const Value> params) {
    if (single_) {
      if (single_ran_) {
        needs_tx_ = true;
        throw NeedsTransactionError();
      }
      single_ran_ = true;
    }
    const std::string& name = conn_.Prepared(sql);
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        texts[i] = std::to_string(*n);
        values[i] = texts[i].c_str();
      } else if (const auto* d = std::get_if<double>(&v)) {
        texts[i] = DoubleText(*d);
        values[i] = texts[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        values[i] = s->c_str();
      }
    }
    ResultPtr r = begin_ != nullptr
                      ? BeginAndExecute(name, values)
                      : ResultPtr(PQexecPrepared(conn_.Handle(), name.c_str(), static_cast<int>(values.size()),
                                                 values.data(), nullptr, nullptr, 0));
    const auto st = PQresultStatus(r.get());
    if (r == nullptr || (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)) {
      conn_.Fail(r.get(), FirstLine(sql.substr(0, 80)), &serialization_);
    }
    const char* tuples = PQcmdTuples(r.get());
    changes_ = (tuples != nullptr && *tuples != '\0') ? std::atoll(tuples) : 0;
    return r;
  }

  // BEGIN and the first statement in one pipeline; returns the statement's result (or
  // BEGIN's, when BEGIN failed) for Execute to check.
  ResultPtr BeginAndExecute(const std::string& name, const std::vector<const char*>& values) {
    PGconn* c = conn_.Handle();
    const char* begin = std::exchange(begin_, nullptr);
    const std::uint64_t sent = presync_ != nullptr ? presync_->Stamp() : 0;
    if (PQenterPipelineMode(c) == 0 || (presync_ != nullptr && PQpipelineSync(c) == 0) ||
        PQsendQueryParams(c, begin, 0, nullptr, nullptr, nullptr, nullptr, 0) == 0 ||
        PQsendQueryPrepared(c, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0) ==
            0 ||
        PQpipelineSync(c) == 0) {
      conn_.MarkBroken();
      throw Unavailable("PostgreSQL pipeline: " + FirstLine(PQerrorMessage(c)));
    }
    if (presync_ != nullptr) {
      // Its ReadyForQuery, outside a transaction, came after the signals sent before it.
      ResultPtr first(PQgetResult(c));
      if (PQresultStatus(first.get()) != PGRES_PIPELINE_SYNC) {
        conn_.MarkBroken();
        throw Unavailable("PostgreSQL pipeline: " + FirstLine(PQerrorMessage(c)));
      }
    }
    // Each query's results end with a null; the sync's result ends the pipeline.
    ResultPtr results[2];
    for (auto& slot : results) {
      for (PGresult* r = PQgetResult(c); r != nullptr; r = PQgetResult(c)) {
        if (slot == nullptr) {
          slot.reset(r);
        } else {
          PQclear(r);
        }
      }
    }
    bool synced = false;
    while (PGresult* r = PQgetResult(c)) {
      if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) synced = true;
      PQclear(r);
      if (synced) break;
    }
    if (!synced || PQexitPipelineMode(c) == 0) {
      conn_.MarkBroken();
      throw Unavailable("PostgreSQL pipeline: " + FirstLine(PQerrorMessage(c)));
    }
    if (presync_ != nullptr) presync_->Deliver(conn_, sent);
    if (PQresultStatus(results[0].get()) != PGRES_COMMAND_OK) return std::move(results[0]);
    return std::move(results[1]);
  }

  PgConn& conn_;
  bool write_;
  const char* begin_;
  const bool single_;
  SignalSink* const presync_;
  bool single_ran_ = false;
  bool needs_tx_ = false;
  bool failed_ = false;
  bool serialization_ = false;
  std::int64_t changes_ = 0;
};

class PgDatabase final : public DatabaseImpl, public SignalSink {
  using Pool = ConnectionPool<PgConn>;

 public:
  PgDatabase(const std::string& url, const Options& options)
      : conninfo_(WithConnectTimeout(url)),
        write_retries_(std::max(0, options.write_retries)),
        pool_(
            std::max(1, options.pool_size), [this] { return std::make_unique<PgConn>(conninfo_); },
            // A broken connection, or one left inside a transaction, is dropped; a fresh one
            // is made on the next Acquire. One whose read's COMMIT is on its way is kept.
            [](const PgConn& c) {
              return !c.Broken() && (c.CommitInFlight() || PQtransactionStatus(c.Handle()) == PQTRANS_IDLE);
            }) {
    // Connect once now so Open() reports an unreachable server (the pool then keeps it).
    Acquire(std::chrono::seconds(10));
  }

  ~PgDatabase() override {
    {
      MutexLock lk(listen_mu_);
      stop_ = true;
    }
    listen_cv_.notify_all();
    if (listener_.joinable()) {
      Wake();
      listener_.join();
    }
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  Dialect GetDialect() const override { return Dialect::kPostgres; }

  bool Ping() override {
    Pool::Lease conn;
    try {
      conn = Acquire(std::chrono::seconds(2));
    } catch (const std::exception&) {
      return false;
    }
    bool ok = PingOn(*conn);
    if (!ok) conn->MarkBroken();
    return ok;
  }

  PoolStats Stats() const override { return PoolStats{pool_.Capacity(), pool_.InUse()}; }

  void Notify(Tx& tx, std::string_view channel, std::string_view payload) override {
    auto* ptx = dynamic_cast<PgTx*>(&tx);
    if (ptx == nullptr || !ptx->IsWrite()) throw Error("Notify needs a write transaction of this database");
    tx.Query("SELECT pg_notify($1, $2)", channel, payload);
  }

  void Listen(std::string channel, std::function<void(std::string_view payload)> callback) override {
    listeners_.Add(std::move(channel), std::move(callback));
    std::uint64_t want = 0;
    {
      // After Add: the LISTEN thread reads the generation before the channels, so the one
      // that acknowledges `want` LISTENs this channel.
      MutexLock lk(listen_mu_);
      want = ++listen_gen_;
      if (!listener_.joinable()) {
        wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (wake_fd_ < 0) throw Error("eventfd failed");
        listener_ = std::thread([this] { ListenLoop(); });
      }
    }
    Wake();
    // Wait (bounded) until the channel is LISTENed, so a notification sent right after
    // Listen() returns is not missed. If the server is down the thread keeps trying.
    MutexLock lk(listen_mu_);
    const auto until = Clock::now() + std::chrono::seconds(5);
    while (acked_gen_ < want && !stop_ && listen_cv_.wait_until(lk.Native(), until) != std::cv_status::timeout) {
    }
  }

  std::uint64_t RequestSignals() override {
    std::uint64_t want = 0;
    {
      MutexLock lk(listen_mu_);
      if (!listener_.joinable() || stop_) return 0;
      want = ++sync_wanted_;
    }
    Wake();
    return want;
  }

  bool WaitForSignals(std::uint64_t want, std::chrono::milliseconds timeout) override {
    if (want == 0) return false;
    MutexLock lk(listen_mu_);
    const auto until = Clock::now() + timeout;
    while (sync_done_ < want && !stop_ && listen_cv_.wait_until(lk.Native(), until) != std::cv_status::timeout) {
    }
    return sync_done_ >= want;
  }

  void ListenOnEveryConnection(std::string channel) override {
    MutexLock lk(everywhere_mu_);
    if (std::find(everywhere_.begin(), everywhere_.end(), channel) != everywhere_.end()) return;
    everywhere_.push_back(std::move(channel));
    everywhere_count_.store(everywhere_.size());
  }

  std::uint64_t SignalStamp() override { return everywhere_count_.load() == 0 ? 0 : Stamp(); }

  bool SignalsDelivered(std::uint64_t stamp) override { return stamp != 0 && delivered_.load() >= stamp; }

  bool SyncSignals(std::uint64_t stamp, std::chrono::milliseconds timeout) override {
    if (stamp == 0) return false;
    if (SignalsDelivered(stamp)) return true;
    {
      Pool::Lease conn;
      try {
        conn = Acquire(timeout);
      } catch (const std::exception&) {
        return false;
      }
      // Acquire may have read the answer of a COMMIT sent after the stamp.
      if (SignalsDelivered(stamp)) return true;
      if (conn->SignalsReady()) {
        // An empty query: its ReadyForQuery comes after the signals sent before it.
        const std::uint64_t sent = Stamp();
        ResultPtr r(PQexec(conn->Handle(), ""));
        if (PQresultStatus(r.get()) == PGRES_EMPTY_QUERY && PQtransactionStatus(conn->Handle()) == PQTRANS_IDLE) {
          Deliver(*conn, sent);
          if (SignalsDelivered(stamp)) return true;
        } else {
          conn->MarkBroken();
        }
      }
    }
    return WaitForSignals(RequestSignals(), timeout);
  }

  void OnListenState(std::function<void(bool listening)> callback) override {
    MutexLock lk(state_mu_);
    callback(listening_);
    state_callbacks_.push_back(std::move(callback));
  }

  void RunMigrationTransaction(const std::function<void(ScriptTx&)>& fn) override {
    RunTx("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE", true, [&](PgTx& tx) { fn(tx); });
  }

 protected:
  void RunTransaction(bool write, const std::function<void(Tx&)>& fn, CommitToken& /*token*/) override {
    RunTx(write ? "BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE" : kReadBegin, write, [&](PgTx& tx) { fn(tx); });
  }

  void RunSingleRead(const std::function<void(Tx&)>& fn) override {
    RunTx(
        kReadBegin, false, [&](PgTx& tx) { fn(tx); }, true);
  }

 private:
  static std::string WithConnectTimeout(const std::string& url) {
    if (url.find("connect_timeout=") != std::string::npos) return url;
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=3";
  }

  static constexpr const char* kReadBegin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

  // Runs fn in a transaction begun by `begin`, or, when single, fn's first statement on its
  // own (a single read); a single read whose fn needs a second statement is run again as a
  // read transaction.
  void RunTx(const char* begin, bool write, const std::function<void(PgTx&)>& fn, bool single = false) {
    thread_local std::mt19937 rng{std::random_device{}()};
    for (int attempt = 0;; ++attempt) {
      Pool::Lease conn = Acquire(std::chrono::seconds(30));
      // Taken before any statement is sent: a single read's answer brings every signal
      // committed before it (Deliver).
      const std::uint64_t sent = single ? Stamp() : 0;
      const bool presync = write && CommitCheck::ActiveFor(*this) != nullptr;
      PgTx tx(*conn, write, single ? nullptr : begin, single, presync ? this : nullptr);
      bool retry = false;
      std::string last_error;
      try {
        fn(tx);
        if (tx.NeedsTransaction()) throw NeedsTransactionError();  // fn swallowed the refusal
        if (single) {
          if (tx.Failed()) throw Error("statement failed and its error was swallowed");
          if (tx.SingleRan()) Deliver(*conn, sent);
          return;  // the statement was its own transaction: nothing to commit
        }
        if (tx.Failed()) {
          // fn swallowed a statement's error. A serialization failure is still retried.
          if (tx.SawSerializationFailure()) throw SerializationError("transaction failed a serialization check");
          throw Error("transaction rolled back after an earlier error");
        }
        if (!tx.Begun()) return;  // no statement ran: nothing was begun on the server
        if (!write) {
          // A read-only transaction's COMMIT cannot fail in a way that changes what it read.
          conn->SetCommitStamp(Stamp());
          conn->SendCommit();
          return;
        }
        const std::uint64_t commit_sent = Stamp();
        ResultPtr r = conn->Command("COMMIT", tx.SerializationFlag());
        Deliver(*conn, commit_sent);
        // COMMIT of a transaction that already failed (fn swallowed an error) answers
        // ROLLBACK instead of an error.
        if (std::strcmp(PQcmdStatus(r.get()), "ROLLBACK") == 0) {
          if (!tx.SawSerializationFailure()) throw Error("transaction rolled back after an earlier error");
          throw SerializationError("transaction rolled back after a serialization failure");
        }
        return;
      } catch (const std::exception& e) {
        conn->RollbackQuietly();
        conn.Return();
        if (tx.NeedsTransaction()) {
          // Not a failure: fn is run again, at once, in a read transaction.
          single = false;
          --attempt;
          continue;
        }
        // fn may have caught the SerializationError and thrown something else: the
        // transaction is still the loser of a conflict, so it is still retried.
        if (!tx.SawSerializationFailure() && dynamic_cast<const SerializationError*>(&e) == nullptr) throw;
        if (attempt >= write_retries_) {
          throw Error("gave up after " + std::to_string(attempt + 1) + " serialization failures: " + e.what());
        }
        retry = true;
        last_error = e.what();
      }
      if (retry) {
        // Randomized so two conflicting transactions do not collide again in lockstep.
        const int cap = std::min(50, 2 << std::min(attempt, 5));
        std::this_thread::sleep_for(
            std::chrono::microseconds(std::uniform_int_distribution<int>(200, cap * 1000)(rng)));
      }
    }
  }

  // A connection made on demand, waiting at most `wait` while all are lent: then the pool
  // is exhausted, and the request gets 503 rather than queueing without bound.
  Pool::Lease Acquire(Clock::duration wait) {
    const auto deadline = Clock::now() + wait;
    for (;;) {
      Pool::Lease conn = pool_.Acquire(deadline);
      if (!conn) {
        throw Unavailable("PostgreSQL pool exhausted: all " + std::to_string(pool_.Capacity()) + " connections busy");
      }
      const std::uint64_t commit_sent = conn->CommitStamp();
      if (conn->Settle()) Deliver(*conn, commit_sent);
      if (!conn->Broken()) ListenEverywhere(*conn);
      if (!conn->Broken()) return conn;
      // Its last COMMIT (or a LISTEN) failed: the pool drops it and the next turn opens a
      // fresh one.
    }
  }

  std::uint64_t Stamp() override { return stamps_.fetch_add(1) + 1; }

  // Delivers the signals `conn` has brought. Called once it has answered, outside a
  // transaction, a statement sent after `sent` was stamped: then, if it LISTENs every
  // channel listened to on every connection and the signals from before its LISTEN were
  // awaited, every signal committed before `sent` is in.
  void Deliver(PgConn& conn, std::uint64_t sent) override {
    Dispatch(conn.Handle());
    if (sent == 0 || !conn.SignalsReady() || conn.Listened() != everywhere_count_.load()) return;
    std::uint64_t cur = delivered_.load();
    while (cur < sent && !delivered_.compare_exchange_weak(cur, sent)) {
    }
  }

  // LISTENs on `conn` what it does not yet (ListenOnEveryConnection), then awaits, through
  // the listener connection, the signals committed before that LISTEN: from then on the
  // connection's own answers bring the rest. While the listener is not listening the
  // connection stays not ready (its answers bring signals, but SignalsDelivered does not
  // count on them) and is tried again on an Acquire a second later: a listener that does
  // not answer costs a request half a second at most once a second per connection.
  void ListenEverywhere(PgConn& conn) {
    const std::size_t want = everywhere_count_.load();
    if (want == 0 || (conn.Listened() == want && conn.SignalsReady())) return;
    if (conn.Listened() < want) {
      std::vector<std::string> channels;
      {
        MutexLock lk(everywhere_mu_);
        channels.assign(everywhere_.begin() + static_cast<std::ptrdiff_t>(conn.Listened()),
                        everywhere_.begin() + static_cast<std::ptrdiff_t>(want));
      }
      conn.SetSignalsReady(false);
      for (const auto& ch : channels) {
        char* quoted = PQescapeIdentifier(conn.Handle(), ch.c_str(), ch.size());
        if (quoted == nullptr) {
          conn.MarkBroken();
          return;
        }
        const std::string sql = std::string("LISTEN ") + quoted;
        PQfreemem(quoted);
        ResultPtr r(PQexec(conn.Handle(), sql.c_str()));
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
          conn.MarkBroken();
          return;
        }
      }
      conn.SetListened(want);
    }
    const auto now = Clock::now();
    if (now < conn.ReadyRetryAt()) return;
    bool up = false;
    {
      MutexLock lk(state_mu_);
      up = listening_;
    }
    if (up && WaitForSignals(RequestSignals(), std::chrono::milliseconds(500))) {
      conn.SetSignalsReady(true);
    } else {
      conn.SetReadyRetryAt(now + std::chrono::seconds(1));
    }
  }

  // SELECT 1 with a deadline, so a hung server makes Ping() false instead of blocking.
  static bool PingOn(PgConn& conn) {
    PGconn* c = conn.Handle();
    if (PQsendQuery(c, "SELECT 1") == 0) return false;
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    while (PQisBusy(c)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd pfd{PQsocket(c), POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left)) < 0 && errno != EINTR) return false;
      if (PQconsumeInput(c) == 0) return false;
    }
    bool ok = true;
    while (PGresult* r = PQgetResult(c)) {
      if (PQresultStatus(r) != PGRES_TUPLES_OK) ok = false;
      PQclear(r);
    }
    return ok && PQstatus(c) == CONNECTION_OK;
  }

  void Wake() {
    if (wake_fd_ < 0) return;
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  }

  // The LISTEN thread's only: tells the OnListenState callbacks of a change.
  void SetListening(bool on) {
    MutexLock lk(state_mu_);
    if (listening_ == on) return;
    listening_ = on;
    for (const auto& cb : state_callbacks_) {
      try {
        cb(on);
      } catch (...) {
        log::Error("listen state callback failed", {{"component", "pg_listen"}, {"error", log::CurrentError()}});
      }
    }
  }

  void Dispatch(PGconn* c) {
    while (PGnotify* n = PQnotifies(c)) {
      std::string channel = n->relname;
      std::string payload = n->extra != nullptr ? n->extra : "";
      PQfreemem(n);
      listeners_.Deliver(channel, payload);
    }
  }

  void ListenLoop() {
    PGconn* c = nullptr;
    std::set<std::string> listening;
    bool syncing = false;        // a SELECT 1 of AwaitSignals is in flight on c
    std::uint64_t sync_for = 0;  // the sync_wanted_ it answers
    auto drop = [&] {
      // From here until every channel is LISTENed again, notifications may be missed.
      SetListening(false);
      if (c != nullptr) PQfinish(c);
      c = nullptr;
      listening.clear();
      syncing = false;  // its waiters wait for one on the next connection (or time out)
    };
    int backoff_ms = 100;
    for (;;) {
      {
        MutexLock lk(listen_mu_);
        if (stop_) break;
      }
      if (c == nullptr) {
        c = PQconnectdb(conninfo_.c_str());
        if (c == nullptr || PQstatus(c) != CONNECTION_OK) {
          log::WriteLimited("pg_listen", log::kRepeatEvery, log::Level::kWarn, "LISTEN connection failed; retrying",
                            {{"component", "pg_listen"},
                             {"retry_in_ms", backoff_ms},
                             {"error", c != nullptr ? FirstLine(PQerrorMessage(c)) : "out of memory"}});
          drop();
          MutexLock lk(listen_mu_);
          const auto until = Clock::now() + std::chrono::milliseconds(backoff_ms);
          while (!stop_ && listen_cv_.wait_until(lk.Native(), until) != std::cv_status::timeout) {
          }
          backoff_ms = std::min(backoff_ms * 2, 5000);
          continue;
        }
        backoff_ms = 100;
        SilenceNotices(c);
      }
      if (!syncing) {
        // LISTEN (PQexec) only between syncs: the connection runs one query at a time.
        std::uint64_t gen = 0;
        {
          MutexLock lk(listen_mu_);
          gen = listen_gen_;
        }
        const std::vector<std::string> channels = listeners_.Channels();
        bool ok = true;
        for (const auto& ch : channels) {
          if (listening.contains(ch)) continue;
          char* quoted = PQescapeIdentifier(c, ch.c_str(), ch.size());
          if (quoted == nullptr) {
            ok = false;
            break;
          }
          std::string sql = std::string("LISTEN ") + quoted;
          PQfreemem(quoted);
          ResultPtr r(PQexec(c, sql.c_str()));
          if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
            ok = false;
            break;
          }
          listening.insert(ch);
        }
        if (!ok) {
          log::WriteLimited("pg_listen", log::kRepeatEvery, log::Level::kWarn, "LISTEN failed; reconnecting",
                            {{"component", "pg_listen"}, {"error", FirstLine(PQerrorMessage(c))}});
          drop();
          continue;
        }
        {
          MutexLock lk(listen_mu_);
          acked_gen_ = std::max(acked_gen_, gen);
        }
        listen_cv_.notify_all();
        SetListening(true);
        Dispatch(c);  // PQexec may have read notifications already
        // A sync asked for since the last one started: one query answers every waiter so far.
        {
          MutexLock lk(listen_mu_);
          if (sync_wanted_ > sync_done_) {
            sync_for = sync_wanted_;
            syncing = true;
          }
        }
        if (syncing && PQsendQuery(c, "SELECT 1") == 0) {
          drop();
          continue;
        }
      }

      pollfd fds[2] = {{PQsocket(c), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      int n = ::poll(fds, 2, 5000);
      if (n < 0 && errno != EINTR) {
        drop();
        continue;
      }
      if ((fds[1].revents & POLLIN) != 0) {
        std::uint64_t v = 0;
        [[maybe_unused]] auto rd = ::read(wake_fd_, &v, sizeof v);
      }
      if (fds[0].revents != 0) {
        if (PQconsumeInput(c) == 0) {
          log::WriteLimited("pg_listen", log::kRepeatEvery, log::Level::kWarn, "LISTEN connection lost; reconnecting",
                            {{"component", "pg_listen"}, {"error", FirstLine(PQerrorMessage(c))}});
          drop();
          continue;
        }
        if (syncing && PQisBusy(c) == 0) {
          bool ok = true;
          while (PGresult* r = PQgetResult(c)) {
            if (PQresultStatus(r) != PGRES_TUPLES_OK) ok = false;
            PQclear(r);
          }
          if (!ok) {
            drop();
            continue;
          }
          syncing = false;
          // The server sends the notifications committed before the query ahead of its
          // answer: delivered now, before the waiters go on.
          Dispatch(c);
          {
            MutexLock lk(listen_mu_);
            sync_done_ = std::max(sync_done_, sync_for);
          }
          listen_cv_.notify_all();
        }
        Dispatch(c);
      }
      if (PQstatus(c) != CONNECTION_OK) drop();
    }
    drop();
  }

  const std::string conninfo_;
  const int write_retries_;
  Pool pool_;  // connections made on demand, up to Options::pool_size

  Listeners listeners_{"pg_listen"};
  // Signals on every connection (the top of this file).
  Mutex everywhere_mu_;
  std::vector<std::string> everywhere_ GUARDED_BY(everywhere_mu_);  // only ever appended to
  std::atomic<std::size_t> everywhere_count_{0};                    // everywhere_.size()
  std::atomic<std::uint64_t> stamps_{0};                            // the last stamp taken
  std::atomic<std::uint64_t> delivered_{0};                         // every signal committed before this stamp is in
  Mutex listen_mu_;                                                 // the LISTEN thread's state below
  std::condition_variable listen_cv_;
  std::uint64_t listen_gen_ GUARDED_BY(listen_mu_) = 0;
  std::uint64_t acked_gen_ GUARDED_BY(listen_mu_) = 0;
  std::uint64_t sync_wanted_ GUARDED_BY(listen_mu_) = 0;  // AwaitSignals calls so far
  std::uint64_t sync_done_ GUARDED_BY(listen_mu_) = 0;    // the newest of them answered
  bool stop_ GUARDED_BY(listen_mu_) = false;
  int wake_fd_ = -1;
  std::thread listener_;                          // started by the first Listen()
  Mutex state_mu_;                                // serializes the OnListenState calls
  bool listening_ GUARDED_BY(state_mu_) = false;  // connected, and every channel LISTENed
  std::vector<std::function<void(bool)>> state_callbacks_ GUARDED_BY(state_mu_);
};

}  // namespace

std::unique_ptr<DatabaseImpl> OpenPostgres(const std::string& url, const Options& options) {
  return std::make_unique<PgDatabase>(url, options);
}

}  // namespace atelier::db::internal
