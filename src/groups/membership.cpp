#include "groups/membership.h"

#include "common/error.h"

namespace atelier::groups {

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kMember:
      return "member";
  }
  return "member";
}

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "owner") return Role::kOwner;
  if (s == "admin") return Role::kAdmin;
  if (s == "member") return Role::kMember;
  return std::nullopt;
}

std::optional<Role> RoleOf(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) {
  auto row = tx.QueryOne("SELECT role FROM memberships WHERE group_id = $1 AND user_id = $2", group_id, user_id);
  if (!row) return std::nullopt;
  return ParseRole(row->Str(0));
}

Role RequireMember(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) {
  auto role = RoleOf(tx, group_id, user_id);
  if (!role) throw NotFound();
  return *role;
}

Role RequireAdmin(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) {
  Role role = RequireMember(tx, group_id, user_id);
  if (role == Role::kMember) throw Forbidden();
  return role;
}

}  // namespace atelier::groups
