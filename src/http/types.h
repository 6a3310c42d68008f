#pragma once
// The plain request/response types feature code sees. Nothing here includes Beast or
// Asio: only http/server.cpp does, so feature code compiles fast.
#include <boost/json/value.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atelier::http {

struct Request {
  std::string method;                                        // "GET", "POST", …
  std::string target;                                        // as received: path and query
  std::string path;                                          // percent-decoded path, without the query
  std::string query_string;                                  // raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string remote_ip;
  std::string request_id;
  std::vector<std::pair<std::string, std::string>> params;  // path parameters by name

  // Empty when absent. `name` must be lowercase.
  std::string_view Header(std::string_view name) const;
  // Percent-decoded query parameter; nullopt when absent.
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
// connection open and writes what is pushed. Push() and Close() are thread-safe.
class SseSink {
 public:
  // Queues one already-formatted event ("id: …\nevent: …\ndata: …\n\n").
  void Push(std::string event);
  // Ends the stream after what is queued has been written.
  void Close();
  bool Closed() const;

  // Used by http/: takes what is queued; sets `closed` when the stream has ended.
  std::vector<std::string> Take(bool& closed);
  // Used by http/: called (from any thread) whenever something was pushed or closed.
  void SetWaker(std::function<void()> waker);
  // Optional: called once by http/ when the client has gone or the server stops.
  std::function<void()> on_end;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> queue_;
  bool closed_ = false;
  std::function<void()> waker_;
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

using Handler = std::function<Response(Request&)>;

// Which thread runs a handler. kWorker: the general worker pool (database work).
// kCrypto: a small pool of its own for password hashing, so a login storm cannot occupy
// the general workers. kImage: another for decoding and resizing uploaded images, for the
// same reason. kInline: on the I/O thread — only for handlers that never block.
enum class Pool { kWorker, kCrypto, kImage, kInline };

struct RouteOptions {
  Pool pool = Pool::kWorker;
  std::size_t max_body = 1024 * 1024;  // bytes; larger bodies get 413
};

}  // namespace atelier::http
