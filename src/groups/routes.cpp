#include "groups/routes.h"

#include <boost/json.hpp>

#include "common/error.h"
#include "common/json_util.h"
#include "groups/validate.h"
#include "http/durable.h"

namespace atelier::groups {

namespace {

namespace json = boost::json;

json::object UserJson(const UserRef& u) { return accounts::PublicUser(u.id, u.username, u.display_name); }

template <typename T, typename F>
http::Response PageResponse(const PageOf<T>& page, F to_json) {
  json::array items;
  for (const auto& item : page.items) items.push_back(to_json(item));
  return http::Response::Json(200, Page(std::move(items), page.next_cursor));
}

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

json::object GroupJson(const GroupRow& g) {
  return {{"id", IdStr(g.id)},
          {"name", g.name},
          {"description", g.description},
          {"purpose", g.purpose},
          {"createdAt", FormatTime(g.created_at)},
          {"owner", UserJson(g.owner)},
          {"memberCount", g.member_count},
          {"myRole", RoleName(g.my_role)}};
}

json::object MemberJson(const MemberRow& m) {
  return {{"user", UserJson(m.user)}, {"role", RoleName(m.role)}, {"joinedAt", FormatTime(m.joined_at)}};
}

json::object InvitationJson(const InvitationRow& i, Millis now) {
  json::object o;
  o["id"] = IdStr(i.id);
  o["group"] = json::object{{"id", IdStr(i.group_id)}, {"name", i.group_name}};
  if (i.invitee)
    o["invitee"] = UserJson(*i.invitee);
  else
    o["invitee"] = nullptr;
  if (i.email)
    o["email"] = *i.email;
  else
    o["email"] = nullptr;
  o["invitedBy"] = UserJson(i.invited_by);
  o["status"] = i.EffectiveStatus(now);
  o["createdAt"] = FormatTime(i.created_at);
  o["expiresAt"] = FormatTime(i.expires_at);
  return o;
}

void AddRoutes(http::Router& router, GroupService& service, const accounts::Authenticator& auth, const Clock& clock) {
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
        return http::Durable(http::Response::Json(201, GroupJson(g)), durable);
      },
      opts);
  router.Add(
      "GET", base + "/groups",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        int limit = ParseLimit(req.Query("limit"));
        return PageResponse(s.ListMine(me, limit, req.Query("cursor")), GroupJson);
      },
      opts);
  router.Add(
      "GET", base + "/groups/{id}",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        return http::Response::Json(200, GroupJson(s.Get(me, http::PathId(req, "id"))));
      },
      opts);
  router.Add(
      "PATCH", base + "/groups/{id}",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        auto id = http::PathId(req, "id");
        auto p = ReadGroupBody(req.JsonBody(), false);
        db::CommitToken durable;
        return http::Durable(http::Response::Json(200, GroupJson(s.Update(me, id, p, durable))), durable);
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
        return PageResponse(s.Members(me, id, limit, req.Query("cursor")), MemberJson);
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
        return http::Durable(http::Response::Json(200, MemberJson(s.SetRole(me, id, user_id, *role, durable))),
                             durable);
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
      "POST", base + "/groups/{id}/invitations",
      [&s, &a, &c](http::Request& req) {
        auto me = a.Require(req);
        auto id = http::PathId(req, "id");
        auto in = ReadInviteBody(req.JsonBody());
        db::CommitToken durable;
        return http::Durable(http::Response::Json(201, InvitationJson(s.Invite(me, id, in, durable), c.Now())),
                             durable);
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
                            [now](const InvitationRow& i) { return InvitationJson(i, now); });
      },
      opts);
  router.Add(
      "GET", base + "/me/invitations",
      [&s, &a, &c](http::Request& req) {
        auto me = a.Require(req);
        int limit = ParseLimit(req.Query("limit"));
        Millis now = c.Now();
        return PageResponse(s.MyInvitations(me, limit, req.Query("cursor")),
                            [now](const InvitationRow& i) { return InvitationJson(i, now); });
      },
      opts);
  router.Add(
      "POST", base + "/invitations/{id}/accept",
      [&s, &a](http::Request& req) {
        auto me = a.Require(req);
        db::CommitToken durable;
        return http::Durable(http::Response::Json(200, GroupJson(s.Accept(me, http::PathId(req, "id"), durable))),
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
