#include "matching/store.h"

#include <climits>

namespace atelier::matching::store {

namespace {
LikeRow LikeFrom(const db::Row& r) { return {r.Int(0), r.OptInt(1), r.Int(2)}; }
}  // namespace

LikeRow UpsertLike(db::Tx& tx, std::int64_t liker_id, std::int64_t artwork_id, std::int64_t event_id,
                   std::optional<std::int64_t> rank, Millis now) {
  auto row = tx.QueryOne(
      "INSERT INTO likes (liker_id, artwork_id, event_id, rank, created_at) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (liker_id, artwork_id) DO UPDATE SET rank = excluded.rank "
      "RETURNING artwork_id, rank, created_at",
      liker_id, artwork_id, event_id, rank, now);
  return LikeFrom(*row);
}

bool DeleteLike(db::Tx& tx, std::int64_t liker_id, std::int64_t artwork_id) {
  return tx.Exec("DELETE FROM likes WHERE liker_id = $1 AND artwork_id = $2", liker_id, artwork_id) > 0;
}

std::vector<LikeRow> ListLikes(db::Tx& tx, std::int64_t event_id, std::int64_t liker_id,
                               std::optional<std::int64_t> after_artwork, int limit) {
  std::vector<LikeRow> out;
  for (const auto& r : tx.Query("SELECT artwork_id, rank, created_at FROM likes "
                                "WHERE event_id = $1 AND liker_id = $2 AND artwork_id > $3 "
                                "ORDER BY artwork_id LIMIT $4",
                                event_id, liker_id, after_artwork.value_or(0), limit))
    out.push_back(LikeFrom(r));
  return out;
}

std::vector<Like> EventLikes(db::Tx& tx, std::int64_t event_id, std::int64_t group_id) {
  std::vector<Like> out;
  for (const auto& r : tx.Query("SELECT l.liker_id, l.artwork_id, l.rank FROM likes l "
                                "JOIN memberships m ON m.group_id = $2 AND m.user_id = l.liker_id "
                                "WHERE l.event_id = $1",
                                event_id, group_id)) {
    Like like{r.Int(0), r.Int(1), 0, std::nullopt};
    // The column's CHECK keeps rank ≥ 1 and the service keeps it ≤ INT_MAX.
    if (auto rank = r.OptInt(2)) like.rank = static_cast<int>(*rank);
    out.push_back(like);
  }
  return out;
}

void ViewerLikes(db::Tx& tx, std::int64_t viewer_id, std::int64_t lo, std::int64_t hi,
                 const std::function<void(std::int64_t, std::optional<std::int64_t>)>& fn) {
  tx.ForEach(
      "SELECT artwork_id, rank FROM likes WHERE liker_id = $1 AND artwork_id >= $2 AND artwork_id <= $3",
      [&fn](const db::RowView& r) { fn(r.Int(0), r.OptInt(1)); }, viewer_id, lo, hi);
}

void MatchedArtworks(db::Tx& tx, std::int64_t lo, std::int64_t hi, const std::function<void(std::int64_t)>& fn) {
  tx.ForEach(
      "SELECT mp.artwork_id FROM match_participants mp JOIN matches m ON m.id = mp.match_id "
      "WHERE mp.artwork_id >= $1 AND mp.artwork_id <= $2 AND m.status <> 'DECLINED'",
      [&fn](const db::RowView& r) { fn(r.Int(0)); }, lo, hi);
}

std::int64_t InsertMatch(db::Tx& tx, std::int64_t event_id, const Pair& pair, Millis now) {
  auto row = tx.QueryOne("INSERT INTO matches (event_id, status, created_at) VALUES ($1, 'PENDING', $2) RETURNING id",
                         event_id, now);
  std::int64_t id = row->Int(0);
  const char* sql = "INSERT INTO match_participants (match_id, event_id, user_id, artwork_id) VALUES ($1, $2, $3, $4)";
  tx.Exec(sql, id, event_id, pair.user_a, pair.artwork_of_a);
  tx.Exec(sql, id, event_id, pair.user_b, pair.artwork_of_b);
  return id;
}

std::optional<MatchRow> LoadMatch(db::Tx& tx, std::int64_t id, bool for_update) {
  // FOR UPDATE cannot lock the nullable side of a join on PostgreSQL: lock the match alone first.
  if (for_update && !tx.QueryOne(std::string("SELECT id FROM matches WHERE id = $1") + tx.ForUpdate(), id))
    return std::nullopt;
  auto row = tx.QueryOne(
      "SELECT m.id, m.event_id, e.group_id, e.name, m.status, m.created_at FROM matches m "
      "JOIN events e ON e.id = m.event_id WHERE m.id = $1",
      id);
  if (!row) return std::nullopt;
  MatchRow m{row->Int(0), row->Int(1), row->Int(2), row->Str(3), row->Str(4), row->Int(5), {}};
  for (const auto& r : tx.Query("SELECT p.user_id, u.username, u.display_name, p.artwork_id, p.accepted, p.received, "
                                "p.decliner FROM match_participants p JOIN users u ON u.id = p.user_id "
                                "WHERE p.match_id = $1 ORDER BY p.user_id",
                                id))
    m.participants.push_back({r.Int(0), r.Str(1), r.Str(2), r.Int(3), r.Bool(4), r.Bool(5), r.Bool(6)});
  return m;
}

void SetStatus(db::Tx& tx, std::int64_t match_id, const std::string& status) {
  tx.Exec("UPDATE matches SET status = $2 WHERE id = $1", match_id, status);
  // The participants carry the DECLINED mark for the unique index of live matches.
  tx.Exec("UPDATE match_participants SET declined = $2 WHERE match_id = $1", match_id, status == "DECLINED" ? 1 : 0);
}

void SetAccepted(db::Tx& tx, std::int64_t match_id, std::int64_t user_id) {
  tx.Exec("UPDATE match_participants SET accepted = 1 WHERE match_id = $1 AND user_id = $2", match_id, user_id);
}

void SetDecliner(db::Tx& tx, std::int64_t match_id, std::int64_t user_id) {
  tx.Exec("UPDATE match_participants SET decliner = 1 WHERE match_id = $1 AND user_id = $2", match_id, user_id);
}

void SetReceived(db::Tx& tx, std::int64_t match_id, std::int64_t user_id) {
  tx.Exec("UPDATE match_participants SET received = 1 WHERE match_id = $1 AND user_id = $2", match_id, user_id);
}

std::vector<std::int64_t> EventMatchIds(db::Tx& tx, std::int64_t event_id, std::optional<std::int64_t> participant,
                                        std::optional<std::int64_t> after_id, int limit) {
  std::vector<db::Row> rows;
  if (participant) {
    rows = tx.Query(
        "SELECT match_id FROM match_participants WHERE event_id = $1 AND user_id = $2 AND match_id > $3 "
        "ORDER BY match_id LIMIT $4",
        event_id, *participant, after_id.value_or(0), limit);
  } else {
    rows = tx.Query("SELECT id FROM matches WHERE event_id = $1 AND id > $2 ORDER BY id LIMIT $3", event_id,
                    after_id.value_or(0), limit);
  }
  std::vector<std::int64_t> out;
  for (const auto& r : rows) out.push_back(r.Int(0));
  return out;
}

std::vector<std::int64_t> UserMatchIds(db::Tx& tx, std::int64_t user_id, std::optional<std::int64_t> before_id,
                                       int limit) {
  std::vector<std::int64_t> out;
  for (const auto& r : tx.Query("SELECT p.match_id FROM match_participants p JOIN events e ON e.id = p.event_id "
                                "JOIN memberships ms ON ms.group_id = e.group_id AND ms.user_id = p.user_id "
                                "WHERE p.user_id = $1 AND p.match_id < $2 ORDER BY p.match_id DESC LIMIT $3",
                                user_id, before_id.value_or(INT64_MAX), limit))
    out.push_back(r.Int(0));
  return out;
}

std::vector<RemovedMatch> DeleteMatchesOf(db::Tx& tx, std::int64_t artwork_id) {
  std::vector<RemovedMatch> out;
  for (const auto& r : tx.Query("SELECT m.id, m.status FROM matches m JOIN match_participants mp ON mp.match_id = m.id "
                                "WHERE mp.artwork_id = $1 ORDER BY m.id",
                                artwork_id)) {
    RemovedMatch m{r.Int(0), r.Str(1), {}};
    for (const auto& u : tx.Query("SELECT user_id FROM match_participants WHERE match_id = $1 ORDER BY user_id", m.id))
      m.users.push_back(u.Int(0));
    tx.Exec("DELETE FROM matches WHERE id = $1", m.id);
    out.push_back(std::move(m));
  }
  return out;
}

namespace {
std::vector<UserPair> Pairs(const std::vector<db::Row>& rows) {
  std::vector<UserPair> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.emplace_back(r.Int(0), r.Int(1));
  return out;
}
constexpr const char* kPairsOfMatches =
    "SELECT a.user_id, b.user_id FROM matches m "
    "JOIN match_participants a ON a.match_id = m.id "
    "JOIN match_participants b ON b.match_id = m.id AND a.user_id < b.user_id ";
}  // namespace

std::vector<UserPair> DeclinedPairs(db::Tx& tx, std::int64_t event_id) {
  return Pairs(tx.Query(std::string(kPairsOfMatches) + "WHERE m.event_id = $1 AND m.status = 'DECLINED'", event_id));
}

std::vector<UserPair> ExcludedPairs(db::Tx& tx, std::int64_t group_id) {
  return Pairs(tx.Query("SELECT user_a, user_b FROM exclusions WHERE group_id = $1", group_id));
}

std::vector<UserPair> PreviousPartners(db::Tx& tx, std::int64_t group_id, std::int64_t event_id) {
  auto prev =
      tx.QueryOne("SELECT id FROM events WHERE group_id = $1 AND phase = 'CLOSED' AND id < $2 ORDER BY id DESC LIMIT 1",
                  group_id, event_id);
  if (!prev) return {};
  return Pairs(
      tx.Query(std::string(kPairsOfMatches) + "WHERE m.event_id = $1 AND m.status <> 'DECLINED'", prev->Int(0)));
}

std::vector<std::int64_t> LiveParticipants(db::Tx& tx, std::int64_t event_id) {
  std::vector<std::int64_t> out;
  for (const auto& r : tx.Query(
           "SELECT user_id FROM match_participants WHERE event_id = $1 AND declined = 0 ORDER BY user_id", event_id))
    out.push_back(r.Int(0));
  return out;
}

std::vector<UserPair> OpenMatchesOf(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) {
  return Pairs(
      tx.Query("SELECT m.id, m.event_id FROM match_participants p JOIN matches m ON m.id = p.match_id "
               "JOIN events e ON e.id = m.event_id "
               "WHERE p.user_id = $1 AND e.group_id = $2 AND m.status IN ('PENDING', 'ACCEPTED') ORDER BY m.id",
               user_id, group_id));
}

void BumpPairingRound(db::Tx& tx, std::int64_t event_id) {
  tx.Exec(
      "INSERT INTO pairing_rounds (event_id, round) VALUES ($1, 0) "
      "ON CONFLICT (event_id) DO UPDATE SET round = pairing_rounds.round + 1",
      event_id);
}

void InsertUnmatched(db::Tx& tx, std::int64_t event_id, std::int64_t user_id, const std::string& reason) {
  tx.Exec("INSERT INTO unmatched_artists (event_id, user_id, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
          event_id, user_id, reason);
}

std::optional<std::string> UnmatchedReason(db::Tx& tx, std::int64_t event_id, std::int64_t user_id) {
  auto row =
      tx.QueryOne("SELECT reason FROM unmatched_artists WHERE event_id = $1 AND user_id = $2", event_id, user_id);
  if (!row) return std::nullopt;
  return row->Str(0);
}

bool HasLiveMatch(db::Tx& tx, std::int64_t event_id, std::int64_t user_id) {
  return tx
      .QueryOne("SELECT 1 FROM match_participants WHERE event_id = $1 AND user_id = $2 AND declined = 0", event_id,
                user_id)
      .has_value();
}

std::vector<DueTradeReminder> DueTradeReminders(db::Tx& tx, Millis now, Millis within, int limit) {
  std::vector<DueTradeReminder> out;
  for (const auto& r : tx.Query("SELECT p.match_id, p.user_id, m.event_id, e.name, e.trades_due_at FROM events e "
                                "JOIN matches m ON m.event_id = e.id "
                                "JOIN match_participants p ON p.match_id = m.id "
                                "JOIN match_participants o ON o.match_id = m.id AND o.user_id <> p.user_id "
                                "WHERE e.trades_due_at IS NOT NULL AND e.trades_due_at > $1 AND e.trades_due_at <= $2 "
                                "AND m.status = 'ACCEPTED' "
                                // Not yet marked received: the partner has not received this participant's art.
                                "AND o.received = 0 "
                                // Not yet delivered: this participant has sent no piece through Atelier.
                                "AND NOT EXISTS (SELECT 1 FROM match_deliveries d WHERE d.match_id = p.match_id "
                                "AND d.user_id = p.user_id) "
                                "AND NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.kind = 'TRADE_REMINDER' "
                                "AND r.user_id = p.user_id AND r.subject_id = p.match_id) "
                                "ORDER BY p.match_id, p.user_id LIMIT $3",
                                now, now + within, limit))
    out.push_back({r.Int(0), r.Int(1), r.Int(2), r.Str(3), r.Int(4)});
  return out;
}

namespace {
ExclusionRow ExclusionFrom(const db::Row& r) { return {r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.Int(4)}; }
}  // namespace

std::optional<std::int64_t> InsertExclusion(db::Tx& tx, std::int64_t group_id, std::int64_t user_a, std::int64_t user_b,
                                            Millis now) {
  auto row = tx.QueryOne(
      "INSERT INTO exclusions (group_id, user_a, user_b, created_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (group_id, user_a, user_b) DO NOTHING RETURNING id",
      group_id, user_a, user_b, now);
  if (!row) return std::nullopt;
  return row->Int(0);
}

std::optional<ExclusionRow> LoadExclusion(db::Tx& tx, std::int64_t id) {
  auto row = tx.QueryOne("SELECT id, group_id, user_a, user_b, created_at FROM exclusions WHERE id = $1", id);
  if (!row) return std::nullopt;
  return ExclusionFrom(*row);
}

std::vector<ExclusionRow> ListExclusions(db::Tx& tx, std::int64_t group_id, std::optional<std::int64_t> after_id,
                                         int limit) {
  std::vector<ExclusionRow> out;
  for (const auto& r : tx.Query("SELECT id, group_id, user_a, user_b, created_at FROM exclusions "
                                "WHERE group_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                                group_id, after_id.value_or(0), limit))
    out.push_back(ExclusionFrom(r));
  return out;
}

void DeleteExclusion(db::Tx& tx, std::int64_t id) { tx.Exec("DELETE FROM exclusions WHERE id = $1", id); }

}  // namespace atelier::matching::store
