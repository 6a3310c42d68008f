#include "matching/routes.h"

#include <string>

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
  router.Add("PUT", base + "/artworks/{id}/like", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto artwork_id = http::PathId(req);
    // The body is optional: no body is an unranked like.
    std::optional<std::int64_t> rank;
    if (!req.body.empty()) rank = ReadRank(req.JsonBody());
    db::CommitToken durable;
    return http::Durable(http::JsonResponse(200, svc.Like(user.id, artwork_id, rank, durable)), durable);
  });
  router.Add("DELETE", base + "/artworks/{id}/like", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    db::CommitToken durable;
    svc.Unlike(user.id, http::PathId(req), durable);
    return http::Durable(Response::NoContent(), durable);
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
}

}  // namespace atelier::matching
