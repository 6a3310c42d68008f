#pragma once
// The group resources of the API (docs/product.md §4), each described once
// (common/json_describe.h): Group, Member, Invitation. Plain values; the routes fill them
// from the service's rows (groups/store.h) and write them with http::JsonResponse.
#include <optional>
#include <string>
#include <string_view>

#include "accounts/resources.h"
#include "common/json_describe.h"
#include "groups/membership.h"

namespace atelier::groups {
// A role is written as its name: "owner", "admin", "member".
inline void WriteJsonValue(JsonWriter& w, Role role) { w.String(RoleName(role)); }
}  // namespace atelier::groups

namespace atelier::api {

struct Group {
  Id id;
  std::string name;
  std::string description;
  std::string purpose;
  Time createdAt;
  PublicUser owner;
  std::int64_t memberCount = 0;
  groups::Role myRole = groups::Role::kMember;
};
BOOST_DESCRIBE_STRUCT(Group, (), (id, name, description, purpose, createdAt, owner, memberCount, myRole))

struct Member {
  PublicUser user;
  groups::Role role = groups::Role::kMember;
  Time joinedAt;
};
BOOST_DESCRIBE_STRUCT(Member, (), (user, role, joinedAt))

// The group an invitation is for, as much of it as the invitee may see.
struct InvitationGroup {
  Id id;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(InvitationGroup, (), (id, name))

struct Invitation {
  Id id;
  InvitationGroup group;
  std::optional<PublicUser> invitee;  // empty: by email, to an address no account has verified
  std::optional<std::string> email;   // empty: by username
  PublicUser invitedBy;
  std::string status;  // "pending" past expiresAt is "expired"
  Time createdAt;
  Time expiresAt;
};
BOOST_DESCRIBE_STRUCT(Invitation, (), (id, group, invitee, email, invitedBy, status, createdAt, expiresAt))

// GET /invitations/preview: what the link in an invitation's email shows before any login,
// to whoever holds it. No ids: the token answers nothing else.
struct InvitationPreviewGroup {
  std::string name;
  std::string description;
};
BOOST_DESCRIBE_STRUCT(InvitationPreviewGroup, (), (name, description))

struct InvitationPreview {
  InvitationPreviewGroup group;
  PublicUser invitedBy;
  std::optional<PublicUser> invitee;  // as in Invitation
  std::optional<std::string> email;   // as in Invitation
  std::string status;
  Time expiresAt;
};
BOOST_DESCRIBE_STRUCT(InvitationPreview, (), (group, invitedBy, invitee, email, status, expiresAt))

}  // namespace atelier::api
