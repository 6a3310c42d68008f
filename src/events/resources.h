#pragma once
// The event resource of the API (docs/product.md §5), described once
// (common/json_describe.h). EventService answers with it (the event as one member sees
// it: the row plus the member's votes left); the routes write it with http::JsonResponse.
#include <optional>
#include <string>

#include "common/json_describe.h"
#include "events/phase.h"

namespace atelier::events {
// A phase is written as its name: "OPEN", "VOTING", "MATCHING", "CLOSED".
inline void WriteJsonValue(JsonWriter& w, Phase phase) { w.String(PhaseName(phase)); }
}  // namespace atelier::events

namespace atelier::api {

struct Event {
  Id id;
  Id groupId;
  std::string name;
  std::string description;
  events::Phase phase = events::Phase::kOpen;
  // The set times of the automatic changes (events::Schedule); empty: only by hand.
  std::optional<Time> votingStartsAt;
  std::optional<Time> matchingStartsAt;
  std::optional<Time> endsAt;
  int votesPerMember = 0;
  int maxArtworksPerMember = 0;
  int artworkCount = 0;
  Time createdAt;
  int myVotesRemaining = 0;  // votesPerMember minus the caller's votes in this event, at least 0
  // Artists hidden from all but themselves until VOTING ends (artworks::ArtistHidden).
  bool anonymousVoting = false;
  std::optional<Time> tradesDueAt;  // when the trades of the event's matches are due; empty: no deadline
  bool avoidRepeatPartners = true;  // the pairing leaves out partners of the group's previous event
};
BOOST_DESCRIBE_STRUCT(Event, (),
                      (id, groupId, name, description, phase, votingStartsAt, matchingStartsAt, endsAt, votesPerMember,
                       maxArtworksPerMember, artworkCount, createdAt, myVotesRemaining, anonymousVoting, tradesDueAt,
                       avoidRepeatPartners))

}  // namespace atelier::api
