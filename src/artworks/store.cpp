#include "artworks/store.h"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/text.h"

namespace atelier::artworks::store {

namespace {

// The artwork with its artist: columns 0–18 of every artwork query.
constexpr std::string_view kColumns =
    "a.id, a.event_id, a.artist_id, u.username, u.display_name, a.title, a.description, a.image_key, a.image_type, "
    "a.thumb_key, a.thumb_type, a.width, a.height, a.vote_count, a.created_at, a.display_key, a.display_type, "
    "a.display_width, a.display_height ";

// Takes the text cells out of r. with_viewer: column 19 holds the viewer's vote.
ArtworkRow FromRow(db::Row& r, bool with_viewer) {
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
  if (!r.IsNull(15)) {
    a.display_key = r.TakeStr(15);
    a.display_type = r.TakeStr(16);
    a.display_width = static_cast<int>(r.Int(17));
    a.display_height = static_cast<int>(r.Int(18));
  }
  if (with_viewer) a.my_vote = r.Bool(19);
  return a;
}

// Runs a query of (id, vote_count) rows: a page's keys. `limit` is the LIMIT it has.
template <typename... A>
std::vector<ArtworkRow> Keys(db::Tx& tx, int limit, std::string_view sql, A&&... args) {
  std::vector<ArtworkRow> out;
  out.reserve(static_cast<size_t>(std::clamp(limit, 0, 1000)));
  tx.ForEach(
      sql,
      [&out](const db::RowView& r) {
        ArtworkRow& a = out.emplace_back();
        a.id = r.Int(0);
        a.vote_count = r.Int(1);
      },
      std::forward<A>(args)...);
  return out;
}

// LoadPageContext's statement. `my_votes`: an expression of the viewer's votes as an id
// list, or NULL; `own_agg`: the dialect's aggregate of ids as text.
std::string PageContextSql(std::string_view my_votes, std::string_view own_agg) {
  std::string sql =
      "SELECT e.phase, EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = e.group_id AND m.user_id = $2), "
      "(SELECT n FROM content_epoch WHERE id = 1), e.artwork_count, e.anonymous_voting, ";
  sql += my_votes;
  sql += ", CASE WHEN e.anonymous_voting = 1 THEN (SELECT ";
  sql += own_agg;
  sql += " FROM artworks a WHERE a.artist_id = $2 AND a.event_id = e.id) END FROM events e WHERE e.id = $1";
  return sql;
}

// "12,40,41" (ids as an aggregate wrote them, in any order) as sorted ids.
std::vector<std::int64_t> ParseIdList(std::string_view text) {
  std::vector<std::int64_t> ids;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const auto id = ParseInt(text.substr(0, comma));
    if (!id) throw std::runtime_error("an id list of the page context is malformed");
    ids.push_back(*id);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

std::optional<ArtworkRow> Find(db::Tx& tx, std::int64_t id, std::int64_t viewer_id) {
  // One row: probing the viewer's vote in the same statement is cheapest here.
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  ", CASE WHEN v.voter_id IS NULL THEN 0 ELSE 1 END "
                                  "FROM artworks a JOIN users u ON u.id = a.artist_id "
                                  "LEFT JOIN votes v ON v.artwork_id = a.id AND v.voter_id = $1 "
                                  "WHERE a.id = $2";
  auto row = tx.QueryOne(kSql, viewer_id, id);
  if (!row) return std::nullopt;
  return FromRow(*row, true);
}

std::optional<PageContext> LoadPageContext(db::Tx& tx, std::int64_t event_id, std::int64_t viewer_id) {
  // The viewer's own artworks (with anonymous voting), and on PostgreSQL their votes, come
  // as lists ("12,40,41") so that a page needs no statement of its own for them: there each
  // statement is a round trip. SQLite reads a page's votes by FillMyVotes, one range of an
  // index, cheaper than listing all of them (up to votesPerMember).
  static const std::string kPg = PageContextSql(
      "CASE WHEN e.phase <> 'OPEN' THEN (SELECT string_agg(v.artwork_id::text, ',') FROM votes v "
      "WHERE v.event_id = e.id AND v.voter_id = $2) END",
      "string_agg(a.id::text, ',')");
  static const std::string kSqlite = PageContextSql("NULL", "group_concat(a.id)");
  const bool pg = tx.GetDialect() == db::Dialect::kPostgres;
  std::optional<PageContext> out;
  tx.ForEach(
      pg ? kPg : kSqlite,
      [&out, pg](const db::RowView& r) {
        auto phase = events::ParsePhase(std::get<std::string>(r.Cell(0)));
        if (!phase) throw std::runtime_error("events.phase holds an unknown phase");
        out = PageContext{.phase = *phase,
                          .member = r.Bool(1),
                          .epoch = r.Int(2),
                          .artwork_count = r.Int(3),
                          .anonymous_voting = r.Bool(4),
                          .votes_listed = pg,
                          .my_votes = r.IsNull(5) ? std::vector<std::int64_t>{} : ParseIdList(r.Text(5)),
                          .my_artworks = r.IsNull(6) ? std::vector<std::int64_t>{} : ParseIdList(r.Text(6))};
      },
      event_id, viewer_id);
  return out;
}

void AllKeys(db::Tx& tx, std::int64_t event_id, bool with_counts, std::vector<std::int64_t>& ids,
             std::vector<std::int64_t>& votes) {
  tx.ForEach(
      with_counts ? "SELECT id, vote_count FROM artworks WHERE event_id = $1 ORDER BY id DESC"
                  : "SELECT id, 0 FROM artworks WHERE event_id = $1 ORDER BY id DESC",
      [&](const db::RowView& r) {
        ids.push_back(r.Int(0));
        if (with_counts) votes.push_back(r.Int(1));
      },
      event_id);
}

std::optional<ArtworkRow> FindHead(db::Tx& tx, std::int64_t id) {
  static const std::string kSql =
      "SELECT " + std::string(kColumns) + "FROM artworks a JOIN users u ON u.id = a.artist_id WHERE a.id = $1";
  auto row = tx.QueryOne(kSql, id);
  if (!row) return std::nullopt;
  return FromRow(*row, false);
}

std::vector<ArtworkRow> ListNew(db::Tx& tx, std::int64_t event_id, std::optional<std::int64_t> before_id, int limit,
                                bool with_counts) {
  // The row comparison repeats "a.id < $2" (a.event_id is $1 already) for PostgreSQL's
  // planner: without it, for an event holding most of the table it walks artworks_pkey
  // backwards and filters on event_id, skipping every newer artwork of other events
  // (thousands of rows for a first page); with it only artworks_event
  // (event_id, id) can serve the condition. SQLite uses that index either way.
  // Without the counts the index artworks_event alone answers (an index-only scan). SQLite
  // needs no hint and would test the row comparison on every row, so it gets the plain form.
  const bool pg = tx.GetDialect() == db::Dialect::kPostgres;
  const char* sql = with_counts ? (pg ? "SELECT a.id, a.vote_count FROM artworks a "
                                        "WHERE a.event_id = $1 AND a.id < $2 AND (a.event_id, a.id) < ($1, $2) "
                                        "ORDER BY a.id DESC LIMIT $3"
                                      : "SELECT a.id, a.vote_count FROM artworks a "
                                        "WHERE a.event_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3")
                                : (pg ? "SELECT a.id, 0 FROM artworks a "
                                        "WHERE a.event_id = $1 AND a.id < $2 AND (a.event_id, a.id) < ($1, $2) "
                                        "ORDER BY a.id DESC LIMIT $3"
                                      : "SELECT a.id, 0 FROM artworks a "
                                        "WHERE a.event_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3");
  return Keys(tx, limit, sql, event_id, before_id.value_or(INT64_MAX), limit);
}

std::vector<ArtworkRow> ListByVotes(db::Tx& tx, std::int64_t event_id,
                                    std::optional<std::pair<std::int64_t, std::int64_t>> after, int limit) {
  // Keyset on (vote_count DESC, id ASC); without a cursor every row is "after". vote_count
  // is an INTEGER column, so PostgreSQL types $2 as int4: the sentinel must fit. The
  // condition is written "vote_count <= $2 AND (…)" rather than "vote_count < $2 OR
  // (vote_count = $2 AND …)" (the same rows) so that PostgreSQL bounds its scan of
  // artworks_event_votes with it: with the OR it scanned the event from its most voted
  // artwork and filtered, O(position of the page).
  std::int64_t votes = after ? after->first : INT_MAX;
  std::int64_t id = after ? after->second : 0;
  return Keys(tx, limit,
              "SELECT a.id, a.vote_count FROM artworks a "
              "WHERE a.event_id = $1 AND a.vote_count <= $2 AND (a.vote_count < $2 OR a.id > $3) "
              "ORDER BY a.vote_count DESC, a.id ASC LIMIT $4",
              event_id, votes, id, limit);
}

RowsById::RowsById(std::vector<ArtworkRow>& rows) : rows_(rows) {
  by_id_.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) by_id_.emplace_back(rows[i].id, i);
  std::sort(by_id_.begin(), by_id_.end());
}

ArtworkRow* RowsById::Find(std::int64_t id) const {
  auto it = std::lower_bound(by_id_.begin(), by_id_.end(), std::make_pair(id, size_t{0}));
  return it != by_id_.end() && it->first == id ? &rows_[it->second] : nullptr;
}

void FillMyVotes(db::Tx& tx, const RowsById& rows, std::int64_t viewer_id) {
  if (rows.Empty()) return;
  tx.ForEach(
      "SELECT artwork_id FROM votes WHERE voter_id = $1 AND artwork_id >= $2 AND artwork_id <= $3",
      [&rows](const db::RowView& r) {
        if (ArtworkRow* a = rows.Find(r.Int(0))) a->my_vote = true;
      },
      viewer_id, rows.Lo(), rows.Hi());
}

void FillRanks(db::Tx& tx, std::vector<ArtworkRow>& rows, std::int64_t event_id) {
  if (rows.empty()) return;
  // The artworks ordered before the first row (more votes, or as many and an older id),
  // and among them those with strictly more votes.
  auto row = tx.QueryOne(
      "SELECT COUNT(*), COALESCE(SUM(CASE WHEN vote_count > $2 THEN 1 ELSE 0 END), 0) FROM artworks "
      "WHERE event_id = $1 AND vote_count >= $2 AND (vote_count > $2 OR id < $3)",
      event_id, rows.front().vote_count, rows.front().id);
  const std::int64_t before = row->Int(0), more = row->Int(1);
  rows.front().rank = static_cast<int>(more + 1);
  // Row i with fewer votes than row i-1: every artwork ordered before it has more votes.
  for (size_t i = 1; i < rows.size(); ++i)
    rows[i].rank = rows[i].vote_count == rows[i - 1].vote_count
                       ? rows[i - 1].rank
                       : static_cast<int>(before + static_cast<std::int64_t>(i) + 1);
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
      "width, height, vote_count, created_at, display_key, display_type, display_width, display_height) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15) RETURNING id",
      a.event_id, a.artist_id, a.title, a.description, a.image_key, a.image_type, a.thumb_key, a.thumb_type, a.width,
      a.height, a.created_at, a.display_key, a.display_type,
      a.display_key ? std::optional<int>(a.display_width) : std::nullopt,
      a.display_key ? std::optional<int>(a.display_height) : std::nullopt);
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

std::optional<VoteTarget> LoadVoteTarget(db::Tx& tx, std::int64_t artwork_id, std::int64_t user_id) {
  auto row = tx.QueryOne(
      "SELECT a.artist_id, a.event_id, e.phase, e.votes_per_member, "
      "CASE WHEN m.user_id IS NULL THEN 0 ELSE 1 END FROM artworks a JOIN events e ON e.id = a.event_id "
      "LEFT JOIN memberships m ON m.group_id = e.group_id AND m.user_id = $2 WHERE a.id = $1",
      artwork_id, user_id);
  if (!row) return std::nullopt;
  VoteTarget t;
  t.artist_id = row->Int(0);
  t.event_id = row->Int(1);
  auto phase = events::ParsePhase(row->Str(2));
  if (!phase) throw std::runtime_error("events.phase holds an unknown phase: " + row->Str(2));
  t.phase = *phase;
  t.votes_per_member = static_cast<int>(row->Int(3));
  t.member = row->Bool(4);
  return t;
}

bool AddVote(db::Tx& tx, std::int64_t voter_id, std::int64_t artwork_id, std::int64_t event_id, Millis now) {
  if (tx.Exec("INSERT INTO votes (voter_id, artwork_id, event_id, created_at) VALUES ($1, $2, $3, $4) "
              "ON CONFLICT DO NOTHING",
              voter_id, artwork_id, event_id, now) == 0)
    return false;
  tx.Exec("UPDATE artworks SET vote_count = vote_count + 1 WHERE id = $1", artwork_id);
  return true;
}

std::optional<int> TakeBudget(db::Tx& tx, std::int64_t event_id, std::int64_t voter_id, int budget) {
  // The first vote inserts the row with 1 used (budget >= 1: events.votes_per_member's
  // CHECK); later ones add 1 while fewer than `budget` are used. No row returned: spent.
  auto row = tx.QueryOne(
      "INSERT INTO vote_budgets (event_id, user_id, used) VALUES ($1, $2, 1) "
      "ON CONFLICT (event_id, user_id) DO UPDATE SET used = vote_budgets.used + 1 WHERE vote_budgets.used < $3 "
      "RETURNING used",
      event_id, voter_id, budget);
  if (!row) return std::nullopt;
  return static_cast<int>(row->Int(0));
}

std::optional<int> RemoveVote(db::Tx& tx, std::int64_t voter_id, std::int64_t artwork_id, std::int64_t event_id) {
  if (tx.Exec("DELETE FROM votes WHERE voter_id = $1 AND artwork_id = $2", voter_id, artwork_id) == 0)
    return std::nullopt;
  tx.Exec("UPDATE artworks SET vote_count = vote_count - 1 WHERE id = $1", artwork_id);
  auto row = tx.QueryOne("UPDATE vote_budgets SET used = used - 1 WHERE event_id = $1 AND user_id = $2 RETURNING used",
                         event_id, voter_id);
  return row ? static_cast<int>(row->Int(0)) : 0;
}

}  // namespace atelier::artworks::store
