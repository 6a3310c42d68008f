#include "notify/routes.h"

#include <boost/json.hpp>

#include "common/error.h"
#include "common/json_util.h"
#include "common/text.h"
#include "http/durable.h"
#include "http/json_response.h"

namespace atelier::notify {

namespace {

// Room for one item of a feed page (~250 bytes with a short message).
constexpr size_t kPageItemReserve = 384;

bool ParseUnread(const std::optional<std::string>& raw) {
  if (!raw || *raw == "false" || *raw == "0") return false;
  if (*raw == "true" || *raw == "1" || raw->empty()) return true;
  throw BadRequest("unread must be true or false");
}

// EventSource resends the last id it saw as Last-Event-ID; ?lastEventId= serves
// clients that cannot set headers.
std::optional<std::int64_t> LastEventId(const http::Request& req) {
  std::string raw(Trim(req.Header("last-event-id")));
  if (raw.empty()) raw = req.Query("lastEventId").value_or("");
  if (raw.empty()) return std::nullopt;
  auto v = ParseInt(raw);
  if (!v || *v < 0) throw BadRequest("Last-Event-ID must be a notification id");
  return v;
}

}  // namespace

void RegisterRoutes(http::Router& router, Feed& feed, StreamHub& hub, CurrentUser current_user,
                    CurrentSession current_session, ReadAsCaller read_as_caller) {
  const std::string base = "/api/v1";
  http::RouteOptions opts;
  opts.pool = http::Pool::kWorker;
  auto user = std::move(current_user);

  router.Add(
      "GET", base + "/notifications",
      [&feed, read_as_caller](http::Request& req) {
        // The caller first: 401 before any 400 about the parameters.
        return read_as_caller(req, [&](std::int64_t me) {
          const bool unread_only = ParseUnread(req.Query("unread"));
          const int limit = ParseLimit(req.Query("limit"));
          std::optional<std::int64_t> before;
          if (auto cursor = req.Query("cursor")) before = DecodeCursor(*cursor, 1)[0];
          const auto page = feed.List(me, unread_only, limit, before);
          // One string of the page's size: a page is written without growing it.
          std::string body;
          body.reserve(static_cast<size_t>(limit) * kPageItemReserve + 128);
          JsonWriter w(body);
          WriteJson(w, page);
          return http::Response::JsonText(200, std::move(body));
        });
      },
      opts);
  router.Add(
      "POST", base + "/notifications/read-all",
      [&feed, user](http::Request& req) {
        db::CommitToken durable;
        feed.MarkAllRead(user(req), durable);
        return http::Durable(http::Response::NoContent(), durable);
      },
      opts);
  router.Add(
      "POST", base + "/notifications/{id}/read",
      [&feed, user](http::Request& req) {
        auto me = user(req);
        auto id = ParseId(req.Param("id"));
        if (!id) throw NotFound();
        db::CommitToken durable;
        feed.MarkRead(me, *id, durable);
        return http::Durable(http::Response::NoContent(), durable);
      },
      opts);
  router.Add(
      "GET", base + "/notifications/stream",
      [&hub, session = std::move(current_session)](http::Request& req) {
        auto me = session(req);
        auto last = LastEventId(req);
        http::Response r;
        r.status = 200;
        r.content_type = "text/event-stream";
        r.sse = hub.Open(me.user_id, std::move(me.session_hash), last);
        return r;
      },
      opts);
  router.Add(
      "GET", base + "/me/notification-settings",
      [&feed, user](http::Request& req) {
        return http::JsonResponse(200, api::NotificationSettings{feed.Settings(user(req))});
      },
      opts);
  router.Add(
      "PATCH", base + "/me/notification-settings",
      [&feed, user](http::Request& req) {
        auto me = user(req);
        auto changes = ParseSettingsPatch(req.JsonBody());
        db::CommitToken durable;
        return http::Durable(
            http::JsonResponse(200, api::NotificationSettings{feed.UpdateSettings(me, changes, durable)}), durable);
      },
      opts);
}

}  // namespace atelier::notify
