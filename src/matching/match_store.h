#pragma once
// SQL for likes and matches (tables likes, matches, match_participants). Every function
// runs inside the caller's transaction; permissions, phases and the status rules are
// match_service's job.
#include <cstdint>
#include <optional>
#include <string>
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
// takes them.
std::vector<Like> EventLikes(db::Tx& tx, std::int64_t event_id, std::int64_t group_id);
// Whether the user has an artwork in the event.
bool HasArtwork(db::Tx& tx, std::int64_t event_id, std::int64_t user_id);

struct ParticipantRow {
  std::int64_t user_id = 0;
  std::string username;
  std::string display_name;
  std::int64_t artwork_id = 0;
  bool accepted = false;
  bool received = false;
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

// Match ids of an event, ascending, after `after_id`; only those `participant` is in when
// given.
std::vector<std::int64_t> EventMatchIds(db::Tx& tx, std::int64_t event_id, std::optional<std::int64_t> participant,
                                        std::optional<std::int64_t> after_id, int limit);
// Match ids of the user in the groups they are still a member of, newest first, before
// `before_id`.
std::vector<std::int64_t> UserMatchIds(db::Tx& tx, std::int64_t user_id, std::optional<std::int64_t> before_id,
                                       int limit);

}  // namespace atelier::matching::store
