#pragma once
// Membership checks other features use inside their own transactions (docs/product.md §4: a group's
// contents answer 404 to non-members and 403 to members without the role).
#include <cstdint>
#include <optional>
#include <string_view>

#include "db/database.h"

namespace atelier::groups {

enum class Role { kOwner, kAdmin, kMember };
std::string_view RoleName(Role r);
std::optional<Role> ParseRole(std::string_view s);

// The user's role in the group, nullopt when not a member (or no such group).
std::optional<Role> RoleOf(db::Tx& tx, std::int64_t group_id, std::int64_t user_id);
// Throws 404 not_found unless the user is a member; returns the role.
Role RequireMember(db::Tx& tx, std::int64_t group_id, std::int64_t user_id);
// Throws 404 for non-members, 403 forbidden for plain members; returns the role.
Role RequireAdmin(db::Tx& tx, std::int64_t group_id, std::int64_t user_id);

}  // namespace atelier::groups
