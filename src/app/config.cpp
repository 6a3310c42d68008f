#include "app/config.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/text.h"

#ifndef ATELIER_VERSION
#define ATELIER_VERSION "0.0.0"
#endif

namespace atelier::app {

namespace {
[[noreturn]] void Fail(const std::string& msg) {
  std::fprintf(stderr, "atelier: %s\n", msg.c_str());
  std::exit(2);
}

bool SplitListen(const std::string& listen, std::string& host, std::uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto p = ParseInt(listen.substr(colon + 1));
  if (!p || *p < 0 || *p > 65535) return false;
  port = static_cast<std::uint16_t>(*p);
  return true;
}

std::string FindWebDir(const char* argv0) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec) exe = fs::absolute(argv0, ec);
  // Installed (the Debian package): <prefix>/bin/atelier and <prefix>/share/atelier/web.
  const fs::path installed = exe.parent_path().parent_path() / "share/atelier/web";
  if (fs::is_regular_file(installed / "index.html", ec)) return installed.string();
  // A build in the source tree: web/dist of the first parent that has it.
  for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / "web/dist/index.html", ec)) return (dir / "web/dist").string();
    if (dir == dir.root_path()) break;
  }
  return "";
}
}  // namespace

Config ParseConfig(int argc, char** argv) {
  Config c;
  CLI::App app{"Atelier: art events for communities of artists", "atelier"};
  app.set_version_flag("--version", std::string("atelier ") + ATELIER_VERSION);
  app.require_subcommand(1);
  std::string rate_limits = "on", access_log = "on";
  auto add_storage = [&](CLI::App* sub) {
    sub->add_option("--db", c.db, "sqlite:PATH, sqlite::memory: or postgresql://…")->envname("ATELIER_DB");
    sub->add_option("--data-dir", c.data_dir, "where images (and by default mail) are kept")
        ->envname("ATELIER_DATA_DIR");
  };
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--listen", c.listen, "host:port to listen on")->envname("ATELIER_LISTEN");
    add_storage(sub);
    sub->add_option("--public-url", c.public_url, "base URL used in links in emails")->envname("ATELIER_PUBLIC_URL");
    sub->add_option("--smtp-url", c.smtp_url, "smtp://host:port; unset: mail goes to the mail dir")
        ->envname("ATELIER_SMTP_URL");
    sub->add_option("--smtp-from", c.smtp_from, "From header of outgoing mail")->envname("ATELIER_SMTP_FROM");
    sub->add_option("--mail-dir", c.mail_dir, "where mail goes when no SMTP URL is set")->envname("ATELIER_MAIL_DIR");
    sub->add_option("--lockout-attempts", c.lockout_attempts, "failed logins before an account locks")
        ->envname("ATELIER_LOCKOUT_ATTEMPTS")
        ->check(CLI::Range(1, 1000));
    sub->add_option("--lockout-seconds", c.lockout_seconds, "how long a locked account stays locked")
        ->envname("ATELIER_LOCKOUT_SECONDS")
        ->check(CLI::Range(1, 86400 * 30));
    sub->add_option("--rate-limits", rate_limits, "on|off")
        ->envname("ATELIER_RATE_LIMITS")
        ->check(CLI::IsMember({"on", "off"}));
    sub->add_option("--web-dir", c.web_dir,
                    "the built web UI (default: ../share/atelier/web beside the binary's directory when there, "
                    "else web/dist of the source tree)")
        ->envname("ATELIER_WEB_DIR");
    sub->add_option("--access-log", access_log, "on|off: one JSON line per request on stdout")
        ->envname("ATELIER_ACCESS_LOG")
        ->check(CLI::IsMember({"on", "off"}));
    sub->add_option("--trusted-proxies", c.trusted_proxies,
                    "addresses of load balancers whose X-Forwarded-For names the client (comma-separated)")
        ->envname("ATELIER_TRUSTED_PROXIES")
        ->delimiter(',');
    sub->add_option("--workers", c.workers,
                    "worker threads for database work (default: the number of cores on SQLite, four per core on "
                    "PostgreSQL)")
        ->envname("ATELIER_WORKERS")
        ->check(CLI::Range(1, 256));
    sub->add_option("--scheduler-interval-ms", c.scheduler_interval_ms, "how often due phase changes are looked for")
        ->envname("ATELIER_SCHEDULER_INTERVAL_MS")
        ->check(CLI::Range(10, 5000));
    sub->add_option("--max-streams", c.max_streams,
                    "open notification streams per process; beyond, new ones get 503 busy")
        ->envname("ATELIER_MAX_STREAMS")
        ->check(CLI::Range(1, 1000000));
    sub->add_option("--max-body-memory-mb", c.max_body_memory_mb,
                    "MiB of request bodies held in memory at once; more gets 503 busy")
        ->envname("ATELIER_MAX_BODY_MEMORY_MB")
        ->check(CLI::Range(1, 1 << 20));
    sub->add_option("--max-connections-per-ip", c.max_connections_per_ip,
                    "open connections per client address (socket peer; trusted proxies are exempt); 0: no cap")
        ->envname("ATELIER_MAX_CONNECTIONS_PER_IP")
        ->check(CLI::Range(0, 1 << 24));
    sub->add_option("--image-threads", c.image_threads,
                    "threads that decode uploaded images; one is kept for small images")
        ->envname("ATELIER_IMAGE_THREADS")
        ->check(CLI::Range(2, 64));
    sub->add_option("--image-memory-mb", c.image_memory_mb, "memory all image decodes may hold at once (MiB)")
        ->envname("ATELIER_IMAGE_MEMORY_MB")
        ->check(CLI::Range(64, 1 << 20));
    sub->add_option("--image-decode-mb", c.image_decode_mb,
                    "memory one image decode may need, else 413 (MiB; default: --image-memory-mb)")
        ->envname("ATELIER_IMAGE_DECODE_MB")
        ->check(CLI::Range(0, 1 << 20));
    sub->add_option("--image-decodes-per-user", c.image_decodes_per_user,
                    "image decodes one user may run at once; one more is answered 429")
        ->envname("ATELIER_IMAGE_DECODES_PER_USER")
        ->check(CLI::Range(1, 64));
    sub->add_option("--image-collect-interval-s", c.image_collect_interval_s,
                    "seconds between passes that remove image files no artwork uses any more; 0: never")
        ->envname("ATELIER_IMAGE_COLLECT_INTERVAL_S")
        ->check(CLI::Range(0, 86400 * 30));
    sub->add_option("--image-collect-grace-s", c.image_collect_grace_s,
                    "image files younger than this (seconds) are never removed")
        ->envname("ATELIER_IMAGE_COLLECT_GRACE_S")
        ->check(CLI::Range(0, 86400 * 30));
    sub->add_option(
           "--images", c.images,
           "dir|db: where image files are kept: in <data-dir>/images (every process must share it) or in "
           "the PostgreSQL database, with a local cache in <data-dir>/image-cache (default: dir on SQLite, db on "
           "PostgreSQL)")
        ->envname("ATELIER_IMAGES")
        ->check(CLI::IsMember({"dir", "db"}));
    sub->add_option("--image-cache-mb", c.image_cache_mb,
                    "with --images db: MiB of images each process keeps in <data-dir>/image-cache (least recently used "
                    "go first)")
        ->envname("ATELIER_IMAGE_CACHE_MB")
        ->check(CLI::Range(1, 1 << 24));
  };
  add_common(app.add_subcommand("serve", "run the HTTP server, background jobs and the web UI"));
  add_common(app.add_subcommand("migrate", "apply database migrations and exit"));
  add_common(app.add_subcommand("demo", "fill an empty database with a demo community"));
  add_common(app.add_subcommand("collect-images",
                                "remove the image files that no artwork uses any more (one pass, as serve "
                                "does every --image-collect-interval-s), print what was done and exit"));
  auto* images = app.add_subcommand("images", "manage where image files are kept");
  images->require_subcommand(1);
  add_common(images->add_subcommand(
      "import",
      "copy the image files of --data-dir into the PostgreSQL database (for --images db), checking each "
      "against its SHA-256 name; files already there are skipped, so it may be run again"));
  auto* backup = app.add_subcommand(
      "backup",
      "copy a SQLite deployment, running or not, into the new or empty directory PATH: the database by "
      "SQLite's online backup (one consistent snapshot) and every image file it references. For PostgreSQL "
      "see docs/operations.md");
  add_storage(backup);
  backup->add_option("PATH", c.backup_path, "directory to create (or an empty one)")->required();
  auto* restore = app.add_subcommand(
      "restore",
      "put a copy made by `atelier backup` into --db (SQLite) and --data-dir: its image files are added to "
      "<data-dir>/images, then its database replaces the --db file. The server must be stopped. Refuses when "
      "--db already holds a database or <data-dir>/images holds files, unless --force (which replaces the "
      "database and its -wal/-shm files and keeps the images already there)");
  add_storage(restore);
  restore->add_option("PATH", c.backup_path, "a directory written by `atelier backup`")->required();
  restore->add_flag("--force", c.force, "replace the database and add to the images of a deployment that has them");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    std::exit(app.exit(e));
  } catch (const CLI::ParseError& e) {
    Fail(e.what());
  }
  for (auto* sub : app.get_subcommands()) c.command = sub->get_name();
  if (c.command == "images") c.command = "images-import";
  c.rate_limits = rate_limits == "on";
  c.access_log = access_log == "on";
  if (!SplitListen(c.listen, c.host, c.port)) Fail("--listen must be host:port, got '" + c.listen + "'");
  if (c.public_url.empty()) c.public_url = "http://" + c.listen;
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  if (!c.public_url.starts_with("http://") && !c.public_url.starts_with("https://"))
    Fail("--public-url must start with http:// or https://");
  if (c.mail_dir.empty()) c.mail_dir = (std::filesystem::path(c.data_dir) / "mail").string();
  if (!c.smtp_url.empty() && !c.smtp_url.starts_with("smtp://") && !c.smtp_url.starts_with("smtps://"))
    Fail("--smtp-url must start with smtp:// or smtps://");
  if (c.web_dir.empty()) c.web_dir = FindWebDir(argv[0]);
  if (c.image_decode_mb == 0) c.image_decode_mb = c.image_memory_mb;
  if (c.image_decode_mb > c.image_memory_mb) Fail("--image-decode-mb must not exceed --image-memory-mb");
  const bool postgres = c.db.starts_with("postgresql:") || c.db.starts_with("postgres:");
  if (c.images.empty()) c.images = postgres ? "db" : "dir";
  if (c.images == "db" && !postgres) Fail("--images db needs a PostgreSQL database (--db postgresql://…)");
  if (c.command == "images-import" && !postgres)
    Fail("images import needs a PostgreSQL database (--db postgresql://…)");
  return c;
}

}  // namespace atelier::app
