#include "groups/routes.h"

#include <boost/json.hpp>
#include <type_traits>

#include "common/error.h"
#include "common/json_util.h"
#include "groups/resources.h"
#include "groups/validate.h"
#include "http/durable.h"
#include "http/json_response.h"

namespace atelier::groups {

namespace {

namespace json = boost::json;

// Rows become resources here; each is a temporary of the handler, so its strings move.
api::PublicUser ToResource(UserRef&& u) { return {{u.id}, std::move(u.username), std::move(u.display_name)}; }

api::Group ToResource(GroupRow&& g) {
  return {.id = {g.id},
          .name = std::move(g.name),
          .description = std::move(g.description),
          .purpose = std::move(g.purpose),
          .createdAt = {g.created_at},
          .owner = ToResource(std::move(g.owner)),
          .memberCount = g.member_count,
          .myRole = g.my_role};
}

api::Member ToResource(MemberRow&& m) {
  return {.user = ToResource(std::move(m.user)), .role = m.role, .joinedAt = {m.joined_at}};
}

// `now` decides whether a pending invitation is shown as expired.
api::Invitation ToResource(InvitationRow&& i, Millis now) {
  std::optional<api::PublicUser> invitee;
  if (i.invitee) invitee = ToResource(std::move(*i.invitee));
  return {.id = {i.id},
          .group = {{i.group_id}, std::move(i.group_name)},
          .invitee = std::move(invitee),
          .email = std::move(i.email),
          .invitedBy = ToResource(std::move(i.invited_by)),
          .status = i.EffectiveStatus(now),
          .createdAt = {i.created_at},
          .expiresAt = {i.expires_at}};
}

api::InvitationPreview ToResource(InvitationPreviewRow&& p, Millis now) {
  InvitationRow& i = p.invitation;
  std::optional<api::PublicUser> invitee;
  if (i.invitee) invitee = ToResource(std::move(*i.invitee));
  return {.group = {std::move(i.group_name), std::move(p.group_description)},
          .invitedBy = ToResource(std::move(i.invited_by)),
          .invitee = std::move(invitee),
          .email = std::move(i.email),
          .status = i.EffectiveStatus(now),
          .expiresAt = {i.expires_at}};
}

// The list page of docs/product.md §2, each row converted by `convert`.
template <typename Row, typename F>
http::Response PageResponse(PageOf<Row>&& page, F convert) {
  PageOfItems<std::invoke_result_t<F&, Row&&>> out;
  out.items.reserve(page.items.size());
  for (auto& row : page.items) out.items.push_back(convert(std::move(row)));
  out.nextCursor = std::move(page.next_cursor);
  return http::JsonResponse(200, out);
}

constexpr auto kAsResource = [](auto&& row) { return ToResource(std::move(row)); };

GroupPatch ReadGroupBody(const json::object& body, bool create) {
  BodyReader r(body);
  GroupPatch p;
  auto& v = r.Errors();
  if (create) {
    p.name = CheckGroupName(r.RequireString("name"), v);
  } else if (r.IsNull("name")) {
    v.Add("name", "invalid", "name cannot be null");
  } else if (auto name = r.String("name")) {
    p.name = CheckGroupName(*name, v);
  }
  if (auto d = r.String("description")) {
    CheckText("description", *d, kMaxDescription, v);
    p.description = *d;
  } else if (r.IsNull("description")) {
    p.description = "";
  }
  if (auto d = r.String("purpose")) {
    CheckText("purpose", *d, kMaxPurpose, v);
    p.purpose = *d;
  } else if (r.IsNull("purpose")) {
    p.purpose = "";
  }
  r.Finish();
  return p;
}

InviteInput ReadInviteBody(const json::object& body) {
  BodyReader r(body);
  InviteInput in;
  auto& v = r.Errors();
  auto username = r.String("username");
  auto email = r.String("email");
  in.expires_in_hours = CheckExpiresInHours(r.Int("expiresInHours"), v);
  r.Finish();
  if (!username && !email) throw BadRequest("Give a username or an email");
  if (username && email) v.Add("email", "invalid", "give a username or an email, not both");
  if (email) in.email = CheckEmail(*email, v);
  if (username) {
    if (username->empty() || username->size() > 64) v.Add("username", "invalid", "must be a username");
    in.username = *username;
  }
  r.Finish();
  return in;
}

}  // namespace

void RegisterRoutes(http::Router& router, GroupService& service, const accounts::Authenticator& auth,
                    const Clock& clock, const http::TrustedProxies& proxies) {
  const std::string base = "/api/v1";
  http::RouteOptions opts;
  opts.pool = http::Pool::kWorker;
  auto& s = service;
  auto& a = auth;
  auto& c = clock;

  router.Add(
      "POST", base + "/groups",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        auto p = ReadGroupBody(req.JsonBody(), true);
        db::CommitToken durable;
        auto g = s.Create(me, {*p.name, p.description.value_or(""), p.purpose.value_or("")}, durable);
        return http::Durable(http::JsonResponse(201, ToResource(std::move(g))), durable);
      },
      opts);
  router.Add(
      "GET", base + "/groups",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        int limit = ParseLimit(req.Query("limit"));
        return PageResponse(s.ListMine(me, limit, req.Query("cursor")), kAsResource);
      },
      opts);
  router.Add(
      "GET", base + "/groups/{id}",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        return http::JsonResponse(200, ToResource(s.Get(me, http::PathId(req, "id"))));
      },
      opts);
  router.Add(
      "PATCH", base + "/groups/{id}",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        auto id = http::PathId(req, "id");
        auto p = ReadGroupBody(req.JsonBody(), false);
        db::CommitToken durable;
        return http::Durable(http::JsonResponse(200, ToResource(s.Update(me, id, p, durable))), durable);
      },
      opts);
  router.Add(
      "DELETE", base + "/groups/{id}",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        db::CommitToken durable;
        s.Delete(me, http::PathId(req, "id"), durable);
        return http::Durable(http::Response::NoContent(), durable);
      },
      opts);

  router.Add(
      "GET", base + "/groups/{id}/members",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        auto id = http::PathId(req, "id");
        int limit = ParseLimit(req.Query("limit"));
        return PageResponse(s.Members(me, id, limit, req.Query("cursor")), kAsResource);
      },
      opts);
  router.Add(
      "PATCH", base + "/groups/{id}/members/{userId}",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        auto id = http::PathId(req, "id");
        auto user_id = http::PathId(req, "userId");
        auto body = req.JsonBody();
        BodyReader r(body);
        auto role_name = r.RequireString("role");
        auto role = ParseRole(role_name);
        if (!role || *role == Role::kOwner) r.Errors().Add("role", "invalid", "role must be \"admin\" or \"member\"");
        r.Finish();
        db::CommitToken durable;
        return http::Durable(http::JsonResponse(200, ToResource(s.SetRole(me, id, user_id, *role, durable))), durable);
      },
      opts);
  router.Add(
      "DELETE", base + "/groups/{id}/members/{userId}",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        db::CommitToken durable;
        s.RemoveMember(me, http::PathId(req, "id"), http::PathId(req, "userId"), durable);
        return http::Durable(http::Response::NoContent(), durable);
      },
      opts);

  router.Add(
      "POST", base + "/groups/{id}/transfer",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        auto id = http::PathId(req, "id");
        auto body = req.JsonBody();
        BodyReader r(body);
        auto raw = r.RequireString("userId");
        auto user_id = ParseId(raw);
        if (!user_id) r.Errors().Add("userId", "invalid", "must be another member of this group");
        r.Finish();
        db::CommitToken durable;
        return http::Durable(http::JsonResponse(200, ToResource(s.Transfer(me, id, *user_id, durable))), durable);
      },
      opts);
  router.Add(
      "POST", base + "/groups/{id}/invitations",
      [&s, &a, &c](http::Request& req) {
        auto me = a.Require(req);
        auto id = http::PathId(req, "id");
        auto in = ReadInviteBody(req.JsonBody());
        db::CommitToken durable;
        return http::Durable(http::JsonResponse(201, ToResource(s.Invite(me, id, in, durable), c.Now())), durable);
      },
      opts);
  router.Add(
      "GET", base + "/groups/{id}/invitations",
      [&s, &a, &c](http::Request& req) {
        auto me = a.Require(req);
        auto id = http::PathId(req, "id");
        int limit = ParseLimit(req.Query("limit"));
        Millis now = c.Now();
        return PageResponse(s.GroupInvitations(me, id, limit, req.Query("cursor")),
                            [now](InvitationRow&& i) { return ToResource(std::move(i), now); });
      },
      opts);
  router.Add(
      "GET", base + "/me/invitations",
      [&s, &a, &c](http::Request& req) {
        auto me = a.Require(req);
        int limit = ParseLimit(req.Query("limit"));
        Millis now = c.Now();
        return PageResponse(s.MyInvitations(me, limit, req.Query("cursor")),
                            [now](InvitationRow&& i) { return ToResource(std::move(i), now); });
      },
      opts);
  // No session: the token from the invitation's email is the only authority, and it
  // shows the invitation, nothing more (app/wire_guards.cpp lists the route as public).
  router.Add(
      "GET", base + "/invitations/preview",
      [&s, &c, &proxies](http::Request& req) {
        const std::string client = proxies.ClientIp(req);
        auto preview = s.Preview(req.Query("token").value_or(""), client.empty() ? "unknown" : client);
        return http::JsonResponse(200, ToResource(std::move(preview), c.Now()));
      },
      opts);
  router.Add(
      "POST", base + "/invitations/{id}/accept",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        db::CommitToken durable;
        return http::Durable(http::JsonResponse(200, ToResource(s.Accept(me, http::PathId(req, "id"), durable))),
                             durable);
      },
      opts);
  router.Add(
      "POST", base + "/invitations/{id}/decline",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        db::CommitToken durable;
        s.Decline(me, http::PathId(req, "id"), durable);
        return http::Durable(http::Response::NoContent(), durable);
      },
      opts);
  router.Add(
      "DELETE", base + "/invitations/{id}",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        db::CommitToken durable;
        s.Revoke(me, http::PathId(req, "id"), durable);
        return http::Durable(http::Response::NoContent(), durable);
      },
      opts);
}

}  // namespace atelier::groups
