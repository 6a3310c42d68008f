#pragma once
// The HTTP/1.1 server (Boost.Beast + C++20 coroutines). I/O threads only parse and write;
// handlers run on a worker pool (RouteOptions::pool) and the connection's coroutine
// waits for them without holding a thread. Only server.cpp includes Beast and Asio.
// Before a body is read: a body over the route's max_body gets 413; a body of more than
// 64 KiB (or chunked) on a route with a pre-check is read only if the check passes; a body
// that would pass max_body_memory gets 503 busy. Those refusals close the connection.
// Every answer carries the browser hardening headers (CSP, X-Frame-Options,
// Referrer-Policy, nosniff); /api/ answers that set no Cache-Control get no-store.
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/client_ip.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/types.h"

namespace atelier::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see Server::Port())
  int io_threads = 2;
  int worker_threads = 8;
  int crypto_threads = 2;
  int image_threads = 2;
  std::size_t header_limit = 16 * 1024;
  std::chrono::seconds header_timeout{15};  // the whole header block, also between requests
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds write_timeout{60};
  std::chrono::seconds sse_heartbeat{15};
  // An event stream whose write (an event, a heartbeat) does not finish in this time is
  // dropped: its client stopped reading (see SseSink::Drop).
  std::chrono::seconds sse_write_timeout{30};
  std::chrono::seconds shutdown_grace{10};
  std::string web_dir;     // static UI files; index.html answers unknown non-API paths
  bool access_log = true;  // one log line per request (common/log.h)
  // Maps exceptions other than ApiError thrown by handlers (e.g. database outages) to a
  // response; return nullopt to answer 500. Every 5xx answer that a handler's exception
  // caused is logged (503 as a warning) with the request id, route and what().
  std::function<std::optional<Response>(std::exception_ptr)> error_mapper;
  // Holds back a response whose Response::durable_after is set until the storage has made
  // that write durable (db::Database::WhenDurable): called with it and a `release`
  // function, which it calls once, from any thread, when the response may go. The server
  // thread that waits is not blocked meanwhile. Unset: such responses go at once.
  std::function<void(std::uint64_t durable_after, std::function<void()> release)> when_durable;
  // Bytes of request bodies held in memory at once, across all connections (counted by
  // declared length, or the route's limit for a chunked body, from before the body is
  // read until its handler returns). A body that would pass it gets 503 busy with
  // Retry-After and is not read; while nothing is held, one body is always admitted.
  std::size_t max_body_memory = std::size_t{256} << 20;
  // Open connections per socket peer address; a connection over it is answered 503 busy
  // with Retry-After and closed. 0: no cap. Trusted proxies (whose connections carry many
  // clients) are not counted.
  int max_connections_per_ip = 256;
  TrustedProxies trusted_proxies;
};

class Server {
 public:
  Server(const Router& router, Metrics& metrics, ServerOptions options);
  ~Server();
  // Binds the listening socket; throws std::runtime_error with a one-line message.
  void Listen();
  std::uint16_t Port() const;
  // Serves until SIGTERM/SIGINT or Stop(); then stops accepting, lets requests in flight
  // finish (up to shutdown_grace) and returns.
  void Run();
  // Thread-safe; may be called from a signal-free context (tests, other threads).
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace atelier::http
