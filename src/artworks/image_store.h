#pragma once
// Content-addressed storage of image bytes on the local disk:
// <data_dir>/images/ab/cd/<sha256 hex>. The same bytes always get the same key, so storing
// twice keeps one file. Files are never changed once written; readers can open a path
// without locks. Thread-safe: the only shared state is the file system, and every file
// appears whole through an atomic rename.
#include <filesystem>
#include <string>
#include <string_view>

namespace atelier::artworks {

class ImageStore {
 public:
  // `data_dir` need not exist yet; directories are made as needed.
  explicit ImageStore(std::filesystem::path data_dir);

  // Stores the bytes and returns their key (64 lowercase hex digits). Written to a temp
  // file in the target directory, fsync'd, then renamed into place (and the directory
  // fsync'd), so a crash leaves either no file or the whole one; a file already there is
  // reused. Throws std::system_error when the disk fails (full, read-only, …).
  std::string Put(std::string_view bytes);

  // Where the bytes of `key` live (whether or not they exist). Throws
  // std::invalid_argument when `key` is not 64 lowercase hex digits, so a key from
  // outside can never name another path.
  std::filesystem::path PathOf(const std::string& key) const;

  // False for a key that is not well-formed.
  bool Exists(const std::string& key) const;

  static bool ValidKey(std::string_view key);

 private:
  std::filesystem::path root_;  // <data_dir>/images
};

}  // namespace atelier::artworks
