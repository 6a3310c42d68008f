#pragma once
// What artwork pages keep in memory between requests: rendered heads of artworks
// (ArtworkHeadCache, below) and the keys of events past OPEN (EventKeys, further down).
//
// An artwork's JSON is a head that is the same for every viewer (api::ArtworkHead: id,
// eventId, artist, title, description, image URLs, size, createdAt) and a part that is
// not (api::ArtworkViewer: voteCount, myVote, myLike, isMatched). A page of 50 artworks
// spent most of its time reading and writing the heads; this cache keeps them as
// api::OpenArtworkText wrote them, so a page only reads the ids and the viewer's rows.
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
// Thread-safe: lookups share a lock, stores and epoch changes take it alone. Heads are
// shared, immutable text: what a lookup returned stays valid after the cache drops it.
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "artworks/store.h"
#include "common/mutex.h"

namespace atelier::artworks {

class ArtworkHeadCache {
 public:
  // A head: the text api::OpenArtworkText wrote (artworks/resources.h). Immutable, so a
  // page keeps the ones it writes after the lookup, whatever the cache drops meanwhile.
  using Head = std::shared_ptr<const std::string>;

  explicit ArtworkHeadCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // For each ids[i], sets heads[i] to its head stored under `epoch`, or leaves it null.
  // Returns how many were found. heads.size() == ids.size(). When every head is in the
  // young map (a page asked for again) this takes the shared lock once and copies
  // pointers, nothing else.
  std::size_t Find(std::int64_t epoch, std::span<const std::int64_t> ids, std::span<Head> heads);

  // Stores the head of artwork `id`, read in a snapshot that saw `epoch`. A newer epoch
  // than the cache's drops every stored head first; an older one stores nothing (its
  // reader's snapshot was taken before a change the cache already knows of).
  void Store(std::int64_t epoch, std::int64_t id, Head head);

  struct Stats {
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::int64_t epoch = -1;
  };
  Stats GetStats() const;

  // What one entry costs besides its text: its slot in the table and the heap blocks.
  static constexpr std::size_t kEntryOverhead = 96;

 private:
  using Map = boost::unordered_flat_map<std::int64_t, Head>;
  void InsertYoung(std::int64_t id, Head head) REQUIRES(mu_);

  const std::size_t max_bytes_;
  mutable SharedMutex mu_;
  std::int64_t epoch_ GUARDED_BY(mu_) = -1;  // the epoch every stored head was read under
  Map young_ GUARDED_BY(mu_);
  Map old_ GUARDED_BY(mu_);
  std::size_t young_bytes_ GUARDED_BY(mu_) = 0;
  std::size_t old_bytes_ GUARDED_BY(mu_) = 0;
};

// The keys of one event's artworks — ids newest first and, read with counts, their vote
// counts and the order by votes — so a page of an event whose set of artworks can no longer
// grow is a binary search instead of an index scan.
//
// When such keys stay true: artworks are inserted only while the event is OPEN (under the
// event's row lock, ArtworkService::Create), and every deletion, also through a group's,
// bumps the content epoch. So two snapshots that both see the event past OPEN and the same
// epoch see the same set of its artworks; vote counts change only while VOTING, so two
// snapshots that both see it in MATCHING or CLOSED also see the same counts. Keys read
// under epoch E past OPEN serve exactly the readers with that epoch past OPEN (and counts
// only from MATCHING on). Immutable once built; share it freely.
class EventKeys {
 public:
  // ids: every artwork of the event, newest first; votes: their vote counts (same order)
  // when with_counts, else empty.
  EventKeys(std::int64_t epoch, bool with_counts, std::vector<std::int64_t> ids, std::vector<std::int64_t> votes);

  std::int64_t Epoch() const { return epoch_; }
  bool WithCounts() const { return with_counts_; }
  std::size_t Size() const { return ids_.size(); }
  std::size_t Bytes() const;

  // As store::ListNew: up to n keys, newest first, with ids below before_id (all when
  // nullopt); vote_count is set when WithCounts(), else 0.
  std::vector<ArtworkRow> Newest(std::optional<std::int64_t> before_id, std::size_t n) const;
  // As store::ListByVotes (WithCounts() only): most votes first, then oldest first, after
  // the item (votes, id) of the cursor when given.
  std::vector<ArtworkRow> ByVotes(std::optional<std::pair<std::int64_t, std::int64_t>> after, std::size_t n) const;
  // Competition rank of an artwork with `votes` votes: 1 + how many have more (WithCounts()).
  int RankOf(std::int64_t votes) const;

 private:
  std::int64_t epoch_;
  bool with_counts_;
  std::vector<std::int64_t> ids_;        // newest first
  std::vector<std::int64_t> votes_;      // votes_[i] of ids_[i], when with_counts_
  std::vector<std::uint32_t> by_votes_;  // indices into ids_: most votes first, then oldest
};

// EventKeys by event, within a memory budget (least recently used events go first), with
// one loader per event at a time so a burst of first requests does not read a large event
// many times over. Thread-safe.
class EventKeysCache {
 public:
  using Ptr = std::shared_ptr<const EventKeys>;

  explicit EventKeysCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The keys of the event read under `epoch` (with counts when with_counts), or null.
  Ptr Find(std::int64_t event_id, std::int64_t epoch, bool with_counts);
  // Whether the keys stored for the event hold vote counts; nullopt when none are stored.
  // A hint only (the keys may be replaced at any time): ArtworkService::List reads a
  // page in one statement when keys without counts are there (the event is VOTING).
  std::optional<bool> StoredWithCounts(std::int64_t event_id) const;
  // True when the caller should read the event's keys and Store() them (or EndLoad() on
  // failure); false while another caller does, or when `artworks` keys would not fit.
  bool BeginLoad(std::int64_t event_id, std::size_t artworks, bool with_counts);
  // Stores keys (replacing older ones of the event) and ends the caller's load.
  void Store(std::int64_t event_id, Ptr keys);
  void EndLoad(std::int64_t event_id);

  // What keys of `artworks` artworks cost in memory, roughly.
  static std::size_t Cost(std::size_t artworks, bool with_counts) { return 256 + artworks * (with_counts ? 20 : 8); }
  std::size_t Bytes() const;

 private:
  struct Entry {
    Ptr keys;
    std::uint64_t used = 0;  // use_clock_ at the last Find that returned it
  };
  const std::size_t max_bytes_;
  mutable Mutex mu_;
  std::unordered_map<std::int64_t, Entry> entries_ GUARDED_BY(mu_);
  std::unordered_set<std::int64_t> loading_ GUARDED_BY(mu_);
  std::size_t bytes_ GUARDED_BY(mu_) = 0;
  std::uint64_t use_clock_ GUARDED_BY(mu_) = 0;
};

}  // namespace atelier::artworks
