#pragma once
// SQL for artworks and votes (tables artworks, votes, vote_budgets; likes and matches are
// read for the caller's view). Every function runs inside the caller's transaction;
// permissions and phases are artwork_service's job.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "db/database.h"

namespace atelier::artworks {

// An artwork as one viewer sees it.
struct ArtworkRow {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::int64_t artist_id = 0;
  std::string artist_username;
  std::string artist_display_name;
  std::string title;
  std::string description;
  std::string image_key, image_type, thumb_key, thumb_type;
  int width = 0, height = 0;
  std::int64_t vote_count = 0;
  Millis created_at = 0;
  bool my_vote = false;                   // the viewer voted for it
  bool liked = false;                     // the viewer liked it…
  std::optional<std::int64_t> like_rank;  // …with this rank (null: unranked)
  bool matched = false;                   // in a match that is not DECLINED
  int rank = 0;                           // competition rank in its event (ListByVotes with ranks only)
};

struct NewArtwork {
  std::int64_t event_id = 0;
  std::int64_t artist_id = 0;
  std::string title;
  std::string description;
  std::string image_key, image_type, thumb_key, thumb_type;
  int width = 0, height = 0;
  Millis created_at = 0;
};

namespace store {

std::optional<ArtworkRow> Find(db::Tx& tx, std::int64_t id, std::int64_t viewer_id);
// Newest first, ids below `before_id` (all when nullopt).
std::vector<ArtworkRow> ListNew(db::Tx& tx, std::int64_t event_id, std::int64_t viewer_id,
                                std::optional<std::int64_t> before_id, int limit);
// Most votes first, then oldest first; after the item (votes, id) of the cursor when given.
// with_rank fills ArtworkRow::rank (1, 2, 2, 4) over the whole event.
std::vector<ArtworkRow> ListByVotes(db::Tx& tx, std::int64_t event_id, std::int64_t viewer_id,
                                    std::optional<std::pair<std::int64_t, std::int64_t>> after, int limit,
                                    bool with_rank);
// The artworks of an event, most votes first then oldest first: (id, artist, title, votes).
struct Tally {
  std::int64_t id;
  std::int64_t artist_id;
  std::string title;
  std::int64_t votes;
};
std::vector<Tally> TallyEvent(db::Tx& tx, std::int64_t event_id);

int CountByArtist(db::Tx& tx, std::int64_t event_id, std::int64_t artist_id);
// Inserts the artwork and counts it in events.artwork_count; returns its id.
std::int64_t Insert(db::Tx& tx, const NewArtwork& a);
void UpdateText(db::Tx& tx, std::int64_t id, const std::string& title, const std::string& description);
// Deletes the artwork with its votes, likes and match rows, giving the votes back to the
// voters' budgets and uncounting it from events.artwork_count.
void Delete(db::Tx& tx, std::int64_t id, std::int64_t event_id);

// Votes. AddVote: false when the vote existed already (nothing changed). TakeBudget:
// false when the voter has used `budget` votes already.
bool AddVote(db::Tx& tx, std::int64_t voter_id, std::int64_t artwork_id, std::int64_t event_id, Millis now);
bool TakeBudget(db::Tx& tx, std::int64_t event_id, std::int64_t voter_id, int budget);
// Removes the vote, gives it back to the budget and uncounts it; false when there was none.
bool RemoveVote(db::Tx& tx, std::int64_t voter_id, std::int64_t artwork_id, std::int64_t event_id);
int UsedVotes(db::Tx& tx, std::int64_t event_id, std::int64_t voter_id);

}  // namespace store
}  // namespace atelier::artworks
