// The Artwork object of docs/product.md §6 as its description writes it (artworks/resources.h),
// whole and with its head written first (the list pages' way), against an object built
// member by member with boost::json: same members, same order, same bytes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>

#include "artworks/resources.h"
#include "artworks/store.h"
#include "common/clock.h"
#include "common/json_describe.h"

namespace atelier::artworks {
namespace {

namespace json = boost::json;

json::object Expected(const ArtworkRow& a, bool visible, bool hidden = false) {
  json::object o;
  o["id"] = std::to_string(a.id);
  o["eventId"] = std::to_string(a.event_id);
  if (hidden)
    o["artist"] = nullptr;
  else
    o["artist"] = json::object{
        {"id", std::to_string(a.artist_id)}, {"username", a.artist_username}, {"displayName", a.artist_display_name}};
  o["title"] = a.title;
  o["description"] = a.description;
  o["imageUrl"] = "/api/v1/artworks/" + std::to_string(a.id) + "/image?v=" + a.image_key.substr(0, 16);
  o["thumbnailUrl"] = "/api/v1/artworks/" + std::to_string(a.id) + "/thumbnail?v=" + a.thumb_key.substr(0, 16);
  const bool display = !a.display_key.empty();
  o["displayUrl"] = display ? "/api/v1/artworks/" + std::to_string(a.id) + "/display?v=" + a.display_key.substr(0, 16)
                            : o["imageUrl"].as_string().c_str();
  o["width"] = a.width;
  o["height"] = a.height;
  o["displayWidth"] = display ? a.display_width : a.width;
  o["displayHeight"] = display ? a.display_height : a.height;
  o["createdAt"] = FormatTime(a.created_at);
  o["voteCount"] = visible ? json::value(a.vote_count) : json::value(nullptr);
  o["myVote"] = a.my_vote;
  if (a.marks.liked)
    o["myLike"] = json::object{{"rank", a.marks.like_rank ? json::value(*a.marks.like_rank) : json::value(nullptr)}};
  else
    o["myLike"] = nullptr;
  o["isMatched"] = a.marks.matched;
  return o;
}

TEST(ArtworkJson, EveryCombinationOfViewerFieldsAsBoostWritesIt) {
  ArtworkRow a;
  a.id = 9007199254740993;
  a.event_id = 12;
  a.artist_id = 3;
  a.artist_username = "ann";
  a.artist_display_name = "Ann \"the\" Painter \\ é";
  a.title = "Blue\nPeriod";
  a.description = std::string("tab\there, nul \0 byte", 20);
  a.image_key = "0123456789abcdef0123456789abcdef";
  a.thumb_key = "fedcba9876543210fedcba9876543210";
  a.width = 4000;
  a.height = 1;
  a.created_at = 1'764'150'000'123;
  int cases = 0;
  for (bool visible : {false, true})
    for (std::int64_t votes : {std::int64_t{0}, std::int64_t{7}, std::int64_t{2'147'483'647}})
      for (bool my_vote : {false, true})
        for (int like = 0; like < 4; ++like)
          for (bool matched : {false, true}) {
            a.vote_count = votes;
            a.my_vote = my_vote;
            a.marks.liked = like > 0;
            a.marks.like_rank = like == 2   ? std::optional<std::int64_t>(1)
                                : like == 3 ? std::optional<std::int64_t>(INT64_MAX)
                                            : std::nullopt;
            a.marks.matched = matched;
            const std::string expected = json::serialize(Expected(a, visible));
            EXPECT_EQ(ToJsonText(ArtworkOf(a, visible)), expected);
            // The list pages' way: the head written once (as the cache keeps it), then the rest.
            const api::ListedArtwork listed{std::make_shared<const std::string>(api::OpenArtworkText(HeadOf(a))),
                                            ViewerOf(a, visible)};
            EXPECT_EQ(ToJsonText(listed), expected);
            // A result item holds the same object either way.
            const json::object result{{"rank", 2}, {"artwork", Expected(a, visible)}, {"voteCount", a.vote_count}};
            EXPECT_EQ(ToJsonText(api::ResultOf<api::ListedArtwork>{2, listed, a.vote_count}), json::serialize(result));
            EXPECT_EQ(ToJsonText(api::Result{2, ArtworkOf(a, visible), a.vote_count}), json::serialize(result));
            ++cases;
          }
  EXPECT_EQ(cases, 96);
}

// An anonymous head (ArtistHidden) writes the artist as null and nothing of the name; with a
// display rendition its URL and size are the rendition's, without one the original's.
TEST(ArtworkJson, HiddenArtistAndDisplayRendition) {
  ArtworkRow a;
  a.id = 5;
  a.event_id = 2;
  a.artist_id = 3;
  a.artist_username = "secretname";
  a.artist_display_name = "Secret Display";
  a.title = "T";
  a.image_key = "0123456789abcdef0123456789abcdef";
  a.thumb_key = "fedcba9876543210fedcba9876543210";
  a.width = 4000;
  a.height = 3000;
  a.created_at = 1'764'150'000'123;
  for (bool display : {false, true}) {
    a.display_key = display ? "aaaabbbbccccddddeeee" : "";
    a.display_width = display ? 1600 : 0;
    a.display_height = display ? 1200 : 0;
    for (bool hidden : {false, true}) {
      const std::string expected = json::serialize(Expected(a, false, hidden));
      EXPECT_EQ(ToJsonText(ArtworkOf(a, false, hidden)), expected);
      const std::string head = api::OpenArtworkText(HeadOf(a, hidden));
      EXPECT_EQ(ToJsonText(api::ListedArtwork{std::make_shared<const std::string>(head), ViewerOf(a, false)}),
                expected);
      EXPECT_EQ(head.find("secretname") == std::string::npos, hidden) << head;
      EXPECT_EQ(head.find("Secret Display") == std::string::npos, hidden) << head;
    }
  }
  EXPECT_NE(api::OpenArtworkText(HeadOf(a)).find("/display?v=aaaabbbbccccdddd"), std::string::npos);
}

}  // namespace
}  // namespace atelier::artworks
