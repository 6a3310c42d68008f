#include "artworks/account_deletion.h"

#include "artworks/store.h"
#include "events/event_lookup.h"

namespace atelier::artworks {

void RemoveLeavingUser(db::Tx& tx, const ArtworkHooks& hooks, std::int64_t user_id) {
  for (const auto& v : tx.Query("SELECT v.artwork_id, v.event_id FROM votes v JOIN events e ON e.id = v.event_id "
                                "WHERE v.voter_id = $1 AND e.phase IN ('OPEN', 'VOTING') ORDER BY v.artwork_id",
                                user_id))
    store::RemoveVote(tx, user_id, v.Int(0), v.Int(1));
  for (const auto& a : tx.Query("SELECT id, event_id FROM artworks WHERE artist_id = $1 ORDER BY id", user_id)) {
    const events::EventInfo e = events::MustLoadEvent(tx, a.Int(1), true);
    hooks.RunBeforeDelete(tx, a.Int(0), e);
    store::Delete(tx, a.Int(0), e.id);
  }
}

void ExportFor(db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out,
               const std::function<std::filesystem::path(const std::string& key)>& image_path) {
  using Kind = accounts::ExportColumn::Kind;
  auto arts = tx.Query(
      "SELECT a.id, a.event_id, e.name, a.title, a.description, a.width, a.height, a.image_type, a.created_at, "
      "CASE WHEN e.phase IN ('MATCHING', 'CLOSED') THEN a.vote_count END, " +
          accounts::ImageFileNameSql("images", "a.id", "a.image_type") +
          ", a.image_key "
          "FROM artworks a JOIN events e ON e.id = a.event_id WHERE a.artist_id = $1 ORDER BY a.id",
      user_id);
  out.json.Key("artworks");
  accounts::WriteRows(out.json, arts,
                      {{"id", Kind::kId},
                       {"eventId", Kind::kId},
                       {"eventName", Kind::kString},
                       {"title", Kind::kString},
                       {"description", Kind::kString},
                       {"width", Kind::kInt},
                       {"height", Kind::kInt},
                       {"imageType", Kind::kString},
                       {"createdAt", Kind::kTime},
                       {"voteCount", Kind::kInt},
                       {"imageFile", Kind::kString}});
  for (const auto& a : arts) out.files.emplace_back(a.Str(10), image_path(a.Str(11)));
  out.json.Key("votes");
  accounts::WriteRows(out.json,
                      tx.Query("SELECT artwork_id, event_id, created_at FROM votes WHERE voter_id = $1 "
                               "ORDER BY created_at, artwork_id",
                               user_id),
                      {{"artworkId", Kind::kId}, {"eventId", Kind::kId}, {"createdAt", Kind::kTime}});
}

}  // namespace atelier::artworks
