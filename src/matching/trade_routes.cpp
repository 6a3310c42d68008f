#include "matching/trade_routes.h"

#include <string>

#include "artworks/routes.h"
#include "artworks/upload_form.h"
#include "common/json_util.h"
#include "http/durable.h"
#include "http/json_response.h"
#include "http/multipart.h"

namespace atelier::matching {

namespace {
using http::Request;
using http::Response;

Response ServeDeliveryImage(TradeService& svc, const artworks::ImageStore& images, const accounts::Authenticator& auth,
                            const Request& req, bool thumbnail) {
  auto user = auth.Require(req);
  auto ref = svc.Image(user.id, http::PathId(req), thumbnail);
  return artworks::ImageFileResponse(req, images, ref.key, ref.content_type);
}
}  // namespace

void RegisterTradeRoutes(http::Router& router, TradeService& svc, const accounts::Authenticator& auth,
                         accounts::RateLimiter& message_limiter, const UploadTools& uploads) {
  const std::string base = "/api/v1";
  router.Add("GET", base + "/matches/{id}/messages", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto match_id = http::PathId(req);
    int limit = ParseLimit(req.Query("limit"));
    return http::JsonResponse(200, svc.ListMessages(user.id, match_id, limit, req.Query("cursor")));
  });
  router.Add("POST", base + "/matches/{id}/messages", [&svc, &auth, &message_limiter](Request& req) {
    auto user = auth.Require(req);
    auto match_id = http::PathId(req);
    const std::string who = std::to_string(user.id);
    message_limiter.Require("message:user:" + who, kMessagesPerMinute, 60'000,
                            "Too many messages; try again in a minute");
    message_limiter.Require("message-day:user:" + who, kMessagesPerDay, 86'400'000,
                            "Too many messages today; try again later");
    auto body = req.JsonBody();
    BodyReader in(body);
    auto text = in.RequireString("text");
    in.Finish();
    text = TradeService::CheckMessage(text);
    db::CommitToken durable;
    return http::Durable(http::JsonResponse(201, svc.PostMessage(user.id, match_id, text, durable)), durable);
  });
  router.Add("PUT", base + "/matches/{id}/delivery",
             [&svc, &auth, uploads](Request& req) {
               auto user = auth.Require(req);
               // Before anything else the upload costs: it spends the caller's upload budget.
               uploads.upload_limiter.Require("upload:user:" + std::to_string(user.id), 60, 600'000,
                                              "Too many uploads; try again later");
               auto match_id = http::PathId(req);
               svc.CheckCanDeliver(user.id, match_id);
               auto boundary = http::MultipartBoundary(req.Header("content-type"));
               if (!boundary) throw BadRequest("Content-Type must be multipart/form-data with a boundary");
               auto parts = http::ParseMultipart(req.body, *boundary);
               if (!parts) throw BadRequest("The multipart/form-data body is malformed");
               artworks::UploadForm form = artworks::ReadUploadForm(*parts);
               TradeService::CheckText(form.title, form.description);
               auto processed = artworks::ProcessUploadImage(form.image, user.id, uploads.gate, uploads.limits);
               db::CommitToken durable;
               return http::Durable(
                   http::JsonResponse(200, svc.Deliver(user.id, match_id, form.title, form.description.value_or(""),
                                                       processed, durable)),
                   durable);
             },
             {.pool = http::Pool::kImage, .max_body = artworks::kMaxUploadBody});
  // A delivery's body (up to about 21 MiB) is read only for a participant who may deliver.
  router.SetPreCheck("PUT", base + "/matches/{id}/delivery", [&svc, &auth](const Request& req) {
    auto user = auth.Require(req);
    svc.CheckCanDeliver(user.id, http::PathId(req));
  });
  const artworks::ImageStore& images = uploads.images;
  router.Add("GET", base + "/deliveries/{id}/image",
             [&svc, &images, &auth](Request& req) { return ServeDeliveryImage(svc, images, auth, req, false); });
  router.Add("GET", base + "/deliveries/{id}/thumbnail",
             [&svc, &images, &auth](Request& req) { return ServeDeliveryImage(svc, images, auth, req, true); });
  router.Add("GET", base + "/events/{id}/trades", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto event_id = http::PathId(req);
    int limit = ParseLimit(req.Query("limit"));
    return http::JsonResponse(200, svc.ListTrades(user.id, event_id, limit, req.Query("cursor")));
  });
}

}  // namespace atelier::matching
