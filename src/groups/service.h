#pragma once
// The rules of groups, memberships and invitations (docs/product.md §4). Each public call is one
// transaction; failures the client should see are thrown as ApiError (404 for anything
// inside a group the caller is not a member of, 403 forbidden for a missing role).
// Thread-safe: holds no state of its own beyond references.
//
// Roles: the owner may do everything; an admin may edit the group, invite, revoke and
// remove plain members; a member may read and leave. Only the owner changes roles,
// removes admins or deletes the group; nobody removes the owner, and the owner cannot
// leave (the owner may transfer the group to another member first).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/auth.h"
#include "accounts/export.h"
#include "accounts/rate_limiter.h"
#include "common/clock.h"
#include "db/database.h"
#include "groups/membership_hooks.h"
#include "groups/store.h"
#include "notify/notifier.h"

namespace atelier::groups {

template <typename T>
struct PageOf {
  std::vector<T> items;
  std::optional<std::string> next_cursor;
};

struct GroupInput {
  std::string name;
  std::string description;
  std::string purpose;
};

struct GroupPatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> purpose;
};

struct InviteInput {
  std::optional<std::string> username;
  std::optional<std::string> email;  // normalised (lowercase)
  std::int64_t expires_in_hours = 168;
};

// Methods that write take `durable`: they name their commit in it (db::CommitToken), and the
// route puts it on its response (http::Durable) so the answer waits for the disk.
class GroupService {
 public:
  // `limiter` bounds invitations (per inviter, per group, and mails to addresses without
  // an account per inviter and day); it must outlive the service.
  GroupService(db::Database& db, const Clock& clock, const notify::Notifier& notifier, accounts::RateLimiter& limiter)
      : db_(db), clock_(clock), notifier_(notifier), limiter_(limiter) {}

  GroupRow Create(const accounts::AuthUser& me, const GroupInput& in, db::CommitToken& durable);
  PageOf<GroupRow> ListMine(const accounts::AuthUser& me, int limit, const std::optional<std::string>& cursor);
  GroupRow Get(const accounts::AuthUser& me, std::int64_t group_id);
  GroupRow Update(const accounts::AuthUser& me, std::int64_t group_id, const GroupPatch& patch,
                  db::CommitToken& durable);
  void Delete(const accounts::AuthUser& me, std::int64_t group_id, db::CommitToken& durable);

  PageOf<MemberRow> Members(const accounts::AuthUser& me, std::int64_t group_id, int limit,
                            const std::optional<std::string>& cursor);
  MemberRow SetRole(const accounts::AuthUser& me, std::int64_t group_id, std::int64_t user_id, Role role,
                    db::CommitToken& durable);
  void RemoveMember(const accounts::AuthUser& me, std::int64_t group_id, std::int64_t user_id,
                    db::CommitToken& durable);
  // The owner hands the group to another member, who becomes owner; the old owner becomes
  // an admin. Admins and members 403, outsiders 404, a user_id that is not another member
  // 422 on `userId`. Returns the group as the caller now sees it. No notification: no
  // type fits (docs/product.md §4).
  // In the transaction that deletes an account (accounts/account_hooks.h): 409
  // owner_must_transfer while the user owns a group; then every membership goes
  // (member_count kept) with the invitations addressed to the user.
  void RefuseLeavingOwner(db::Tx& tx, std::int64_t user_id) const;
  // The user's memberships, for GET /me/export.
  void ExportFor(db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out) const;
  void RemoveLeavingUser(db::Tx& tx, std::int64_t user_id) const;
  GroupRow Transfer(const accounts::AuthUser& me, std::int64_t group_id, std::int64_t user_id,
                    db::CommitToken& durable);

  // At most one pending invitation per person and group (409 already_invited), whether
  // addressed by username or email: an invitation to an address a user has verified is
  // stored with that user as invitee, so the unique index on (group, invitee) decides
  // races. 429 rate_limited past the per-inviter, per-group or outside-mail budget.
  InvitationRow Invite(const accounts::AuthUser& me, std::int64_t group_id, const InviteInput& in,
                       db::CommitToken& durable);
  // In tx, once `email` is verified as user_id's: the pending invitations sent to that
  // address (mailed when they were made) become the user's (invitee set) and
  // GROUP_INVITATION notifications in the app. One that duplicates a pending invitation
  // of the user to the same group, or is for a group the user is in, is revoked.
  void NotifyEmailInvitations(db::Tx& tx, std::int64_t user_id, const std::string& email) const;
  // The invitation a preview token names, for whoever holds the link from its email: no
  // session, read only (the token cannot answer it). `client` keys a per-address rate
  // limit (429). A token that names no invitation → 400 invalid_token.
  InvitationPreviewRow Preview(const std::string& token, const std::string& client);
  PageOf<InvitationRow> GroupInvitations(const accounts::AuthUser& me, std::int64_t group_id, int limit,
                                         const std::optional<std::string>& cursor);
  PageOf<InvitationRow> MyInvitations(const accounts::AuthUser& me, int limit,
                                      const std::optional<std::string>& cursor);
  // Exactly once: concurrent accepts of one invitation yield one success and 409s. Any
  // other pending invitation of the caller to the same group is revoked with it, so a
  // second one cannot bring the caller back after a removal.
  GroupRow Accept(const accounts::AuthUser& me, std::int64_t invitation_id, db::CommitToken& durable);
  void Decline(const accounts::AuthUser& me, std::int64_t invitation_id, db::CommitToken& durable);
  void Revoke(const accounts::AuthUser& me, std::int64_t invitation_id, db::CommitToken& durable);

  // What other features do when a membership ends (leave or removal); add to them only
  // while wiring.
  MembershipHooks& Hooks() { return hooks_; }

 private:
  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  accounts::RateLimiter& limiter_;
  MembershipHooks hooks_;
};

}  // namespace atelier::groups
