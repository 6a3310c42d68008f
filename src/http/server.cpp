#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <chrono>
#include <filesystem>
#include <limits>
#include <list>
#include <random>
#include <thread>
#include <unordered_map>

#include <sys/resource.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/mutex.h"
#include "http/problem.h"
#include "http/request_head.h"

namespace atelier::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// The crypto and image pools (password hashing, image decoding) run at nice +10, set by
// each of their threads on its first task: during a login storm or a burst of uploads the
// scheduler then prefers the I/O and worker threads, so long CPU work never starves short
// requests; with nothing else to run it still gets the whole CPU. Lowering one's own
// priority needs no privilege; a failure changes nothing.
void LowerThreadPriority() {
  thread_local bool done = false;
  if (done) return;
  done = true;
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
}

// The what() of a handler's exception, for the error line of its 5xx answer.
std::string WhatOf(const std::exception_ptr& ep) {
  try {
    std::rethrow_exception(ep);
  } catch (...) {
    return log::CurrentError();
  }
}

const char* MimeFor(const std::filesystem::path& p) {
  auto ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".webp") return "image/webp";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// SO_SNDBUF of an event stream's socket (the kernel doubles it).
constexpr int kSseSendBuffer = 32 * 1024;

// The web UI loads only its own script, style sheet, images (blob: and data: for upload
// previews) and API; nothing may frame it. Sent on every answer, API ones included: a
// JSON or image answer opened as a page is then just as confined.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

template <typename Fields>
void AddHardeningHeaders(Fields& f) {
  f.insert("Content-Security-Policy", kContentSecurityPolicy);
  f.insert(bhttp::field::x_frame_options, "DENY");
  f.insert("Referrer-Policy", "same-origin");
  f.insert("X-Content-Type-Options", "nosniff");
}

bool IsApiPath(std::string_view path) {
  return path == "/api" || path.starts_with("/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics";
}

// Bodies below this size are read without running the route's pre-check: they cost little
// memory, and the hot paths with small bodies keep one database round trip.
constexpr std::uint64_t kPreCheckFrom = 64 * 1024;

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace

// What the server counts for /metrics; shared with the gauges so they stay valid however
// the Metrics and the Server objects are destroyed.
struct ServerStats {
  std::atomic<std::uint64_t> body_bytes{0};           // bytes of bodies admitted and held
  std::atomic<std::uint64_t> busy_bodies{0};          // bodies refused by max_body_memory
  std::atomic<std::uint64_t> refused_connections{0};  // over max_connections_per_ip
  std::atomic<std::uint64_t> head_refusals{0};        // refused by a pre-check, body unread
  std::atomic<std::uint64_t> open_connections{0};
};

// Bytes of body admitted under ServerOptions::max_body_memory; gives them back when
// destroyed. Lives on one connection's coroutine.
class BodyReservation {
 public:
  BodyReservation() = default;
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;
  ~BodyReservation() { Release(); }
  // False (nothing taken) when `bytes` more would pass `limit` while something is held.
  bool Take(std::atomic<std::uint64_t>& held, std::uint64_t bytes, std::uint64_t limit) {
    std::uint64_t cur = held.load(std::memory_order_relaxed);
    do {
      if (cur != 0 && cur + bytes > limit) return false;
    } while (!held.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
    held_ = &held;
    bytes_ = bytes;
    return true;
  }
  bool Held() const { return held_ != nullptr; }
  void Release() {
    if (held_) held_->fetch_sub(bytes_, std::memory_order_relaxed);
    held_ = nullptr;
  }

 private:
  std::atomic<std::uint64_t>* held_ = nullptr;
  std::uint64_t bytes_ = 0;
};

// One accepted connection. Lives on its strand; `idle` is true while waiting for the next
// request so shutdown can close it without cutting a request short.
struct Conn {
  explicit Conn(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  bool idle = true;
  std::shared_ptr<SseSink> sse;
  asio::steady_timer* sse_timer = nullptr;
  bool sse_pending = false;
};

class Server::Impl {
 public:
  Impl(const Router& router, Metrics& metrics, ServerOptions options)
      : router_(router),
        metrics_(metrics),
        opt_(std::move(options)),
        ioc_(opt_.io_threads),
        workers_(static_cast<size_t>(opt_.worker_threads)),
        crypto_(static_cast<size_t>(opt_.crypto_threads)),
        image_(static_cast<size_t>(opt_.image_threads)),
        acceptor_(ioc_),
        signals_(ioc_, SIGINT, SIGTERM),
        control_(asio::make_strand(ioc_)),
        force_timer_(control_) {
    std::random_device rd;
    rid_prefix_ = std::to_string(rd() % 100000);
    auto st = stats_;
    metrics_.AddGauge("atelier_http_connections_open", "Open client connections.",
                      [st] { return static_cast<double>(st->open_connections.load()); });
    metrics_.AddGauge("atelier_http_body_bytes_held",
                      "Bytes of request bodies admitted and held in memory (see --max-body-memory-mb).",
                      [st] { return static_cast<double>(st->body_bytes.load()); });
    metrics_.AddCounter("atelier_http_body_memory_refusals_total",
                        "Requests answered 503 busy because request bodies held too much memory.",
                        [st] { return static_cast<double>(st->busy_bodies.load()); });
    metrics_.AddCounter("atelier_http_connections_refused_total",
                        "Connections answered 503 busy because their address had too many open.",
                        [st] { return static_cast<double>(st->refused_connections.load()); });
    metrics_.AddCounter("atelier_http_head_refusals_total",
                        "Requests refused from their head by a route's pre-check, body unread.",
                        [st] { return static_cast<double>(st->head_refusals.load()); });
  }

  ~Impl() {
    MutexLock lk(live_->mu);
    live_->alive = false;
  }

  void Listen() {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(opt_.host, ec);
    if (ec) throw std::runtime_error("invalid listen address: " + opt_.host);
    tcp::endpoint ep(addr, opt_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + opt_.host + ":" + std::to_string(opt_.port) + ": " + ec.message());
  }

  std::uint16_t Port() const { return acceptor_.local_endpoint().port(); }

  void Run() {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) Stop();
    });
    asio::co_spawn(ioc_, Accept(), asio::detached);
    std::vector<std::thread> threads;
    for (int i = 1; i < opt_.io_threads; ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
    workers_.join();
    crypto_.join();
    image_.join();
  }

  void Stop() {
    asio::post(control_, [this] {
      if (stopping_.exchange(true)) return;
      boost::system::error_code ec;
      acceptor_.close(ec);
      signals_.cancel(ec);
      MutexLock lock(conns_mu_);
      for (auto& [id, c] : conns_) WakeForShutdown(c);
      if (conns_.empty()) return;
      force_timer_.expires_after(opt_.shutdown_grace);
      force_timer_.async_wait([this](const boost::system::error_code& e) {
        if (!e) ioc_.stop();
      });
    });
  }

 private:
  void WakeForShutdown(const std::shared_ptr<Conn>& c) {
    asio::post(c->stream.get_executor(), [c] {
      if (c->sse) c->sse->Close();
      if (c->sse_timer) {
        c->sse_pending = true;
        c->sse_timer->cancel();
      }
      if (c->idle) c->stream.cancel();
    });
  }

  awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kTuple);
      if (ec) {
        if (stopping_) co_return;
        log::WriteLimited("http_accept", log::kRepeatEvery, log::Level::kError, "accepting a connection failed",
                          {{"component", "http"}, {"error", ec.message()}});
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
          // Out of file descriptors: back off instead of spinning.
          asio::steady_timer t(ioc_, std::chrono::milliseconds(50));
          co_await t.async_wait(kTuple);
        }
        continue;
      }
      boost::system::error_code opt_ec;
      socket.set_option(tcp::no_delay(true), opt_ec);
      // The peer of a connection does not change: one getpeername() per connection, not
      // per request.
      std::string remote_ip;
      {
        auto ep = socket.remote_endpoint(opt_ec);
        if (!opt_ec) remote_ip = ep.address().to_string();
      }
      const bool capped =
          opt_.max_connections_per_ip > 0 && !remote_ip.empty() && !opt_.trusted_proxies.Trusts(remote_ip);
      auto conn = std::make_shared<Conn>(std::move(socket));
      std::uint64_t id = next_conn_id_++;
      {
        MutexLock lock(conns_mu_);
        if (capped) {
          int& n = per_ip_[remote_ip];
          if (n >= opt_.max_connections_per_ip) {
            stats_->refused_connections.fetch_add(1, std::memory_order_relaxed);
            asio::co_spawn(conn->stream.get_executor(), RefuseConnection(conn), asio::detached);
            continue;
          }
          ++n;
        }
        conns_.emplace(id, conn);
      }
      stats_->open_connections.fetch_add(1, std::memory_order_relaxed);
      auto ex = conn->stream.get_executor();
      asio::co_spawn(ex, Session(conn, remote_ip), [this, id, capped, ip = remote_ip](std::exception_ptr ep) {
        // Handlers' exceptions are answered in Dispatch; one here ended the connection.
        if (ep) log::Error("connection failed", {{"component", "http"}, {"error", WhatOf(ep)}});
        stats_->open_connections.fetch_sub(1, std::memory_order_relaxed);
        MutexLock lock(conns_mu_);
        conns_.erase(id);
        if (capped) {
          auto it = per_ip_.find(ip);
          if (it != per_ip_.end() && --it->second <= 0) per_ip_.erase(it);
        }
        if (stopping_ && conns_.empty()) asio::post(control_, [this] { force_timer_.cancel(); });
      });
    }
  }

  template <typename Body>
  awaitable<bool> Write(Conn& c, bhttp::response<Body>& res) {
    c.stream.expires_after(opt_.write_timeout);
    auto [ec, n] = co_await bhttp::async_write(c.stream, res, kTuple);
    (void)n;
    co_return !ec;
  }

  awaitable<void> WriteProblem(Conn& c, int status, const char* code, const char* detail, unsigned version) {
    co_await WriteClosing(c, Problem(status, code, detail), version, "");
  }

  // Writes `r` (a plain answer, no file or stream) with Connection: close.
  awaitable<void> WriteClosing(Conn& c, Response r, unsigned version, const std::string& request_id) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
    Decorate(res, r, request_id, true, true);
    res.body() = std::move(r.body);
    res.prepare_payload();
    co_await Write(c, res);
  }

  static Response Busy(const char* detail) {
    Response r = Problem(503, "busy", detail);
    r.AddHeader("Retry-After", "2");
    return r;
  }

  // A connection over max_connections_per_ip: told so, then closed.
  awaitable<void> RefuseConnection(std::shared_ptr<Conn> conn) {
    co_await WriteClosing(*conn, Busy("Too many connections from your address; try again shortly"), 11, "");
    co_await Drain(*conn, std::chrono::seconds(1));
    boost::system::error_code ec;
    conn->stream.socket().close(ec);
  }

  // After refusing a body, reads and discards what the client is still sending (bounded
  // in bytes and time) so that it sees our answer instead of a connection reset.
  awaitable<void> Drain(Conn& c, std::chrono::seconds for_at_most = std::chrono::seconds(2)) {
    boost::system::error_code ec;
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c.stream.expires_after(for_at_most);
    std::array<char, 16384> sink;
    std::size_t total = 0;
    while (total < 32 * 1024 * 1024) {
      auto [rec, n] = co_await c.stream.async_read_some(asio::buffer(sink), kTuple);
      if (rec) break;
      total += n;
    }
  }

  awaitable<void> Session(std::shared_ptr<Conn> conn, std::string remote_ip) {
    Conn& c = *conn;
    beast::flat_buffer buffer;
    for (;;) {
      if (stopping_) break;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opt_.header_limit));
      // The route decides the body limit; until the headers are read there is none.
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      c.idle = true;
      c.stream.expires_after(opt_.header_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(c.stream, buffer, parser, kTuple);
      (void)n;
      c.idle = false;
      if (ec) {
        if (ec == bhttp::error::header_limit) {
          co_await WriteProblem(c, 431, "header_too_large", "The request headers are larger than 16 KiB", 11);
        } else if (ec.category() == make_error_code(bhttp::error::end_of_stream).category() &&
                   ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
          co_await WriteProblem(c, 400, "bad_request", "The request is not valid HTTP", 11);
        }
        break;
      }
      auto start = std::chrono::steady_clock::now();
      auto& hreq = parser.get();
      Request req;
      std::vector<HeaderField> fields;
      for (const auto& f : hreq) fields.push_back({f.name_string(), f.value()});
      bool path_ok = BuildRequestHead(hreq.method_string(), hreq.target(), fields, req);
      req.remote_ip = remote_ip;
      std::string_view given_id = req.Header("x-request-id");
      req.request_id =
          SaneRequestId(given_id) ? std::string(given_id) : rid_prefix_ + "-" + std::to_string(next_request_id_++);
      Match match;
      if (path_ok) match = router_.Find(req.method, req.segments);
      std::size_t limit = match.route ? match.route->options.max_body : 64 * 1024;
      bool keep_alive = hreq.keep_alive();
      unsigned version = hreq.version();

      // A body larger than the route allows is refused before it is read.
      const auto len = parser.content_length();
      if (len && *len > limit) {
        co_await WriteProblem(c, 413, "payload_too_large", "The request body is too large", version);
        Log(req, match, 413, start, 0);
        co_await Drain(c);
        break;
      }
      BodyReservation reservation;
      if (!parser.is_done()) {
        // Who may send this body is decided from the head: a refused caller's body is
        // never read, so it costs no memory.
        if (path_ok && match.route && match.route->options.pre_check && (!len || *len >= kPreCheckFrom)) {
          req.params = match.params;
          if (auto refusal = co_await PreCheck(*match.route, req)) {
            stats_->head_refusals.fetch_add(1, std::memory_order_relaxed);
            int st = refusal->status;
            co_await WriteClosing(c, std::move(*refusal), version, req.request_id);
            Log(req, match, st, start, 0);
            co_await Drain(c);
            break;
          }
        }
        // A chunked body may grow to the route's limit: that much is set aside.
        if (!reservation.Take(stats_->body_bytes, len ? *len : limit, opt_.max_body_memory)) {
          stats_->busy_bodies.fetch_add(1, std::memory_order_relaxed);
          co_await WriteClosing(c, Busy("The server is busy receiving other requests; try again shortly"), version,
                                req.request_id);
          Log(req, match, 503, start, 0);
          co_await Drain(c);
          break;
        }
        if (beast::iequals(hreq[bhttp::field::expect], "100-continue")) {
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
          if (!co_await Write(c, cont)) break;
        }
        parser.body_limit(limit);
        c.stream.expires_after(opt_.body_timeout);
        auto [bec, bn] = co_await bhttp::async_read(c.stream, buffer, parser, kTuple);
        (void)bn;
        if (bec) {
          if (bec == bhttp::error::body_limit) {
            co_await WriteProblem(c, 413, "payload_too_large", "The request body is too large", version);
            Log(req, match, 413, start, 0);
            co_await Drain(c);
          }
          break;
        }
      }
      req.body = std::move(parser.get().body());

      Response resp;
      if (!path_ok) {
        resp = Problem(400, "bad_request", "The request path is malformed");
      } else {
        resp = co_await Dispatch(match, req);
      }
      if (reservation.Held()) {
        std::string().swap(req.body);
        reservation.Release();
      }
      const bool api = IsApiPath(req.path);
      if (resp.sse) {
        Log(req, match, resp.status, start, 0);
        co_await Stream(c, resp, req.request_id);
        break;
      }
      bool ok = true;
      size_t bytes = resp.body.size();
      int status = resp.status;
      bool head = req.method == "HEAD";
      bool close = !keep_alive || stopping_;
      if (!resp.file_path.empty()) {
        bhttp::response<bhttp::file_body> res{static_cast<bhttp::status>(resp.status), version};
        beast::error_code fec;
        res.body().open(resp.file_path.c_str(), beast::file_mode::scan, fec);
        if (fec) {
          resp = Problem(404, "not_found", "Not found");
          status = 404;
        } else {
          Decorate(res, resp, req.request_id, close, api);
          res.prepare_payload();
          bytes = res.body().size();
          if (head) {
            bhttp::response<bhttp::empty_body> hres{res.result(), version};
            for (const auto& f : res.base()) hres.set(f.name_string(), f.value());
            ok = co_await Write(c, hres);
          } else {
            ok = co_await Write(c, res);
          }
          Log(req, match, status, start, bytes);
          if (!ok || close) break;
          continue;
        }
      }
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(resp.status), version};
      Decorate(res, resp, req.request_id, close, api);
      if (head) {
        res.content_length(resp.body.size());
      } else {
        res.body() = std::move(resp.body);
        res.prepare_payload();
      }
      if (status == 204 || status == 304) res.erase(bhttp::field::content_length);
      ok = co_await Write(c, res);
      Log(req, match, status, start, bytes);
      if (!ok || close) break;
    }
    boost::system::error_code ec;
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c.stream.close();
  }

  // api: the answer is private API data, kept out of every cache unless it says otherwise.
  template <typename Res>
  void Decorate(Res& res, const Response& resp, const std::string& request_id, bool close, bool api) {
    if (!resp.content_type.empty()) res.set(bhttp::field::content_type, resp.content_type);
    bool cache_control = false;
    for (const auto& [k, v] : resp.headers) {
      res.insert(k, v);
      cache_control = cache_control || beast::iequals(k, "cache-control");
    }
    if (api && !cache_control) res.insert(bhttp::field::cache_control, "no-store");
    if (!request_id.empty()) res.insert("X-Request-Id", request_id);
    AddHardeningHeaders(res);
    res.keep_alive(!close);
  }

  // Runs the route's pre-check on the worker pool; the refusal, if any.
  awaitable<std::optional<Response>> PreCheck(const Route& route, const Request& req) {
    auto check = [this, &route, &req]() -> std::optional<Response> {
      try {
        route.options.pre_check(req);
        return std::nullopt;
      } catch (const ApiError& e) {
        if (e.Status() >= 500) LogFailure(req, route, e.Status(), e.what());
        return Problem(e);
      } catch (...) {
        auto ep = std::current_exception();
        std::optional<Response> mapped;
        if (opt_.error_mapper) mapped = opt_.error_mapper(ep);
        Response r = mapped ? std::move(*mapped) : Problem(500, "internal_error", "Something went wrong on our side");
        if (r.status >= 500) LogFailure(req, route, r.status, WhatOf(ep));
        return r;
      }
    };
    co_return co_await asio::co_spawn(
        workers_, [&]() -> awaitable<std::optional<Response>> { co_return check(); }, use_awaitable);
  }

  awaitable<Response> Dispatch(const Match& match, Request& req) {
    if (!match.route) {
      if (IsApiPath(req.path) || (req.method != "GET" && req.method != "HEAD")) {
        if (match.path_known) co_return Problem(405, "method_not_allowed", "This method is not allowed here");
        co_return Problem(404, "not_found", "No such resource");
      }
      co_return StaticFile(req.path);
    }
    req.params = match.params;
    const Route* route = match.route;
    auto run = [this, route, &req]() -> Response {
      try {
        return route->handler(req);
      } catch (const ApiError& e) {
        if (e.Status() >= 500) LogFailure(req, *route, e.Status(), e.what());
        return Problem(e);
      } catch (...) {
        auto ep = std::current_exception();
        std::optional<Response> mapped;
        if (opt_.error_mapper) mapped = opt_.error_mapper(ep);
        Response r = mapped ? std::move(*mapped) : Problem(500, "internal_error", "Something went wrong on our side");
        if (r.status >= 500) LogFailure(req, *route, r.status, WhatOf(ep));
        return r;
      }
    };
    Response r;
    if (route->options.pool == Pool::kInline) {
      r = run();
    } else if (route->options.pool == Pool::kCrypto || route->options.pool == Pool::kImage) {
      r = co_await asio::co_spawn(
          route->options.pool == Pool::kCrypto ? crypto_ : image_,
          [&]() -> awaitable<Response> {
            LowerThreadPriority();
            co_return run();
          },
          use_awaitable);
    } else {
      r = co_await asio::co_spawn(
          workers_, [&]() -> awaitable<Response> { co_return run(); }, use_awaitable);
    }
    // A handler that acknowledges a write answers once the write is durable.
    if (r.durable_after != 0 && opt_.when_durable) co_await AwaitDurable(opt_.when_durable, r.durable_after, live_);
    co_return r;
  }

  using WhenDurable = std::function<void(std::uint64_t, std::function<void()>)>;
  // Whether this server still exists, for callbacks from other threads (AwaitDurable).
  struct Liveness {
    Mutex mu;
    bool alive GUARDED_BY(mu) = true;
  };

  // An awaitable that completes once `when` calls its release function for `token` (from
  // any thread); the awaiting coroutine then resumes on its own executor. Once this server
  // is gone, a late release does nothing. A plain function on purpose: everything the
  // initiation needs is copied into it, nothing refers to a coroutine frame (GCC 12
  // miscounted a shared_ptr captured by a lambda written inside the coroutine). `when`
  // is used during the initiation only.
  static awaitable<void> AwaitDurable(const WhenDurable& when, std::uint64_t token, std::shared_ptr<Liveness> live) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
        [&when, token, live = std::move(live)](auto handler) mutable {
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          when(token, [h, live] {
            MutexLock lk(live->mu);
            if (!live->alive) return;
            auto ex = asio::get_associated_executor(*h);
            asio::post(ex, [h] { std::move (*h)(); });
          });
        },
        use_awaitable);
  }

  Response StaticFile(const std::string& path) {
    namespace fs = std::filesystem;
    Response r;
    if (!opt_.web_dir.empty() && path.find("..") == std::string::npos && path.find('\\') == std::string::npos) {
      fs::path p = fs::path(opt_.web_dir) / fs::path(path).relative_path();
      std::error_code ec;
      if (path != "/" && fs::is_regular_file(p, ec)) {
        r.file_path = p.string();
        r.content_type = MimeFor(p);
        if (path.starts_with("/assets/"))
          r.AddHeader("Cache-Control", "public, max-age=31536000, immutable");
        else
          r.AddHeader("Cache-Control", "no-cache");
        return r;
      }
      fs::path index = fs::path(opt_.web_dir) / "index.html";
      if (fs::is_regular_file(index, ec)) {
        r.file_path = index.string();
        r.content_type = "text/html; charset=utf-8";
        r.AddHeader("Cache-Control", "no-cache");
        return r;
      }
    }
    r.content_type = "text/html; charset=utf-8";
    r.body =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Atelier</title></head>"
        "<body><main><h1>Atelier</h1><p>The web interface has not been built (run <code>make build</code>).</p>"
        "</main></body></html>";
    return r;
  }

  // One write of an event stream, bounded by the stream write timeout (the stream waits
  // for events without a deadline). On expiry the socket is closed: beast::error::timeout.
  awaitable<boost::system::error_code> SseWrite(Conn& c, const std::string& data) {
    c.stream.expires_after(opt_.sse_write_timeout);
    auto [ec, n] = co_await asio::async_write(c.stream, asio::buffer(data), kTuple);
    (void)n;
    c.stream.expires_never();
    co_return ec;
  }

  // The head of an event stream: no length, the body runs until the connection closes.
  awaitable<boost::system::error_code> SseWriteHead(Conn& c, const Response& resp, const std::string& request_id) {
    bhttp::response<bhttp::empty_body> head{bhttp::status::ok, 11};
    head.set(bhttp::field::content_type, "text/event-stream");
    head.set(bhttp::field::cache_control, "no-cache");
    head.set("X-Accel-Buffering", "no");  // a proxy must pass each event on as it comes
    head.keep_alive(false);
    AddHardeningHeaders(head);
    head.set("X-Request-Id", request_id);
    for (const auto& [k, v] : resp.headers) head.insert(k, v);
    bhttp::response_serializer<bhttp::empty_body> sr{head};
    c.stream.expires_after(opt_.sse_write_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(c.stream, sr, kTuple);
    (void)n;
    c.stream.expires_never();
    co_return ec;
  }

  awaitable<void> Stream(Conn& c, Response& resp, const std::string& request_id) {
    auto sink = resp.sse;
    // Events are small: a small kernel send buffer bounds what a client that stops reading
    // holds in the kernel, and brings its writes to the write timeout sooner.
    boost::system::error_code opt_ec;
    c.stream.socket().set_option(asio::socket_base::send_buffer_size(kSseSendBuffer), opt_ec);
    asio::steady_timer timer(c.stream.get_executor());
    c.sse = sink;
    c.sse_timer = &timer;
    auto ex = c.stream.get_executor();
    Conn* cp = &c;
    // The waker runs on any thread; it hops to the connection's strand before touching it.
    auto alive = std::make_shared<bool>(true);
    std::weak_ptr<SseSink> weak_sink = sink;
    sink->SetWaker([ex, cp, alive, weak_sink] {
      asio::post(ex, [cp, alive, weak_sink] {
        if (!*alive) return;
        cp->sse_pending = true;
        if (cp->sse_timer) cp->sse_timer->cancel();
        // Ended at once (Abort/Drop): a write the client is not reading is cut short.
        if (auto s = weak_sink.lock(); s && s->Aborted()) cp->stream.cancel();
      });
    });
    auto ec = co_await SseWriteHead(c, resp, request_id);
    if (!ec) {
      static const std::string kOpen = ": stream open\n\n";
      ec = co_await SseWrite(c, kOpen);
    }
    while (!ec) {
      bool closed = false;
      auto events = sink->Take(closed);
      if (!events.empty()) {
        std::string out;
        for (auto& e : events) out += e;
        ec = co_await SseWrite(c, out);
        if (ec) break;
      }
      if (closed || stopping_) break;
      if (c.sse_pending) {
        c.sse_pending = false;
        continue;
      }
      timer.expires_after(opt_.sse_heartbeat);
      auto [tec] = co_await timer.async_wait(kTuple);
      if (!tec) {
        static const std::string kBeat = ": heartbeat\n\n";
        ec = co_await SseWrite(c, kBeat);
      }
    }
    if (ec == beast::error::timeout) sink->Drop();  // the client stopped reading
    if (sink->Aborted()) {
      // What the kernel still holds for this client is discarded: the close resets the
      // connection instead of waiting for a reader that may never come.
      c.stream.socket().set_option(asio::socket_base::linger(true, 0), opt_ec);
    }
    *alive = false;
    sink->SetWaker(nullptr);
    c.sse_timer = nullptr;
    c.sse.reset();
    if (sink->on_end) sink->on_end();
  }

  void Log(const Request& req, const Match& match, int status, std::chrono::steady_clock::time_point start,
           size_t bytes) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    static const std::string kUnmatched = "unmatched";
    metrics_.Observe(match.route ? match.route->pattern : kUnmatched, status, ms / 1000.0);
    if (!opt_.access_log) return;
    // The path without its query (which may carry a token), cut short.
    log::Info("request", {{"request_id", req.request_id},
                          {"ip", req.remote_ip},
                          {"method", req.method},
                          {"path", std::string_view(req.path).substr(0, 256)},
                          {"route", match.route ? std::string_view(match.route->pattern) : std::string_view()},
                          {"status", status},
                          {"ms", ms},
                          {"bytes", bytes}});
  }

  // One line per answer with a 5xx status that a handler's exception caused: 503 (the
  // database is away, the client is told to retry) is a warning, the rest are errors.
  static void LogFailure(const Request& req, const Route& route, int status, const std::string& what) {
    log::Write(status == 503 ? log::Level::kWarn : log::Level::kError, "request failed",
               {{"request_id", req.request_id},
                {"method", req.method},
                {"route", route.pattern},
                {"status", status},
                {"error", what}});
  }

  const Router& router_;
  Metrics& metrics_;
  ServerOptions opt_;
  asio::io_context ioc_;
  asio::thread_pool workers_;
  asio::thread_pool crypto_;
  asio::thread_pool image_;
  std::shared_ptr<Liveness> live_ = std::make_shared<Liveness>();  // see AwaitRelease
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::strand<asio::io_context::executor_type> control_;
  asio::steady_timer force_timer_;
  std::atomic<bool> stopping_{false};
  Mutex conns_mu_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Conn>> conns_ GUARDED_BY(conns_mu_);
  std::unordered_map<std::string, int> per_ip_ GUARDED_BY(conns_mu_);  // open connections by peer
  std::shared_ptr<ServerStats> stats_ = std::make_shared<ServerStats>();
  std::atomic<std::uint64_t> next_conn_id_{1};
  std::atomic<std::uint64_t> next_request_id_{1};
  std::string rid_prefix_;
};

Server::Server(const Router& router, Metrics& metrics, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, metrics, std::move(options))) {}
Server::~Server() = default;
void Server::Listen() { impl_->Listen(); }
std::uint16_t Server::Port() const { return impl_->Port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace atelier::http
