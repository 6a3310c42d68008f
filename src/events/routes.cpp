#include "events/routes.h"

#include <string>

#include "common/clock.h"
#include "common/json_util.h"
#include "http/durable.h"
#include "http/json_response.h"

namespace atelier::events {

namespace {
using http::Request;
using http::Response;

// Reads the fields of a create or edit body; a present field of the wrong type or a
// malformed time is a 422.
EventInput ReadInput(const boost::json::object& body, bool create) {
  BodyReader in(body);
  EventInput out;
  if (create) {
    out.name = in.RequireString("name");
  } else {
    out.name = in.String("name");
  }
  if (in.Has("description")) out.description = in.String("description");
  for (size_t i = 0; i < 3; ++i) {
    std::string_view field = kScheduleFields[i];
    if (!in.Has(field)) continue;
    if (in.IsNull(field)) {
      out.times[i] = std::optional<Millis>();
      continue;
    }
    auto text = in.String(field);
    if (!text) continue;
    auto t = ParseTime(*text);
    if (!t) {
      in.Errors().Add(std::string(field), "invalid", "must be an RFC 3339 time such as 2026-11-24T10:00:00Z");
      continue;
    }
    out.times[i] = t;
  }
  out.votes_per_member = in.Int("votesPerMember");
  out.max_artworks_per_member = in.Int("maxArtworksPerMember");
  out.anonymous_voting = in.Bool("anonymousVoting");
  if (in.Has("tradesDueAt")) {
    if (in.IsNull("tradesDueAt")) {
      out.trades_due_at = std::optional<Millis>();
    } else if (auto text = in.String("tradesDueAt")) {
      if (auto t = ParseTime(*text)) {
        out.trades_due_at = t;
      } else {
        in.Errors().Add("tradesDueAt", "invalid", "must be an RFC 3339 time such as 2026-11-24T10:00:00Z");
      }
    }
  }
  out.avoid_repeat_partners = in.Bool("avoidRepeatPartners");
  in.Finish();
  return out;
}

}  // namespace

void RegisterRoutes(http::Router& router, EventService& svc, const accounts::Authenticator& auth) {
  const std::string base = "/api/v1";
  router.Add("POST", base + "/groups/{id}/events", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto group_id = http::PathId(req, "id");
    auto body = req.JsonBody();
    db::CommitToken durable;
    return http::Durable(http::JsonResponse(201, svc.Create(user.id, group_id, ReadInput(body, true), durable)),
                         durable);
  });
  router.Add("GET", base + "/groups/{id}/events", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto group_id = http::PathId(req, "id");
    int limit = ParseLimit(req.Query("limit"));
    return http::JsonResponse(200, svc.List(user.id, group_id, limit, req.Query("cursor")));
  });
  router.Add("GET", base + "/events/{id}", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    return http::JsonResponse(200, svc.GetEvent(user.id, http::PathId(req, "id")));
  });
  router.Add("PATCH", base + "/events/{id}", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto event_id = http::PathId(req, "id");
    auto body = req.JsonBody();
    db::CommitToken durable;
    return http::Durable(http::JsonResponse(200, svc.Update(user.id, event_id, ReadInput(body, false), durable)),
                         durable);
  });
  router.Add("POST", base + "/events/{id}/advance", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto event_id = http::PathId(req, "id");
    auto body = req.JsonBody();
    BodyReader in(body);
    auto to_name = in.RequireString("to");
    auto to = ParsePhase(to_name);
    if (!to) in.Errors().Add("to", "invalid", "must be one of OPEN, VOTING, MATCHING, CLOSED");
    in.Finish();
    db::CommitToken durable;
    return http::Durable(http::JsonResponse(200, svc.Advance(user.id, event_id, *to, durable)), durable);
  });
}

}  // namespace atelier::events
