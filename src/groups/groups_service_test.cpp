// GroupService against a real (in-memory) database: roles, membership changes and the
// invitation lifecycle, with the notifications and mail they write.
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "groups/service.h"
#include "testing/service_world.h"

namespace atelier::groups {
namespace {

using fixture::kHourMs;
using fixture::World;

GroupPatch Patch(std::optional<std::string> name, std::optional<std::string> description,
                 std::optional<std::string> purpose) {
  GroupPatch p;
  p.name = std::move(name);
  p.description = std::move(description);
  p.purpose = std::move(purpose);
  return p;
}

class GroupServiceTest : public ::testing::Test {
 protected:
  // Invitations get random preview tokens (libsodium).
  static void SetUpTestSuite() { InitCrypto(); }
  World w;
  GroupService svc{*w.db, w.clock, w.notifier, w.no_limits};
  accounts::AuthUser owner = w.AddUser("owner");
  accounts::AuthUser admin = w.AddUser("admin");
  accounts::AuthUser member = w.AddUser("member");
  accounts::AuthUser outsider = w.AddUser("outsider");
  std::int64_t group = w.AddGroup(owner, {admin}, {member});

  InvitationRow InviteUser(const accounts::AuthUser& by, const accounts::AuthUser& who, std::int64_t hours = 168) {
    InviteInput in;
    in.username = who.username;
    in.expires_in_hours = hours;
    return svc.Invite(by, group, in, w.durable);
  }
  std::string StoredStatus(std::int64_t invitation_id) {
    return w.db->Read(
        [&](db::Tx& tx) { return tx.QueryOne("SELECT status FROM invitations WHERE id = $1", invitation_id)->Str(0); });
  }
};

TEST_F(GroupServiceTest, CreateMakesTheCallerOwnerAndNeedsAVerifiedEmail) {
  GroupRow g = svc.Create(outsider, {"Ink Circle", "d", "p"}, w.durable);
  EXPECT_EQ(g.my_role, Role::kOwner);
  EXPECT_EQ(g.member_count, 1);
  EXPECT_EQ(g.owner.id, outsider.id);
  EXPECT_EQ(svc.Get(outsider, g.id).name, "Ink Circle");

  auto unverified = w.AddUser("fresh", /*verified=*/false);
  EXPECT_API_ERROR(svc.Create(unverified, {"Other", "", ""}, w.durable), 403, "email_not_verified");
}

TEST_F(GroupServiceTest, NamesAreUniqueIgnoringCase) {
  GroupRow g = svc.Create(owner, {"Ink Circle", "", ""}, w.durable);
  EXPECT_API_ERROR(svc.Create(member, {"ink circle", "", ""}, w.durable), 409, "group_name_taken");
  // Renaming to one's own name is fine; to another group's name is not.
  GroupRow other = svc.Create(member, {"Other", "", ""}, w.durable);
  EXPECT_NO_THROW(svc.Update(owner, g.id, Patch("INK circle", {}, {}), w.durable));
  EXPECT_API_ERROR(svc.Update(member, other.id, Patch("Ink Circle", {}, {}), w.durable), 409, "group_name_taken");
}

TEST_F(GroupServiceTest, OutsidersSeeNothingMembersReadAdminsEdit) {
  EXPECT_API_ERROR(svc.Get(outsider, group), 404, "not_found");
  EXPECT_API_ERROR(svc.Members(outsider, group, 10, std::nullopt), 404, "not_found");
  EXPECT_EQ(svc.Get(member, group).my_role, Role::kMember);
  EXPECT_EQ(svc.Members(member, group, 10, std::nullopt).items.size(), 3u);

  EXPECT_API_ERROR(svc.Update(outsider, group, Patch({}, "x", {}), w.durable), 404, "not_found");
  EXPECT_API_ERROR(svc.Update(member, group, Patch({}, "x", {}), w.durable), 403, "forbidden");
  EXPECT_EQ(svc.Update(admin, group, Patch({}, "new words", {}), w.durable).description, "new words");
  EXPECT_EQ(svc.Get(member, group).description, "new words");
}

TEST_F(GroupServiceTest, OnlyTheOwnerDeletesTheGroup) {
  EXPECT_API_ERROR(svc.Delete(admin, group, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.Delete(outsider, group, w.durable), 404, "not_found");
  svc.Delete(owner, group, w.durable);
  EXPECT_API_ERROR(svc.Get(owner, group), 404, "not_found");
  EXPECT_EQ(w.Count("SELECT COUNT(*) FROM memberships"), 0);
}

TEST_F(GroupServiceTest, OnlyTheOwnerChangesRolesAndNeverTheirOwn) {
  EXPECT_API_ERROR(svc.SetRole(admin, group, member.id, Role::kAdmin, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.SetRole(owner, group, owner.id, Role::kMember, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.SetRole(owner, group, outsider.id, Role::kAdmin, w.durable), 404, "not_found");
  EXPECT_EQ(svc.SetRole(owner, group, member.id, Role::kAdmin, w.durable).role, Role::kAdmin);
  EXPECT_EQ(svc.Get(member, group).my_role, Role::kAdmin);
  // The promoted member may now edit the group.
  EXPECT_NO_THROW(svc.Update(member, group, Patch({}, {}, "trade"), w.durable));
}

TEST_F(GroupServiceTest, RemovalFollowsTheRoleLadder) {
  auto second = w.AddUser("second");
  w.db->Write([&](db::Tx& tx) {
    tx.Exec("INSERT INTO memberships (group_id, user_id, role, joined_at) VALUES ($1, $2, 'member', 0)", group,
            second.id);
    tx.Exec("UPDATE art_groups SET member_count = member_count + 1 WHERE id = $1", group);
  });
  EXPECT_API_ERROR(svc.RemoveMember(member, group, second.id, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.RemoveMember(admin, group, owner.id, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.RemoveMember(owner, group, owner.id, w.durable), 409, "owner_cannot_leave");
  EXPECT_API_ERROR(svc.RemoveMember(admin, group, outsider.id, w.durable), 404, "not_found");

  svc.RemoveMember(admin, group, second.id, w.durable);  // an admin removes a plain member
  EXPECT_API_ERROR(svc.Get(second, group), 404, "not_found");
  EXPECT_EQ(svc.Get(owner, group).member_count, 3);

  svc.RemoveMember(member, group, member.id, w.durable);  // anyone but the owner may leave
  EXPECT_EQ(svc.Get(owner, group).member_count, 2);
  svc.RemoveMember(owner, group, admin.id, w.durable);  // only the owner removes an admin
  EXPECT_EQ(svc.Get(owner, group).member_count, 1);
}

TEST_F(GroupServiceTest, AnAdminCannotRemoveAnotherAdmin) {
  svc.SetRole(owner, group, member.id, Role::kAdmin, w.durable);
  EXPECT_API_ERROR(svc.RemoveMember(admin, group, member.id, w.durable), 403, "forbidden");
  EXPECT_EQ(svc.Get(member, group).my_role, Role::kAdmin);
}

TEST_F(GroupServiceTest, InvitingIsForAdminsAndNotifiesTheInvitee) {
  InviteInput in;
  in.username = outsider.username;
  EXPECT_API_ERROR(svc.Invite(member, group, in, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.Invite(outsider, group, in, w.durable), 404, "not_found");

  InvitationRow inv = InviteUser(admin, outsider, 24);
  EXPECT_EQ(inv.status, "pending");
  EXPECT_EQ(inv.expires_at, fixture::kStart + 24 * kHourMs);
  auto notes = w.Notes(outsider.id);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].type, "GROUP_INVITATION");
  EXPECT_EQ(notes[0].data.at("invitationId").as_string(), std::to_string(inv.id));
  EXPECT_EQ(notes[0].data.at("groupId").as_string(), std::to_string(group));
  EXPECT_NE(notes[0].message.find("@admin"), std::string::npos) << notes[0].message;

  EXPECT_EQ(svc.MyInvitations(outsider, 10, std::nullopt).items.size(), 1u);
}

TEST_F(GroupServiceTest, OnePendingInvitationPerPersonAndNoneForMembers) {
  InviteUser(owner, outsider);
  EXPECT_API_ERROR(InviteUser(admin, outsider), 409, "already_invited");
  EXPECT_API_ERROR(InviteUser(admin, member), 409, "already_member");
  InviteInput nobody;
  nobody.username = "nobody_here";
  EXPECT_API_ERROR(svc.Invite(admin, group, nobody, w.durable), 404, "not_found");
}

TEST_F(GroupServiceTest, AcceptJoinsOnceAndOnlyForTheInvitee) {
  InvitationRow inv = InviteUser(owner, outsider);
  EXPECT_API_ERROR(svc.Accept(member, inv.id, w.durable), 404, "not_found");
  GroupRow g = svc.Accept(outsider, inv.id, w.durable);
  EXPECT_EQ(g.id, group);
  EXPECT_EQ(g.my_role, Role::kMember);
  EXPECT_EQ(g.member_count, 4);
  EXPECT_EQ(StoredStatus(inv.id), "accepted");
  EXPECT_API_ERROR(svc.Accept(outsider, inv.id, w.durable), 409, "invitation_not_pending");
  EXPECT_TRUE(svc.MyInvitations(outsider, 10, std::nullopt).items.empty());
}

TEST_F(GroupServiceTest, AcceptingNeedsAVerifiedEmail) {
  auto fresh = w.AddUser("fresh", /*verified=*/false);
  InvitationRow inv = InviteUser(admin, fresh);
  EXPECT_API_ERROR(svc.Accept(fresh, inv.id, w.durable), 403, "email_not_verified");
  EXPECT_EQ(StoredStatus(inv.id), "pending");
  fresh.email_verified = true;
  EXPECT_EQ(svc.Accept(fresh, inv.id, w.durable).my_role, Role::kMember);
}

TEST_F(GroupServiceTest, DeclinedAndRevokedInvitationsCannotBeAccepted) {
  auto other = w.AddUser("other");
  InvitationRow declined = InviteUser(owner, outsider);
  svc.Decline(outsider, declined.id, w.durable);
  EXPECT_API_ERROR(svc.Accept(outsider, declined.id, w.durable), 409, "invitation_not_pending");

  InvitationRow revoked = InviteUser(owner, other);
  EXPECT_API_ERROR(svc.Revoke(member, revoked.id, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.Revoke(outsider, revoked.id, w.durable), 404, "not_found");
  svc.Revoke(admin, revoked.id, w.durable);
  EXPECT_API_ERROR(svc.Accept(other, revoked.id, w.durable), 409, "invitation_not_pending");
  EXPECT_API_ERROR(svc.Get(other, group), 404, "not_found");
  // Declined, a new invitation may be sent.
  EXPECT_NO_THROW(InviteUser(owner, outsider));
}

TEST_F(GroupServiceTest, AnInvitationExpiresWithTheClock) {
  InvitationRow inv = InviteUser(owner, outsider, 1);
  w.clock.Advance(kHourMs - 1);
  EXPECT_EQ(svc.MyInvitations(outsider, 10, std::nullopt).items.size(), 1u);
  w.clock.Advance(1);
  EXPECT_TRUE(svc.MyInvitations(outsider, 10, std::nullopt).items.empty());
  EXPECT_API_ERROR(svc.Accept(outsider, inv.id, w.durable), 410, "invitation_expired");
  // The 410 is answered after the 'expired' status was committed.
  EXPECT_EQ(StoredStatus(inv.id), "expired");
  EXPECT_API_ERROR(svc.Accept(outsider, inv.id, w.durable), 410, "invitation_expired");
  EXPECT_API_ERROR(svc.Get(outsider, group), 404, "not_found");
  // An expired invitation does not block a new one.
  EXPECT_NO_THROW(InviteUser(owner, outsider));
}

// The token of the preview link in the newest invitation mail to `to`.
std::string PreviewToken(World& w, const std::string& to) {
  auto mail = w.MailTo(to);
  EXPECT_FALSE(mail.empty());
  if (mail.empty()) return {};
  const std::string& body = mail.back().second;
  const std::string marker = "https://atelier.test/invitations?preview=";
  auto at = body.find(marker);
  EXPECT_NE(at, std::string::npos) << body;
  if (at == std::string::npos) return {};
  at += marker.size();
  return body.substr(at, body.find_first_of(" \n", at) - at);
}

TEST_F(GroupServiceTest, TheMailedPreviewLinkShowsTheInvitationAndNothingElse) {
  InviteInput in;
  in.email = "newcomer@example.test";
  InvitationRow by_mail = svc.Invite(admin, group, in, w.durable);
  InvitationRow by_name = InviteUser(owner, outsider);
  const std::string mail_token = PreviewToken(w, "newcomer@example.test");
  const std::string name_token = PreviewToken(w, outsider.email);
  ASSERT_EQ(mail_token.size(), 43u);
  ASSERT_EQ(name_token.size(), 43u);
  ASSERT_NE(mail_token, name_token);

  InvitationPreviewRow p = svc.Preview(mail_token, "198.51.100.7");
  EXPECT_EQ(p.invitation.id, by_mail.id);
  EXPECT_EQ(p.invitation.invited_by.id, admin.id);
  EXPECT_EQ(p.invitation.email, "newcomer@example.test");
  EXPECT_EQ(svc.Preview(name_token, "198.51.100.7").invitation.id, by_name.id);

  // Only the hash is stored; the hash, an altered token or none is no token.
  EXPECT_API_ERROR(svc.Preview(Sha256Hex(mail_token), "x"), 400, "invalid_token");
  std::string altered = mail_token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_API_ERROR(svc.Preview(altered, "x"), 400, "invalid_token");
  EXPECT_API_ERROR(svc.Preview("", "x"), 400, "invalid_token");
  EXPECT_API_ERROR(svc.Preview(std::string(129, 'a'), "x"), 400, "invalid_token");

  // Reading the preview changes nothing, and the status follows the invitation.
  svc.Revoke(owner, by_mail.id, w.durable);
  EXPECT_EQ(svc.Preview(mail_token, "x").invitation.status, "revoked");
  w.clock.Advance(169 * kHourMs);
  EXPECT_EQ(svc.Preview(name_token, "x").invitation.EffectiveStatus(w.clock.Now()), "expired");
  EXPECT_EQ(StoredStatus(by_name.id), "pending");
}

TEST_F(GroupServiceTest, PreviewsAreRateLimitedPerClient) {
  accounts::RateLimiter limits{w.clock, true};
  GroupService limited{*w.db, w.clock, w.notifier, limits};
  for (int i = 0; i < 30; ++i) EXPECT_API_ERROR(limited.Preview("nope", "203.0.113.1"), 400, "invalid_token");
  EXPECT_API_ERROR(limited.Preview("nope", "203.0.113.1"), 429, "rate_limited");
  EXPECT_API_ERROR(limited.Preview("nope", "203.0.113.2"), 400, "invalid_token");
}

TEST_F(GroupServiceTest, AnEmailInvitationIsMailedThenWaitsForTheVerifiedAddress) {
  InviteInput in;
  in.email = "later@example.test";
  InvitationRow inv = svc.Invite(admin, group, in, w.durable);
  EXPECT_FALSE(inv.invitee_id.has_value());
  auto mail = w.MailTo("later@example.test");
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_NE(mail[0].second.find("https://atelier.test/invitations"), std::string::npos) << mail[0].second;

  // The address's owner signs up; before verifying, the invitation is not theirs.
  accounts::AuthUser later = w.AddUser("later", /*verified=*/false);
  later.email = "later@example.test";
  EXPECT_TRUE(svc.MyInvitations(later, 10, std::nullopt).items.empty());
  EXPECT_API_ERROR(svc.Accept(later, inv.id, w.durable), 404, "not_found");

  // Verification (AccountService's hook) turns it into an in-app notification, not mailed again.
  w.db->Write([&](db::Tx& tx) {
    tx.Exec("UPDATE users SET email_verified = 1 WHERE id = $1", later.id);
    svc.NotifyEmailInvitations(tx, later.id, later.email);
  });
  later.email_verified = true;
  EXPECT_EQ(w.Notes(later.id, "GROUP_INVITATION").size(), 1u);
  EXPECT_EQ(w.MailTo("later@example.test").size(), 1u);
  EXPECT_EQ(svc.MyInvitations(later, 10, std::nullopt).items.size(), 1u);
  EXPECT_EQ(svc.Accept(later, inv.id, w.durable).my_role, Role::kMember);
}

TEST_F(GroupServiceTest, GroupInvitationsAreForAdminsAndShowExpiry) {
  InviteUser(owner, outsider, 1);
  EXPECT_API_ERROR(svc.GroupInvitations(member, group, 10, std::nullopt), 403, "forbidden");
  w.clock.Advance(2 * kHourMs);
  auto page = svc.GroupInvitations(admin, group, 10, std::nullopt);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].EffectiveStatus(w.clock.Now()), "expired");
}

TEST_F(GroupServiceTest, ListMinePagesNewestFirst) {
  svc.Create(owner, {"B", "", ""}, w.durable);
  svc.Create(owner, {"C", "", ""}, w.durable);
  auto first = svc.ListMine(owner, 2, std::nullopt);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].name, "C");
  EXPECT_EQ(first.items[1].name, "B");
  ASSERT_TRUE(first.next_cursor.has_value());
  auto second = svc.ListMine(owner, 2, first.next_cursor);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].id, group);
  EXPECT_FALSE(second.next_cursor.has_value());
  EXPECT_TRUE(svc.ListMine(outsider, 2, std::nullopt).items.empty());
}

}  // namespace
}  // namespace atelier::groups
