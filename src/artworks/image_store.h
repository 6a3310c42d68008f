#pragma once
// Content-addressed storage of image bytes on the local disk:
// <data_dir>/images/ab/cd/<sha256 hex>. The same bytes always get the same key, so storing
// twice keeps one file, which two artworks may then share. Files are never changed once
// written; readers can open a path without locks. Thread-safe: the only shared state is the
// file system, and every file appears whole through an atomic link into place.
//
// Removal (artworks/image_collector.h) is safe against uploads of the same bytes through
// file locks (flock, which holds between processes, also on NFS):
// - Put pins the file it stored: it holds it open under a shared lock until the caller's
//   ImagePins is destroyed, which the caller does once the row naming the key has
//   committed. Before pinning it checks that the file it locked is still the one linked at
//   the key's path; if not (removed meanwhile) it writes it again.
// - The collector claims a file with an exclusive lock that does not wait (TryClaim: a
//   file an upload holds is skipped), checks the database for references only after that,
//   and removes it while still holding the claim.
// - A file is linked into place only where none is (link(2), never a replacing rename), so
//   the path of a claimed file names the claimed file until the claimant removes it.
// So a file is removed only if no upload held it when its references were read, and an
// upload that comes later finds it gone and writes it again.
//
// With --images db (ImageStore given an ImageBlobBackend: artworks/image_blobs.h) the
// bytes live in the database, shared by every server process, and the files under
// <data_dir>/image-cache (same layout) are only this process's cache of them: Put commits the blob (durably)
// before it returns, and LocalFile copies a blob that is not cached into the cache first.
// The cache is bounded (least recently used files go first). Put pins the blob by a row
// of image_pins instead of a lock (see image_collector.h).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"

namespace atelier::artworks {

// Where --images db keeps image bytes: implemented over the database by
// artworks/image_blobs.h. Thread-safe.
class ImageBlobBackend {
 public:
  virtual ~ImageBlobBackend() = default;
  // Stores `bytes` under `key` (their SHA-256) unless a blob of that key is there, marks
  // the blob as just used and pins it (the collector leaves it alone until Unpin, or an
  // hour at most should this process die first); returns the pin. Committed and durable
  // when it returns; throws when the database fails.
  virtual std::int64_t Store(const std::string& key, std::string_view bytes) = 0;
  // Ends pins Store returned. Never throws (a pin it fails to end expires).
  virtual void Unpin(const std::vector<std::int64_t>& pins) noexcept = 0;
  // Writes the blob's bytes to `fd` (from its current offset) a piece at a time; false
  // when there is no such blob. Throws when the database or the write fails.
  virtual bool CopyTo(const std::string& key, int fd) = 0;
};

// Files stored by ImageStore::Put and held against removal until this object is destroyed
// (one open descriptor with a shared lock each; with --images db, one pin row each). Keep it alive until the
// transaction that references the files has committed. Move-only; belongs to one thread at a time.
class ImagePins {
 public:
  ImagePins() = default;
  ~ImagePins();
  ImagePins(ImagePins&& other) noexcept;
  ImagePins& operator=(ImagePins&& other) noexcept;
  ImagePins(const ImagePins&) = delete;
  ImagePins& operator=(const ImagePins&) = delete;

  size_t Size() const { return fds_.size() + blob_pins_.size(); }

 private:
  friend class ImageStore;
  void Release();
  std::vector<int> fds_;
  // --images db: pins of blobs (ImageBlobBackend::Store), ended when released.
  ImageBlobBackend* blobs_ = nullptr;
  std::vector<std::int64_t> blob_pins_;
};

class ImageStore {
 public:
  // `data_dir` need not exist yet; directories are made as needed.
  explicit ImageStore(std::filesystem::path data_dir);
  // --images db: the bytes are in `blobs` (which must outlive the store);
  // <data_dir>/image-cache caches up to `cache_bytes` of them (never <data_dir>/images, so
  // the files of a dir-mode deployment are not taken for a cache to trim). Files already in the cache are counted at
  // once.
  ImageStore(std::filesystem::path data_dir, ImageBlobBackend& blobs, std::uintmax_t cache_bytes);
  ~ImageStore();
  ImageStore(const ImageStore&) = delete;
  ImageStore& operator=(const ImageStore&) = delete;

  // Whether the bytes live in the database (--images db) rather than in Root().
  bool InDatabase() const { return blobs_ != nullptr; }

  // Stores the bytes, pins the file in `pins` and returns its key (64 lowercase hex
  // digits). A new file is written to a temp file in the target directory, fsync'd, then
  // linked into place (and the directory fsync'd), so a crash leaves either no file or the
  // whole one; a file already there is reused. Throws std::system_error when the disk
  // fails (full, read-only, …).
  // With --images db: commits the blob to the database (durably) and pins it there before
  // it returns, then keeps a copy in the cache.
  std::string Put(std::string_view bytes, ImagePins& pins);

  // A local file holding the bytes of `key`, for serving. Dir mode: PathOf(key). Db mode:
  // the cached file, after copying the blob from the database into the cache if it was not
  // there (a piece at a time, never the whole image in memory); blocks, so call it on a
  // worker thread. The path may name no file (no such image). Throws
  // std::invalid_argument for a bad key, and what the database throws.
  std::filesystem::path LocalFile(const std::string& key) const;

  // Db mode: removes the cached file of `key` (its blob was collected). No-op in dir mode.
  void DropCached(const std::string& key) const;

  struct CacheStats {
    std::uintmax_t bytes = 0;  // cached now
    std::uintmax_t limit = 0;
    std::size_t files = 0;
  };
  CacheStats Cache() const;

  // Where the bytes of `key` live (whether or not they exist). Throws
  // std::invalid_argument when `key` is not 64 lowercase hex digits, so a key from
  // outside can never name another path.
  std::filesystem::path PathOf(const std::string& key) const;

  // False for a key that is not well-formed.
  bool Exists(const std::string& key) const;

  static bool ValidKey(std::string_view key);

  // <data_dir>/images (dir mode), <data_dir>/image-cache (db mode).
  const std::filesystem::path& Root() const { return root_; }

  // ---- for the collector and backups ----

  // A file of the store found by ForEachFile: an image (its key) or a temp file a crashed
  // Put left behind (key empty).
  struct File {
    std::string key;
    std::filesystem::path path;
    std::chrono::system_clock::time_point modified;
    std::uintmax_t size = 0;
  };
  // Calls fn for every image and temp file under Root() (none if it does not exist).
  void ForEachFile(const std::function<void(const File&)>& fn) const;

  // An exclusive claim on one image file, for removing it. Move-only.
  class Claim {
   public:
    Claim(Claim&& other) noexcept;
    Claim& operator=(Claim&& other) = delete;
    Claim(const Claim&) = delete;
    ~Claim();
    const std::string& Key() const { return key_; }

   private:
    friend class ImageStore;
    Claim(std::string key, int fd) : key_(std::move(key)), fd_(fd) {}
    std::string key_;
    int fd_ = -1;
  };
  // Claims the file of `key` unless an upload holds it or it is gone (nullopt then).
  std::optional<Claim> TryClaim(const std::string& key) const;
  // Removes a claimed file; returns its size. The claim ends.
  std::uintmax_t Remove(Claim claim) const;

  // One lock for the whole store: the collector takes it exclusively and without waiting
  // for a pass (so one collector runs at a time across processes sharing the data dir),
  // a backup shares it for its whole copy (so no file it must copy is collected before
  // it is copied). Released when destroyed.
  class StoreLock {
   public:
    explicit StoreLock(int fd) : fd_(fd) {}
    StoreLock(StoreLock&& other) noexcept;
    StoreLock& operator=(StoreLock&&) = delete;
    StoreLock(const StoreLock&) = delete;
    ~StoreLock();

   private:
    int fd_ = -1;
  };
  // Exclusive, without waiting: nullopt while another collector or a backup holds it.
  std::optional<StoreLock> TryLockForCollection() const;
  // Shared, waiting for a collection pass in progress to end.
  StoreLock LockAgainstCollection() const;

 private:
  // The least-recently-used bookkeeping of the cache (db mode).
  struct CacheEntry {
    std::uintmax_t size = 0;
    std::list<std::string>::iterator order;
  };
  void Remember(const std::string& key, std::uintmax_t size) const;
  bool TouchCached(const std::string& key) const;
  void Forget(const std::string& key) const;

  std::filesystem::path root_;  // see Root()
  ImageBlobBackend* blobs_ = nullptr;
  std::uintmax_t cache_limit_ = 0;
  mutable Mutex mu_;
  mutable std::list<std::string> lru_ GUARDED_BY(mu_);  // most recently used first
  mutable std::unordered_map<std::string, CacheEntry> cached_ GUARDED_BY(mu_);
  mutable std::uintmax_t cached_bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace atelier::artworks
