#pragma once
// A ZIP archive of stored (uncompressed) entries written to a file, for GET /me/export:
// the images in it are compressed already, and storing keeps the writer small. Memory is
// bounded: a file entry is copied in 64 KiB pieces, its CRC-32 (zlib) computed as it goes,
// and its local header patched once its size is known. No ZIP64: an entry and the archive
// stay under 4 GiB (an export holds at most a few hundred images of at most 20 MiB).
// Not thread-safe: one writer, one thread.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::accounts {

class ZipWriter {
 public:
  // Creates (truncates) `path`; throws std::runtime_error when it cannot.
  explicit ZipWriter(const std::filesystem::path& path);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  void AddBytes(const std::string& name, std::string_view bytes);
  // Copies the file's bytes; throws std::runtime_error when it cannot be read.
  void AddFile(const std::string& name, const std::filesystem::path& file);
  // Writes the central directory and closes the file.
  void Finish();

 private:
  struct Entry {
    std::string name;
    std::uint32_t crc = 0;
    std::uint32_t size = 0;
    std::uint32_t offset = 0;
  };
  void Write(const void* data, std::size_t n);
  std::uint32_t Offset();
  void LocalHeader(const Entry& e);

  std::FILE* f_ = nullptr;
  std::vector<Entry> entries_;
};

}  // namespace atelier::accounts
