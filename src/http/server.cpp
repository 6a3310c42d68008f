#include "http/server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <list>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include <sys/resource.h>
#include <unistd.h>

#include "common/error.h"
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

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
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

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace

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
  }

  ~Impl() {
    std::lock_guard lk(live_->mu);
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
      std::lock_guard lock(conns_mu_);
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
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
          // Out of file descriptors: back off instead of spinning.
          asio::steady_timer t(ioc_, std::chrono::milliseconds(50));
          co_await t.async_wait(kTuple);
        }
        continue;
      }
      boost::system::error_code opt_ec;
      socket.set_option(tcp::no_delay(true), opt_ec);
      auto conn = std::make_shared<Conn>(std::move(socket));
      std::uint64_t id = next_conn_id_++;
      {
        std::lock_guard lock(conns_mu_);
        conns_.emplace(id, conn);
      }
      auto ex = conn->stream.get_executor();
      asio::co_spawn(ex, Session(conn), [this, id](std::exception_ptr) {
        std::lock_guard lock(conns_mu_);
        conns_.erase(id);
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
    Response r = Problem(status, code, detail);
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version};
    res.set(bhttp::field::content_type, r.content_type);
    res.body() = std::move(r.body);
    res.keep_alive(false);
    res.prepare_payload();
    co_await Write(c, res);
  }

  // After refusing a body, reads and discards what the client is still sending (bounded
  // in bytes and time) so that it sees our answer instead of a connection reset.
  awaitable<void> Drain(Conn& c) {
    boost::system::error_code ec;
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c.stream.expires_after(std::chrono::seconds(2));
    std::array<char, 16384> sink;
    std::size_t total = 0;
    while (total < 32 * 1024 * 1024) {
      auto [rec, n] = co_await c.stream.async_read_some(asio::buffer(sink), kTuple);
      if (rec) break;
      total += n;
    }
  }

  awaitable<void> Session(std::shared_ptr<Conn> conn) {
    Conn& c = *conn;
    beast::flat_buffer buffer;
    // The peer of a connection does not change: one getpeername() per connection, not per
    // request.
    std::string remote_ip;
    {
      boost::system::error_code rec;
      auto ep = c.stream.socket().remote_endpoint(rec);
      if (!rec) remote_ip = ep.address().to_string();
    }
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
      if (path_ok) match = router_.Find(req.method, req.path);
      std::size_t limit = match.route ? match.route->options.max_body : 64 * 1024;
      bool keep_alive = hreq.keep_alive();
      unsigned version = hreq.version();

      // A body larger than the route allows is refused before it is read.
      if (auto len = parser.content_length(); len && *len > limit) {
        co_await WriteProblem(c, 413, "payload_too_large", "The request body is too large", version);
        Log(req, match, 413, start, 0);
        co_await Drain(c);
        break;
      }
      if (!parser.is_done()) {
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
          Decorate(res, resp, req.request_id, close);
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
      Decorate(res, resp, req.request_id, close);
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

  template <typename Res>
  void Decorate(Res& res, const Response& resp, const std::string& request_id, bool close) {
    if (!resp.content_type.empty()) res.set(bhttp::field::content_type, resp.content_type);
    for (const auto& [k, v] : resp.headers) res.insert(k, v);
    res.set("X-Request-Id", request_id);
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(!close);
  }

  awaitable<Response> Dispatch(const Match& match, Request& req) {
    if (!match.route) {
      bool api = req.path == "/api" || req.path.starts_with("/api/") || req.path == "/healthz" ||
                 req.path == "/readyz" || req.path == "/metrics";
      if (api || (req.method != "GET" && req.method != "HEAD")) {
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
        return Problem(e);
      } catch (...) {
        auto ep = std::current_exception();
        if (opt_.error_mapper) {
          if (auto r = opt_.error_mapper(ep)) return std::move(*r);
        }
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "{\"level\":\"error\",\"rid\":\"%s\",\"error\":\"%s\"}\n", req.request_id.c_str(),
                       JsonEscape(e.what()).c_str());
        } catch (...) {
        }
        return Problem(500, "internal_error", "Something went wrong on our side");
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
    std::mutex mu;
    bool alive = true;
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
            std::lock_guard lk(live->mu);
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

  awaitable<void> Stream(Conn& c, Response& resp, const std::string& request_id) {
    auto sink = resp.sse;
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "X-Accel-Buffering: no\r\nConnection: close\r\nX-Request-Id: " +
        request_id + "\r\n";
    for (const auto& [k, v] : resp.headers) head += k + ": " + v + "\r\n";
    head += "\r\n: stream open\n\n";
    c.stream.expires_never();
    auto [ec, n] = co_await asio::async_write(c.stream.socket(), asio::buffer(head), kTuple);
    (void)n;
    asio::steady_timer timer(c.stream.get_executor());
    c.sse = sink;
    c.sse_timer = &timer;
    auto ex = c.stream.get_executor();
    Conn* cp = &c;
    // The waker runs on any thread; it hops to the connection's strand before touching it.
    auto alive = std::make_shared<bool>(true);
    sink->SetWaker([ex, cp, alive] {
      asio::post(ex, [cp, alive] {
        if (!*alive) return;
        cp->sse_pending = true;
        if (cp->sse_timer) cp->sse_timer->cancel();
      });
    });
    while (!ec) {
      bool closed = false;
      auto events = sink->Take(closed);
      if (!events.empty()) {
        std::string out;
        for (auto& e : events) out += e;
        std::tie(ec, n) = co_await asio::async_write(c.stream.socket(), asio::buffer(out), kTuple);
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
        std::tie(ec, n) = co_await asio::async_write(c.stream.socket(), asio::buffer(kBeat), kTuple);
      }
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
    auto now = std::chrono::system_clock::now();
    auto ts = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::string line = "{\"ts\":" + std::to_string(ts) + ",\"rid\":\"" + JsonEscape(req.request_id) + "\",\"ip\":\"" +
                       req.remote_ip + "\",\"method\":\"" + JsonEscape(req.method) + "\",\"path\":\"" +
                       JsonEscape(req.path.substr(0, 256)) + "\",\"route\":\"" +
                       (match.route ? match.route->pattern : std::string()) +
                       "\",\"status\":" + std::to_string(status) + ",\"ms\":" + std::to_string(ms) +
                       ",\"bytes\":" + std::to_string(bytes) + "}\n";
    std::lock_guard lock(log_mu_);
    std::fwrite(line.data(), 1, line.size(), stdout);
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
  std::mutex conns_mu_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Conn>> conns_;
  std::atomic<std::uint64_t> next_conn_id_{1};
  std::atomic<std::uint64_t> next_request_id_{1};
  std::string rid_prefix_;
  std::mutex log_mu_;
};

Server::Server(const Router& router, Metrics& metrics, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, metrics, std::move(options))) {}
Server::~Server() = default;
void Server::Listen() { impl_->Listen(); }
std::uint16_t Server::Port() const { return impl_->Port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace atelier::http
