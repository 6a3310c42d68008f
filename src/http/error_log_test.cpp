// What the server logs (common/log.h) over a real loopback socket: one line for each 5xx
// answer a handler's exception caused (503 as a warning), none for other answers, and the
// access log line per request when it is on.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/log.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/router.h"
#include "http/server.h"

namespace atelier::http {
namespace {

namespace json = boost::json;

struct DatabaseAway : std::runtime_error {
  DatabaseAway() : std::runtime_error("cannot reach the database") {}
};

// One request with Connection: close; returns the whole answer. `head_extra`: more header
// lines (a body announced there is never sent: the answer must come from the head).
std::string Get(std::uint16_t port, const std::string& target, const std::string& request_id,
                const std::string& method = "GET", const std::string& head_extra = "") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string request = method + " " + target + " HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + request_id + "\r\n" +
                              head_extra + "Connection: close\r\n\r\n";
  (void)::send(fd, request.data(), request.size(), 0);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

class ServerLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::tmpfile();
    ASSERT_NE(file_, nullptr);
    log::Init(file_);
    router_.Add("GET", "/fine", [](Request&) { return Response::Json(200, json::object{{"ok", true}}); });
    router_.Add("GET", "/conflict", [](Request&) -> Response { throw Conflict("taken", "taken"); });
    router_.Add("GET", "/things/{id}", [](Request&) -> Response { throw std::runtime_error("bug \"here\"\nline 2"); });
    router_.Add("GET", "/away", [](Request&) -> Response { throw DatabaseAway(); });
    router_.Add("GET", "/api-error",
                [](Request&) -> Response { throw ApiError(502, "upstream_failed", "The upstream failed"); });
    router_.Add("POST", "/checked",
                [](Request&) {
                  return Response::Json(200, json::object{{"ok", true}});
                },
                {.pre_check = [](const Request&) { throw std::runtime_error("pre-check bug"); }});
  }
  void TearDown() override {
    log::Init(stdout);
    std::fclose(file_);
  }

  void Start(bool access_log) {
    ServerOptions options;
    options.port = 0;
    options.access_log = access_log;
    options.error_mapper = [](std::exception_ptr ep) -> std::optional<Response> {
      try {
        std::rethrow_exception(ep);
      } catch (const DatabaseAway&) {
        return Problem(503, "unavailable", "try again");
      } catch (...) {
        return std::nullopt;
      }
    };
    server_ = std::make_unique<Server>(router_, metrics_, options);
    server_->Listen();
    runner_ = std::thread([this] { server_->Run(); });
  }
  void Stop() {
    server_->Stop();
    runner_.join();
  }

  std::vector<json::object> Lines() {
    log::Flush();
    std::rewind(file_);
    std::vector<json::object> out;
    std::string line;
    for (int c; (c = std::fgetc(file_)) != EOF;) {
      if (c != '\n') {
        line.push_back(static_cast<char>(c));
        continue;
      }
      out.push_back(json::parse(line).as_object());
      line.clear();
    }
    return out;
  }

  std::FILE* file_ = nullptr;
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::thread runner_;
};

TEST_F(ServerLogTest, EachFiveHundredLogsOneLineWithItsRequestAndError) {
  Start(false);
  const auto port = server_->Port();
  EXPECT_NE(Get(port, "/fine", "r-fine").find("200 OK"), std::string::npos);
  EXPECT_NE(Get(port, "/conflict", "r-conflict").find("409 Conflict"), std::string::npos);
  const std::string bug = Get(port, "/things/7?secret=1", "r-bug");
  EXPECT_NE(bug.find("500 Internal Server Error"), std::string::npos);
  EXPECT_NE(bug.find("internal_error"), std::string::npos);
  EXPECT_EQ(bug.find("here"), std::string::npos);  // the client does not see what()
  EXPECT_NE(Get(port, "/away", "r-away").find("503 Service Unavailable"), std::string::npos);
  EXPECT_NE(Get(port, "/api-error", "r-api").find("502"), std::string::npos);
  EXPECT_NE(Get(port, "/checked", "r-checked", "POST", "Content-Length: 1000000\r\n").find("500 Internal Server Error"),
            std::string::npos);
  Stop();

  auto lines = Lines();
  ASSERT_EQ(lines.size(), 4u) << "one line per 5xx, none for 200 and 409, no access log";
  EXPECT_EQ(lines[0].at("level"), "error");
  EXPECT_EQ(lines[0].at("msg"), "request failed");
  EXPECT_EQ(lines[0].at("request_id"), "r-bug");
  EXPECT_EQ(lines[0].at("method"), "GET");
  EXPECT_EQ(lines[0].at("route"), "/things/{id}");
  EXPECT_EQ(lines[0].at("status"), 500);
  EXPECT_EQ(lines[0].at("error"), "bug \"here\"\nline 2");

  EXPECT_EQ(lines[1].at("level"), "warn");
  EXPECT_EQ(lines[1].at("request_id"), "r-away");
  EXPECT_EQ(lines[1].at("status"), 503);
  EXPECT_EQ(lines[1].at("error"), "cannot reach the database");

  EXPECT_EQ(lines[2].at("level"), "error");
  EXPECT_EQ(lines[2].at("request_id"), "r-api");
  EXPECT_EQ(lines[2].at("status"), 502);
  EXPECT_EQ(lines[2].at("error"), "The upstream failed");

  // A failure of the check made from the request head is logged like the handler's.
  EXPECT_EQ(lines[3].at("level"), "error");
  EXPECT_EQ(lines[3].at("request_id"), "r-checked");
  EXPECT_EQ(lines[3].at("route"), "/checked");
  EXPECT_EQ(lines[3].at("status"), 500);
  EXPECT_EQ(lines[3].at("error"), "pre-check bug");
}

TEST_F(ServerLogTest, AccessLogIsOneLinePerRequestWithoutTheQuery) {
  Start(true);
  const auto port = server_->Port();
  Get(port, "/fine?token=secret", "r-1");
  Get(port, "/api/nowhere", "r-2");
  Stop();
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("level"), "info");
  EXPECT_EQ(lines[0].at("msg"), "request");
  EXPECT_EQ(lines[0].at("request_id"), "r-1");
  EXPECT_EQ(lines[0].at("method"), "GET");
  EXPECT_EQ(lines[0].at("path"), "/fine");
  EXPECT_EQ(lines[0].at("route"), "/fine");
  EXPECT_EQ(lines[0].at("status"), 200);
  EXPECT_EQ(lines[0].at("ip"), "127.0.0.1");
  EXPECT_GT(lines[0].at("bytes").as_int64(), 0);
  EXPECT_TRUE(lines[0].at("ms").is_double());
  EXPECT_EQ(lines[1].at("path"), "/api/nowhere");
  EXPECT_EQ(lines[1].at("route"), "");
  EXPECT_EQ(lines[1].at("status"), 404);
}

}  // namespace
}  // namespace atelier::http
