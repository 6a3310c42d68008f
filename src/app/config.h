#pragma once
// Configuration (docs/product.md §1): flags, then ATELIER_* variables, then defaults.
#include <cstdint>
#include <string>
#include <vector>

namespace atelier::app {

struct Config {
  std::string command;  // serve | migrate | demo | collect-images | images-import | backup | restore
  std::string listen = "127.0.0.1:8080";
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string db = "sqlite:data/atelier.db";
  std::string data_dir = "data";
  std::string public_url;  // default http://<listen>
  std::string smtp_url;
  std::string smtp_from = "Atelier <no-reply@localhost>";
  std::string mail_dir;  // default <data-dir>/mail
  int lockout_attempts = 5;
  int lockout_seconds = 900;
  bool rate_limits = true;
  // Beyond the original brief (docs/product.md §1); for operators and tests.
  std::string web_dir;  // default: web/dist next to the binary's source tree, if found
  bool access_log = true;
  std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For is believed
  int workers = 0;                           // 0: chosen for the database (see WorkerThreads in main.cpp)
  int scheduler_interval_ms = 1000;
  int max_streams = 10000;           // open notification streams per process; beyond, 503 busy
  int max_body_memory_mb = 256;      // request bodies held at once, all connections together
  int max_connections_per_ip = 256;  // open connections per socket peer; 0: no cap
  // Image decoding (see artworks::ImageGate): the image pool's threads (one of them is
  // kept for small images), the memory all decodes may hold at once and one decode may
  // need (MiB; 0: the same as image_memory_mb), and decodes at once per user.
  int image_threads = 4;
  int image_memory_mb = 1024;
  int image_decode_mb = 0;
  int image_decodes_per_user = 2;
  // Collection of unreferenced image files (artworks::ImageCollector): seconds between
  // passes in serve (0: none), and the age below which a file is never removed.
  int image_collect_interval_s = 3600;
  int image_collect_grace_s = 600;
  // Where image bytes live: "dir" (<data_dir>/images, shared by every process) or "db"
  // (PostgreSQL, with a cache of image_cache_mb MiB in <data_dir>/image-cache per process).
  // Default: dir on SQLite, db on PostgreSQL.
  std::string images;
  int image_cache_mb = 512;
  // backup / restore: the backup's directory; restore --force.
  std::string backup_path;
  bool force = false;
};

// Parses argv. On --help/--version prints and exits 0; on a bad flag or value prints one
// line "atelier: …" to stderr and exits 2.
Config ParseConfig(int argc, char** argv);

}  // namespace atelier::app
