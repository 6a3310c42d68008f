#include "app/ops.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "artworks/image_blobs.h"
#include "artworks/image_store.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/json_describe.h"
#include "db/sqlite_backup.h"

namespace atelier::app {

namespace api {
// PATH/atelier-backup.json, written last: a backup without it is incomplete.
struct BackupManifest {
  int format = 1;
  std::string atelier;   // the version that wrote it
  Time createdAt;        // when the database snapshot was taken
  std::string database;  // the file name of the database in the backup
  std::int64_t databasePages = 0;
  std::int64_t images = 0;  // image files copied
  std::int64_t imageBytes = 0;
  std::vector<std::string> missingImages;  // referenced, but not in the data dir
};
BOOST_DESCRIBE_STRUCT(BackupManifest, (),
                      (format, atelier, createdAt, database, databasePages, images, imageBytes, missingImages))
}  // namespace api

namespace {
namespace fs = std::filesystem;

constexpr const char* kManifestName = "atelier-backup.json";
constexpr const char* kDatabaseName = "atelier.db";

// A refusal or failure the operator can act on: printed as "atelier: <command>: <what>".
struct Refusal : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int Fail(const char* command, const std::string& what) {
  std::fprintf(stderr, "atelier: %s: %s\n", command, what.c_str());
  return 1;
}

// The file of a sqlite:PATH database; refuses the others.
std::string SqlitePath(const Config& cfg, const char* command) {
  if (cfg.db.starts_with("postgresql:") || cfg.db.starts_with("postgres:"))
    throw Refusal(std::string(command) +
                  " works on a SQLite deployment only; for PostgreSQL use pg_dump/pg_restore (the images are in the "
                  "dump with --images db; with --images dir copy the data dir too), as docs/operations.md "
                  "(\"Backups\") describes");
  if (!cfg.db.starts_with("sqlite:") || cfg.db == "sqlite::memory:")
    throw Refusal("--db must be sqlite:PATH, got '" + cfg.db + "'");
  return cfg.db.substr(7);
}

std::optional<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("cannot read " + path.string());
  return bytes;
}

void SyncPath(const fs::path& path, bool directory) {
  const int fd = open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("open " + path.string() + ": " + std::strerror(errno));
  const int rc = fsync(fd);
  const int saved = errno;
  close(fd);
  if (rc != 0) throw std::runtime_error("fsync " + path.string() + ": " + std::strerror(saved));
}

// Writes `text` to dir/name through a temp file, fsync and rename.
void WriteFileDurably(const fs::path& dir, const std::string& name, const std::string& text) {
  const fs::path temp = dir / ("." + name + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temp.string());
  }
  SyncPath(temp, false);
  fs::rename(temp, dir / name);
  SyncPath(dir, true);
}

// Creates `dir` (and its parents), or accepts an empty directory; refuses anything else.
void PrepareBackupDir(const fs::path& dir) {
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) throw Refusal("'" + dir.string() + "' exists and is not a directory");
    if (!fs::is_empty(dir, ec) || ec)
      throw Refusal("'" + dir.string() + "' is not empty; back up into a new or empty directory");
    return;
  }
  fs::create_directories(dir, ec);
  if (ec) throw Refusal("cannot create '" + dir.string() + "': " + ec.message());
}

std::string MiB(std::uintmax_t bytes) {
  char out[32];
  std::snprintf(out, sizeof out, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return out;
}

int Backup(const Config& cfg) {
  const std::string db_path = SqlitePath(cfg, "backup");
  std::error_code ec;
  if (!fs::is_regular_file(db_path, ec)) throw Refusal("no SQLite database at '" + db_path + "'");
  const fs::path dir = cfg.backup_path;
  PrepareBackupDir(dir);

  artworks::ImageStore live(cfg.data_dir);
  // No file is collected until every file the snapshot references is copied.
  const auto hold = live.LockAgainstCollection();
  api::BackupManifest manifest;
  manifest.atelier = ATELIER_VERSION;
  manifest.database = kDatabaseName;
  manifest.createdAt = Time{SystemClock().Now()};
  std::vector<std::string> keys;
  const fs::path partial = dir / (std::string(kDatabaseName) + ".partial");
  const auto copied =
      db::BackupSqlite(db_path, partial.string(), artworks::ReferencedKeysQuery(), [&keys](std::string_view key) {
        if (artworks::ImageStore::ValidKey(key)) keys.emplace_back(key);
      });
  fs::rename(partial, dir / kDatabaseName);
  SyncPath(dir, true);
  manifest.databasePages = copied.pages;
  std::printf("backup: database %s copied (%lld pages, one snapshot)\n", db_path.c_str(),
              static_cast<long long>(copied.pages));

  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  artworks::ImageStore copy(dir);
  for (const auto& key : keys) {
    auto bytes = ReadWholeFile(live.PathOf(key));
    artworks::ImagePins pins;  // released at once: nothing collects in the backup
    if (!bytes || copy.Put(*bytes, pins) != key) {
      manifest.missingImages.push_back(key);
      continue;
    }
    ++manifest.images;
    manifest.imageBytes += static_cast<std::int64_t>(bytes->size());
  }
  WriteFileDurably(dir, kManifestName, ToJsonText(manifest) + "\n");
  std::printf("backup: %lld image files copied (%s) into %s\n", static_cast<long long>(manifest.images),
              MiB(static_cast<std::uintmax_t>(manifest.imageBytes)).c_str(), dir.c_str());
  if (!manifest.missingImages.empty()) {
    for (const auto& key : manifest.missingImages)
      std::fprintf(stderr, "atelier: backup: image %s is referenced but missing or damaged in %s\n", key.c_str(),
                   live.Root().c_str());
    return Fail("backup", std::to_string(manifest.missingImages.size()) +
                              " referenced image file(s) could not be copied; the backup has everything else");
  }
  return 0;
}

int Restore(const Config& cfg) {
  const std::string db_path = SqlitePath(cfg, "restore");
  const fs::path dir = cfg.backup_path;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Refusal("'" + dir.string() + "' is not a directory");
  const auto manifest_text = ReadWholeFile(dir / kManifestName);
  if (!manifest_text || !fs::is_regular_file(dir / kDatabaseName, ec))
    throw Refusal("'" + dir.string() + "' is not a complete backup made by `atelier backup` (no " + kManifestName +
                  " or " + kDatabaseName + ")");
  boost::system::error_code jec;
  const auto manifest = boost::json::parse(*manifest_text, jec);
  const auto* format = (!jec && manifest.is_object()) ? manifest.as_object().if_contains("format") : nullptr;
  if (format == nullptr || !format->is_int64() || format->as_int64() != 1)
    throw Refusal("'" + (dir / kManifestName).string() + "' is not a backup manifest this version reads");

  if (db::SqliteInUse(db_path))
    throw Refusal("a process (a running server?) has '" + db_path + "' open; stop it before restoring");
  const bool has_db = (fs::exists(db_path, ec) && fs::file_size(db_path, ec) > 0) || fs::exists(db_path + "-wal", ec);
  artworks::ImageStore target(cfg.data_dir);
  std::int64_t present = 0;
  target.ForEachFile([&present](const artworks::ImageStore::File& f) { present += f.key.empty() ? 0 : 1; });
  if ((has_db || present > 0) && !cfg.force) {
    std::string what = has_db ? "'" + db_path + "' holds a database" : "";
    if (present > 0)
      what += (what.empty() ? "" : " and ") +
              ("'" + target.Root().string() + "' holds " + std::to_string(present) + " image file(s)");
    throw Refusal(what + "; restore into an empty deployment, or pass --force to replace the database");
  }

  // Images first, so the database never names a file that is not there yet.
  artworks::ImageStore source(dir);
  std::int64_t images = 0;
  std::uintmax_t bytes_total = 0;
  source.ForEachFile([&](const artworks::ImageStore::File& f) {
    if (f.key.empty()) return;
    auto bytes = ReadWholeFile(f.path);
    artworks::ImagePins pins;
    if (!bytes || target.Put(*bytes, pins) != f.key)
      throw Refusal("the backup's image file " + f.path.string() + " is damaged (its bytes do not match its name)");
    ++images;
    bytes_total += bytes->size();
  });
  std::printf("restore: %lld image files (%s) in %s\n", static_cast<long long>(images), MiB(bytes_total).c_str(),
              target.Root().c_str());

  // Then the database: copied beside its place, checked, and renamed over it.
  const fs::path db_file = fs::absolute(db_path);
  fs::create_directories(db_file.parent_path());
  const fs::path temp = db_file.string() + ".restoring";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(temp.string() + suffix, ec);
  fs::copy_file(dir / kDatabaseName, temp, fs::copy_options::overwrite_existing);
  SyncPath(temp, false);
  db::SqliteQuickCheck(temp.string());
  for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(db_file.string() + suffix);
  fs::rename(temp, db_file);
  SyncPath(db_file.parent_path(), true);
  const auto* created = manifest.as_object().if_contains("createdAt");
  std::printf("restore: database %s from the snapshot of %s\n", db_file.c_str(),
              created != nullptr && created->is_string() ? created->as_string().c_str() : "(unknown)");
  return 0;
}

template <typename F>
int Guarded(const char* command, F&& fn) {
  try {
    return fn();
  } catch (const Refusal& e) {
    return Fail(command, e.what());
  } catch (const std::exception& e) {
    return Fail(command, std::string("failed: ") + e.what());
  }
}

}  // namespace

artworks::ImageCollector::Options CollectorOptions(const Config& cfg) {
  artworks::ImageCollector::Options options;
  options.grace = std::chrono::seconds(cfg.image_collect_grace_s);
  options.interval = std::chrono::seconds(std::max(1, cfg.image_collect_interval_s));
  return options;
}

int RunBackup(const Config& cfg) {
  return Guarded("backup", [&] { return Backup(cfg); });
}

int RunRestore(const Config& cfg) {
  return Guarded("restore", [&] { return Restore(cfg); });
}

artworks::ImageStore& OwnImageStore(AppContext& ctx) {
  if (ctx.config.images != "db") return ctx.Own<artworks::ImageStore>(ctx.config.data_dir);
  auto& blobs = ctx.Own<artworks::DbImageBlobs>(*ctx.db);
  return ctx.Own<artworks::ImageStore>(ctx.config.data_dir, blobs,
                                       static_cast<std::uintmax_t>(ctx.config.image_cache_mb) << 20);
}

int RunImagesImport(AppContext& ctx) {
  return Guarded("images import", [&] {
    artworks::DbImageBlobs blobs(*ctx.db);
    const artworks::ImageStore files(ctx.config.data_dir);
    std::vector<artworks::ImageStore::File> found;
    files.ForEachFile([&found](const artworks::ImageStore::File& f) {
      if (!f.key.empty()) found.push_back(f);
    });
    std::int64_t imported = 0, present = 0;
    std::uintmax_t bytes_total = 0;
    std::vector<std::string> damaged;
    for (const auto& f : found) {
      if (blobs.Exists(f.key)) {
        ++present;
        continue;
      }
      auto bytes = ReadWholeFile(f.path);
      if (!bytes || Sha256Hex(*bytes) != f.key) {
        damaged.push_back(f.path.string());
        continue;
      }
      blobs.Unpin({blobs.Store(f.key, *bytes)});
      ++imported;
      bytes_total += bytes->size();
    }
    std::printf("images import: %lld image files (%s) copied into the database, %lld already there, from %s\n",
                static_cast<long long>(imported), MiB(bytes_total).c_str(), static_cast<long long>(present),
                files.Root().c_str());
    for (const auto& path : damaged)
      std::fprintf(stderr, "atelier: images import: %s is damaged (its bytes do not match its name); skipped\n",
                   path.c_str());
    if (!damaged.empty()) return Fail("images import", std::to_string(damaged.size()) + " damaged file(s) skipped");
    return 0;
  });
}

int RunCollectImages(AppContext& ctx) {
  return Guarded("collect-images", [&] {
    const artworks::ImageStore& images = OwnImageStore(ctx);
    artworks::ImageCollector collector(*ctx.db, images, CollectorOptions(ctx.config));
    const auto pass = collector.CollectOnce();
    if (!pass.ran) throw Refusal("another collector or a backup is using the image store; try again later");
    std::printf(
        "collect-images: removed %lld unreferenced image %s (%s) and %lld temp files; kept %lld referenced, "
        "%lld younger than %d s, %lld held by uploads%s\n",
        static_cast<long long>(pass.removed), images.InDatabase() ? "blobs from the database" : "files",
        MiB(pass.bytes_removed).c_str(), static_cast<long long>(pass.temp_removed),
        static_cast<long long>(pass.referenced), static_cast<long long>(pass.young), ctx.config.image_collect_grace_s,
        static_cast<long long>(pass.pinned),
        images.InDatabase() ? ("; " + std::to_string(pass.cache_removed) + " cached files removed").c_str() : "");
    return 0;
  });
}

}  // namespace atelier::app
