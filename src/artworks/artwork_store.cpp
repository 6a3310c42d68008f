#include "artworks/artwork_store.h"

#include <climits>
#include <string>

namespace atelier::artworks::store {

namespace {

// $1 is always the viewer.
std::string Select(bool with_rank) {
  std::string sql =
      "SELECT a.id, a.event_id, a.artist_id, u.username, u.display_name, a.title, a.description, a.image_key, "
      "a.image_type, a.thumb_key, a.thumb_type, a.width, a.height, a.vote_count, a.created_at, "
      "CASE WHEN v.voter_id IS NULL THEN 0 ELSE 1 END, CASE WHEN l.liker_id IS NULL THEN 0 ELSE 1 END, l.rank, "
      "CASE WHEN EXISTS (SELECT 1 FROM match_participants mp JOIN matches m ON m.id = mp.match_id "
      "WHERE mp.artwork_id = a.id AND m.status <> 'DECLINED') THEN 1 ELSE 0 END";
  if (with_rank)
    sql += ", (SELECT COUNT(*) FROM artworks b WHERE b.event_id = a.event_id AND b.vote_count > a.vote_count) + 1";
  sql +=
      " FROM artworks a JOIN users u ON u.id = a.artist_id "
      "LEFT JOIN votes v ON v.artwork_id = a.id AND v.voter_id = $1 "
      "LEFT JOIN likes l ON l.artwork_id = a.id AND l.liker_id = $1 ";
  return sql;
}

// Takes the text cells out of r.
ArtworkRow FromRow(db::Row& r, bool with_rank) {
  ArtworkRow a;
  a.id = r.Int(0);
  a.event_id = r.Int(1);
  a.artist_id = r.Int(2);
  a.artist_username = r.TakeStr(3);
  a.artist_display_name = r.TakeStr(4);
  a.title = r.TakeStr(5);
  a.description = r.TakeStr(6);
  a.image_key = r.TakeStr(7);
  a.image_type = r.TakeStr(8);
  a.thumb_key = r.TakeStr(9);
  a.thumb_type = r.TakeStr(10);
  a.width = static_cast<int>(r.Int(11));
  a.height = static_cast<int>(r.Int(12));
  a.vote_count = r.Int(13);
  a.created_at = r.Int(14);
  a.my_vote = r.Bool(15);
  a.liked = r.Bool(16);
  a.like_rank = r.OptInt(17);
  a.matched = r.Bool(18);
  if (with_rank) a.rank = static_cast<int>(r.Int(19));
  return a;
}

std::vector<ArtworkRow> Rows(std::vector<db::Row> rows, bool with_rank) {
  std::vector<ArtworkRow> out;
  out.reserve(rows.size());
  for (auto& r : rows) out.push_back(FromRow(r, with_rank));
  return out;
}

}  // namespace

std::optional<ArtworkRow> Find(db::Tx& tx, std::int64_t id, std::int64_t viewer_id) {
  auto row = tx.QueryOne(Select(false) + "WHERE a.id = $2", viewer_id, id);
  if (!row) return std::nullopt;
  return FromRow(*row, false);
}

std::vector<ArtworkRow> ListNew(db::Tx& tx, std::int64_t event_id, std::int64_t viewer_id,
                                std::optional<std::int64_t> before_id, int limit) {
  // The row comparison repeats "a.id < $3" (a.event_id is $2 already) for PostgreSQL's
  // planner: without it, for an event holding most of the table it walks artworks_pkey
  // backwards and filters on event_id, skipping every newer artwork of other events
  // (11,000 rows for a first page in the bench data); with it only artworks_event
  // (event_id, id) can serve the condition. SQLite uses that index either way.
  return Rows(tx.Query(Select(false) + "WHERE a.event_id = $2 AND a.id < $3 AND (a.event_id, a.id) < ($2, $3) "
                                       "ORDER BY a.id DESC LIMIT $4",
                       viewer_id, event_id, before_id.value_or(INT64_MAX), limit),
              false);
}

std::vector<ArtworkRow> ListByVotes(db::Tx& tx, std::int64_t event_id, std::int64_t viewer_id,
                                    std::optional<std::pair<std::int64_t, std::int64_t>> after, int limit,
                                    bool with_rank) {
  // Keyset on (vote_count DESC, id ASC); without a cursor every row is "after". vote_count
  // is an INTEGER column, so PostgreSQL types $3 as int4: the sentinel must fit.
  std::int64_t votes = after ? after->first : INT_MAX;
  std::int64_t id = after ? after->second : 0;
  return Rows(
      tx.Query(Select(with_rank) + "WHERE a.event_id = $2 AND (a.vote_count < $3 OR (a.vote_count = $3 AND a.id > $4)) "
                                   "ORDER BY a.vote_count DESC, a.id ASC LIMIT $5",
               viewer_id, event_id, votes, id, limit),
      with_rank);
}

std::vector<Tally> TallyEvent(db::Tx& tx, std::int64_t event_id) {
  std::vector<Tally> out;
  for (const auto& r : tx.Query("SELECT id, artist_id, title, vote_count FROM artworks WHERE event_id = $1 "
                                "ORDER BY vote_count DESC, id ASC",
                                event_id))
    out.push_back({r.Int(0), r.Int(1), r.Str(2), r.Int(3)});
  return out;
}

int CountByArtist(db::Tx& tx, std::int64_t event_id, std::int64_t artist_id) {
  auto row = tx.QueryOne("SELECT COUNT(*) FROM artworks WHERE event_id = $1 AND artist_id = $2", event_id, artist_id);
  return static_cast<int>(row->Int(0));
}

std::int64_t Insert(db::Tx& tx, const NewArtwork& a) {
  auto row = tx.QueryOne(
      "INSERT INTO artworks (event_id, artist_id, title, description, image_key, image_type, thumb_key, thumb_type, "
      "width, height, vote_count, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11) RETURNING id",
      a.event_id, a.artist_id, a.title, a.description, a.image_key, a.image_type, a.thumb_key, a.thumb_type, a.width,
      a.height, a.created_at);
  tx.Exec("UPDATE events SET artwork_count = artwork_count + 1 WHERE id = $1", a.event_id);
  return row->Int(0);
}

void UpdateText(db::Tx& tx, std::int64_t id, const std::string& title, const std::string& description) {
  tx.Exec("UPDATE artworks SET title = $2, description = $3 WHERE id = $1", id, title, description);
}

void Delete(db::Tx& tx, std::int64_t id, std::int64_t event_id) {
  tx.Exec(
      "UPDATE vote_budgets SET used = used - 1 WHERE event_id = $1 AND user_id IN "
      "(SELECT voter_id FROM votes WHERE artwork_id = $2)",
      event_id, id);
  tx.Exec("DELETE FROM artworks WHERE id = $1", id);
  tx.Exec("UPDATE events SET artwork_count = artwork_count - 1 WHERE id = $1", event_id);
}

bool AddVote(db::Tx& tx, std::int64_t voter_id, std::int64_t artwork_id, std::int64_t event_id, Millis now) {
  if (tx.Exec("INSERT INTO votes (voter_id, artwork_id, event_id, created_at) VALUES ($1, $2, $3, $4) "
              "ON CONFLICT DO NOTHING",
              voter_id, artwork_id, event_id, now) == 0)
    return false;
  tx.Exec("UPDATE artworks SET vote_count = vote_count + 1 WHERE id = $1", artwork_id);
  return true;
}

bool TakeBudget(db::Tx& tx, std::int64_t event_id, std::int64_t voter_id, int budget) {
  tx.Exec("INSERT INTO vote_budgets (event_id, user_id, used) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING", event_id,
          voter_id);
  return tx.Exec("UPDATE vote_budgets SET used = used + 1 WHERE event_id = $1 AND user_id = $2 AND used < $3", event_id,
                 voter_id, budget) == 1;
}

bool RemoveVote(db::Tx& tx, std::int64_t voter_id, std::int64_t artwork_id, std::int64_t event_id) {
  if (tx.Exec("DELETE FROM votes WHERE voter_id = $1 AND artwork_id = $2", voter_id, artwork_id) == 0) return false;
  tx.Exec("UPDATE vote_budgets SET used = used - 1 WHERE event_id = $1 AND user_id = $2", event_id, voter_id);
  tx.Exec("UPDATE artworks SET vote_count = vote_count - 1 WHERE id = $1", artwork_id);
  return true;
}

int UsedVotes(db::Tx& tx, std::int64_t event_id, std::int64_t voter_id) {
  auto row = tx.QueryOne("SELECT used FROM vote_budgets WHERE event_id = $1 AND user_id = $2", event_id, voter_id);
  return row ? static_cast<int>(row->Int(0)) : 0;
}

}  // namespace atelier::artworks::store
