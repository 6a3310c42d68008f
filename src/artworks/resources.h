#pragma once
// The artwork resources of the API, each described once (common/json_describe.h): the
// Artwork (single artwork, upload answer, list pages, results, matches), the Result item
// and the VoteStatus. Named as docs/openapi.yaml names the schemas.
//
// An Artwork is written in two described halves: the head, which every viewer sees alike
// and which ArtworkHeadCache keeps written, and the viewer's part. Artwork is both, in that
// order; ListedArtwork is the same object with its head already written (the list pages'
// fast path), so both ways give the same bytes (artwork_json_test checks it).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "accounts/resources.h"
#include "common/json_describe.h"

namespace atelier::api {

// What every viewer of an artwork sees alike — but for `artist`, which an event with
// anonymous voting hides until VOTING ends from everyone but the artist (artworks::
// ArtistHidden): such a head is written twice, with the artist and without, and each viewer
// gets the one meant for them (ArtworkService::Listed).
struct ArtworkHead {
  Id id;
  Id eventId;
  std::optional<PublicUser> artist;  // null while anonymous voting hides it
  std::string title;
  std::string description;
  // `/api/v1/artworks/{id}/image?v=…`: the version (a prefix of the image's content key)
  // makes a cached image safe to keep for long: new bytes, new URL.
  std::string imageUrl;
  std::string thumbnailUrl;
  // The image sized for screens: longest side 1600 px (`/display?v=…`); the original's URL
  // when the image is no larger than that (no copy is made) or was uploaded before copies
  // were made. displayWidth/displayHeight are its size (then the original's).
  std::string displayUrl;
  int width = 0;
  int height = 0;
  int displayWidth = 0;
  int displayHeight = 0;
  Time createdAt;
};
BOOST_DESCRIBE_STRUCT(ArtworkHead, (),
                      (id, eventId, artist, title, description, imageUrl, thumbnailUrl, displayUrl, width, height,
                       displayWidth, displayHeight, createdAt))

// The caller's like of an artwork; rank null when unranked.
struct MyLike {
  std::optional<std::int64_t> rank;
};
BOOST_DESCRIBE_STRUCT(MyLike, (), (rank))

// What depends on the viewer and on the event's phase.
struct ArtworkViewer {
  std::optional<std::int64_t> voteCount;  // null while voting is blind (OPEN, VOTING)
  bool myVote = false;
  std::optional<MyLike> myLike;  // null when the caller has not liked it
  bool isMatched = false;        // in a match that is not DECLINED
};
BOOST_DESCRIBE_STRUCT(ArtworkViewer, (), (voteCount, myVote, myLike, isMatched))

// The Artwork object of docs/product.md §6.
struct Artwork : ArtworkHead, ArtworkViewer {};
BOOST_DESCRIBE_STRUCT(Artwork, (ArtworkHead, ArtworkViewer), ())

// The head as ListedArtwork keeps it: the object opened and the head's members written,
// left open (`{"id":"1",…,"createdAt":"…"`). The only way such text is made.
inline std::string OpenArtworkText(const ArtworkHead& head) {
  std::string out;
  out.reserve(512);
  JsonWriter w(out);
  w.BeginObject();
  WriteJsonMembers(w, head);
  return out;
}

// An Artwork whose head was written before by OpenArtworkText (shared with
// ArtworkHeadCache; immutable), and the viewer's part.
struct ListedArtwork {
  std::shared_ptr<const std::string> head;
  ArtworkViewer viewer;
};
inline void WriteJsonValue(JsonWriter& w, const ListedArtwork& a) {
  w.ResumeObject(*a.head);
  WriteJsonMembers(w, a.viewer);
  w.EndObject();
}

// An item of GET /events/{id}/results; A is Artwork or ListedArtwork (the same object).
template <typename A>
struct ResultOf {
  int rank = 0;  // competition ranking: ties share a rank (1, 2, 2, 4)
  A artwork;
  std::int64_t voteCount = 0;
  BOOST_DESCRIBE_CLASS(ResultOf, (), (rank, artwork, voteCount), (), ())
};
using Result = ResultOf<Artwork>;

// The answer of PUT/DELETE /artworks/{id}/vote.
struct VoteStatus {
  int votesRemaining = 0;
};
BOOST_DESCRIBE_STRUCT(VoteStatus, (), (votesRemaining))

}  // namespace atelier::api
