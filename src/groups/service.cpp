#include "groups/service.h"

#include <limits>

#include "common/crypto.h"
#include "common/error.h"
#include "common/human_time.h"
#include "common/json_util.h"
#include "common/text.h"

namespace atelier::groups {

namespace {

std::string InvitationMessage(const std::string& inviter_display_name, const std::string& inviter_username,
                              const std::string& group_name) {
  return inviter_display_name + " (@" + inviter_username + ") invited you to join the group \"" + group_name +
         "\" on Atelier";
}

constexpr std::int64_t kNoCursor = std::numeric_limits<std::int64_t>::max();
constexpr Millis kHour = 3600 * 1000;

// Invitation budgets (token buckets; see accounts/rate_limiter.h). Generous for an admin
// inviting a class by hand, far below what a script sends.
constexpr int kInvitesPerUserHour = 50;
constexpr int kInvitesPerGroupHour = 100;
// Mails to addresses without an account carry text the inviter chose to a stranger.
constexpr int kOutsideMailsPerUserDay = 20;

// Anyone with the link may look: a page load or two per visit, far below guessing speed
// (the token has 256 bits anyway).
constexpr int kPreviewsPerAddressMinute = 30;
// Tokens are 43 characters (RandomToken(32)); anything much longer is not one of ours.
constexpr std::size_t kMaxPreviewToken = 128;

ApiError NameTaken() { return Conflict("group_name_taken", "A group with this name exists already"); }
ApiError NotPending() { return Conflict("invitation_not_pending", "The invitation was answered or revoked already"); }
ApiError Expired() { return ApiError(410, "invitation_expired", "The invitation has expired"); }

std::int64_t BeforeId(const std::optional<std::string>& cursor) {
  return cursor ? DecodeCursor(*cursor, 1)[0] : kNoCursor;
}

// Fetches limit + 1 rows and turns the extra one into a cursor over the last item kept.
template <typename T, typename KeyFn>
PageOf<T> MakePage(std::vector<T> rows, int limit, KeyFn key) {
  PageOf<T> page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(limit);
    page.next_cursor = EncodeCursor(key(rows.back()));
  }
  page.items = std::move(rows);
  return page;
}

// Whether the invitation is addressed to the caller: by account, or by the email the
// caller has verified.
bool AddressedTo(const InvitationRow& inv, const accounts::AuthUser& me) {
  if (inv.invitee_id) return *inv.invitee_id == me.id;
  return me.email_verified && inv.email && *inv.email == AsciiLower(me.email);
}

// Whether the person `in` names has a pending invitation to the group: what the partial
// unique indexes on invitations allow one of (by account, else by address).
bool PendingInvitationExists(db::Tx& tx, std::int64_t group_id, const InviteInput& in) {
  auto user = in.username
                  ? tx.QueryOne("SELECT id FROM users WHERE username = $1", AsciiLower(*in.username))
                  : tx.QueryOne("SELECT id FROM users WHERE email = $1 AND email_verified = 1", in.email.value_or(""));
  if (user)
    return tx
        .QueryOne("SELECT 1 FROM invitations WHERE group_id = $1 AND invitee_id = $2 AND status = 'pending'", group_id,
                  user->Int(0))
        .has_value();
  return in.email && tx.QueryOne(
                           "SELECT 1 FROM invitations WHERE group_id = $1 AND invitee_id IS NULL AND email = $2 "
                           "AND status = 'pending'",
                           group_id, *in.email)
                         .has_value();
}

// What an answered invitation turned out to be; the 410 is thrown after commit so the
// 'expired' status written on the way sticks.
enum class Outcome { kDone, kExpired };

}  // namespace

GroupRow GroupService::Create(const accounts::AuthUser& me, const GroupInput& in, db::CommitToken& durable) {
  accounts::Authenticator::RequireVerified(me);
  std::string key = CaseFoldKey(in.name);
  try {
    return db_.Write(durable, [&](db::Tx& tx) {
      if (store::NameKeyTaken(tx, key, 0)) throw NameTaken();
      Millis now = clock_.Now();
      auto id =
          tx.QueryOne(
                "INSERT INTO art_groups (name, name_key, description, purpose, owner_id, member_count, created_at) "
                "VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id",
                in.name, key, in.description, in.purpose, me.id, now)
              ->Int(0);
      store::AddMember(tx, id, me.id, Role::kOwner, now);
      return *store::GroupFor(tx, id, me.id);
    });
  } catch (const db::ConstraintError&) {
    // A concurrent create or rename won the name; any other violation is a bug (500).
    if (db_.Read([&](db::Tx& tx) { return store::NameKeyTaken(tx, key, 0); })) throw NameTaken();
    throw;
  }
}

PageOf<GroupRow> GroupService::ListMine(const accounts::AuthUser& me, int limit,
                                        const std::optional<std::string>& cursor) {
  std::int64_t before = BeforeId(cursor);
  auto rows = db_.Read([&](db::Tx& tx) { return store::GroupsOf(tx, me.id, before, limit + 1); });
  return MakePage(std::move(rows), limit, [](const GroupRow& g) { return std::vector<std::int64_t>{g.id}; });
}

GroupRow GroupService::Get(const accounts::AuthUser& me, std::int64_t group_id) {
  auto g = db_.Read([&](db::Tx& tx) { return store::GroupFor(tx, group_id, me.id); });
  if (!g) throw NotFound();
  return *g;
}

GroupRow GroupService::Update(const accounts::AuthUser& me, std::int64_t group_id, const GroupPatch& patch,
                              db::CommitToken& durable) {
  try {
    return db_.Write(durable, [&](db::Tx& tx) {
      RequireAdmin(tx, group_id, me.id);
      if (patch.name) {
        std::string key = CaseFoldKey(*patch.name);
        if (store::NameKeyTaken(tx, key, group_id)) throw NameTaken();
        tx.Exec("UPDATE art_groups SET name = $2, name_key = $3 WHERE id = $1", group_id, *patch.name, key);
      }
      if (patch.description)
        tx.Exec("UPDATE art_groups SET description = $2 WHERE id = $1", group_id, *patch.description);
      if (patch.purpose) tx.Exec("UPDATE art_groups SET purpose = $2 WHERE id = $1", group_id, *patch.purpose);
      return *store::GroupFor(tx, group_id, me.id);
    });
  } catch (const db::ConstraintError&) {
    // As in Create: only the name's unique index is an expected violation.
    if (patch.name && db_.Read([&](db::Tx& tx) { return store::NameKeyTaken(tx, CaseFoldKey(*patch.name), group_id); }))
      throw NameTaken();
    throw;
  }
}

void GroupService::Delete(const accounts::AuthUser& me, std::int64_t group_id, db::CommitToken& durable) {
  db_.Write(durable, [&](db::Tx& tx) {
    if (RequireMember(tx, group_id, me.id) != Role::kOwner) throw Forbidden("Only the owner can delete the group");
    tx.Exec("DELETE FROM art_groups WHERE id = $1", group_id);
  });
}

PageOf<MemberRow> GroupService::Members(const accounts::AuthUser& me, std::int64_t group_id, int limit,
                                        const std::optional<std::string>& cursor) {
  std::vector<std::int64_t> after = cursor ? DecodeCursor(*cursor, 2) : std::vector<std::int64_t>{-1, 0};
  auto rows = db_.Read([&](db::Tx& tx) {
    RequireMember(tx, group_id, me.id);
    return store::Members(tx, group_id, after[0], after[1], limit + 1);
  });
  return MakePage(std::move(rows), limit, [](const MemberRow& m) {
    return std::vector<std::int64_t>{m.joined_at, m.user.id};
  });
}

MemberRow GroupService::SetRole(const accounts::AuthUser& me, std::int64_t group_id, std::int64_t user_id, Role role,
                                db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    if (RequireMember(tx, group_id, me.id) != Role::kOwner) throw Forbidden("Only the owner can change roles");
    auto target = store::Member(tx, group_id, user_id);
    if (!target) throw NotFound();
    if (target->role == Role::kOwner) throw Forbidden("The owner's role cannot be changed");
    tx.Exec("UPDATE memberships SET role = $3 WHERE group_id = $1 AND user_id = $2", group_id, user_id, RoleName(role));
    target->role = role;
    return *target;
  });
}

void GroupService::RemoveMember(const accounts::AuthUser& me, std::int64_t group_id, std::int64_t user_id,
                                db::CommitToken& durable) {
  db_.Write(durable, [&](db::Tx& tx) {
    Role mine = RequireMember(tx, group_id, me.id);
    if (user_id == me.id) {
      if (mine == Role::kOwner) throw Conflict("owner_cannot_leave", "The owner cannot leave the group");
      store::RemoveMember(tx, group_id, me.id);
      hooks_.Run(tx, group_id, me.id);
      return;
    }
    if (mine == Role::kMember) throw Forbidden();
    auto target = RoleOf(tx, group_id, user_id);
    if (!target) throw NotFound();
    if (*target == Role::kOwner) throw Forbidden("Nobody can remove the owner");
    if (*target == Role::kAdmin && mine != Role::kOwner) throw Forbidden("Only the owner can remove an admin");
    store::RemoveMember(tx, group_id, user_id);
    hooks_.Run(tx, group_id, user_id);
  });
}

GroupRow GroupService::Transfer(const accounts::AuthUser& me, std::int64_t group_id, std::int64_t user_id,
                                db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    if (RequireMember(tx, group_id, me.id) != Role::kOwner) throw Forbidden("Only the owner can hand the group over");
    auto not_member = [] {
      Validation v;
      v.Add("userId", "invalid", "must be another member of this group");
      return v;
    };
    if (user_id == me.id || !RoleOf(tx, group_id, user_id)) not_member().ThrowIfAny();
    // The old owner steps down first, so the partial unique index (one owner per group)
    // holds after each statement; both are conditional, so a parallel transfer that lost
    // the race changes nothing (on PostgreSQL it is retried and meets the 403 above).
    if (tx.Exec("UPDATE memberships SET role = 'admin' WHERE group_id = $1 AND user_id = $2 AND role = 'owner'",
                group_id, me.id) != 1)
      throw Forbidden("Only the owner can hand the group over");
    if (tx.Exec("UPDATE memberships SET role = 'owner' WHERE group_id = $1 AND user_id = $2 AND role <> 'owner'",
                group_id, user_id) != 1)
      not_member().ThrowIfAny();
    tx.Exec("UPDATE art_groups SET owner_id = $2 WHERE id = $1", group_id, user_id);
    auto g = store::GroupFor(tx, group_id, me.id);
    if (!g) throw NotFound();
    return *g;
  });
}

void GroupService::RefuseLeavingOwner(db::Tx& tx, std::int64_t user_id) const {
  if (tx.QueryOne("SELECT 1 FROM memberships WHERE user_id = $1 AND role = 'owner'", user_id))
    throw Conflict("owner_must_transfer",
                   "You own a group: transfer it to another member (or delete it) before deleting your account");
}

void GroupService::ExportFor(db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out) const {
  out.json.Key("memberships");
  accounts::WriteRows(out.json,
                      tx.Query("SELECT g.id, g.name, m.role, m.joined_at FROM memberships m "
                               "JOIN art_groups g ON g.id = m.group_id WHERE m.user_id = $1 ORDER BY m.joined_at, g.id",
                               user_id),
                      {{"groupId", accounts::ExportColumn::Kind::kId},
                       {"groupName", accounts::ExportColumn::Kind::kString},
                       {"role", accounts::ExportColumn::Kind::kString},
                       {"joinedAt", accounts::ExportColumn::Kind::kTime}});
}

void GroupService::RemoveLeavingUser(db::Tx& tx, std::int64_t user_id) const {
  for (const auto& r : tx.Query("SELECT group_id FROM memberships WHERE user_id = $1", user_id))
    store::RemoveMember(tx, r.Int(0), user_id);
  // Invitations to the person go; those they sent stay in their groups' lists.
  tx.Exec("DELETE FROM invitations WHERE invitee_id = $1", user_id);
}

InvitationRow GroupService::Invite(const accounts::AuthUser& me, std::int64_t group_id, const InviteInput& in,
                                   db::CommitToken& durable) {
  limiter_.Require("invite:user:" + std::to_string(me.id), kInvitesPerUserHour, kHour,
                   "Too many invitations; try again later");
  try {
    return db_.Write(durable, [&](db::Tx& tx) {
      RequireAdmin(tx, group_id, me.id);
      // After the role check, so that outsiders cannot spend a group's budget.
      limiter_.Require("invite:group:" + std::to_string(group_id), kInvitesPerGroupHour, kHour,
                       "Too many invitations to this group; try again later");
      Millis now = clock_.Now();
      // A pending invitation past its time would block a new one (one pending per person).
      tx.Exec(
          "UPDATE invitations SET status = 'expired' WHERE group_id = $1 AND status = 'pending' AND expires_at <= $2",
          group_id, now);

      // The account row is locked as the verification of its address locks it (UPDATE
      // users), so an invitation and a verification of the same person do not interleave:
      // whichever comes second sees the other's invitations (NotifyEmailInvitations).
      std::optional<db::Row> target;  // id, email, email_verified
      if (in.username) {
        target = tx.QueryOne(
            std::string("SELECT id, email, email_verified FROM users WHERE username = $1 AND deleted_at IS NULL") +
                tx.ForUpdate(),
            AsciiLower(*in.username));
        if (!target) throw NotFound("No user has this username");
      } else {
        target = tx.QueryOne(
            std::string("SELECT id, email, email_verified FROM users WHERE email = $1") + tx.ForUpdate(), *in.email);
        if (target && !target->Bool(2)) target.reset();  // not theirs until verified
      }
      std::optional<std::int64_t> invitee_id;
      std::string match_email = in.email.value_or("");
      if (target) {
        invitee_id = target->Int(0);
        if (RoleOf(tx, group_id, *invitee_id)) throw Conflict("already_member", "This person is a member already");
        match_email = target->Bool(2) ? target->Str(1) : "";
      }
      if (tx.QueryOne("SELECT 1 FROM invitations WHERE group_id = $1 AND status = 'pending' AND "
                      "(invitee_id = $2 OR (invitee_id IS NULL AND email = $3))",
                      group_id, invitee_id.value_or(0), match_email))
        throw Conflict("already_invited", "This person has a pending invitation already");
      if (!invitee_id)
        limiter_.Require("invite-mail:user:" + std::to_string(me.id), kOutsideMailsPerUserDay, 24 * kHour,
                         "Too many invitations to addresses without an account today; try again later");

      // The email's link shows the invitation before any login (Preview); only the
      // token's hash is kept, so the database alone cannot make the link.
      const std::string preview_token = RandomToken(32);
      std::int64_t id =
          tx.QueryOne(
                "INSERT INTO invitations (group_id, invitee_id, email, invited_by, status, created_at, "
                "expires_at, preview_hash) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7) RETURNING id",
                group_id, invitee_id, in.email, me.id, now, now + in.expires_in_hours * kHour, Sha256Hex(preview_token))
              ->Int(0);
      auto inv = *store::Invitation(tx, id);
      std::string message = InvitationMessage(me.display_name, me.username, inv.group_name);
      const std::string link = notifier_.PublicUrl() + "/invitations?preview=" + preview_token;
      if (invitee_id) {
        notifier_.Notify(tx, *invitee_id, notify::Type::kGroupInvitation, message,
                         {{"invitationId", IdStr(id)}, {"groupId", IdStr(group_id)}}, /*may_email=*/true, link);
      } else {
        // No account has verified this address yet: always mailed (docs/product.md §8).
        notifier_.QueueMail(tx, {*in.email, "You are invited to join \"" + inv.group_name + "\" on Atelier",
                                 message + ".\n\nSee the invitation, then create an account with this email address (" +
                                     *in.email + ") and verify it; the invitation will be waiting for you:\n" + link +
                                     "\n\nThe invitation expires on " + FormatHumanTime(inv.expires_at) + ".\n"});
      }
      return inv;
    });
  } catch (const db::ConstraintError&) {
    // A concurrent invitation of the same person won (one pending per person: the partial
    // unique indexes); any other violation is a bug (500).
    if (db_.Read([&](db::Tx& tx) { return PendingInvitationExists(tx, group_id, in); }))
      throw Conflict("already_invited", "This person has a pending invitation already");
    throw;
  }
}

void GroupService::NotifyEmailInvitations(db::Tx& tx, std::int64_t user_id, const std::string& email) const {
  const Millis now = clock_.Now();
  // Past their time first, so that a stale one does not make a live one a duplicate.
  tx.Exec(
      "UPDATE invitations SET status = 'expired' WHERE status = 'pending' AND expires_at <= $3 AND "
      "((email = $1 AND invitee_id IS NULL) OR invitee_id = $2)",
      email, user_id, now);
  // Unanswered email invitations that duplicate one the user has (by username, or an
  // earlier address) or are for a group the user is in are closed: one pending
  // invitation per person and group.
  tx.Exec(
      "UPDATE invitations SET status = 'revoked' WHERE email = $1 AND invitee_id IS NULL AND status = 'pending' AND "
      "(EXISTS (SELECT 1 FROM invitations o WHERE o.group_id = invitations.group_id AND o.invitee_id = $2 AND "
      "o.status = 'pending') OR EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = invitations.group_id AND "
      "m.user_id = $2))",
      email, user_id);
  const auto rows = tx.Query(
      "SELECT i.id, i.group_id, g.name, u.display_name, u.username FROM invitations i "
      "JOIN art_groups g ON g.id = i.group_id JOIN users u ON u.id = i.invited_by "
      "WHERE i.email = $1 AND i.invitee_id IS NULL AND i.status = 'pending' ORDER BY i.id",
      email);
  // The rest become the user's, under the unique index on (group, invitee) of pending ones.
  tx.Exec("UPDATE invitations SET invitee_id = $2 WHERE email = $1 AND invitee_id IS NULL AND status = 'pending'",
          email, user_id);
  for (const auto& r : rows) {
    notifier_.Notify(tx, user_id, notify::Type::kGroupInvitation, InvitationMessage(r.Str(3), r.Str(4), r.Str(2)),
                     {{"invitationId", IdStr(r.Int(0))}, {"groupId", IdStr(r.Int(1))}}, /*may_email=*/false);
  }
}

InvitationPreviewRow GroupService::Preview(const std::string& token, const std::string& client) {
  limiter_.Require("invite-preview:ip:" + client, kPreviewsPerAddressMinute, 60 * 1000,
                   "Too many invitation previews; try again later");
  auto invalid = [] { return ApiError(400, "invalid_token", "This invitation link is not valid"); };
  if (token.empty() || token.size() > kMaxPreviewToken) throw invalid();
  auto found = db_.Read([&](db::Tx& tx) { return store::InvitationByPreview(tx, Sha256Hex(token)); });
  if (!found) throw invalid();
  return std::move(*found);
}

PageOf<InvitationRow> GroupService::GroupInvitations(const accounts::AuthUser& me, std::int64_t group_id, int limit,
                                                     const std::optional<std::string>& cursor) {
  std::int64_t before = BeforeId(cursor);
  auto rows = db_.Read([&](db::Tx& tx) {
    RequireAdmin(tx, group_id, me.id);
    return store::GroupInvitations(tx, group_id, before, limit + 1);
  });
  return MakePage(std::move(rows), limit, [](const InvitationRow& i) { return std::vector<std::int64_t>{i.id}; });
}

PageOf<InvitationRow> GroupService::MyInvitations(const accounts::AuthUser& me, int limit,
                                                  const std::optional<std::string>& cursor) {
  std::int64_t before = BeforeId(cursor);
  std::string email = me.email_verified ? AsciiLower(me.email) : "";
  Millis now = clock_.Now();
  auto rows = db_.Read([&](db::Tx& tx) { return store::PendingFor(tx, me.id, email, now, before, limit + 1); });
  return MakePage(std::move(rows), limit, [](const InvitationRow& i) { return std::vector<std::int64_t>{i.id}; });
}

GroupRow GroupService::Accept(const accounts::AuthUser& me, std::int64_t invitation_id, db::CommitToken& durable) {
  std::optional<GroupRow> joined;
  Outcome outcome = db_.Write(durable, [&](db::Tx& tx) {
    joined.reset();
    auto lock = tx.QueryOne(std::string("SELECT id FROM invitations WHERE id = $1") + tx.ForUpdate(), invitation_id);
    auto inv = lock ? store::Invitation(tx, invitation_id) : std::nullopt;
    if (!inv || !AddressedTo(*inv, me)) throw NotFound();
    accounts::Authenticator::RequireVerified(me);
    if (inv->status == "expired") throw Expired();
    if (inv->status != "pending") throw NotPending();
    Millis now = clock_.Now();
    if (inv->expires_at <= now) {
      tx.Exec("UPDATE invitations SET status = 'expired' WHERE id = $1 AND status = 'pending'", invitation_id);
      return Outcome::kExpired;
    }
    if (tx.Exec("UPDATE invitations SET status = 'accepted', invitee_id = $2 WHERE id = $1 AND status = 'pending'",
                invitation_id, me.id) != 1)
      throw NotPending();
    // Any other way in (an invitation by the caller's verified address made before it was
    // verified, in data older than that rule) closes with this one.
    tx.Exec(
        "UPDATE invitations SET status = 'revoked' WHERE group_id = $1 AND id <> $2 AND status = 'pending' AND "
        "(invitee_id = $3 OR (invitee_id IS NULL AND email = $4))",
        inv->group_id, invitation_id, me.id, me.email_verified ? AsciiLower(me.email) : std::string());
    store::AddMember(tx, inv->group_id, me.id, Role::kMember, now);
    joined = store::GroupFor(tx, inv->group_id, me.id);
    return Outcome::kDone;
  });
  if (outcome == Outcome::kExpired) throw Expired();
  return *joined;
}

void GroupService::Decline(const accounts::AuthUser& me, std::int64_t invitation_id, db::CommitToken& durable) {
  Outcome outcome = db_.Write(durable, [&](db::Tx& tx) {
    auto lock = tx.QueryOne(std::string("SELECT id FROM invitations WHERE id = $1") + tx.ForUpdate(), invitation_id);
    auto inv = lock ? store::Invitation(tx, invitation_id) : std::nullopt;
    if (!inv || !AddressedTo(*inv, me)) throw NotFound();
    if (inv->status == "expired") throw Expired();
    if (inv->status != "pending") throw NotPending();
    if (inv->expires_at <= clock_.Now()) {
      tx.Exec("UPDATE invitations SET status = 'expired' WHERE id = $1 AND status = 'pending'", invitation_id);
      return Outcome::kExpired;
    }
    if (tx.Exec("UPDATE invitations SET status = 'declined' WHERE id = $1 AND status = 'pending'", invitation_id) != 1)
      throw NotPending();
    return Outcome::kDone;
  });
  if (outcome == Outcome::kExpired) throw Expired();
}

void GroupService::Revoke(const accounts::AuthUser& me, std::int64_t invitation_id, db::CommitToken& durable) {
  Outcome outcome = db_.Write(durable, [&](db::Tx& tx) {
    auto lock =
        tx.QueryOne(std::string("SELECT group_id FROM invitations WHERE id = $1") + tx.ForUpdate(), invitation_id);
    if (!lock) throw NotFound();
    RequireAdmin(tx, lock->Int(0), me.id);
    auto inv = *store::Invitation(tx, invitation_id);
    if (inv.status == "expired") throw Expired();
    if (inv.status != "pending") throw NotPending();
    if (inv.expires_at <= clock_.Now()) {
      tx.Exec("UPDATE invitations SET status = 'expired' WHERE id = $1 AND status = 'pending'", invitation_id);
      return Outcome::kExpired;
    }
    tx.Exec("UPDATE invitations SET status = 'revoked' WHERE id = $1 AND status = 'pending'", invitation_id);
    return Outcome::kDone;
  });
  if (outcome == Outcome::kExpired) throw Expired();
}

}  // namespace atelier::groups
