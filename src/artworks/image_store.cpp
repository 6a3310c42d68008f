#include "artworks/image_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "common/crypto.h"

namespace atelier::artworks {
namespace {

[[noreturn]] void ThrowErrno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// Closes the descriptor and, unless released, removes the temp file it belongs to.
class TempFile {
 public:
  explicit TempFile(std::string path_template) : path_(std::move(path_template)) {
    fd_ = mkostemp(path_.data(), O_CLOEXEC);
    if (fd_ < 0) ThrowErrno("create " + path_);
  }
  ~TempFile() {
    if (fd_ >= 0) close(fd_);
    if (!renamed_) unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void WriteAllAndSync(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        ThrowErrno("write " + path_);
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    if (fsync(fd_) != 0) ThrowErrno("fsync " + path_);
    const int fd = std::exchange(fd_, -1);
    if (close(fd) != 0) ThrowErrno("close " + path_);
  }

  void RenameTo(const std::string& target) {
    if (rename(path_.c_str(), target.c_str()) != 0) ThrowErrno("rename to " + target);
    renamed_ = true;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool renamed_ = false;
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

}  // namespace

ImageStore::ImageStore(std::filesystem::path data_dir) : root_(std::move(data_dir) / "images") {}

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

std::string ImageStore::Put(std::string_view bytes) {
  std::string key = Sha256Hex(bytes);
  const std::filesystem::path target = PathOf(key);
  if (Exists(key)) return key;  // same key, same bytes: written whole by an earlier Put
  const std::filesystem::path dir = target.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::system_error(ec, "create " + dir.string());

  // A unique temp name per call, so concurrent Puts of the same bytes do not collide;
  // the last rename wins and both wrote identical bytes.
  TempFile temp((dir / ("." + key + ".tmp-XXXXXX")).string());
  temp.WriteAllAndSync(bytes);
  temp.RenameTo(target.string());
  SyncDirectory(dir);
  return key;
}

}  // namespace atelier::artworks
