#include "artworks/image_blobs.h"

#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>

#include "common/log.h"

namespace atelier::artworks {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// bytea in PostgreSQL's text form: \x then two hex digits a byte (parameters are sent as text).
std::string ByteaText(std::string_view bytes) {
  std::string out;
  out.resize(2 + 2 * bytes.size());
  out[0] = '\\';
  out[1] = 'x';
  char* p = out.data() + 2;
  for (unsigned char c : bytes) {
    *p++ = kHex[c >> 4];
    *p++ = kHex[c & 15];
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The bytes of a bytea cell in the text form PostgreSQL answers (hex, bytea_output's default).
void DecodeBytea(std::string_view text, std::string& out) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) throw std::runtime_error("image chunk: unexpected bytea form");
  text.remove_prefix(2);
  out.resize(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(text[2 * i]), lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) throw std::runtime_error("image chunk: bad hex digit");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
}

void WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write image cache file");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

constexpr const char* kTouch = "UPDATE image_blobs SET touched_at = $2 WHERE key = $1";

}  // namespace

std::int64_t DbImageBlobs::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t DbImageBlobs::Store(const std::string& key, std::string_view bytes) {
  const std::int64_t now = NowMs();
  const auto size = static_cast<std::int64_t>(bytes.size());
  // One transaction: either the blob is there whole (chunks and all) and pinned, or nothing
  // is. On PostgreSQL COMMIT returns once it is durable.
  return db_.Write([&](db::Tx& tx) -> std::int64_t {
    // The pin keeps the collector off the blob until the row this upload is about to insert
    // has committed; a collection deleting the blob at the same time conflicts with this
    // transaction (the touch below writes the row it deletes), and one of the two is retried.
    const std::int64_t pin =
        tx.QueryOne("INSERT INTO image_pins (key, expires_at) VALUES ($1, $2) RETURNING id", key, now + kPinMs)->Int(0);
    if (tx.Exec(kTouch, key, now) > 0) return pin;
    if (tx.Exec("INSERT INTO image_blobs (key, size, created_at, touched_at) VALUES ($1, $2, $3, $3) "
                "ON CONFLICT (key) DO NOTHING",
                key, size, now) == 0) {
      tx.Exec(kTouch, key, now);  // stored by a concurrent Store of the same bytes meanwhile
      return pin;
    }
    std::int64_t seq = 0;
    for (size_t at = 0; at < bytes.size() || seq == 0; at += kChunkBytes, ++seq) {
      tx.Exec("INSERT INTO image_chunks (key, seq, data) VALUES ($1, $2, $3::bytea)", key, seq,
              ByteaText(bytes.substr(std::min(at, bytes.size()), kChunkBytes)));
    }
    return pin;
  });
}

void DbImageBlobs::Unpin(const std::vector<std::int64_t>& pins) noexcept {
  if (pins.empty()) return;
  std::string ids;
  for (auto id : pins) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  try {
    db_.Write([&](db::Tx& tx) { tx.Exec("DELETE FROM image_pins WHERE id IN (" + ids + ")"); });
  } catch (const std::exception& e) {
    log::Warn("image pins left to expire", {{"component", "image_store"}, {"error", e.what()}});
  }
}

bool DbImageBlobs::CopyTo(const std::string& key, int fd) {
  const off_t start = lseek(fd, 0, SEEK_CUR);
  return db_.Read([&](db::Tx& tx) -> bool {
    // From the start again should the transaction be run again.
    if (start >= 0 && (ftruncate(fd, start) != 0 || lseek(fd, start, SEEK_SET) < 0))
      throw std::system_error(errno, std::generic_category(), "reset image cache file");
    auto blob = tx.QueryOne("SELECT size FROM image_blobs WHERE key = $1", key);
    if (!blob) return false;
    const std::int64_t size = blob->Int(0);
    crypto_hash_sha256_state sha;
    crypto_hash_sha256_init(&sha);
    std::int64_t copied = 0;
    std::string chunk;
    for (std::int64_t seq = 0;; ++seq) {
      bool found = false;
      tx.ForEach(
          "SELECT data FROM image_chunks WHERE key = $1 AND seq = $2",
          [&](const db::RowView& row) {
            DecodeBytea(row.Text(0), chunk);
            found = true;
          },
          key, seq);
      if (!found) break;
      crypto_hash_sha256_update(&sha, reinterpret_cast<const unsigned char*>(chunk.data()), chunk.size());
      WriteAll(fd, chunk);
      copied += static_cast<std::int64_t>(chunk.size());
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&sha, digest);
    std::string hex;
    for (unsigned char c : digest) {
      hex += kHex[c >> 4];
      hex += kHex[c & 15];
    }
    if (copied != size || hex != key) throw std::runtime_error("image blob " + key + " is damaged in the database");
    return true;
  });
}

bool DbImageBlobs::Exists(const std::string& key) {
  return db_.Read([&](db::Tx& tx) { return tx.QueryOne("SELECT 1 FROM image_blobs WHERE key = $1", key).has_value(); });
}

}  // namespace atelier::artworks
