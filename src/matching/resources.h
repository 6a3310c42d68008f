#pragma once
// The likes and matches resources of the API, each described once
// (common/json_describe.h), named as docs/openapi.yaml names the schemas. A match's
// artworks are api::Artwork, the same object every artwork answer writes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/resources.h"
#include "artworks/resources.h"
#include "common/json_describe.h"

namespace atelier::api {

// A like of the caller's (PUT /artworks/{id}/like, GET /events/{id}/likes).
struct Like {
  Id artworkId;
  Time createdAt;
  std::optional<std::int64_t> rank;  // null: unranked
};
BOOST_DESCRIBE_STRUCT(Like, (), (artworkId, createdAt, rank))

// The piece a participant delivered to the other (PUT /matches/{id}/delivery); its images
// are readable by the two participants, and by every member of the group once the match is
// COMPLETED.
struct Delivery {
  std::string title;
  std::string description;
  std::string imageUrl;
  std::string thumbnailUrl;
  int width = 0;
  int height = 0;
  Time createdAt;
};
BOOST_DESCRIBE_STRUCT(Delivery, (), (title, description, imageUrl, thumbnailUrl, width, height, createdAt))

struct MatchParticipant {
  PublicUser user;
  // The piece of this participant's that the other liked best, as the caller sees it.
  // Null only if it is gone (deleting an artwork removes its matches first).
  std::optional<Artwork> artwork;
  bool accepted = false;
  bool received = false;  // this participant marked the other's art received
  // This participant declined the match; false for both when it ended because an artist
  // left the group or deleted their account.
  bool declined = false;
  std::optional<Delivery> delivery;  // what this participant delivered; null: nothing yet
};
BOOST_DESCRIBE_STRUCT(MatchParticipant, (), (user, artwork, accepted, received, declined, delivery))

struct Match {
  Id id;
  Id eventId;
  std::string status;  // PENDING, ACCEPTED, DECLINED, COMPLETED
  Time createdAt;
  std::vector<MatchParticipant> participants;  // by user id
};
BOOST_DESCRIBE_STRUCT(Match, (), (id, eventId, status, createdAt, participants))

// A message between the two artists of a match (GET/POST /matches/{id}/messages).
struct MatchMessage {
  Id id;
  Id matchId;
  PublicUser author;
  std::string text;
  Time createdAt;
};
BOOST_DESCRIBE_STRUCT(MatchMessage, (), (id, matchId, author, text, createdAt))

// A pair of a group's members never matched (POST/GET /groups/{id}/exclusions).
struct Exclusion {
  Id id;
  std::vector<PublicUser> users;  // the two, by user id
  Time createdAt;
};
BOOST_DESCRIBE_STRUCT(Exclusion, (), (id, users, createdAt))

// Why the caller has no match in an event (GET /events/{id}/no-match): the NO_MATCH the
// first pairing sent, while the caller is still in no live match of the event.
struct NoMatch {
  Id eventId;
  std::optional<std::string> reason;   // no_mutual_likes, paired_elsewhere; null: not unmatched
  std::optional<std::string> message;  // the same words as the notification
};
BOOST_DESCRIBE_STRUCT(NoMatch, (), (eventId, reason, message))

}  // namespace atelier::api
