#include "matching/account_deletion.h"

#include <boost/json.hpp>

#include "common/json_util.h"

namespace atelier::matching {

void WithdrawLeavingUser(db::Tx& tx, const notify::Notifier& notifier, std::int64_t user_id) {
  auto open = tx.Query(
      "SELECT m.id, m.event_id, e.name FROM matches m JOIN match_participants p ON p.match_id = m.id "
      "JOIN events e ON e.id = m.event_id WHERE p.user_id = $1 AND m.status IN ('PENDING', 'ACCEPTED') ORDER BY m.id",
      user_id);
  for (const auto& m : open) {
    if (tx.Exec("UPDATE matches SET status = 'DECLINED' WHERE id = $1 AND status IN ('PENDING', 'ACCEPTED')",
                m.Int(0)) != 1)
      continue;
    boost::json::object data{{"matchId", IdStr(m.Int(0))}, {"eventId", IdStr(m.Int(1))}};
    for (const auto& p :
         tx.Query("SELECT user_id FROM match_participants WHERE match_id = $1 AND user_id <> $2", m.Int(0), user_id))
      notifier.Notify(tx, p.Int(0), notify::Type::kMatchUpdate,
                      "Your match in \"" + m.Str(2) + "\" was declined: the other artist deleted their account", data);
  }
  tx.Exec("DELETE FROM likes WHERE liker_id = $1", user_id);
}

void ExportFor(db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out) {
  using Kind = accounts::ExportColumn::Kind;
  out.json.Key("likes");
  accounts::WriteRows(
      out.json,
      tx.Query("SELECT artwork_id, event_id, rank, created_at FROM likes WHERE liker_id = $1 "
               "ORDER BY created_at, artwork_id",
               user_id),
      {{"artworkId", Kind::kId}, {"eventId", Kind::kId}, {"rank", Kind::kInt}, {"createdAt", Kind::kTime}});
  out.json.Key("matches");
  accounts::WriteRows(
      out.json,
      tx.Query("SELECT m.id, m.event_id, m.status, m.created_at, m.completed_at, me.artwork_id, me.accepted, "
               "me.received, other.user_id, u.username, other.artwork_id FROM match_participants me "
               "JOIN matches m ON m.id = me.match_id "
               "JOIN match_participants other ON other.match_id = me.match_id AND other.user_id <> me.user_id "
               "JOIN users u ON u.id = other.user_id WHERE me.user_id = $1 ORDER BY m.id",
               user_id),
      {{"id", Kind::kId},
       {"eventId", Kind::kId},
       {"status", Kind::kString},
       {"createdAt", Kind::kTime},
       {"completedAt", Kind::kTime},
       {"myArtworkId", Kind::kId},
       {"accepted", Kind::kBool},
       {"received", Kind::kBool},
       {"partnerId", Kind::kId},
       {"partnerUsername", Kind::kString},
       {"partnerArtworkId", Kind::kId}});
}

void RemoveLeavingUserTrades(db::Tx& tx, std::int64_t user_id) {
  tx.Exec("DELETE FROM match_messages WHERE author_id = $1", user_id);
  tx.Exec("DELETE FROM match_deliveries WHERE user_id = $1", user_id);
  tx.Exec("DELETE FROM match_message_mail WHERE user_id = $1", user_id);
}

void ExportTradesFor(db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out,
                     const std::function<std::filesystem::path(const std::string& key)>& image_path) {
  using Kind = accounts::ExportColumn::Kind;
  out.json.Key("matchMessages");
  accounts::WriteRows(out.json,
                      tx.Query("SELECT id, match_id, text, created_at FROM match_messages WHERE author_id = $1 "
                               "ORDER BY id",
                               user_id),
                      {{"id", Kind::kId}, {"matchId", Kind::kId}, {"text", Kind::kString}, {"createdAt", Kind::kTime}});
  auto deliveries = tx.Query("SELECT id, match_id, title, description, width, height, image_type, created_at, " +
                                 accounts::ImageFileNameSql("deliveries", "id", "image_type") +
                                 ", image_key "
                                 "FROM match_deliveries WHERE user_id = $1 ORDER BY id",
                             user_id);
  out.json.Key("deliveries");
  accounts::WriteRows(out.json, deliveries,
                      {{"id", Kind::kId},
                       {"matchId", Kind::kId},
                       {"title", Kind::kString},
                       {"description", Kind::kString},
                       {"width", Kind::kInt},
                       {"height", Kind::kInt},
                       {"imageType", Kind::kString},
                       {"createdAt", Kind::kTime},
                       {"imageFile", Kind::kString}});
  for (const auto& d : deliveries) out.files.emplace_back(d.Str(8), image_path(d.Str(9)));
}

}  // namespace atelier::matching
