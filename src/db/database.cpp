// db::Open (URL dispatch) and db::Migrate (dialect-independent migration runner).
#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "db/database.h"
#include "db/internal.h"
#include "db/listen_state.h"

namespace atelier::db {

namespace internal {
std::string FirstLine(std::string_view message) {
  auto nl = message.find('\n');
  if (nl != std::string_view::npos) message = message.substr(0, nl);
  while (!message.empty() && (message.back() == ' ' || message.back() == '\r' || message.back() == '\t')) {
    message.remove_suffix(1);
  }
  return std::string(message);
}
}  // namespace internal

std::unique_ptr<Database> Open(const std::string& url, const Options& options) {
  if (url == "sqlite::memory:") return internal::OpenSqlite(":memory:", true, options);
  if (url.starts_with("sqlite:")) {
    std::string path = url.substr(7);
    if (path.empty()) throw Error("unsupported database URL 'sqlite:' (no path)");
    return internal::OpenSqlite(path, false, options);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return internal::OpenPostgres(url, options);
  }
  // Never echo the whole URL: it may carry a password.
  auto scheme = url.substr(0, url.find(':'));
  throw Error("unsupported database URL scheme '" + internal::FirstLine(scheme.substr(0, 40)) +
              "' (expected sqlite:PATH, sqlite::memory: or postgresql://…)");
}

namespace {
std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// A migration whose first line is "-- only on sqlite" or "-- only on postgresql" runs on
// that dialect alone; the other records its version without running it, so versions stay
// one sequence on both — unless it has a twin of the same version for its own dialect
// (the same step in each dialect's syntax), which it runs and records instead.
bool RunsOn(std::string_view sql, Dialect dialect) {
  constexpr std::string_view kOnly = "-- only on ";
  if (!sql.starts_with(kOnly)) return true;
  sql.remove_prefix(kOnly.size());
  const std::string_view name = sql.substr(0, sql.find('\n'));
  if (name == "sqlite") return dialect == Dialect::kSqlite;
  if (name == "postgresql") return dialect == Dialect::kPostgres;
  throw Error("a migration names an unknown dialect: " + internal::FirstLine(name));
}

// Any fixed number shared by every Atelier process migrating the same database.
constexpr std::int64_t kMigrationLockKey = 0x61746C72;  // "atlr"
}  // namespace

void OnListenState(Database& db, std::function<void(bool listening)> callback) {
  auto* impl = dynamic_cast<internal::DatabaseImpl*>(&db);
  // A Database not opened by db::Open cannot tell: never trust its signals.
  if (impl == nullptr) {
    callback(false);
    return;
  }
  impl->OnListenState(std::move(callback));
}

std::uint64_t RequestSignals(Database& db) {
  auto* impl = dynamic_cast<internal::DatabaseImpl*>(&db);
  return impl != nullptr ? impl->RequestSignals() : 0;
}

bool WaitForSignals(Database& db, std::uint64_t ticket, std::chrono::milliseconds timeout) {
  auto* impl = dynamic_cast<internal::DatabaseImpl*>(&db);
  return impl != nullptr && impl->WaitForSignals(ticket, timeout);
}

bool AwaitSignals(Database& db, std::chrono::milliseconds timeout) {
  return WaitForSignals(db, RequestSignals(db), timeout);
}

namespace {
thread_local CommitCheck* tl_commit_check = nullptr;
}  // namespace

CommitCheck::CommitCheck(Database& db, std::function<void(Tx&)> fn)
    : db_(db), fn_(std::move(fn)), outer_(tl_commit_check) {
  tl_commit_check = this;
}

CommitCheck::~CommitCheck() { tl_commit_check = outer_; }

CommitCheck* CommitCheck::ActiveFor(const Database& db) {
  for (CommitCheck* c = tl_commit_check; c != nullptr; c = c->outer_) {
    if (&c->db_ == &db) return c;
  }
  return nullptr;
}

void CommitCheck::Run(Tx& tx) {
  ran_ = true;
  fn_(tx);
}

void ListenOnEveryConnection(Database& db, std::string channel) {
  if (auto* impl = dynamic_cast<internal::DatabaseImpl*>(&db)) impl->ListenOnEveryConnection(std::move(channel));
}

std::uint64_t SignalStamp(Database& db) {
  auto* impl = dynamic_cast<internal::DatabaseImpl*>(&db);
  return impl != nullptr ? impl->SignalStamp() : 0;
}

bool SignalsDelivered(Database& db, std::uint64_t stamp) {
  auto* impl = dynamic_cast<internal::DatabaseImpl*>(&db);
  return impl != nullptr && impl->SignalsDelivered(stamp);
}

bool SyncSignals(Database& db, std::uint64_t stamp, std::chrono::milliseconds timeout) {
  auto* impl = dynamic_cast<internal::DatabaseImpl*>(&db);
  return impl != nullptr && impl->SyncSignals(stamp, timeout);
}

void Migrate(Database& db) {
  auto* impl = dynamic_cast<internal::DatabaseImpl*>(&db);
  if (impl == nullptr) throw Error("Migrate: the database was not opened by db::Open");
  const bool pg = db.GetDialect() == Dialect::kPostgres;
  const char* pk = pg ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY";
  // On PostgreSQL two processes may migrate at once; the transaction-scoped advisory lock
  // makes the second wait and then see the first one's rows. SQLite's write lock suffices.
  auto lock = [&](Tx& tx) {
    if (pg) tx.Query("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
  };
  impl->RunMigrationTransaction([&](internal::ScriptTx& tx) {
    lock(tx);
    tx.ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at BIGINT NOT NULL)");
  });
  const auto all = internal::EmbeddedMigrations();
  for (const auto& m : all) {
    if (!RunsOn(m.sql, db.GetDialect()) && std::any_of(all.begin(), all.end(), [&](const internal::Migration& twin) {
          return twin.version == m.version && RunsOn(twin.sql, db.GetDialect());
        })) {
      continue;
    }
    impl->RunMigrationTransaction([&](internal::ScriptTx& tx) {
      lock(tx);
      if (tx.QueryOne("SELECT 1 FROM schema_migrations WHERE version = $1", m.version)) return;
      try {
        if (RunsOn(m.sql, db.GetDialect())) tx.ExecScript(ReplaceAll(m.sql, "{{pk}}", pk));
      } catch (const Unavailable&) {
        throw;
      } catch (const Error& e) {
        throw Error("migration " + std::string(m.name) + " failed: " + e.what());
      }
      const auto now =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", m.version, m.name,
              static_cast<std::int64_t>(now));
    });
  }
}

}  // namespace atelier::db
