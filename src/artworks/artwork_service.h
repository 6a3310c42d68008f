#pragma once
// The rules of artworks and voting (SPEC §6): submissions while OPEN within the per-member
// limit, edits and deletions, members-only image bytes, blind voting within a budget, and
// the results. Registers the VOTING → MATCHING phase hook that sends one
// VOTE_NOTIFICATION per artwork.
//
// Thread-safety: no mutable state of its own; every call runs its own transaction and may
// come from any thread.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

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
                             const std::string& description, const ProcessedImage& image);

  // List, Get, Update and Results return their response body as JSON text, written with
  // JsonWriter (no boost::json objects on these paths).
  //
  // A page of Artwork objects. sort=votes only once counts are visible (MATCHING,
  // CLOSED), else 409 wrong_phase.
  std::string List(std::int64_t user_id, std::int64_t event_id, Sort sort, int limit,
                   const std::optional<std::string>& cursor);
  std::string Get(std::int64_t user_id, std::int64_t artwork_id);
  // The artist, while OPEN (403 forbidden for others, 409 wrong_phase after OPEN).
  std::string Update(std::int64_t user_id, std::int64_t artwork_id, std::optional<std::string> title,
                     std::optional<std::optional<std::string>> description);
  // The artist while OPEN, or a group owner/admin at any time.
  void Delete(std::int64_t user_id, std::int64_t artwork_id);

  struct ImageRef {
    std::string key;
    std::string content_type;
  };
  // Members only (404 otherwise).
  ImageRef Image(std::int64_t user_id, std::int64_t artwork_id, bool thumbnail);

  // PUT/DELETE /artworks/{id}/vote → votes the caller has left in the event.
  int Vote(std::int64_t user_id, std::int64_t artwork_id);
  int Unvote(std::int64_t user_id, std::int64_t artwork_id);

  // GET /events/{id}/results (MATCHING or CLOSED, else 409 wrong_phase).
  std::string Results(std::int64_t user_id, std::int64_t event_id, int limit, const std::optional<std::string>& cursor);

  // The VOTING → MATCHING hook: one VOTE_NOTIFICATION per artwork to its artist, with its
  // count and rank, inside the phase change's transaction.
  void PublishVotes(db::Tx& tx, const events::EventInfo& event) const;

  // The Artwork object of SPEC §6 — its one definition. voteCount is null unless
  // counts_visible.
  static void WriteArtwork(JsonWriter& w, const ArtworkRow& a, bool counts_visible);
  // The same as a boost::json object (WriteArtwork's text, parsed), for code that builds
  // its response that way (matching).
  static boost::json::object ArtworkJson(const ArtworkRow& a, bool counts_visible);

 private:
  static std::string ArtworkText(const ArtworkRow& a, bool counts_visible);

  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  ImageStore& images_;
};

}  // namespace atelier::artworks
