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
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::artworks {

// Files stored by ImageStore::Put and held against removal until this object is destroyed
// (one open descriptor with a shared lock each). Keep it alive until the transaction
// that references the files has committed. Move-only; belongs to one thread at a time.
class ImagePins {
 public:
  ImagePins() = default;
  ~ImagePins();
  ImagePins(ImagePins&& other) noexcept;
  ImagePins& operator=(ImagePins&& other) noexcept;
  ImagePins(const ImagePins&) = delete;
  ImagePins& operator=(const ImagePins&) = delete;

  size_t Size() const { return fds_.size(); }

 private:
  friend class ImageStore;
  void Release();
  std::vector<int> fds_;
};

class ImageStore {
 public:
  // `data_dir` need not exist yet; directories are made as needed.
  explicit ImageStore(std::filesystem::path data_dir);

  // Stores the bytes, pins the file in `pins` and returns its key (64 lowercase hex
  // digits). A new file is written to a temp file in the target directory, fsync'd, then
  // linked into place (and the directory fsync'd), so a crash leaves either no file or the
  // whole one; a file already there is reused. Throws std::system_error when the disk
  // fails (full, read-only, …).
  std::string Put(std::string_view bytes, ImagePins& pins);

  // Where the bytes of `key` live (whether or not they exist). Throws
  // std::invalid_argument when `key` is not 64 lowercase hex digits, so a key from
  // outside can never name another path.
  std::filesystem::path PathOf(const std::string& key) const;

  // False for a key that is not well-formed.
  bool Exists(const std::string& key) const;

  static bool ValidKey(std::string_view key);

  // <data_dir>/images.
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
  std::filesystem::path root_;  // <data_dir>/images
};

}  // namespace atelier::artworks
