#pragma once
// The rules of artworks and voting (docs/product.md §6): submissions while OPEN within the per-member
// limit, edits and deletions, members-only image bytes, blind voting within a budget, and
// the results. Registers the VOTING → MATCHING phase hook that sends one
// VOTE_NOTIFICATION per artwork.
//
// Thread-safety: every call runs its own transaction and may come from any thread; the one
// piece of shared state, the cache of rendered artwork heads, has its own lock.
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "artworks/artwork_cache.h"
#include "artworks/artwork_store.h"
#include "artworks/image.h"
#include "artworks/image_store.h"
#include "common/clock.h"
#include "common/json_writer.h"
#include "db/database.h"
#include "events/event_store.h"
#include "notify/notifier.h"

namespace atelier::artworks {

enum class Sort { kNew, kVotes };

// Methods that write take `durable`: they name their commit in it (db::CommitToken), and the
// route puts it on its response (http::Durable) so the answer waits for the disk.
class ArtworkService {
 public:
  ArtworkService(db::Database& db, const Clock& clock, const notify::Notifier& notifier, ImageStore& images)
      : db_(db), clock_(clock), notifier_(notifier), images_(images) {}

  // The checks of a submission that need no upload: the event exists and the caller is a
  // member (else 404), it is OPEN (409 wrong_phase), the caller is under the limit (409
  // artwork_limit_reached). Run before the costly image work; Create checks again.
  void CheckCanSubmit(std::int64_t user_id, std::int64_t event_id);
  // Trims and checks title (1–120) and description (≤ 2000); 422 on failure.
  static void CheckText(std::string& title, std::optional<std::string>& description);
  // Stores the image and its thumbnail (content-addressed, before the transaction: a
  // rolled-back insert leaves an unreferenced file, never a half-written one), then
  // inserts the artwork with all the checks of CheckCanSubmit inside the transaction.
  // Returns the Artwork object (an object rather than text: app/demo reads its id).
  boost::json::object Create(std::int64_t user_id, std::int64_t event_id, const std::string& title,
                             const std::string& description, const ProcessedImage& image, db::CommitToken& durable);

  // List, Get, Update and Results return their response body as JSON text, written with
  // JsonWriter (no boost::json objects on these paths).
  //
  // A page of Artwork objects. sort=votes only once counts are visible (MATCHING,
  // CLOSED), else 409 wrong_phase.
  // What a page asks for, as its route reads it.
  struct ListQuery {
    std::int64_t user_id = 0;
    std::int64_t event_id = 0;
    Sort sort = Sort::kNew;
    int limit = 20;
    std::optional<std::string> cursor;
  };
  // `resolve` runs first inside the page's read transaction and returns the query: the
  // route resolves the caller's session there, so the hottest request of the API costs one
  // transaction, and an unauthenticated caller still gets 401 before any 400/404 about its
  // parameters. Whatever resolve throws ends the request.
  std::string List(const std::function<ListQuery(db::Tx&)>& resolve);
  std::string Get(std::int64_t user_id, std::int64_t artwork_id);
  // The artist, while OPEN (403 forbidden for others, 409 wrong_phase after OPEN).
  std::string Update(std::int64_t user_id, std::int64_t artwork_id, std::optional<std::string> title,
                     std::optional<std::optional<std::string>> description, db::CommitToken& durable);
  // The artist while OPEN, or a group owner/admin at any time.
  void Delete(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable);

  struct ImageRef {
    std::string key;
    std::string content_type;
  };
  // Members only (404 otherwise).
  ImageRef Image(std::int64_t user_id, std::int64_t artwork_id, bool thumbnail);

  // PUT/DELETE /artworks/{id}/vote → votes the caller has left in the event.
  int Vote(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable);
  int Unvote(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable);

  // GET /events/{id}/results (MATCHING or CLOSED, else 409 wrong_phase).
  std::string Results(std::int64_t user_id, std::int64_t event_id, int limit, const std::optional<std::string>& cursor);

  // The VOTING → MATCHING hook: one VOTE_NOTIFICATION per artwork to its artist, with its
  // count and rank, inside the phase change's transaction.
  void PublishVotes(db::Tx& tx, const events::EventInfo& event) const;

  // The Artwork object of docs/product.md §6 — its one definition. voteCount is null unless
  // counts_visible.
  static void WriteArtwork(JsonWriter& w, const ArtworkRow& a, bool counts_visible);
  // The same as a boost::json object (WriteArtwork's text, parsed), for code that builds
  // its response that way (matching).
  static boost::json::object ArtworkJson(const ArtworkRow& a, bool counts_visible);

  // Memory for rendered artwork heads (see ArtworkHeadCache): ~460 bytes each with short
  // texts, so about 36,000 artworks.
  static constexpr std::size_t kHeadCacheBytes = 16 << 20;
  // Memory for the keys of events past OPEN (see EventKeys): 8 bytes an artwork while
  // VOTING, 20 with counts; an event whose keys take more than half is paged by its index.
  static constexpr std::size_t kKeysCacheBytes = 24 << 20;

 private:
  static std::string ArtworkText(const ArtworkRow& a, bool counts_visible);
  // WriteArtwork in two halves: the head is the same for every viewer (id … createdAt) and
  // is what the cache keeps; the tail (voteCount … isMatched) closes the object.
  static void WriteArtworkHead(JsonWriter& w, const ArtworkRow& a);
  static void WriteArtworkTail(JsonWriter& w, const ArtworkRow& a, bool counts_visible);
  // The heads of rows (keys of one page, read in tx), from the cache when it holds them
  // under `epoch` (db::ReadContentEpoch of tx), else read in tx, written and stored.
  // The keys of the page's event from the cache, or read now in tx (one reader at a time
  // per event); null while the event is OPEN, or while another request reads them, or
  // when they would not fit: then the page reads its rows from the index.
  EventKeysCache::Ptr Keys(db::Tx& tx, std::int64_t event_id, const store::PageContext& page);
  std::vector<std::string> Heads(db::Tx& tx, std::int64_t epoch, const std::vector<ArtworkRow>& rows);
  // A page of artworks, {"items","nextCursor"}: the heads from the cache (without taking
  // references when all are there), else through Heads(). with_ranks: results items,
  // {"rank","artwork","voteCount"}.
  std::string PageText(db::Tx& tx, std::int64_t epoch, const std::vector<ArtworkRow>& rows, bool counts_visible,
                       const std::optional<std::string>& next, bool with_ranks);
  template <typename HeadOf>
  static std::string PageText(const std::vector<ArtworkRow>& rows, HeadOf&& head_of, bool counts_visible,
                              const std::optional<std::string>& next, bool with_ranks);

  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  ImageStore& images_;
  ArtworkHeadCache heads_{kHeadCacheBytes};
  EventKeysCache keys_{kKeysCacheBytes};
};

}  // namespace atelier::artworks
