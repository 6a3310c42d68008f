#include "artworks/image_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "common/crypto.h"
#include "common/log.h"

namespace atelier::artworks {
namespace {

[[noreturn]] void ThrowErrno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// The bytes of a Put before they are linked at their key. Where the file system allows
// (O_TMPFILE: ext4, xfs, btrfs, tmpfs) the file has no name until it is linked, so nothing
// can remove it while it is written and a crash leaves nothing behind. Elsewhere it is a
// named temp file (".<key>.tmp-XXXXXX"), removed on destruction, which the collector
// removes only once it is older than its grace period.
class TempFile {
 public:
  TempFile(const std::filesystem::path& dir, const std::string& key) {
    fd_ = open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd_ >= 0) return;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) ThrowErrno("create a file in " + dir.string());
    path_ = (dir / ("." + key + ".tmp-XXXXXX")).string();
    fd_ = mkostemp(path_.data(), O_CLOEXEC);
    if (fd_ < 0) ThrowErrno("create " + path_);
  }
  ~TempFile() {
    if (fd_ >= 0) close(fd_);
    if (!path_.empty()) unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int Fd() const { return fd_; }

  // The descriptor stays open until destruction: an unnamed file is linked through it.
  void Sync() {
    if (fsync(fd_) != 0) ThrowErrno("fsync " + Name());
  }

  void WriteAllAndSync(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        ThrowErrno("write " + Name());
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    Sync();
  }

  // Links the file at `target` unless a file is there already (then false: another Put of
  // the same bytes was first). Never replaces a file: see the header.
  bool LinkTo(const std::string& target) {
    int rc;
    if (path_.empty()) {
      // An unnamed file is linked through its /proc name (linkat with AT_EMPTY_PATH would
      // need CAP_DAC_READ_SEARCH).
      const std::string proc = "/proc/self/fd/" + std::to_string(fd_);
      rc = linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW);
    } else {
      rc = link(path_.c_str(), target.c_str());
    }
    if (rc == 0) return true;
    if (errno == EEXIST) return false;
    ThrowErrno("link to " + target);
  }

 private:
  std::string Name() const { return path_.empty() ? "a new image file" : path_; }

  std::string path_;  // empty for an unnamed (O_TMPFILE) file
  int fd_ = -1;
};

void SyncDirectory(const std::filesystem::path& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) ThrowErrno("open " + dir.string());
  const int rc = fsync(fd);
  const int saved = errno;
  close(fd);
  if (rc != 0) {
    errno = saved;
    ThrowErrno("fsync " + dir.string());
  }
}

void Lock(int fd, int operation, const std::filesystem::path& path) {
  while (flock(fd, operation) != 0) {
    if (errno == EINTR) continue;
    const int saved = errno;
    close(fd);
    errno = saved;
    ThrowErrno("lock " + path.string());
  }
}

// Whether the open file `fd` is still the one linked at `path` (not removed, not replaced).
bool StillLinked(int fd, const std::filesystem::path& path) {
  struct stat open_file {
  }, linked{};
  if (fstat(fd, &open_file) != 0 || open_file.st_nlink == 0) return false;
  if (stat(path.c_str(), &linked) != 0) return false;
  return open_file.st_ino == linked.st_ino && open_file.st_dev == linked.st_dev;
}

// Opens the file at `path` under a shared lock (waiting while a collector claims it) and
// returns its descriptor; -1 when there is no such file or it was removed before the lock.
int OpenPinned(const std::filesystem::path& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return -1;
    ThrowErrno("open " + path.string());
  }
  Lock(fd, LOCK_SH, path);
  if (!StillLinked(fd, path)) {
    close(fd);
    return -1;
  }
  return fd;
}

void WriteNew(const std::filesystem::path& target, const std::string& key, std::string_view bytes) {
  const std::filesystem::path dir = target.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::system_error(ec, "create " + dir.string());
  // A file of its own per call, so concurrent Puts of the same bytes do not collide; the
  // first link wins and the others find its file, with identical bytes.
  TempFile temp(dir, key);
  temp.WriteAllAndSync(bytes);
  if (temp.LinkTo(target.string())) SyncDirectory(dir);
}

constexpr const char* kStoreLockName = ".collector.lock";

}  // namespace

// ---- ImagePins ----

ImagePins::~ImagePins() { Release(); }

ImagePins::ImagePins(ImagePins&& other) noexcept
    : fds_(std::exchange(other.fds_, {})), blobs_(other.blobs_), blob_pins_(std::exchange(other.blob_pins_, {})) {}

ImagePins& ImagePins::operator=(ImagePins&& other) noexcept {
  if (this != &other) {
    Release();
    fds_ = std::exchange(other.fds_, {});
    blobs_ = other.blobs_;
    blob_pins_ = std::exchange(other.blob_pins_, {});
  }
  return *this;
}

void ImagePins::Release() {
  for (int fd : fds_) close(fd);  // closing the last descriptor releases the lock
  fds_.clear();
  if (blobs_ != nullptr && !blob_pins_.empty()) blobs_->Unpin(blob_pins_);
  blob_pins_.clear();
}

// ---- ImageStore ----

ImageStore::ImageStore(std::filesystem::path data_dir) : root_(std::move(data_dir) / "images") {}

ImageStore::ImageStore(std::filesystem::path data_dir, ImageBlobBackend& blobs, std::uintmax_t cache_bytes)
    : root_(std::move(data_dir) / "image-cache"), blobs_(&blobs), cache_limit_(cache_bytes) {
  // What an earlier run left in the cache counts at once, oldest (by modification) least
  // recently used; temp files are the collector's.
  std::vector<File> files;
  ForEachFile([&files](const File& f) {
    if (!f.key.empty()) files.push_back(f);
  });
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.modified < b.modified; });
  for (const auto& f : files) Remember(f.key, f.size);
}

ImageStore::~ImageStore() = default;

// ---- the cache of --images db ----

void ImageStore::Remember(const std::string& key, std::uintmax_t size) const {
  std::vector<std::string> evicted;
  {
    MutexLock lock(mu_);
    auto it = cached_.find(key);
    if (it != cached_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.order);
    } else {
      lru_.push_front(key);
      cached_.emplace(key, CacheEntry{size, lru_.begin()});
      cached_bytes_ += size;
    }
    // Least recently used first, never the file just used (it is about to be served).
    while (cached_bytes_ > cache_limit_ && lru_.size() > 1) {
      std::string victim = std::move(lru_.back());
      lru_.pop_back();
      auto v = cached_.find(victim);
      cached_bytes_ -= v->second.size;
      cached_.erase(v);
      evicted.push_back(std::move(victim));
    }
  }
  // A reader that opened one of these keeps reading it: the file goes with its last descriptor.
  for (const auto& victim : evicted) unlink(PathOf(victim).c_str());
}

bool ImageStore::TouchCached(const std::string& key) const {
  MutexLock lock(mu_);
  auto it = cached_.find(key);
  if (it == cached_.end()) return false;
  lru_.splice(lru_.begin(), lru_, it->second.order);
  return true;
}

void ImageStore::Forget(const std::string& key) const {
  MutexLock lock(mu_);
  auto it = cached_.find(key);
  if (it == cached_.end()) return;
  cached_bytes_ -= it->second.size;
  lru_.erase(it->second.order);
  cached_.erase(it);
}

void ImageStore::DropCached(const std::string& key) const {
  if (!blobs_ || !ValidKey(key)) return;
  Forget(key);
  unlink(PathOf(key).c_str());
}

ImageStore::CacheStats ImageStore::Cache() const {
  MutexLock lock(mu_);
  return {cached_bytes_, cache_limit_, cached_.size()};
}

std::filesystem::path ImageStore::LocalFile(const std::string& key) const {
  std::filesystem::path path = PathOf(key);
  if (!blobs_) return path;
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    if (!TouchCached(key)) Remember(key, static_cast<std::uintmax_t>(st.st_size));
    return path;
  }
  Forget(key);  // removed behind our back (`atelier collect-images` on this data dir)
  // A miss: the blob is copied into a temp file beside its place, a piece at a time, and
  // linked into place whole (a concurrent miss of the same key links first or finds it).
  const std::filesystem::path dir = path.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::system_error(ec, "create " + dir.string());
  TempFile temp(dir, key);
  if (!blobs_->CopyTo(key, temp.Fd())) return path;  // no such image: the caller answers 404
  if (fstat(temp.Fd(), &st) != 0) ThrowErrno("stat " + path.string());
  // Synced before it is linked, so a crash never leaves a short file under the key.
  temp.Sync();
  temp.LinkTo(path.string());
  Remember(key, static_cast<std::uintmax_t>(st.st_size));
  return path;
}

bool ImageStore::ValidKey(std::string_view key) {
  if (key.size() != 64) return false;
  for (char c : key)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::filesystem::path ImageStore::PathOf(const std::string& key) const {
  if (!ValidKey(key)) throw std::invalid_argument("not an image key");
  return root_ / key.substr(0, 2) / key.substr(2, 2) / key;
}

bool ImageStore::Exists(const std::string& key) const {
  if (!ValidKey(key)) return false;
  std::error_code ec;
  return std::filesystem::is_regular_file(PathOf(key), ec);
}

std::string ImageStore::Put(std::string_view bytes, ImagePins& pins) {
  std::string key = Sha256Hex(bytes);
  const std::filesystem::path target = PathOf(key);
  if (blobs_) {
    pins.blob_pins_.reserve(pins.blob_pins_.size() + 1);
    const std::int64_t pin = blobs_->Store(key, bytes);  // committed: the row naming it may commit now
    pins.blobs_ = blobs_;
    pins.blob_pins_.push_back(pin);
    // The uploader (or a viewer of the new artwork) asks for it next: keep a copy. The
    // cache is only a cache, so a failure here costs a later copy from the database.
    try {
      if (!Exists(key)) WriteNew(target, key, bytes);
      Remember(key, bytes.size());
    } catch (const std::exception& e) {
      log::Warn("image cache write failed", {{"component", "image_store"}, {"error", e.what()}});
    }
    return key;
  }
  pins.fds_.reserve(pins.fds_.size() + 1);
  // Same key, same bytes: a file already there was written whole by an earlier Put. Each
  // round either pins the linked file or writes it; a file removed between the two
  // (collected while nothing referenced it) is written again.
  for (int round = 0; round < 8; ++round) {
    const int fd = OpenPinned(target);
    if (fd >= 0) {
      pins.fds_.push_back(fd);
      return key;
    }
    WriteNew(target, key, bytes);
  }
  throw std::runtime_error("image file " + target.string() + " was removed each time it was written");
}

void ImageStore::ForEachFile(const std::function<void(const File&)>& fn) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  // images/ab/cd/<key>: two levels of directories, then files.
  for (const auto& level1 : fs::directory_iterator(root_, ec)) {
    if (!level1.is_directory(ec)) continue;
    for (const auto& level2 : fs::directory_iterator(level1.path(), ec)) {
      if (!level2.is_directory(ec)) continue;
      for (const auto& entry : fs::directory_iterator(level2.path(), ec)) {
        const std::string name = entry.path().filename().string();
        File f;
        if (ValidKey(name)) {
          f.key = name;
        } else if (!(name.starts_with(".") && name.find(".tmp-") != std::string::npos)) {
          continue;  // not ours: left alone
        }
        struct stat st {};
        if (lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        f.path = entry.path();
        f.modified =
            std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
        f.size = static_cast<std::uintmax_t>(st.st_size);
        fn(f);
      }
    }
  }
}

// ---- claims ----

ImageStore::Claim::Claim(Claim&& other) noexcept : key_(std::move(other.key_)), fd_(std::exchange(other.fd_, -1)) {}

ImageStore::Claim::~Claim() {
  if (fd_ >= 0) close(fd_);
}

std::optional<ImageStore::Claim> ImageStore::TryClaim(const std::string& key) const {
  const std::filesystem::path path = PathOf(key);
  // Read-write: over NFS flock becomes a POSIX lock, whose exclusive form needs it.
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    ThrowErrno("open " + path.string());
  }
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const int saved = errno;
    close(fd);
    if (saved == EWOULDBLOCK) return std::nullopt;  // an upload holds it
    errno = saved;
    ThrowErrno("lock " + path.string());
  }
  if (!StillLinked(fd, path)) {
    close(fd);
    return std::nullopt;
  }
  return Claim(key, fd);
}

std::uintmax_t ImageStore::Remove(Claim claim) const {
  struct stat st {};
  const std::uintmax_t size = fstat(claim.fd_, &st) == 0 ? static_cast<std::uintmax_t>(st.st_size) : 0;
  const std::filesystem::path path = PathOf(claim.key_);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) ThrowErrno("remove " + path.string());
  return size;
}

// ---- the store lock ----

ImageStore::StoreLock::StoreLock(StoreLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ImageStore::StoreLock::~StoreLock() {
  if (fd_ >= 0) close(fd_);
}

namespace {
int OpenStoreLock(const std::filesystem::path& root) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) throw std::system_error(ec, "create " + root.string());
  const std::filesystem::path path = root / kStoreLockName;
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  // Made by another user (a backup run as root): a read-only descriptor locks as well on a
  // local file system.
  if (fd < 0 && errno == EACCES) fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) ThrowErrno("open " + path.string());
  return fd;
}
}  // namespace

std::optional<ImageStore::StoreLock> ImageStore::TryLockForCollection() const {
  const int fd = OpenStoreLock(root_);
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const int saved = errno;
    close(fd);
    if (saved == EWOULDBLOCK) return std::nullopt;
    errno = saved;
    ThrowErrno("lock " + (root_ / kStoreLockName).string());
  }
  return StoreLock(fd);
}

ImageStore::StoreLock ImageStore::LockAgainstCollection() const {
  const int fd = OpenStoreLock(root_);
  Lock(fd, LOCK_SH, root_ / kStoreLockName);
  return StoreLock(fd);
}

}  // namespace atelier::artworks
