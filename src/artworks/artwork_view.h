#pragma once
// What other features see of artworks (matching reads artworks only through this), and
// what they attach to them:
//  - read-only lookups inside the caller's transaction: an artwork's event and artist,
//    whether a user has an artwork in an event, the artists of an event's artworks, and
//    the Artwork resource (artworks/resources.h) as a viewer sees it;
//  - ArtworkHooks: the viewer's marks another feature keeps (matching: the viewer's like,
//    whether the artwork is in a live match), and what must happen before an artwork is
//    deleted (matching: its matches go, their artists are told).
// Artworks itself reads no table of another feature's for these.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "artworks/resources.h"
#include "db/database.h"
#include "events/phase.h"
#include "events/store.h"

namespace atelier::artworks {

// What another feature knows of an artwork for one viewer.
struct ViewerMarks {
  bool liked = false;                     // the viewer liked it…
  std::optional<std::int64_t> like_rank;  // …with this rank (nullopt: unranked)
  bool matched = false;                   // in a match that is not DECLINED
};

// The functions other features register, run by artworks inside its own transactions.
// Thread-safety: Add*() while the program is wired, before serving; the rest is then safe
// from any thread. A hook may throw: the request (and its transaction) then fails.
class ArtworkHooks {
 public:
  // Where a marks hook puts what it knows of artwork `id`; null when `id` is not one of
  // the artworks asked about (a range holds other ids too).
  using MarksOf = std::function<ViewerMarks*(std::int64_t artwork_id)>;
  // Sets the viewer's marks on artworks of one event in phase `phase`, every one of whose
  // ids is in [lo, hi]: a page or a single artwork. The phase tells which marks can exist.
  using MarkViewer = std::function<void(db::Tx& tx, events::Phase phase, std::int64_t viewer_id, std::int64_t lo,
                                        std::int64_t hi, const MarksOf& marks_of)>;
  // Runs in the transaction that deletes the artwork, before its row goes (the event's row
  // locked): for rows of another feature that must not simply cascade away.
  using BeforeDelete = std::function<void(db::Tx& tx, std::int64_t artwork_id, const events::EventInfo& event)>;

  void AddMarks(MarkViewer hook) { marks_.push_back(std::move(hook)); }
  void AddBeforeDelete(BeforeDelete hook) { before_delete_.push_back(std::move(hook)); }

  void Mark(db::Tx& tx, events::Phase phase, std::int64_t viewer_id, std::int64_t lo, std::int64_t hi,
            const MarksOf& marks_of) const {
    for (const auto& hook : marks_) hook(tx, phase, viewer_id, lo, hi, marks_of);
  }
  void RunBeforeDelete(db::Tx& tx, std::int64_t artwork_id, const events::EventInfo& event) const {
    for (const auto& hook : before_delete_) hook(tx, artwork_id, event);
  }

 private:
  std::vector<MarkViewer> marks_;
  std::vector<BeforeDelete> before_delete_;
};

// Anonymous voting (docs/product.md §6): in an event that votes anonymously, an artwork's
// artist is hidden from everyone but the artist while the event is OPEN or VOTING, and shown
// from MATCHING on — when the vote counts are. Decided per request from the event's row in
// the reader's own snapshot, never cached, so a switch or a phase change shows at once.
inline bool ArtistHidden(bool anonymous_voting, events::Phase phase) {
  return anonymous_voting && !events::CountsVisible(phase);
}

// An artwork's identity: which event it is in and whose it is.
struct ArtworkRef {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::int64_t artist_id = 0;
};

// nullopt when there is no such artwork.
std::optional<ArtworkRef> FindArtwork(db::Tx& tx, std::int64_t artwork_id);
// Whether the user has an artwork in the event.
bool HasArtworkIn(db::Tx& tx, std::int64_t event_id, std::int64_t artist_id);
// Every artwork of the event, by id.
std::vector<ArtworkRef> EventArtworks(db::Tx& tx, std::int64_t event_id);
// The Artwork resource as `viewer_id` sees it in an event in `phase` (vote count shown
// from MATCHING on; the artist hidden from others when ArtistHidden(anonymous_voting,
// phase)), with the marks of `hooks`; nullopt when there is no such artwork. No permission
// check: the caller has made sure the viewer may see it.
std::optional<api::Artwork> ViewArtwork(db::Tx& tx, const ArtworkHooks& hooks, std::int64_t artwork_id,
                                        std::int64_t viewer_id, events::Phase phase, bool anonymous_voting = false);

}  // namespace atelier::artworks
