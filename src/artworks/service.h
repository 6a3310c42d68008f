#pragma once
// The rules of artworks and voting (docs/product.md §6): submissions while OPEN within the per-member
// limit, edits and deletions, members-only image bytes, blind voting within a budget, and
// the results. Registers the VOTING → MATCHING phase hook that sends one
// VOTE_NOTIFICATION per artwork.
//
// Answers are the resources of artworks/resources.h; the routes write them. The viewer's
// likes and matches come from Hooks() (matching registers them).
//
// Thread-safety: every call runs its own transaction and may come from any thread; the
// caches of written artwork heads and of event keys have their own locks. Hooks() is
// filled while the program is wired, before serving.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "artworks/artwork_cache.h"
#include "artworks/artwork_view.h"
#include "artworks/image.h"
#include "artworks/image_store.h"
#include "artworks/resources.h"
#include "artworks/store.h"
#include "common/clock.h"
#include "common/json_describe.h"
#include "db/database.h"
#include "events/store.h"
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
  // Stores the image, its display rendition (when there is one) and its thumbnail (content-addressed, before the
  // transaction: a rolled-back insert leaves an unreferenced file, never a half-written one), then inserts the artwork
  // with all the checks of CheckCanSubmit inside the transaction.
  api::Artwork Create(std::int64_t user_id, std::int64_t event_id, const std::string& title,
                      const std::string& description, const ProcessedImage& image, db::CommitToken& durable);

  // A page of an event's artworks as the caller sees them, newest first or (sort=votes,
  // once counts are visible: MATCHING, CLOSED; else 409 wrong_phase) most votes first.
  // 404 unless the caller is a member of the event's group; 400 for a cursor this server
  // did not issue. The heads come from the cache when it holds them.
  using ArtworkPage = PageOfItems<api::ListedArtwork>;
  ArtworkPage List(std::int64_t user_id, std::int64_t event_id, Sort sort, int limit,
                   const std::optional<std::string>& cursor);
  api::Artwork Get(std::int64_t user_id, std::int64_t artwork_id);
  // The artist, while OPEN (403 forbidden for others, 409 wrong_phase after OPEN).
  api::Artwork Update(std::int64_t user_id, std::int64_t artwork_id, std::optional<std::string> title,
                      std::optional<std::optional<std::string>> description, db::CommitToken& durable);
  // The artist while OPEN, or a group owner/admin at any time.
  void Delete(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable);

  struct ImageRef {
    std::string key;
    std::string content_type;
  };
  // The original, the display rendition (the original when there is none) or the thumbnail.
  enum class ImageKind { kOriginal, kDisplay, kThumbnail };
  // Members only (404 otherwise).
  ImageRef Image(std::int64_t user_id, std::int64_t artwork_id, ImageKind kind);

  // PUT/DELETE /artworks/{id}/vote → votes the caller has left in the event.
  int Vote(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable);
  int Unvote(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable);

  // GET /events/{id}/results (MATCHING or CLOSED, else 409 wrong_phase).
  using ResultPage = PageOfItems<api::ResultOf<api::ListedArtwork>>;
  ResultPage Results(std::int64_t user_id, std::int64_t event_id, int limit, const std::optional<std::string>& cursor);

  // The VOTING → MATCHING hook: one VOTE_NOTIFICATION per artwork to its artist, with its
  // count and rank, inside the phase change's transaction.
  void PublishVotes(db::Tx& tx, const events::EventInfo& event) const;

  // Tests only (ATELIER_TEST_UPLOAD_PAUSE_MS, never set in production): Create waits this
  // long between storing its files and inserting its row, so that a test can act while an
  // upload is in progress.
  void SetPauseAfterStoreForTests(std::chrono::milliseconds pause) { pause_after_store_ = pause; }

  // What other features attach to artworks (artworks/artwork_view.h).
  ArtworkHooks& Hooks() { return hooks_; }
  const ArtworkHooks& Hooks() const { return hooks_; }

  // Memory for rendered artwork heads (see ArtworkHeadCache): ~460 bytes each with short
  // texts, so about 36,000 artworks.
  static constexpr std::size_t kHeadCacheBytes = 16 << 20;
  // Memory for the keys of events past OPEN (see EventKeys): 8 bytes an artwork while
  // VOTING, 20 with counts; an event whose keys take more than half is paged by its index.
  static constexpr std::size_t kKeysCacheBytes = 24 << 20;

 private:
  // The keys of the page's event from the cache, or read now in tx (one reader at a time
  // per event); null while the event is OPEN, or while another request reads them, or
  // when they would not fit: then the page reads its rows from the index.
  EventKeysCache::Ptr Keys(db::Tx& tx, std::int64_t event_id, const store::PageContext& page);
  // The caller's votes (from the page context) and the hooks' marks on rows of the page's
  // event.
  void FillViewer(db::Tx& tx, std::vector<ArtworkRow>& rows, std::int64_t viewer_id,
                  const store::PageContext& page) const;
  // The page's items: heads from the cache when it holds them under the page's epoch, else
  // read in tx, written and stored. Where the page's event hides its artists (ArtistHidden)
  // every row but the viewer's own takes its head without the artist, from a cache of its
  // own: the text of such a head never holds the name, so no mix-up of caches can show it.
  std::vector<api::ListedArtwork> Listed(db::Tx& tx, const store::PageContext& page,
                                         const std::vector<ArtworkRow>& rows);
  // The heads of rows[which[k]] (all rows when which is null) into items, from `cache`,
  // else read in tx and written with the artist or without (hide_artist).
  void FillHeads(db::Tx& tx, ArtworkHeadCache& cache, bool hide_artist, std::int64_t epoch,
                 const std::vector<ArtworkRow>& rows, const std::vector<std::size_t>* which,
                 std::vector<api::ListedArtwork>& items);
  // The artwork as the caller sees it in an event in `phase`, marks included (the artist
  // hidden from others when ArtistHidden(anonymous_voting, phase)).
  api::Artwork Answer(db::Tx& tx, ArtworkRow& a, std::int64_t viewer_id, events::Phase phase,
                      bool anonymous_voting) const;

  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  ImageStore& images_;
  ArtworkHooks hooks_;
  ArtworkHeadCache heads_{kHeadCacheBytes};
  // Heads without the artist, for events that vote anonymously (until VOTING ends).
  ArtworkHeadCache anonymous_heads_{kHeadCacheBytes / 4};
  EventKeysCache keys_{kKeysCacheBytes};
  std::chrono::milliseconds pause_after_store_{0};
};

}  // namespace atelier::artworks
