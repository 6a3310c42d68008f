#pragma once
// SQL for likes and matches (tables likes, matches, match_participants). Every function
// runs inside the caller's transaction; permissions, phases and the status rules are
// service.h's job.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "db/database.h"
#include "matching/pairing.h"

namespace atelier::matching::store {

struct LikeRow {
  std::int64_t artwork_id = 0;
  std::optional<std::int64_t> rank;  // nullopt: unranked
  Millis created_at = 0;
};

// Inserts the like, or changes the rank of an existing one (its createdAt stays the time
// of the first like). Returns the like as stored.
LikeRow UpsertLike(db::Tx& tx, std::int64_t liker_id, std::int64_t artwork_id, std::int64_t event_id,
                   std::optional<std::int64_t> rank, Millis now);
// False when there was no like.
bool DeleteLike(db::Tx& tx, std::int64_t liker_id, std::int64_t artwork_id);
// The liker's likes in the event by artwork id, after `after_artwork` when given.
std::vector<LikeRow> ListLikes(db::Tx& tx, std::int64_t event_id, std::int64_t liker_id,
                               std::optional<std::int64_t> after_artwork, int limit);
// Every like of the event whose liker is still a member of `group_id`, as ComputePairing
// takes them but for the artist, left 0 (artworks knows it: artworks/artwork_view.h).
std::vector<Like> EventLikes(db::Tx& tx, std::int64_t event_id, std::int64_t group_id);

// The viewer's likes of artworks with ids in [lo, hi]: fn(artwork_id, rank), through likes'
// primary key (liker_id, artwork_id).
void ViewerLikes(db::Tx& tx, std::int64_t viewer_id, std::int64_t lo, std::int64_t hi,
                 const std::function<void(std::int64_t, std::optional<std::int64_t>)>& fn);
// The artworks with ids in [lo, hi] that are in a match that is not DECLINED: fn(artwork_id),
// through match_participants_artwork.
void MatchedArtworks(db::Tx& tx, std::int64_t lo, std::int64_t hi, const std::function<void(std::int64_t)>& fn);

struct ParticipantRow {
  std::int64_t user_id = 0;
  std::string username;
  std::string display_name;
  std::int64_t artwork_id = 0;
  bool accepted = false;
  bool received = false;
  bool decliner = false;  // this participant declined the match (POST /matches/{id}/decline)
};

struct MatchRow {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::int64_t group_id = 0;  // the event's group
  std::string event_name;
  std::string status;  // PENDING, ACCEPTED, DECLINED, COMPLETED
  Millis created_at = 0;
  std::vector<ParticipantRow> participants;  // by user id; two unless an artwork was deleted since
};

// Inserts a PENDING match with its two participants; returns its id.
std::int64_t InsertMatch(db::Tx& tx, std::int64_t event_id, const Pair& pair, Millis now);
// The match with its participants; for_update locks the match row (PostgreSQL).
std::optional<MatchRow> LoadMatch(db::Tx& tx, std::int64_t id, bool for_update = false);
void SetStatus(db::Tx& tx, std::int64_t match_id, const std::string& status);
void SetAccepted(db::Tx& tx, std::int64_t match_id, std::int64_t user_id);
void SetReceived(db::Tx& tx, std::int64_t match_id, std::int64_t user_id);
// Marks the participant who declined the match (with SetStatus(…, "DECLINED")).
void SetDecliner(db::Tx& tx, std::int64_t match_id, std::int64_t user_id);

// Match ids of an event, ascending, after `after_id`; only those `participant` is in when
// given.
std::vector<std::int64_t> EventMatchIds(db::Tx& tx, std::int64_t event_id, std::optional<std::int64_t> participant,
                                        std::optional<std::int64_t> after_id, int limit);
// Match ids of the user in the groups they are still a member of, newest first, before
// `before_id`.
std::vector<std::int64_t> UserMatchIds(db::Tx& tx, std::int64_t user_id, std::optional<std::int64_t> before_id,
                                       int limit);

// The matches an artwork is in, removed with their participants (the artwork's own
// participant row would otherwise go with the artwork and leave a match of one). Returns
// each removed match's id, status and the users who were in it.
struct RemovedMatch {
  std::int64_t id = 0;
  std::string status;
  std::vector<std::int64_t> users;
};
std::vector<RemovedMatch> DeleteMatchesOf(db::Tx& tx, std::int64_t artwork_id);

// ---- What the pairing leaves out (docs/matching.md, "Pairs that are never made") ----
using UserPair = std::pair<std::int64_t, std::int64_t>;  // smaller id first
// The pairs of the event whose match was DECLINED.
std::vector<UserPair> DeclinedPairs(db::Tx& tx, std::int64_t event_id);
// The group's exclusions.
std::vector<UserPair> ExcludedPairs(db::Tx& tx, std::int64_t group_id);
// The pairs matched (any status but DECLINED) in the group's most recent CLOSED event with
// an id below `event_id`; empty when there is none.
std::vector<UserPair> PreviousPartners(db::Tx& tx, std::int64_t group_id, std::int64_t event_id);
// The artists of the event in a match that is not DECLINED (PENDING, ACCEPTED, COMPLETED).
std::vector<std::int64_t> LiveParticipants(db::Tx& tx, std::int64_t event_id);
// The PENDING or ACCEPTED matches the user is in, in the group's events: (match id, event id).
std::vector<UserPair> OpenMatchesOf(db::Tx& tx, std::int64_t group_id, std::int64_t user_id);
// Counts a pairing of the event (its row in pairing_rounds, made or moved on): the
// re-pairings of one event write this row first, so they are ordered.
void BumpPairingRound(db::Tx& tx, std::int64_t event_id);

// ---- Why no match (NO_MATCH) ----
void InsertUnmatched(db::Tx& tx, std::int64_t event_id, std::int64_t user_id, const std::string& reason);
std::optional<std::string> UnmatchedReason(db::Tx& tx, std::int64_t event_id, std::int64_t user_id);
bool HasLiveMatch(db::Tx& tx, std::int64_t event_id, std::int64_t user_id);

// ---- TRADE_REMINDER ----
struct DueTradeReminder {
  std::int64_t match_id = 0;
  std::int64_t user_id = 0;
  std::int64_t event_id = 0;
  std::string event_name;
  Millis due_at = 0;
};
// Participants of ACCEPTED matches whose event's tradesDueAt lies in (now, now + within],
// who have not delivered (no match_deliveries row of theirs) and whose art the partner has
// not marked received, not yet reminded; up to `limit`.
std::vector<DueTradeReminder> DueTradeReminders(db::Tx& tx, Millis now, Millis within, int limit);

// ---- Exclusions (table exclusions) ----
struct ExclusionRow {
  std::int64_t id = 0;
  std::int64_t group_id = 0;
  std::int64_t user_a = 0, user_b = 0;
  Millis created_at = 0;
};
// Inserts (user_a < user_b); nullopt when the group has that pair already.
std::optional<std::int64_t> InsertExclusion(db::Tx& tx, std::int64_t group_id, std::int64_t user_a, std::int64_t user_b,
                                            Millis now);
std::optional<ExclusionRow> LoadExclusion(db::Tx& tx, std::int64_t id);
// The group's exclusions by id, after `after_id`.
std::vector<ExclusionRow> ListExclusions(db::Tx& tx, std::int64_t group_id, std::optional<std::int64_t> after_id,
                                         int limit);
void DeleteExclusion(db::Tx& tx, std::int64_t id);

}  // namespace atelier::matching::store
