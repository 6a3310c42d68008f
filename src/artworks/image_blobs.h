#pragma once
// --images db: image bytes in PostgreSQL, shared by every server process without a shared
// disk (migration 015). A blob is content-addressed like a file of the image store: its
// key is the SHA-256 of its bytes, so storing the same bytes twice keeps one blob, which
// any number of rows may name. The bytes are kept in chunks of kChunkBytes, so no
// statement moves a whole image and a reader copies one chunk at a time.
//
//   image_blobs(key PK, size, created_at, touched_at)   touched_at: the last Store of it
//   image_chunks(key → image_blobs ON DELETE CASCADE, seq, data bytea)
//   image_pins(id, key, expires_at)    an upload between storing a blob and committing its row
//
// The collector (artworks/image_collector.h) deletes a blob that no row names, that no
// pin holds and that no Store touched within its grace period; Store touches and pins the
// blob in a transaction of its own that commits before the upload inserts the row naming
// it, and the upload ends the pin once that row has committed (ImagePins).
//
// Thread-safe (the database is).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "artworks/image_store.h"
#include "db/database.h"

namespace atelier::artworks {

class DbImageBlobs : public ImageBlobBackend {
 public:
  static constexpr std::size_t kChunkBytes = 256 * 1024;

  explicit DbImageBlobs(db::Database& db) : db_(db) {}

  std::int64_t Store(const std::string& key, std::string_view bytes) override;
  void Unpin(const std::vector<std::int64_t>& pins) noexcept override;
  // How long a pin holds when nobody ends it (its process died).
  static constexpr std::int64_t kPinMs = 3600 * 1000;
  // Checks the bytes against the key as it copies (throws std::runtime_error on a damaged
  // blob, after writing what it read).
  bool CopyTo(const std::string& key, int fd) override;

  // Whether a blob of this key is stored.
  bool Exists(const std::string& key);

  // Milliseconds since the epoch, as touched_at holds them.
  static std::int64_t NowMs();

 private:
  db::Database& db_;
};

}  // namespace atelier::artworks
