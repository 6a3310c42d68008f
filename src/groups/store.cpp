#include "groups/store.h"

namespace atelier::groups::store {

namespace {

constexpr const char* kGroupSelect =
    "SELECT g.id, g.name, g.description, g.purpose, g.created_at, g.owner_id, u.username, u.display_name, "
    "g.member_count, m.role FROM art_groups g JOIN users u ON u.id = g.owner_id "
    "JOIN memberships m ON m.group_id = g.id AND m.user_id = $2 ";

GroupRow ToGroup(const db::Row& r) {
  GroupRow g;
  g.id = r.Int(0);
  g.name = r.Str(1);
  g.description = r.Str(2);
  g.purpose = r.Str(3);
  g.created_at = r.Int(4);
  g.owner = {r.Int(5), r.Str(6), r.Str(7)};
  g.member_count = r.Int(8);
  g.my_role = ParseRole(r.Str(9)).value_or(Role::kMember);
  return g;
}

// The invitee is the stored user or, for an invitation by email, the account that has
// verified that address (docs/product.md §4: it reaches them once they register and verify).
constexpr const char* kInvitationSelect =
    "SELECT i.id, i.group_id, g.name, i.invitee_id, iu.id, iu.username, iu.display_name, i.email, i.invited_by, "
    "bu.username, bu.display_name, i.status, i.created_at, i.expires_at "
    "FROM invitations i JOIN art_groups g ON g.id = i.group_id JOIN users bu ON bu.id = i.invited_by "
    "LEFT JOIN users iu ON iu.id = COALESCE(i.invitee_id, "
    "(SELECT v.id FROM users v WHERE v.email = i.email AND v.email_verified = 1)) ";

InvitationRow ToInvitation(const db::Row& r) {
  InvitationRow i;
  i.id = r.Int(0);
  i.group_id = r.Int(1);
  i.group_name = r.Str(2);
  i.invitee_id = r.OptInt(3);
  if (!r.IsNull(4)) i.invitee = UserRef{r.Int(4), r.Str(5), r.Str(6)};
  i.email = r.OptStr(7);
  i.invited_by = {r.Int(8), r.Str(9), r.Str(10)};
  i.status = r.Str(11);
  i.created_at = r.Int(12);
  i.expires_at = r.Int(13);
  return i;
}

std::vector<InvitationRow> ToInvitations(const std::vector<db::Row>& rows) {
  std::vector<InvitationRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ToInvitation(r));
  return out;
}

}  // namespace

std::optional<GroupRow> GroupFor(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) {
  auto row = tx.QueryOne(std::string(kGroupSelect) + "WHERE g.id = $1", group_id, user_id);
  if (!row) return std::nullopt;
  return ToGroup(*row);
}

std::vector<GroupRow> GroupsOf(db::Tx& tx, std::int64_t user_id, std::int64_t before, int limit) {
  auto rows =
      tx.Query(std::string(kGroupSelect) + "WHERE g.id < $1 ORDER BY g.id DESC LIMIT $3", before, user_id, limit);
  std::vector<GroupRow> out;
  for (const auto& r : rows) out.push_back(ToGroup(r));
  return out;
}

bool NameKeyTaken(db::Tx& tx, const std::string& name_key, std::int64_t except_group_id) {
  return tx.QueryOne("SELECT 1 FROM art_groups WHERE name_key = $1 AND id <> $2", name_key, except_group_id)
      .has_value();
}

std::vector<MemberRow> Members(db::Tx& tx, std::int64_t group_id, Millis after_joined, std::int64_t after_user,
                               int limit) {
  auto rows = tx.Query(
      "SELECT u.id, u.username, u.display_name, m.role, m.joined_at FROM memberships m JOIN users u ON u.id = "
      "m.user_id "
      "WHERE m.group_id = $1 AND (m.joined_at > $2 OR (m.joined_at = $2 AND m.user_id > $3)) "
      "ORDER BY m.joined_at, m.user_id LIMIT $4",
      group_id, after_joined, after_user, limit);
  std::vector<MemberRow> out;
  for (const auto& r : rows)
    out.push_back({{r.Int(0), r.Str(1), r.Str(2)}, ParseRole(r.Str(3)).value_or(Role::kMember), r.Int(4)});
  return out;
}

std::optional<MemberRow> Member(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) {
  auto r = tx.QueryOne(
      "SELECT u.id, u.username, u.display_name, m.role, m.joined_at FROM memberships m JOIN users u ON u.id = "
      "m.user_id "
      "WHERE m.group_id = $1 AND m.user_id = $2",
      group_id, user_id);
  if (!r) return std::nullopt;
  return MemberRow{{r->Int(0), r->Str(1), r->Str(2)}, ParseRole(r->Str(3)).value_or(Role::kMember), r->Int(4)};
}

bool AddMember(db::Tx& tx, std::int64_t group_id, std::int64_t user_id, Role role, Millis now) {
  auto added = tx.Exec(
      "INSERT INTO memberships (group_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (group_id, user_id) DO NOTHING",
      group_id, user_id, RoleName(role), now);
  if (added == 0) return false;
  tx.Exec("UPDATE art_groups SET member_count = member_count + 1 WHERE id = $1", group_id);
  return true;
}

bool RemoveMember(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) {
  auto removed = tx.Exec("DELETE FROM memberships WHERE group_id = $1 AND user_id = $2", group_id, user_id);
  if (removed == 0) return false;
  tx.Exec("UPDATE art_groups SET member_count = member_count - 1 WHERE id = $1", group_id);
  return true;
}

std::optional<InvitationRow> Invitation(db::Tx& tx, std::int64_t id) {
  auto row = tx.QueryOne(std::string(kInvitationSelect) + "WHERE i.id = $1", id);
  if (!row) return std::nullopt;
  return ToInvitation(*row);
}

std::optional<InvitationPreviewRow> InvitationByPreview(db::Tx& tx, const std::string& preview_hash) {
  auto found = tx.QueryOne(
      "SELECT i.id, g.description FROM invitations i JOIN art_groups g ON g.id = i.group_id "
      "WHERE i.preview_hash = $1",
      preview_hash);
  if (!found) return std::nullopt;
  auto inv = Invitation(tx, found->Int(0));
  if (!inv) return std::nullopt;
  return InvitationPreviewRow{std::move(*inv), found->Str(1)};
}

std::vector<InvitationRow> GroupInvitations(db::Tx& tx, std::int64_t group_id, std::int64_t before, int limit) {
  return ToInvitations(
      tx.Query(std::string(kInvitationSelect) + "WHERE i.group_id = $1 AND i.id < $2 ORDER BY i.id DESC LIMIT $3",
               group_id, before, limit));
}

std::vector<InvitationRow> PendingFor(db::Tx& tx, std::int64_t user_id, const std::string& verified_email, Millis now,
                                      std::int64_t before, int limit) {
  return ToInvitations(
      tx.Query(std::string(kInvitationSelect) +
                   "WHERE i.status = 'pending' AND i.expires_at > $3 AND i.id < $4 AND "
                   "(i.invitee_id = $1 OR (i.invitee_id IS NULL AND i.email = $2)) ORDER BY i.id DESC LIMIT $5",
               user_id, verified_email, now, before, limit));
}

}  // namespace atelier::groups::store
