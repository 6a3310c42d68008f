#pragma once
// The plain request/response types feature code sees. Nothing here includes Beast or
// Asio: only http/server.cpp does, so feature code compiles fast.
#include <boost/json/value.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.h"

namespace atelier::http {

struct Request {
  std::string method;                                        // "GET", "POST", …
  std::string target;                                        // as received: path and query
  std::string path;                                          // percent-decoded path, without the query
  std::vector<std::string> segments;                         // the path's segments, each percent-decoded
  std::string query_string;                                  // as sent (percent-encoded), without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string remote_ip;
  std::string request_id;
  std::vector<std::pair<std::string, std::string>> params;  // path parameters by name

  // Empty when absent. `name` must be lowercase.
  std::string_view Header(std::string_view name) const;
  // The first query parameter named `name` (application/x-www-form-urlencoded: '+' is a
  // space, escapes decoded in names and values; "flag" without '=' is ""); nullopt when
  // absent or when query_string is not a valid RFC 3986 query (the server refuses such
  // targets before routing).
  std::optional<std::string> Query(std::string_view name) const;
  std::optional<std::string> Cookie(std::string_view name) const;
  // A path parameter of the matched route ("" when the route has none by that name).
  const std::string& Param(std::string_view name) const;
  // Parses the body as JSON; throws ApiError 400 bad_request when the content type is
  // not application/json, the JSON is malformed, or the body is not an object.
  boost::json::object JsonBody() const;
};

// A live event stream (Server-Sent Events). The handler creates one, registers it with
// whatever produces events, and returns it in Response::sse; http/ then keeps the
// connection open and writes what is pushed. All methods are thread-safe.
//
// A client that stops reading must not hold memory without bound: what is pushed and not
// yet taken by the writer is bounded in bytes, and beyond the bound the stream is dropped
// (the client reconnects and replays with Last-Event-ID). http/ drops it as well when a
// write does not finish within its write timeout.
class SseSink {
 public:
  static constexpr std::size_t kDefaultMaxQueuedBytes = 1024 * 1024;
  explicit SseSink(std::size_t max_queued_bytes = kDefaultMaxQueuedBytes) : max_queued_(max_queued_bytes) {}

  // Queues one already-formatted event ("id: …\nevent: …\ndata: …\n\n"). Returns false
  // when the stream has ended, or ends now because the bound was passed (Drop()).
  bool Push(std::string event);
  // Queues without the bound: for a replay, whose size the producer bounds itself.
  void PushUnbounded(std::string event);
  // Ends the stream after what is queued has been written.
  void Close();
  // Ends the stream at once: what is queued is discarded and a write in progress is cut
  // short (the connection closes). For streams whose session ended or that were replaced.
  void Abort();
  // Abort() because the client is not reading (counted apart, see Dropped()).
  void Drop();
  bool Closed() const;
  bool Aborted() const;
  bool Dropped() const;

  // Used by http/: takes what is queued; sets `closed` when the stream has ended (an
  // aborted stream has nothing to take).
  std::vector<std::string> Take(bool& closed);
  // Used by http/: called (from any thread, without the sink's lock) whenever something
  // was pushed or the stream ended.
  void SetWaker(std::function<void()> waker);
  // Optional: called once by http/ when the stream has ended for any reason (the client
  // went, the server stops, Close/Abort/Drop).
  std::function<void()> on_end;

 private:
  void End(bool dropped);

  mutable Mutex mu_;
  const std::size_t max_queued_;
  std::vector<std::string> queue_ GUARDED_BY(mu_);
  std::size_t queued_bytes_ GUARDED_BY(mu_) = 0;
  bool closed_ GUARDED_BY(mu_) = false;
  bool aborted_ GUARDED_BY(mu_) = false;
  bool dropped_ GUARDED_BY(mu_) = false;
  std::function<void()> waker_ GUARDED_BY(mu_);
};

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // may repeat (Set-Cookie)
  // When set, the body is this file's bytes (served from disk without loading it whole).
  std::string file_path;
  // When set, the response is an event stream (see SseSink).
  std::shared_ptr<SseSink> sse;
  // When not 0, the response is held until the storage has made durable the write this
  // names: a handler that acknowledges a write sets it to the number of the write's
  // db::CommitToken (ServerOptions::when_durable waits for it). 0: nothing to wait for.
  std::uint64_t durable_after = 0;

  static Response Json(int status, const boost::json::value& v);
  // A JSON body serialised already (e.g. with JsonWriter); sent as it is.
  static Response JsonText(int status, std::string body);
  static Response NoContent();
  void AddHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// The path parameter `name` as an id (a positive decimal integer); anything else is a
// resource that cannot exist: throws ApiError 404 not_found.
std::int64_t PathId(const Request& req, std::string_view name = "id");

using Handler = std::function<Response(Request&)>;

// Which thread runs a handler. kWorker: the general worker pool (database work).
// kCrypto: a small pool of its own for password hashing, so a login storm cannot occupy
// the general workers. kImage: another for decoding and resizing uploaded images, for the
// same reason. kInline: on the I/O thread — only for handlers that never block.
enum class Pool { kWorker, kCrypto, kImage, kInline };

// Decides from the request head alone (method, path, params, headers; body empty) whether
// a request may send its body: throws ApiError (or what ServerOptions::error_mapper maps)
// to refuse it. The server runs it on the worker pool before reading a body that is not
// small (see Server), answers a refusal at once and closes the connection unread. It is
// an early refusal only: the handler still makes every check itself.
using PreCheck = std::function<void(const Request&)>;

struct RouteOptions {
  Pool pool = Pool::kWorker;
  std::size_t max_body = 1024 * 1024;  // bytes; larger bodies get 413
  PreCheck pre_check = nullptr;        // optional; see PreCheck
};

}  // namespace atelier::http
