#pragma once
// The HTTP/1.1 server (Boost.Beast + C++20 coroutines). I/O threads only parse and write;
// handlers run on a worker pool (RouteOptions::pool) and the connection's coroutine
// waits for them without holding a thread. Only server.cpp includes Beast and Asio.
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

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
  std::chrono::seconds shutdown_grace{10};
  std::string web_dir;  // static UI files; index.html answers unknown non-API paths
  bool access_log = true;
  // Maps exceptions other than ApiError thrown by handlers (e.g. database outages) to a
  // response; return nullopt to answer 500.
  std::function<std::optional<Response>(std::exception_ptr)> error_mapper;
  // Holds back a response whose Response::durable_after is set until the storage has made
  // that write durable (db::Database::WhenDurable): called with it and a `release`
  // function, which it calls once, from any thread, when the response may go. The server
  // thread that waits is not blocked meanwhile. Unset: such responses go at once.
  std::function<void(std::uint64_t durable_after, std::function<void()> release)> when_durable;
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
