#pragma once
// Removes the files of the image store that no row names any more: the images and
// renditions of deleted artworks (by the artist, an admin, or with their event, group or
// user), and what crashed uploads left behind. Files are content-addressed and shared by
// every artwork of the same bytes, so a file goes only when no row of any column in
// kImageKeyColumns names it.
//
// A pass (CollectOnce), under the store's collection lock (one pass at a time across the
// processes sharing a data dir, none while a backup copies):
//   1. reads every referenced key (one snapshot), then lists the store's files;
//   2. a file younger than the grace period is left alone (an upload may be between
//      writing it and pinning it; a temp file may be being written); an older temp file is
//      removed; an unreferenced older image is a candidate;
//   3. candidates are claimed in batches (ImageStore::TryClaim: a file an upload has
//      pinned is skipped), the references are read again *after* the claims, and each
//      claimed file still unreferenced is removed while claimed.
// An upload pins its files (ImageStore::Put) before its insert and until its commit, so a
// file is never removed between an upload finding it and its row committing: either the
// claim fails, or the upload's row is visible to the second read, or the upload finds the
// file gone and writes it again (see artworks/image_store.h).
//
// With --images db (ImageStore::InDatabase) a pass works on the database's blobs instead
// (artworks/image_blobs.h): one statement deletes every blob that no row names, that no
// upload pins and that no upload touched within the grace period. An upload inserts (or
// touches) its blob and a pin row for it in a transaction that commits before it inserts
// its row, and ends the pin after that row has committed, so a blob is never deleted under
// an upload in progress: either the upload's pin is visible to the delete (kept), or the
// two transactions conflict (SERIALIZABLE: the touch writes the row the delete removes;
// one is retried and then sees the other). A pin whose upload died expires after an hour. Then the pass removes
// from this process's cache the files of blobs that are gone (its own deletions at once,
// other processes' once the file is older than the grace period); each process's
// background pass cleans its own cache.
//
// Thread-safety: CollectOnce may be called from any thread; the background thread is
// started and stopped from the wiring's thread.
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "artworks/image_store.h"
#include "common/background_loop.h"
#include "db/database.h"

namespace atelier::artworks {

// Every column of the schema that holds keys of the image store. The collector keeps a
// file while any row names it here, and `atelier backup` copies the files they name: a new
// column of image keys (another rendition, a delivered piece's image) is one line here.
struct ImageKeyColumn {
  std::string_view table;
  std::string_view column;
};
inline constexpr ImageKeyColumn kImageKeyColumns[] = {
    {"artworks", "image_key"},         {"artworks", "thumb_key"},         {"artworks", "display_key"},
    {"match_deliveries", "image_key"}, {"match_deliveries", "thumb_key"},
};

// One statement giving every key those columns hold (repeats included), in any dialect.
std::string ReferencedKeysQuery();

// A set of image keys, 32 bytes each (sorted), to hold the keys of a large store.
class KeySet {
 public:
  // Ignores text that is not a key.
  void Add(std::string_view key);
  // Call after the last Add.
  void Seal();
  bool Contains(std::string_view key) const;
  size_t Size() const { return keys_.size(); }

 private:
  std::vector<std::array<std::uint8_t, 32>> keys_;
};

// Every key the database references, read in one snapshot.
KeySet ReadReferencedKeys(db::Database& db);

class ImageCollector {
 public:
  struct Options {
    // Files younger than this are never removed (at least the longest an upload takes from
    // writing its file to pinning it: milliseconds).
    std::chrono::seconds grace{600};
    // Time between passes of the background thread (Start).
    std::chrono::seconds interval{3600};
    // Files claimed at once (one descriptor each).
    size_t batch = 256;
  };
  struct Pass {
    bool ran = false;             // false: another collector or a backup held the store
    std::int64_t files = 0;       // images and temp files seen
    std::int64_t referenced = 0;  // kept: a row names them
    std::int64_t young = 0;       // kept: younger than the grace period
    std::int64_t pinned = 0;      // kept: an upload held them
    std::int64_t removed = 0;     // unreferenced images removed
    std::int64_t temp_removed = 0;
    std::uintmax_t bytes_removed = 0;
    std::int64_t cache_removed = 0;  // --images db: cached files of blobs that are gone
  };

  ImageCollector(db::Database& db, const ImageStore& images, Options options);

  Pass CollectOnce();

  // A pass every interval on a thread of its own (the first one interval after Start);
  // failures are logged and the next pass tries again (common/background_loop.h).
  void Start() { loop_.Start(); }
  void Stop() { loop_.Stop(); }

 private:
  // One pass of the background loop, its result logged when it removed anything.
  void CollectAndLog();
  Pass CollectBlobs();

  db::Database& db_;
  const ImageStore& images_;
  const Options options_;
  BackgroundLoop loop_;
};

}  // namespace atelier::artworks
