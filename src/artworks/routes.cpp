#include "artworks/routes.h"

#include <string>

#include "artworks/resources.h"
#include "artworks/upload_form.h"
#include "common/json_describe.h"
#include "common/json_util.h"
#include "common/text.h"
#include "http/durable.h"
#include "http/json_response.h"
#include "http/multipart.h"

namespace atelier::artworks {

namespace {
using http::Request;
using http::Response;

// Images never change under a key: a year is safe, and "private" keeps members' images
// out of shared caches.
constexpr const char* kImageCacheControl = "private, max-age=31536000, immutable";

Response VotesRemaining(int remaining) { return http::JsonResponse(200, api::VoteStatus{remaining}); }

// Room for one item of a page (an Artwork is ~550 bytes with short texts), so a page is
// written without regrowing its string.
constexpr size_t kItemReserve = 768;

// A page of artworks or results, written into one string sized for it.
template <typename Page>
Response PageResponse(const Page& page) {
  std::string body;
  body.reserve(page.items.size() * kItemReserve + 128);
  JsonWriter w(body);
  WriteJson(w, page);
  return Response::JsonText(200, std::move(body));
}

Response ServeImage(ArtworkService& svc, const ImageStore& images, const accounts::Authenticator& auth,
                    const Request& req, ArtworkService::ImageKind kind) {
  auto user = auth.Require(req);
  auto ref = svc.Image(user.id, http::PathId(req), kind);
  return ImageFileResponse(req, images, ref.key, ref.content_type);
}

[[noreturn]] void ThrowImageError(ImageError error, const ImageLimits& limits) {
  switch (error) {
    case ImageError::kTooLarge:
      throw ApiError(413, "payload_too_large",
                     "The image has more than " + std::to_string(limits.max_pixels / 1'000'000) + " megapixels");
    case ImageError::kTooCostly:
      throw ApiError(413, "payload_too_large", "The image would need too much memory to decode");
    case ImageError::kUnsupported:
      break;
  }
  throw ApiError(415, "unsupported_image", "The file is not a complete PNG, JPEG, WebP or GIF image");
}

}  // namespace

Response ImageFileResponse(const Request& req, const ImageStore& images, const std::string& key,
                           const std::string& content_type) {
  std::string etag = "\"" + key + "\"";
  Response r;
  r.AddHeader("ETag", etag);
  r.AddHeader("Cache-Control", kImageCacheControl);
  if (IfNoneMatchHits(req.Header("if-none-match"), etag)) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.content_type = content_type;
  // --images db: copied from the database into the local cache first (on this worker thread).
  r.file_path = images.LocalFile(key).string();
  return r;
}

ProcessedImage ProcessUploadImage(std::string_view bytes, std::int64_t user_id, ImageGate& gate,
                                  const ImageLimits& limits) {
  // The header decides what the decode may cost before any pixel is decoded.
  auto probe = ProbeImage(bytes, limits);
  if (auto* err = std::get_if<ImageError>(&probe)) ThrowImageError(*err, limits);
  auto processed = [&] {
    auto pass = gate.Enter(user_id, std::get<ImageProbe>(probe));  // held while decoding only
    if (auto* refusal = std::get_if<ImageGate::Refusal>(&pass)) {
      if (*refusal == ImageGate::Refusal::kUserBusy)
        throw ApiError(429, "rate_limited", "Wait for your other uploads to finish")
            .WithRetryAfter(ImageGate::kRetryAfterSeconds);
      throw ApiError(503, "busy", "The server is processing other large images; try again later")
          .WithRetryAfter(ImageGate::kRetryAfterSeconds);
    }
    return ProcessImage(bytes, limits);
  }();
  if (auto* err = std::get_if<ImageError>(&processed)) ThrowImageError(*err, limits);
  return std::get<ProcessedImage>(std::move(processed));
}

bool IfNoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

void RegisterRoutes(http::Router& router, ArtworkService& svc, const ImageStore& images,
                    const accounts::Authenticator& auth, accounts::RateLimiter& limiter, ImageGate& gate,
                    const ImageLimits& limits) {
  const std::string base = "/api/v1";
  router.Add(
      "POST", base + "/events/{id}/artworks",
      [&svc, &auth, &limiter, &gate, limits](Request& req) {
        auto user = auth.Require(req);
        // Before anything else the upload costs: every attempt spends the caller's budget.
        limiter.Require("upload:user:" + std::to_string(user.id), 60, 600'000, "Too many uploads; try again later");
        auto event_id = http::PathId(req);
        // Cheap refusals first: no multipart parsing or decoding for a request that fails anyway.
        svc.CheckCanSubmit(user.id, event_id);
        auto boundary = http::MultipartBoundary(req.Header("content-type"));
        if (!boundary) throw BadRequest("Content-Type must be multipart/form-data with a boundary");
        auto parts = http::ParseMultipart(req.body, *boundary);
        if (!parts) throw BadRequest("The multipart/form-data body is malformed");
        UploadForm form = ReadUploadForm(*parts);
        ArtworkService::CheckText(form.title, form.description);
        auto processed = ProcessUploadImage(form.image, user.id, gate, limits);
        db::CommitToken durable;
        return http::Durable(http::JsonResponse(201, svc.Create(user.id, event_id, form.title,
                                                                form.description.value_or(""), processed, durable)),
                             durable);
      },
      {.pool = http::Pool::kImage, .max_body = kMaxUploadBody});
  router.Add("GET", base + "/events/{id}/artworks", [&svc, &auth](Request& req) {
    return auth.RequireForRead(req, [&](const accounts::AuthUser& user) {
      auto event_id = http::PathId(req);
      auto sort_name = req.Query("sort").value_or("new");
      if (sort_name != "new" && sort_name != "votes") throw BadRequest("sort must be new or votes");
      const Sort sort = sort_name == "new" ? Sort::kNew : Sort::kVotes;
      int limit = ParseLimit(req.Query("limit"));
      return PageResponse(svc.List(user.id, event_id, sort, limit, req.Query("cursor")));
    });
  });
  router.Add("GET", base + "/events/{id}/results", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto event_id = http::PathId(req);
    int limit = ParseLimit(req.Query("limit"));
    return PageResponse(svc.Results(user.id, event_id, limit, req.Query("cursor")));
  });
  router.Add("GET", base + "/artworks/{id}", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    return http::JsonResponse(200, svc.Get(user.id, http::PathId(req)));
  });
  router.Add("PATCH", base + "/artworks/{id}", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto artwork_id = http::PathId(req);
    auto body = req.JsonBody();
    BodyReader in(body);
    auto title = in.String("title");
    std::optional<std::optional<std::string>> description;
    if (in.Has("description")) description = in.String("description");
    in.Finish();
    db::CommitToken durable;
    return http::Durable(
        http::JsonResponse(200, svc.Update(user.id, artwork_id, std::move(title), std::move(description), durable)),
        durable);
  });
  router.Add("DELETE", base + "/artworks/{id}", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    db::CommitToken durable;
    svc.Delete(user.id, http::PathId(req), durable);
    return http::Durable(Response::NoContent(), durable);
  });
  using Kind = ArtworkService::ImageKind;
  router.Add("GET", base + "/artworks/{id}/image",
             [&svc, &images, &auth](Request& req) { return ServeImage(svc, images, auth, req, Kind::kOriginal); });
  router.Add("GET", base + "/artworks/{id}/display",
             [&svc, &images, &auth](Request& req) { return ServeImage(svc, images, auth, req, Kind::kDisplay); });
  router.Add("GET", base + "/artworks/{id}/thumbnail",
             [&svc, &images, &auth](Request& req) { return ServeImage(svc, images, auth, req, Kind::kThumbnail); });
  // A vote is its write transaction: the session is confirmed inside it, before it commits.
  router.Add("PUT", base + "/artworks/{id}/vote", [&svc, &auth](Request& req) {
    return auth.RequireForWrite(req, [&](const accounts::AuthUser& user) {
      db::CommitToken durable;
      return http::Durable(VotesRemaining(svc.Vote(user.id, http::PathId(req), durable)), durable);
    });
  });
  router.Add("DELETE", base + "/artworks/{id}/vote", [&svc, &auth](Request& req) {
    return auth.RequireForWrite(req, [&](const accounts::AuthUser& user) {
      db::CommitToken durable;
      return http::Durable(VotesRemaining(svc.Unvote(user.id, http::PathId(req), durable)), durable);
    });
  });
}

}  // namespace atelier::artworks
