#pragma once
// SQL for artworks and votes (tables artworks, votes, vote_budgets). Every function runs
// inside the caller's transaction; permissions and phases are service.h's job. The
// viewer's likes and matches are matching's (ArtworkHooks, artworks/artwork_view.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "artworks/artwork_view.h"
#include "artworks/resources.h"
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
  // The display rendition (longest side 1600 px); empty key when there is none (a small
  // image, or one uploaded before renditions were made): the original stands in for it.
  std::string display_key, display_type;
  int display_width = 0, display_height = 0;
  std::int64_t vote_count = 0;
  Millis created_at = 0;
  bool my_vote = false;  // the viewer voted for it
  ViewerMarks marks;     // set by ArtworkHooks::Mark
  int rank = 0;          // competition rank in its event (FillRanks only)
};

// The resource of a row (artworks/resources.h): its head (artist null when hide_artist),
// the viewer's part (voteCount null unless counts_visible), both.
api::ArtworkHead HeadOf(const ArtworkRow& a, bool hide_artist = false);
api::ArtworkViewer ViewerOf(const ArtworkRow& a, bool counts_visible);
api::Artwork ArtworkOf(const ArtworkRow& a, bool counts_visible, bool hide_artist = false);

struct NewArtwork {
  std::int64_t event_id = 0;
  std::int64_t artist_id = 0;
  std::string title;
  std::string description;
  std::string image_key, image_type, thumb_key, thumb_type;
  int width = 0, height = 0;
  std::optional<std::string> display_key, display_type;  // nullopt: no display rendition
  int display_width = 0, display_height = 0;
  Millis created_at = 0;
};

namespace store {

// The artwork with the viewer's vote, in one statement (marks are left empty).
std::optional<ArtworkRow> Find(db::Tx& tx, std::int64_t id, std::int64_t viewer_id);

// What a page of an event's artworks needs to know besides its rows, read in one
// statement: the event's phase, whether the viewer is a member of its group, the content
// epoch (db/content_epoch.h), whether the event votes anonymously, on PostgreSQL the
// artworks the viewer voted for in it (at most votesPerMember; none while OPEN) and, when
// it votes anonymously, the viewer's own artworks in it (at most maxArtworksPerMember).
// nullopt when the event does not exist.
struct PageContext {
  events::Phase phase = events::Phase::kOpen;
  bool member = false;
  std::int64_t epoch = 0;
  std::int64_t artwork_count = 0;
  bool anonymous_voting = false;
  bool votes_listed = false;              // my_votes was read (else FillMyVotes reads them)
  std::vector<std::int64_t> my_votes;     // sorted
  std::vector<std::int64_t> my_artworks;  // sorted; empty unless anonymous_voting
};
std::optional<PageContext> LoadPageContext(db::Tx& tx, std::int64_t event_id, std::int64_t viewer_id);

// Every artwork of the event as keys (id, and vote_count when with_counts), newest first.
void AllKeys(db::Tx& tx, std::int64_t event_id, bool with_counts, std::vector<std::int64_t>& ids,
             std::vector<std::int64_t>& votes);

// The artwork with its artist (what ArtworkService writes as an artwork's head); the
// viewer's fields are left false/empty.
std::optional<ArtworkRow> FindHead(db::Tx& tx, std::int64_t id);

// Pages, as keys: only id and vote_count are set (FindHead or a cache gives the rest);
// the viewer's fields are left false/empty (PageContext::my_votes or FillMyVotes,
// ArtworkHooks::Mark) and rank 0 (FillRanks).
//
// Newest first, ids below `before_id` (all when nullopt); vote_count is 0 unless
// with_counts (reading it costs a table lookup per row).
std::vector<ArtworkRow> ListNew(db::Tx& tx, std::int64_t event_id, std::optional<std::int64_t> before_id, int limit,
                                bool with_counts);
// Most votes first, then oldest first; after the item (votes, id) of the cursor when given.
std::vector<ArtworkRow> ListByVotes(db::Tx& tx, std::int64_t event_id,
                                    std::optional<std::pair<std::int64_t, std::int64_t>> after, int limit);

// The rows of a page by id, for the range queries that set the viewer's fields: each
// reads [Lo(), Hi()] through an index and keeps the ids Find() knows (an id inside the
// range may belong to another page or event). Refers to rows, which must outlive it.
class RowsById {
 public:
  explicit RowsById(std::vector<ArtworkRow>& rows);
  bool Empty() const { return by_id_.empty(); }
  std::int64_t Lo() const { return by_id_.front().first; }
  std::int64_t Hi() const { return by_id_.back().first; }
  // The row of artwork `id`, nullptr when it is not one of rows.
  ArtworkRow* Find(std::int64_t id) const;

 private:
  std::vector<ArtworkRow>& rows_;
  std::vector<std::pair<std::int64_t, size_t>> by_id_;  // (id, index in rows), by id
};
// Sets my_vote on the rows with one range query through votes' primary key
// (voter_id, artwork_id).
void FillMyVotes(db::Tx& tx, const RowsById& rows, std::int64_t viewer_id);
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
// Deletes the artwork, giving its votes back to the voters' budgets and uncounting it from
// events.artwork_count. Its votes go with it, and every other feature's row that refers to
// it (ON DELETE CASCADE): ArtworkHooks::RunBeforeDelete first, for those that need more.
void Delete(db::Tx& tx, std::int64_t id, std::int64_t event_id);

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
