#include "matching/trade_store.h"

#include <climits>

namespace atelier::matching::store {

namespace {
constexpr const char* kMessageColumns =
    "SELECT mm.id, mm.match_id, mm.author_id, u.username, u.display_name, mm.text, mm.created_at "
    "FROM match_messages mm JOIN users u ON u.id = mm.author_id ";

MessageRow MessageFrom(const db::Row& r) {
  return {r.Int(0), r.Int(1), r.Int(2), r.Str(3), r.Str(4), r.Str(5), r.Int(6)};
}

constexpr const char* kDeliveryColumns =
    "SELECT id, match_id, user_id, title, description, image_key, image_type, thumb_key, thumb_type, width, height, "
    "created_at FROM match_deliveries ";

DeliveryRow DeliveryFrom(const db::Row& r) {
  return {r.Int(0),
          r.Int(1),
          r.Int(2),
          r.Str(3),
          r.Str(4),
          r.Str(5),
          r.Str(6),
          r.Str(7),
          r.Str(8),
          static_cast<int>(r.Int(9)),
          static_cast<int>(r.Int(10)),
          r.Int(11)};
}
}  // namespace

std::int64_t InsertMessage(db::Tx& tx, std::int64_t match_id, std::int64_t author_id, const std::string& text,
                           Millis now) {
  return tx
      .QueryOne(
          "INSERT INTO match_messages (match_id, author_id, text, created_at) VALUES ($1, $2, $3, $4) "
          "RETURNING id",
          match_id, author_id, text, now)
      ->Int(0);
}

std::optional<MessageRow> FindMessage(db::Tx& tx, std::int64_t message_id) {
  auto row = tx.QueryOne(std::string(kMessageColumns) + "WHERE mm.id = $1", message_id);
  if (!row) return std::nullopt;
  return MessageFrom(*row);
}

std::vector<MessageRow> ListMessages(db::Tx& tx, std::int64_t match_id, std::optional<std::int64_t> before_id,
                                     int limit) {
  std::vector<MessageRow> out;
  for (const auto& r :
       tx.Query(std::string(kMessageColumns) + "WHERE mm.match_id = $1 AND mm.id < $2 ORDER BY mm.id DESC LIMIT $3",
                match_id, before_id.value_or(INT64_MAX), limit))
    out.push_back(MessageFrom(r));
  return out;
}

std::int64_t WaitingMessages(db::Tx& tx, std::int64_t match_id, std::int64_t author_id, std::int64_t reader_id) {
  return tx
      .QueryOne(
          "SELECT COUNT(*) FROM match_messages WHERE match_id = $1 AND author_id = $2 AND id > "
          "COALESCE((SELECT MAX(id) FROM match_messages WHERE match_id = $1 AND author_id = $3), 0)",
          match_id, author_id, reader_id)
      ->Int(0);
}

bool ClaimMessageMail(db::Tx& tx, std::int64_t match_id, std::int64_t user_id, Millis now, Millis interval_ms) {
  return tx
      .QueryOne(
          "INSERT INTO match_message_mail (match_id, user_id, last_mailed_at) VALUES ($1, $2, $3) "
          "ON CONFLICT (match_id, user_id) DO UPDATE SET last_mailed_at = excluded.last_mailed_at "
          "WHERE match_message_mail.last_mailed_at <= $4 RETURNING match_id",
          match_id, user_id, now, now - interval_ms)
      .has_value();
}

std::vector<DeliveryRow> MatchDeliveries(db::Tx& tx, std::int64_t match_id) {
  std::vector<DeliveryRow> out;
  for (const auto& r : tx.Query(std::string(kDeliveryColumns) + "WHERE match_id = $1 ORDER BY user_id", match_id))
    out.push_back(DeliveryFrom(r));
  return out;
}

std::optional<DeliveryRow> FindDelivery(db::Tx& tx, std::int64_t delivery_id) {
  auto row = tx.QueryOne(std::string(kDeliveryColumns) + "WHERE id = $1", delivery_id);
  if (!row) return std::nullopt;
  return DeliveryFrom(*row);
}

void UpsertDelivery(db::Tx& tx, const DeliveryRow& d) {
  tx.Exec(
      "INSERT INTO match_deliveries (match_id, user_id, title, description, image_key, image_type, thumb_key, "
      "thumb_type, width, height, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
      "ON CONFLICT (match_id, user_id) DO UPDATE SET title = excluded.title, description = excluded.description, "
      "image_key = excluded.image_key, image_type = excluded.image_type, thumb_key = excluded.thumb_key, "
      "thumb_type = excluded.thumb_type, width = excluded.width, height = excluded.height, "
      "created_at = excluded.created_at",
      d.match_id, d.user_id, d.title, d.description, d.image_key, d.image_type, d.thumb_key, d.thumb_type,
      static_cast<std::int64_t>(d.width), static_cast<std::int64_t>(d.height), d.created_at);
}

void SetCompletedAt(db::Tx& tx, std::int64_t match_id, Millis now) {
  tx.Exec("UPDATE matches SET completed_at = $2 WHERE id = $1", match_id, now);
}

std::vector<std::pair<std::int64_t, std::int64_t>> CompletedMatches(
    db::Tx& tx, std::int64_t event_id, std::optional<std::pair<std::int64_t, std::int64_t>> after, int limit) {
  std::vector<db::Row> rows;
  if (after) {
    rows = tx.Query(
        "SELECT completed_at, id FROM matches WHERE event_id = $1 AND status = 'COMPLETED' "
        "AND (completed_at < $2 OR (completed_at = $2 AND id < $3)) ORDER BY completed_at DESC, id DESC LIMIT $4",
        event_id, after->first, after->second, limit);
  } else {
    rows = tx.Query(
        "SELECT completed_at, id FROM matches WHERE event_id = $1 AND status = 'COMPLETED' "
        "ORDER BY completed_at DESC, id DESC LIMIT $2",
        event_id, limit);
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& r : rows) out.emplace_back(r.Int(0), r.Int(1));
  return out;
}

}  // namespace atelier::matching::store
