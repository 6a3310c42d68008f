#pragma once
// Rendered heads of artwork objects, kept in memory between requests.
//
// An artwork's JSON is a head that is the same for every viewer — id, eventId, artist,
// title, description, image URLs, size, createdAt — and a tail that is not (voteCount,
// myVote, myLike, isMatched). A page of 50 artworks spent most of its time reading and
// writing the heads; this cache keeps them, written, so a page only reads the ids and the
// viewer's rows.
//
// Staleness is ruled out by the content epoch (db/content_epoch.h): every transaction that
// changes what a head shows, or deletes artworks, bumps it, and a reader uses only heads
// stored under the epoch it read in its own snapshot. Heads read under one epoch are the
// same for every snapshot that sees that epoch, so this holds across several processes on
// one PostgreSQL database as well as for one process on SQLite.
//
// Memory is bounded by `max_bytes` (texts plus a per-entry overhead estimate): entries go
// into a young map; when it holds half the budget it becomes the old map and the previous
// old map is dropped. A lookup that finds an old entry brings it back into the young map,
// so what pages keep asking for stays.
//
// Thread-safe: lookups share a lock, stores and epoch changes take it alone.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>

namespace atelier::artworks {

class ArtworkHeadCache {
 public:
  using Text = std::shared_ptr<const std::string>;

  explicit ArtworkHeadCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // For each ids[i], sets heads[i] to its head stored under `epoch`, or leaves it null.
  // Returns how many were found. heads.size() must equal ids.size().
  std::size_t Find(std::int64_t epoch, std::span<const std::int64_t> ids, std::span<Text> heads);

  // Stores the head of artwork `id`, read in a snapshot that saw `epoch`. A newer epoch
  // than the cache's drops every stored head first; an older one stores nothing (its
  // reader's snapshot was taken before a change the cache already knows of).
  void Store(std::int64_t epoch, std::int64_t id, Text head);

  struct Stats {
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::int64_t epoch = -1;
  };
  Stats GetStats() const;

  // What one entry costs besides its text: map node, shared_ptr control block, string.
  static constexpr std::size_t kEntryOverhead = 128;

 private:
  using Map = std::unordered_map<std::int64_t, Text>;
  void InsertYoung(std::int64_t id, Text head);  // with mu_ held alone

  const std::size_t max_bytes_;
  mutable std::shared_mutex mu_;
  std::int64_t epoch_ = -1;  // the epoch every stored head was read under
  Map young_, old_;
  std::size_t young_bytes_ = 0, old_bytes_ = 0;
};

}  // namespace atelier::artworks
