// The server itself, over a real loopback socket: a response that names a write
// (Response::durable_after) goes out only once ServerOptions::when_durable releases it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "common/error.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace atelier::http {
namespace {

using namespace std::chrono_literals;

// ServerOptions::when_durable that holds every response until the test releases it.
class ManualHold {
 public:
  void Hold(std::uint64_t token, std::function<void()> release) {
    std::lock_guard lk(mu_);
    token_ = token;
    release_ = std::move(release);
    ++held_;
  }
  void Release() {
    std::function<void()> r;
    {
      std::lock_guard lk(mu_);
      r = std::move(release_);
    }
    ASSERT_TRUE(r);
    r();
  }
  bool Holding() {
    std::lock_guard lk(mu_);
    return static_cast<bool>(release_);
  }
  int Held() {
    std::lock_guard lk(mu_);
    return held_;
  }
  std::uint64_t Token() {
    std::lock_guard lk(mu_);
    return token_;
  }

 private:
  std::mutex mu_;
  std::function<void()> release_;
  std::uint64_t token_ = 0;
  int held_ = 0;
};

// One request on a fresh connection; returns everything read until the peer closes or
// `timeout` passes.
std::string Exchange(std::uint16_t port, const std::string& request, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::send(fd, request.data(), request.size(), 0);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

TEST(Server, HeldResponsesWaitForTheirRelease) {
  Router router;
  router.Add("POST", "/write", [](Request&) {
    Response r;
    r.durable_after = 42;
    r.content_type = "text/plain";
    r.body = "written";
    return r;
  });
  router.Add("GET", "/read", [](Request&) {
    Response r;
    r.content_type = "text/plain";
    r.body = "read";
    return r;
  });
  Metrics metrics;
  auto hold = std::make_shared<ManualHold>();
  ServerOptions options;
  options.port = 0;
  options.access_log = false;
  options.when_durable = [hold](std::uint64_t token, std::function<void()> release) {
    hold->Hold(token, std::move(release));
  };
  Server server(router, metrics, options);
  server.Listen();
  const std::uint16_t port = server.Port();
  std::thread runner([&] { server.Run(); });

  // A handler that wants no hold answers at once.
  std::string read = Exchange(port, "GET /read HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000ms);
  EXPECT_NE(read.find("200 OK"), std::string::npos);
  EXPECT_NE(read.find("read"), std::string::npos);
  EXPECT_EQ(hold->Held(), 0);

  // A held one says nothing until released, then answers.
  auto written = std::async(std::launch::async, [&] {
    return Exchange(port, "POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 10000ms);
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!hold->Holding() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(hold->Holding());
  EXPECT_EQ(written.wait_for(300ms), std::future_status::timeout);  // held
  hold->Release();
  ASSERT_EQ(written.wait_for(5s), std::future_status::ready);
  std::string out = written.get();
  EXPECT_NE(out.find("200 OK"), std::string::npos);
  EXPECT_NE(out.find("written"), std::string::npos);
  EXPECT_EQ(hold->Held(), 1);
  EXPECT_EQ(hold->Token(), 42u);

  server.Stop();
  runner.join();
}

// A route's pre-check decides from the head whether a large body is read; small bodies
// skip it (the handler decides); bodies held together are bounded.
TEST(Server, PreCheckRefusesLargeBodiesFromTheHead) {
  Router router;
  std::atomic<int> handled{0}, checked{0};
  router.Add("POST", "/up/{id}",
             [&](Request& req) {
               ++handled;
               Response r;
               r.content_type = "text/plain";
               r.body = "got " + std::to_string(req.body.size());
               return r;
             },
             {.pre_check = [&](const Request& req) {
               ++checked;
               if (req.Param("id") != "ok" || !req.body.empty()) throw ApiError(401, "unauthenticated", "no");
             }});
  Metrics metrics;
  ServerOptions options;
  options.port = 0;
  options.access_log = false;
  options.max_body_memory = 100 * 1024;
  Server server(router, metrics, options);
  server.Listen();
  const std::uint16_t port = server.Port();
  std::thread runner([&] { server.Run(); });
  auto post = [&](const std::string& id, std::size_t declared, std::size_t sent) {
    return Exchange(port,
                    "POST /up/" + id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
                        std::to_string(declared) + "\r\n\r\n" + std::string(sent, 'a'),
                    5000ms);
  };

  // Refused from the head: answered without the rest of the body, and closed.
  std::string out = post("no", 90 * 1024, 10);
  EXPECT_NE(out.find("401 Unauthorized"), std::string::npos) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(checked.load(), 1);
  // A small body is not pre-checked.
  out = post("no", 100, 100);
  EXPECT_NE(out.find("got 100"), std::string::npos) << out;
  EXPECT_EQ(checked.load(), 1);
  // Passes: read and handled.
  out = post("ok", 90 * 1024, 90 * 1024);
  EXPECT_NE(out.find("got 92160"), std::string::npos) << out;
  // The memory bound: one body held, a second is refused as busy.
  auto first = std::async(std::launch::async, [&] { return post("ok", 90 * 1024, 10); });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (checked.load() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(100ms);  // the first one is past its check and reading
  out = post("ok", 90 * 1024, 10);
  EXPECT_NE(out.find("503 Service Unavailable"), std::string::npos) << out;
  EXPECT_NE(out.find("Retry-After: 2"), std::string::npos) << out;
  EXPECT_NE(metrics.Render().find("atelier_http_body_memory_refusals_total 1"), std::string::npos);
  first.wait();

  server.Stop();
  runner.join();
}

// The per-address connection cap counts every peer but the trusted proxies of the
// TrustedProxies the server was given: two servers in one process, one trusting the
// loopback address and one not, each follow their own set.
TEST(Server, ConnectionCapSparesOnlyItsOwnTrustedProxies) {
  Router router;
  router.Add("GET", "/ping", [](Request&) {
    Response r;
    r.content_type = "text/plain";
    r.body = "pong";
    return r;
  });
  Metrics metrics;
  auto start = [&](TrustedProxies trusted) {
    ServerOptions options;
    options.port = 0;
    options.access_log = false;
    options.max_connections_per_ip = 1;
    options.trusted_proxies = std::move(trusted);
    auto server = std::make_unique<Server>(router, metrics, options);
    server->Listen();
    return server;
  };
  auto capped = start(TrustedProxies());
  auto spared = start(TrustedProxies({"127.0.0.1"}));
  std::thread run_capped([&] { capped->Run(); });
  std::thread run_spared([&] { spared->Run(); });

  // Holds one idle connection open to `port`, then asks on a second one.
  auto second_while_one_open = [](std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    // The first connection is counted once it is accepted: make sure it was.
    std::string first = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";
    (void)::send(fd, first.data(), first.size(), 0);
    char buf[512];
    EXPECT_GT(::recv(fd, buf, sizeof buf, 0), 0);
    std::string out = Exchange(port, "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000ms);
    ::close(fd);
    return out;
  };
  std::string refused = second_while_one_open(capped->Port());
  EXPECT_NE(refused.find("503 Service Unavailable"), std::string::npos) << refused;
  std::string served = second_while_one_open(spared->Port());
  EXPECT_NE(served.find("pong"), std::string::npos) << served;

  capped->Stop();
  spared->Stop();
  run_capped.join();
  run_spared.join();
}

}  // namespace
}  // namespace atelier::http
