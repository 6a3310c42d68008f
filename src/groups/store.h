#pragma once
// SQL for groups, memberships and invitations (docs/product.md §4). Every function runs inside the
// caller's transaction and uses bound parameters only; rules live in service.h.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "db/database.h"
#include "groups/membership.h"

namespace atelier::groups {

struct UserRef {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
};

struct GroupRow {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::string purpose;
  Millis created_at = 0;
  UserRef owner;
  std::int64_t member_count = 0;
  Role my_role = Role::kMember;
};

struct MemberRow {
  UserRef user;
  Role role = Role::kMember;
  Millis joined_at = 0;
};

struct InvitationRow {
  std::int64_t id = 0;
  std::int64_t group_id = 0;
  std::string group_name;
  std::optional<std::int64_t> invitee_id;  // as stored (NULL for an email invitation)
  std::optional<UserRef> invitee;          // stored invitee, or the verified owner of `email`
  std::optional<std::string> email;
  UserRef invited_by;
  std::string status;  // as stored; see EffectiveStatus()
  Millis created_at = 0;
  Millis expires_at = 0;
  // 'expired' for a pending invitation past its time, else the stored status.
  std::string EffectiveStatus(Millis now) const {
    return status == "pending" && expires_at <= now ? "expired" : status;
  }
};

// What the link in an invitation's email shows before any login (docs/product.md §4).
struct InvitationPreviewRow {
  InvitationRow invitation;
  std::string group_description;
};

namespace store {

std::optional<GroupRow> GroupFor(db::Tx& tx, std::int64_t group_id, std::int64_t user_id);
// The user's groups, newest first, with id < before.
std::vector<GroupRow> GroupsOf(db::Tx& tx, std::int64_t user_id, std::int64_t before, int limit);
bool NameKeyTaken(db::Tx& tx, const std::string& name_key, std::int64_t except_group_id);

// Members ordered by (joined_at, user id), after the given key.
std::vector<MemberRow> Members(db::Tx& tx, std::int64_t group_id, Millis after_joined, std::int64_t after_user,
                               int limit);
std::optional<MemberRow> Member(db::Tx& tx, std::int64_t group_id, std::int64_t user_id);
// Adds a membership unless there is one; keeps member_count. True when added.
bool AddMember(db::Tx& tx, std::int64_t group_id, std::int64_t user_id, Role role, Millis now);
// Removes a membership; keeps member_count. True when removed.
bool RemoveMember(db::Tx& tx, std::int64_t group_id, std::int64_t user_id);

std::optional<InvitationRow> Invitation(db::Tx& tx, std::int64_t id);
// The invitation whose preview token hashes to `preview_hash` (Sha256Hex).
std::optional<InvitationPreviewRow> InvitationByPreview(db::Tx& tx, const std::string& preview_hash);
// Newest first, id < before.
std::vector<InvitationRow> GroupInvitations(db::Tx& tx, std::int64_t group_id, std::int64_t before, int limit);
// Pending, unexpired invitations addressed to the user (by id, or by `verified_email`
// when not empty), newest first, id < before.
std::vector<InvitationRow> PendingFor(db::Tx& tx, std::int64_t user_id, const std::string& verified_email, Millis now,
                                      std::int64_t before, int limit);

}  // namespace store
}  // namespace atelier::groups
