#include "matching/routes.h"

#include <string>
#include <vector>

#include "common/json_util.h"
#include "http/durable.h"
#include "http/json_response.h"

namespace atelier::matching {

namespace {
using http::Request;
using http::Response;

void AddAction(http::Router& router, const std::string& path, MatchService& svc, const accounts::Authenticator& auth,
               MatchAction action) {
  router.Add("POST", path, [&svc, &auth, action](Request& req) {
    auto user = auth.Require(req);
    db::CommitToken durable;
    return http::Durable(http::JsonResponse(200, svc.Act(user.id, http::PathId(req), action, durable)), durable);
  });
}

}  // namespace

std::optional<std::int64_t> ReadRank(const boost::json::object& body) {
  BodyReader in(body);
  auto rank = in.Int("rank");
  if (rank && (*rank < 1 || *rank > kMaxRank))
    in.Errors().Add("rank", "invalid", "must be a positive integer (1 = favourite)");
  in.Finish();
  return rank;
}

void RegisterRoutes(http::Router& router, MatchService& svc, const accounts::Authenticator& auth) {
  const std::string base = "/api/v1";
  // A like is its write transaction: the session is confirmed inside it, before it commits.
  router.Add("PUT", base + "/artworks/{id}/like", [&svc, &auth](Request& req) {
    return auth.RequireForWrite(req, [&](const accounts::AuthUser& user) {
      auto artwork_id = http::PathId(req);
      // The body is optional: no body is an unranked like.
      std::optional<std::int64_t> rank;
      if (!req.body.empty()) rank = ReadRank(req.JsonBody());
      db::CommitToken durable;
      return http::Durable(http::JsonResponse(200, svc.Like(user.id, artwork_id, rank, durable)), durable);
    });
  });
  router.Add("DELETE", base + "/artworks/{id}/like", [&svc, &auth](Request& req) {
    return auth.RequireForWrite(req, [&](const accounts::AuthUser& user) {
      db::CommitToken durable;
      svc.Unlike(user.id, http::PathId(req), durable);
      return http::Durable(Response::NoContent(), durable);
    });
  });
  router.Add("GET", base + "/events/{id}/likes", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto event_id = http::PathId(req);
    int limit = ParseLimit(req.Query("limit"));
    return http::JsonResponse(200, svc.ListLikes(user.id, event_id, limit, req.Query("cursor")));
  });
  router.Add("GET", base + "/events/{id}/matches", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto event_id = http::PathId(req);
    int limit = ParseLimit(req.Query("limit"));
    return http::JsonResponse(200, svc.ListEventMatches(user.id, event_id, limit, req.Query("cursor")));
  });
  router.Add("GET", base + "/me/matches", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    int limit = ParseLimit(req.Query("limit"));
    return http::JsonResponse(200, svc.ListMyMatches(user.id, limit, req.Query("cursor")));
  });
  AddAction(router, base + "/matches/{id}/accept", svc, auth, MatchAction::kAccept);
  AddAction(router, base + "/matches/{id}/decline", svc, auth, MatchAction::kDecline);
  AddAction(router, base + "/matches/{id}/complete", svc, auth, MatchAction::kComplete);
  router.Add("GET", base + "/events/{id}/no-match", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    return http::JsonResponse(200, svc.GetNoMatch(user.id, http::PathId(req)));
  });
}

std::pair<std::int64_t, std::int64_t> ReadExclusionUsers(const boost::json::object& body) {
  BodyReader in(body);
  std::vector<std::int64_t> ids;
  const auto* value = body.if_contains("userIds");
  if (!value) {
    in.Errors().Add("userIds", "invalid", "is required: the ids of two members");
  } else if (!value->is_array() || value->as_array().size() != 2) {
    in.Errors().Add("userIds", "invalid", "must be an array of two user ids");
  } else {
    for (const auto& v : value->as_array()) {
      std::optional<std::int64_t> id;
      if (v.is_string()) id = ParseId(v.as_string());
      if (!id) {
        in.Errors().Add("userIds", "invalid", "must be an array of two user ids");
        break;
      }
      ids.push_back(*id);
    }
  }
  in.Finish();
  return {ids[0], ids[1]};
}

void RegisterExclusionRoutes(http::Router& router, ExclusionService& svc, const accounts::Authenticator& auth) {
  const std::string base = "/api/v1";
  router.Add("POST", base + "/groups/{id}/exclusions", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto group_id = http::PathId(req);
    auto [a, b] = ReadExclusionUsers(req.JsonBody());
    db::CommitToken durable;
    return http::Durable(http::JsonResponse(201, svc.Create(user.id, group_id, a, b, durable)), durable);
  });
  router.Add("GET", base + "/groups/{id}/exclusions", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto group_id = http::PathId(req);
    int limit = ParseLimit(req.Query("limit"));
    return http::JsonResponse(200, svc.List(user.id, group_id, limit, req.Query("cursor")));
  });
  router.Add("DELETE", base + "/exclusions/{id}", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    db::CommitToken durable;
    svc.Delete(user.id, http::PathId(req), durable);
    return http::Durable(Response::NoContent(), durable);
  });
}

}  // namespace atelier::matching
