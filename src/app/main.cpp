// atelier: serve | migrate | demo (docs/product.md §1) | collect-images | images import | backup | restore
// (docs/operations.md).
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <thread>

#include "accounts/service.h"
#include "app/config.h"
#include "app/context.h"
#include "app/ops.h"
#include "common/crypto.h"
#include "common/log.h"
#include "events/service.h"
#include "groups/service.h"
#include "http/client_ip.h"
#include "http/problem.h"
#include "http/server.h"

using namespace atelier;

namespace {

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : fallback;
}

// SQLite work is CPU-bound (the database sits in the page cache; commits do not wait for
// the disk, see db/group_commit.h): one worker per core, since every extra thread only adds
// context switches (bench/README.md, "Figures behind design choices"). A PostgreSQL worker
// mostly waits on the network: four per core.
int WorkerThreads(const app::Config& cfg) {
  if (cfg.workers > 0) return cfg.workers;
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return cfg.db.starts_with("sqlite:") ? std::max(2, cores) : std::max(8, 4 * cores);
}

std::optional<http::Response> MapError(std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const db::Unavailable&) {
    auto r = http::Problem(503, "unavailable", "The database is unavailable; try again shortly");
    r.AddHeader("Retry-After", "2");
    return r;
  } catch (...) {
  }
  // Everything else is a 500, logged by the server with the exception's what(). That
  // includes db::ConstraintError: services turn the violations they expect (a lost race
  // for a username, a group name, an invitation) into their SPEC codes where they detect
  // them, so one that gets here is a bug.
  return std::nullopt;
}

// Every connection is a descriptor: serve as many as the hard limit allows (the soft
// limit is often 1024, far below what idle keep-alive clients can hold open).
void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// glibc gives the free top of a thread's heap back to the kernel (madvise) as soon as it
// exceeds 128 KiB, and the next request faults the same pages in again: with artwork
// pages built on worker threads, nearly every request paid page faults, which cost
// throughput. Keep up to 64 MiB of it instead; the peak stays the peak.
void KeepFreedHeap() { mallopt(M_TRIM_THRESHOLD, 64 << 20); }

}  // namespace

int main(int argc, char** argv) {
  app::AppContext ctx;
  ctx.config = app::ParseConfig(argc, argv);
  log::Init();
  const auto& cfg = ctx.config;
  InitCrypto();
  RaiseFileLimit();
  KeepFreedHeap();
  // These work on files, not through an opened (and migrated) database.
  if (cfg.command == "backup") return app::RunBackup(cfg);
  if (cfg.command == "restore") return app::RunRestore(cfg);
  // Tests move time forward across restarts (token expiry); never set in production.
  if (const char* offset = std::getenv("ATELIER_TEST_CLOCK_OFFSET_MS")) ctx.clock.Advance(std::atoll(offset));
  try {
    if (cfg.db.starts_with("sqlite:") && cfg.db != "sqlite::memory:") {
      auto parent = std::filesystem::path(cfg.db.substr(7)).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent);
    }
    std::filesystem::create_directories(cfg.data_dir);
    db::Options options;
    options.pool_size = WorkerThreads(cfg) + 2;
    ctx.db = db::Open(cfg.db, options);
    db::Migrate(*ctx.db);
    if (ctx.db->GetDialect() == db::Dialect::kPostgres && cfg.rate_limits) {
      db::Options small;
      small.pool_size = 2;
      ctx.limits_db = db::Open(cfg.db, small);
    }
  } catch (const std::exception& e) {
    log::Fatal("cannot open the database", {{"error", e.what()}});
    log::Flush();
    return 1;
  }
  if (cfg.command == "migrate") {
    log::Info("migrations applied");
    log::Flush();
    return 0;
  }
  if (cfg.command == "collect-images") return app::RunCollectImages(ctx);
  if (cfg.command == "images-import") return app::RunImagesImport(ctx);

  ctx.trusted_proxies = http::TrustedProxies(cfg.trusted_proxies);
  ctx.auth = std::make_unique<accounts::Authenticator>(*ctx.db, ctx.clock);
  ctx.notifier = std::make_unique<notify::Notifier>(*ctx.db, ctx.clock, cfg.public_url);
  app::WireHealth(ctx);
  auto& reminders = app::WireNotify(ctx);
  auto& accounts = app::WireAccounts(ctx);
  auto& groups = app::WireGroups(ctx, accounts);
  auto& events = app::WireEvents(ctx, reminders);
  auto artworks = app::WireArtworks(ctx, events.Hooks(), accounts.Hooks());
  app::WireMatching(ctx, events.Hooks(), artworks.hooks, accounts.Hooks(), groups.Hooks(), reminders);
  app::WireTrades(ctx, artworks, accounts.Hooks());
  app::GuardBodies(ctx);

  if (cfg.command == "demo") return app::RunDemo(ctx, events.Hooks());

  http::ServerOptions so;
  so.host = cfg.host;
  so.port = cfg.port;
  so.worker_threads = WorkerThreads(cfg);
  so.image_threads = cfg.image_threads;
  so.web_dir = cfg.web_dir;
  so.access_log = cfg.access_log;
  so.max_body_memory = static_cast<std::size_t>(cfg.max_body_memory_mb) << 20;
  so.max_connections_per_ip = cfg.max_connections_per_ip;
  so.trusted_proxies = ctx.trusted_proxies;
  so.header_timeout = std::chrono::seconds(EnvInt("ATELIER_HEADER_TIMEOUT_S", 15));
  so.body_timeout = std::chrono::seconds(EnvInt("ATELIER_BODY_TIMEOUT_S", 60));
  // For tests that need a client which stops reading to be found quickly.
  so.sse_write_timeout = std::chrono::seconds(std::max(1, EnvInt("ATELIER_STREAM_WRITE_TIMEOUT_S", 30)));
  so.error_mapper = MapError;
  // A write is acknowledged only once it is on disk: a handler puts its write's commit
  // token on the response (Response::durable_after), and the response waits for it.
  so.when_durable = [&db = *ctx.db](std::uint64_t durable_after, std::function<void()> release) {
    db.WhenDurable(db::CommitToken{durable_after}, std::move(release));
  };
  http::Server server(ctx.router, ctx.metrics, so);
  try {
    server.Listen();
  } catch (const std::exception& e) {
    log::Fatal("cannot listen", {{"error", e.what()}});
    log::Flush();
    return 1;
  }
  for (auto& start : ctx.starters) start();
  // Scripts and tests wait for "listening on http://…" in this line.
  const std::string url = "http://" + cfg.host + ":" + std::to_string(server.Port());
  log::Info("atelier " ATELIER_VERSION " listening on " + url, {{"version", ATELIER_VERSION}, {"url", url}});
  log::Flush();
  server.Run();
  for (auto it = ctx.stoppers.rbegin(); it != ctx.stoppers.rend(); ++it) (*it)();
  log::Info("atelier stopped");
  log::Flush();
  return 0;
}
