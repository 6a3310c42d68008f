#include "matching/exclusions.h"

#include <algorithm>

#include "common/error.h"
#include "common/json_util.h"
#include "groups/membership.h"
#include "matching/store.h"

namespace atelier::matching {

namespace {

api::PublicUser UserOf(db::Tx& tx, std::int64_t id) {
  auto row = tx.QueryOne("SELECT username, display_name FROM users WHERE id = $1", id);
  if (!row) return {Id{id}, "", ""};
  return {Id{id}, row->Str(0), row->Str(1)};
}

api::Exclusion ExclusionOf(db::Tx& tx, const store::ExclusionRow& r) {
  return {Id{r.id}, {UserOf(tx, r.user_a), UserOf(tx, r.user_b)}, Time{r.created_at}};
}

}  // namespace

api::Exclusion ExclusionService::Create(std::int64_t user_id, std::int64_t group_id, std::int64_t a, std::int64_t b,
                                        db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    groups::RequireAdmin(tx, group_id, user_id);
    Validation v;
    if (a == b) {
      v.Add("userIds", "invalid", "must be two different members");
    } else if (!groups::RoleOf(tx, group_id, a) || !groups::RoleOf(tx, group_id, b)) {
      v.Add("userIds", "invalid", "must both be members of the group");
    }
    v.ThrowIfAny();
    const std::int64_t lo = std::min(a, b), hi = std::max(a, b);
    auto id = store::InsertExclusion(tx, group_id, lo, hi, clock_.Now());
    if (!id) throw Conflict("exclusion_exists", "These two members are excluded from each other already");
    return ExclusionOf(tx, *store::LoadExclusion(tx, *id));
  });
}

PageOfItems<api::Exclusion> ExclusionService::List(std::int64_t user_id, std::int64_t group_id, int limit,
                                                   const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> after;
  if (cursor) after = DecodeCursor(*cursor, 1)[0];
  return db_.Read([&](db::Tx& tx) {
    groups::RequireAdmin(tx, group_id, user_id);
    auto rows = store::ListExclusions(tx, group_id, after, limit + 1);
    PageOfItems<api::Exclusion> page;
    if (static_cast<int>(rows.size()) > limit) {
      rows.resize(limit);
      page.nextCursor = EncodeCursor({rows.back().id});
    }
    page.items.reserve(rows.size());
    for (const auto& r : rows) page.items.push_back(ExclusionOf(tx, r));
    return page;
  });
}

void ExclusionService::Delete(std::int64_t user_id, std::int64_t exclusion_id, db::CommitToken& durable) {
  db_.Write(durable, [&](db::Tx& tx) {
    auto row = store::LoadExclusion(tx, exclusion_id);
    if (!row) throw NotFound();
    groups::RequireAdmin(tx, row->group_id, user_id);
    store::DeleteExclusion(tx, exclusion_id);
  });
}

}  // namespace atelier::matching
