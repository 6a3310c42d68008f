#include "accounts/zip_writer.h"

#include <zlib.h>

#include <stdexcept>

namespace atelier::accounts {

namespace {
void Put16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}
void Put32(std::string& out, std::uint32_t v) {
  Put16(out, v & 0xffff);
  Put16(out, v >> 16);
}
// 1 January 2026, 00:00 in MS-DOS form (the entries' time says nothing).
constexpr std::uint32_t kDosTime = 0;
constexpr std::uint32_t kDosDate = ((2026 - 1980) << 9) | (1 << 5) | 1;
constexpr std::uint32_t kUtf8Names = 1u << 11;
}  // namespace

ZipWriter::ZipWriter(const std::filesystem::path& path) {
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) throw std::runtime_error("cannot create " + path.string());
}

ZipWriter::~ZipWriter() {
  if (f_) std::fclose(f_);
}

void ZipWriter::Write(const void* data, std::size_t n) {
  if (n > 0 && std::fwrite(data, 1, n, f_) != n) throw std::runtime_error("cannot write the archive");
}

std::uint32_t ZipWriter::Offset() {
  long pos = std::ftell(f_);
  if (pos < 0 || pos > 0xffffffffL) throw std::runtime_error("archive too large");
  return static_cast<std::uint32_t>(pos);
}

void ZipWriter::LocalHeader(const Entry& e) {
  std::string h;
  Put32(h, 0x04034b50);
  Put16(h, 10);  // version needed: 1.0 (stored)
  Put16(h, kUtf8Names);
  Put16(h, 0);  // stored
  Put16(h, kDosTime);
  Put16(h, kDosDate);
  Put32(h, e.crc);
  Put32(h, e.size);
  Put32(h, e.size);
  Put16(h, static_cast<std::uint32_t>(e.name.size()));
  Put16(h, 0);
  h += e.name;
  Write(h.data(), h.size());
}

void ZipWriter::AddBytes(const std::string& name, std::string_view bytes) {
  Entry e{name, 0, static_cast<std::uint32_t>(bytes.size()), Offset()};
  e.crc = static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
  LocalHeader(e);
  Write(bytes.data(), bytes.size());
  entries_.push_back(std::move(e));
}

void ZipWriter::AddFile(const std::string& name, const std::filesystem::path& file) {
  std::FILE* in = std::fopen(file.c_str(), "rb");
  if (!in) throw std::runtime_error("cannot read " + file.string());
  Entry e{name, 0, 0, Offset()};
  LocalHeader(e);  // patched below, once the CRC and size are known
  uLong crc = crc32(0L, Z_NULL, 0);
  std::uint64_t size = 0;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    std::size_t n = std::fread(buf.data(), 1, buf.size(), in);
    if (n == 0) break;
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(n));
    size += n;
    Write(buf.data(), n);
  }
  const bool failed = std::ferror(in) != 0;
  std::fclose(in);
  if (failed || size > 0xffffffffULL) throw std::runtime_error("cannot read " + file.string());
  e.crc = static_cast<std::uint32_t>(crc);
  e.size = static_cast<std::uint32_t>(size);
  const std::uint32_t end = Offset();
  if (std::fseek(f_, static_cast<long>(e.offset), SEEK_SET) != 0) throw std::runtime_error("cannot seek");
  LocalHeader(e);
  if (std::fseek(f_, static_cast<long>(end), SEEK_SET) != 0) throw std::runtime_error("cannot seek");
  entries_.push_back(std::move(e));
}

void ZipWriter::Finish() {
  const std::uint32_t start = Offset();
  std::string c;
  for (const auto& e : entries_) {
    Put32(c, 0x02014b50);
    Put16(c, 20);  // made by: 2.0
    Put16(c, 10);
    Put16(c, kUtf8Names);
    Put16(c, 0);
    Put16(c, kDosTime);
    Put16(c, kDosDate);
    Put32(c, e.crc);
    Put32(c, e.size);
    Put32(c, e.size);
    Put16(c, static_cast<std::uint32_t>(e.name.size()));
    Put16(c, 0);  // extra
    Put16(c, 0);  // comment
    Put16(c, 0);  // disk
    Put16(c, 0);  // internal attributes
    Put32(c, 0);  // external attributes
    Put32(c, e.offset);
    c += e.name;
  }
  const auto dir_size = static_cast<std::uint32_t>(c.size());
  Put32(c, 0x06054b50);
  Put16(c, 0);
  Put16(c, 0);
  Put16(c, static_cast<std::uint32_t>(entries_.size()));
  Put16(c, static_cast<std::uint32_t>(entries_.size()));
  Put32(c, dir_size);
  Put32(c, start);
  Put16(c, 0);
  Write(c.data(), c.size());
  if (std::fclose(f_) != 0) {
    f_ = nullptr;
    throw std::runtime_error("cannot write the archive");
  }
  f_ = nullptr;
}

}  // namespace atelier::accounts
