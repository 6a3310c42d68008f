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
#include "events/phase.h"

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
  int rank = 0;                           // competition rank in its event (FillRanks only)
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

// The artwork as the viewer sees it, in one statement (its viewer fields joined per row).
std::optional<ArtworkRow> Find(db::Tx& tx, std::int64_t id, std::int64_t viewer_id);

// What a page of an event's artworks needs to know before its rows, read in one statement:
// the event's phase, whether the viewer is a member of its group, and the content epoch
// (db/content_epoch.h). nullopt when the event does not exist.
struct PageContext {
  events::Phase phase = events::Phase::kOpen;
  bool member = false;
  std::int64_t epoch = 0;
  std::int64_t artwork_count = 0;
};
std::optional<PageContext> LoadPageContext(db::Tx& tx, std::int64_t event_id, std::int64_t viewer_id);

// Every artwork of the event as keys (id, and vote_count when with_counts), newest first.
void AllKeys(db::Tx& tx, std::int64_t event_id, bool with_counts, std::vector<std::int64_t>& ids,
             std::vector<std::int64_t>& votes);

// The artwork with its artist (what ArtworkService writes as an artwork's head); the
// viewer fields are left false/empty.
std::optional<ArtworkRow> FindHead(db::Tx& tx, std::int64_t id);

// Pages, as keys: only id and vote_count are set (FindHead or a cache gives the rest);
// the viewer fields are left false/empty (FillViewer sets them) and rank 0 (FillRanks).
//
// Newest first, ids below `before_id` (all when nullopt); vote_count is 0 unless
// with_counts (reading it costs a table lookup per row).
std::vector<ArtworkRow> ListNew(db::Tx& tx, std::int64_t event_id, std::optional<std::int64_t> before_id, int limit,
                                bool with_counts);
// Most votes first, then oldest first; after the item (votes, id) of the cursor when given.
std::vector<ArtworkRow> ListByVotes(db::Tx& tx, std::int64_t event_id,
                                    std::optional<std::pair<std::int64_t, std::int64_t>> after, int limit);

// Which of the viewer's rows FillViewer looks for. A kind left false is not queried: the
// caller knows from the event's phase that no such row can exist.
struct ViewerKinds {
  bool votes = true;
  bool likes = true;
  bool matches = true;
};
// Sets my_vote, liked/like_rank and matched on rows (any artworks; a page of one event in
// practice) with one range query per kind over [smallest id, largest id] of the rows:
// votes and likes through their primary keys (voter_id/liker_id, artwork_id), matches
// through match_participants_artwork.
void FillViewer(db::Tx& tx, std::vector<ArtworkRow>& rows, std::int64_t viewer_id, ViewerKinds kinds);
// Sets rank (competition ranking over the whole event: 1 + the number of its artworks with
// strictly more votes) on rows that are consecutive items of ListByVotes's order: one
// COUNT for the first item, the others from the page itself.
void FillRanks(db::Tx& tx, std::vector<ArtworkRow>& rows, std::int64_t event_id);

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

// The matches an artwork is in, removed with their participants (the artwork's own
// participant row would otherwise go with the artwork and leave a match of one). Returns
// each removed match's status and the users who were in it.
struct RemovedMatch {
  std::int64_t id = 0;
  std::string status;
  std::vector<std::int64_t> users;
};
std::vector<RemovedMatch> DeleteMatchesOf(db::Tx& tx, std::int64_t artwork_id);

// What a vote needs to check, in one statement: the artwork's artist and event, the
// event's group, phase and budget, and the caller's membership of that group.
struct VoteTarget {
  std::int64_t artist_id = 0;
  std::int64_t event_id = 0;
  events::Phase phase = events::Phase::kOpen;
  int votes_per_member = 0;
  bool member = false;  // the caller is a member of the event's group
};
// nullopt when there is no such artwork.
std::optional<VoteTarget> LoadVoteTarget(db::Tx& tx, std::int64_t artwork_id, std::int64_t user_id);

// Votes. AddVote: inserts the vote and counts it in artworks.vote_count; false when the
// vote existed already (nothing changed). TakeBudget: one more used vote, as long as fewer
// than `budget` are used; the votes now used, nullopt when the budget is spent (nothing
// changed).
bool AddVote(db::Tx& tx, std::int64_t voter_id, std::int64_t artwork_id, std::int64_t event_id, Millis now);
std::optional<int> TakeBudget(db::Tx& tx, std::int64_t event_id, std::int64_t voter_id, int budget);
// Removes the vote, gives it back to the budget and uncounts it. The votes used
// afterwards, nullopt when there was no vote (nothing changed).
std::optional<int> RemoveVote(db::Tx& tx, std::int64_t voter_id, std::int64_t artwork_id, std::int64_t event_id);

}  // namespace store
}  // namespace atelier::artworks
