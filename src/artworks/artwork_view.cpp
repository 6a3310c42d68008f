#include "artworks/artwork_view.h"

#include <string>
#include <string_view>

#include "artworks/store.h"
#include "common/json_util.h"

namespace atelier::artworks {

namespace {
// `/api/v1/artworks/{id}/{kind}?v={version}`: the first 16 characters of the content key.
std::string ImageUrl(const std::string& id, const char* kind, const std::string& key) {
  std::string url;
  url.reserve(64);
  url.append("/api/v1/artworks/").append(id).append(kind).append("?v=").append(std::string_view(key).substr(0, 16));
  return url;
}
}  // namespace

api::ArtworkHead HeadOf(const ArtworkRow& a, bool hide_artist) {
  const std::string id = IdStr(a.id);
  api::ArtworkHead h;
  h.id = Id{a.id};
  h.eventId = Id{a.event_id};
  if (!hide_artist) h.artist = api::PublicUser{Id{a.artist_id}, a.artist_username, a.artist_display_name};
  h.title = a.title;
  h.description = a.description;
  h.imageUrl = ImageUrl(id, "/image", a.image_key);
  h.thumbnailUrl = ImageUrl(id, "/thumbnail", a.thumb_key);
  // Without a rendition (a small image, or an upload from before renditions) the original
  // is the image sized for the screen.
  const bool display = !a.display_key.empty();
  h.displayUrl = display ? ImageUrl(id, "/display", a.display_key) : h.imageUrl;
  h.width = a.width;
  h.height = a.height;
  h.displayWidth = display ? a.display_width : a.width;
  h.displayHeight = display ? a.display_height : a.height;
  h.createdAt = Time{a.created_at};
  return h;
}

api::ArtworkViewer ViewerOf(const ArtworkRow& a, bool counts_visible) {
  api::ArtworkViewer v;
  if (counts_visible) v.voteCount = a.vote_count;
  v.myVote = a.my_vote;
  if (a.marks.liked) v.myLike = api::MyLike{a.marks.like_rank};
  v.isMatched = a.marks.matched;
  return v;
}

api::Artwork ArtworkOf(const ArtworkRow& a, bool counts_visible, bool hide_artist) {
  api::Artwork out;
  static_cast<api::ArtworkHead&>(out) = HeadOf(a, hide_artist);
  static_cast<api::ArtworkViewer&>(out) = ViewerOf(a, counts_visible);
  return out;
}

std::optional<ArtworkRef> FindArtwork(db::Tx& tx, std::int64_t artwork_id) {
  auto row = tx.QueryOne("SELECT id, event_id, artist_id FROM artworks WHERE id = $1", artwork_id);
  if (!row) return std::nullopt;
  return ArtworkRef{row->Int(0), row->Int(1), row->Int(2)};
}

bool HasArtworkIn(db::Tx& tx, std::int64_t event_id, std::int64_t artist_id) {
  return tx.QueryOne("SELECT 1 FROM artworks WHERE event_id = $1 AND artist_id = $2 LIMIT 1", event_id, artist_id)
      .has_value();
}

std::vector<ArtworkRef> EventArtworks(db::Tx& tx, std::int64_t event_id) {
  std::vector<ArtworkRef> out;
  tx.ForEach(
      "SELECT id, artist_id FROM artworks WHERE event_id = $1 ORDER BY id",
      [&](const db::RowView& r) {
        out.push_back({r.Int(0), event_id, r.Int(1)});
      },
      event_id);
  return out;
}

std::optional<api::Artwork> ViewArtwork(db::Tx& tx, const ArtworkHooks& hooks, std::int64_t artwork_id,
                                        std::int64_t viewer_id, events::Phase phase, bool anonymous_voting) {
  auto a = store::Find(tx, artwork_id, viewer_id);
  if (!a) return std::nullopt;
  hooks.Mark(tx, phase, viewer_id, a->id, a->id, [&a](std::int64_t id) { return id == a->id ? &a->marks : nullptr; });
  return ArtworkOf(*a, events::CountsVisible(phase),
                   ArtistHidden(anonymous_voting, phase) && a->artist_id != viewer_id);
}

}  // namespace atelier::artworks
