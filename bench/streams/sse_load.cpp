// sse_load: opens many notification streams (GET /api/v1/notifications/stream) against
// one atelier process, then advances an event by one phase and measures how long it
// takes until every stream has received that EVENT_STATUS_UPDATE. Plain sockets and epoll
// on one thread: a stream costs this tool a file descriptor and a few hundred bytes.
//
//   sse_load --port P --tokens FILE --event ID --owner-token T [--to VOTING]
//            [--host 127.0.0.1] [--server-pid PID] [--inflight 256] [--timeout 60]
//
// FILE holds one session token per line; one stream is opened per token. The report goes
// to stdout as `key: value` lines. Exit status 0 when every stream got the notification.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string tokens_file;
  std::string event_id;
  std::string owner_token;
  std::string to = "VOTING";
  long server_pid = 0;
  int inflight = 256;
  int timeout_s = 60;
};

enum class State { kIdle, kConnecting, kHeaders, kOpen, kDone, kFailed };

struct Conn {
  int fd = -1;
  State state = State::kIdle;
  std::string out;  // request bytes not written yet
  std::string in;   // bytes not parsed yet
  Clock::time_point got;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "sse_load: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--host")
      o.host = v;
    else if (k == "--port")
      o.port = std::atoi(v.c_str());
    else if (k == "--tokens")
      o.tokens_file = v;
    else if (k == "--event")
      o.event_id = v;
    else if (k == "--owner-token")
      o.owner_token = v;
    else if (k == "--to")
      o.to = v;
    else if (k == "--server-pid")
      o.server_pid = std::atol(v.c_str());
    else if (k == "--inflight")
      o.inflight = std::atoi(v.c_str());
    else if (k == "--timeout")
      o.timeout_s = std::atoi(v.c_str());
    else {
      std::fprintf(stderr, "sse_load: unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  if (!o.port || o.tokens_file.empty() || o.event_id.empty() || o.owner_token.empty()) {
    std::fprintf(stderr, "usage: sse_load --port P --tokens FILE --event ID --owner-token T [--to PHASE]\n");
    std::exit(2);
  }
  return o;
}

sockaddr_in Address(const Options& o) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(o.port));
  if (inet_pton(AF_INET, o.host.c_str(), &a.sin_addr) != 1) Die("bad host " + o.host);
  return a;
}

// VmHWM / VmRSS of a process, in KiB (0 when unknown).
long ProcStatusKb(long pid, const char* key) {
  if (!pid) return 0;
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key) + 1);
  return 0;
}

// One blocking request on a connection of its own; returns the status line.
std::string Advance(const Options& o) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = Address(o);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) Die("connect (advance)");
  std::string body = "{\"to\":\"" + o.to + "\"}";
  std::string req =
      "POST /api/v1/events/" + o.event_id + "/advance HTTP/1.1\r\nHost: " + o.host + "\r\nAuthorization: Bearer " +
      o.owner_token +
      "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) Die("write (advance)");
  std::string resp;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return resp.substr(0, resp.find("\r\n"));
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  Options opt = Parse(argc, argv);
  std::vector<std::string> tokens;
  {
    std::ifstream f(opt.tokens_file);
    std::string t;
    while (std::getline(f, t))
      if (!t.empty()) tokens.push_back(t);
  }
  const size_t n = tokens.size();
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < n + 64) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, n + 1024);
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  const std::string marker_type = "\"type\":\"EVENT_STATUS_UPDATE\"";
  const std::string marker_event = "\"eventId\":\"" + opt.event_id + "\"";
  const std::string marker_phase = "\"phase\":\"" + opt.to + "\"";

  int ep = epoll_create1(0);
  if (ep < 0) Die("epoll_create1");
  std::vector<Conn> conns(n);
  sockaddr_in addr = Address(opt);
  size_t next = 0, connecting = 0, open = 0, done = 0, failed = 0;
  std::atomic<bool> triggered{false};
  Clock::time_point t_trigger{}, t_answer{};
  std::string advance_status;
  std::thread trigger;

  auto fail = [&](size_t i) {
    Conn& c = conns[i];
    if (c.state == State::kConnecting || c.state == State::kHeaders) --connecting;
    if (c.state == State::kOpen) --open;
    c.state = State::kFailed;
    ++failed;
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
  };

  auto start_one = [&](size_t i) {
    Conn& c = conns[i];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c.fd < 0) Die("socket (raise ulimit -n)");
    c.out = "GET /api/v1/notifications/stream HTTP/1.1\r\nHost: " + opt.host + "\r\nAuthorization: Bearer " +
            tokens[i] + "\r\nAccept: text/event-stream\r\n\r\n";
    int r = connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (r != 0 && errno != EINPROGRESS) Die("connect");
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.u64 = i;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev) != 0) Die("epoll_ctl");
    c.state = State::kConnecting;
    ++connecting;
  };

  // Parses complete SSE blocks ("...\n\n"); true when the awaited notification arrived.
  auto parse_events = [&](Conn& c) {
    size_t pos;
    while ((pos = c.in.find("\n\n")) != std::string::npos) {
      std::string_view block(c.in.data(), pos);
      bool hit = block.find(marker_type) != std::string_view::npos &&
                 block.find(marker_event) != std::string_view::npos &&
                 block.find(marker_phase) != std::string_view::npos;
      c.in.erase(0, pos + 2);
      if (hit) return true;
    }
    if (c.in.size() > (1 << 20)) c.in.clear();
    return false;
  };

  const auto t_start = Clock::now();
  auto t_all_open = t_start;
  const auto deadline_open = t_start + std::chrono::seconds(opt.timeout_s);
  std::vector<epoll_event> evs(1024);
  Clock::time_point deadline_done{};

  for (;;) {
    while (next < n && connecting < static_cast<size_t>(opt.inflight)) start_one(next++);
    if (!triggered && next == n && connecting == 0) {
      t_all_open = Clock::now();
      std::printf("streams_requested: %zu\nstreams_open: %zu\nstreams_failed: %zu\nopen_seconds: %.2f\n", n, open,
                  failed, Ms(t_all_open - t_start) / 1000);
      std::printf("server_rss_kb_streams_open: %ld\n", ProcStatusKb(opt.server_pid, "VmRSS:"));
      std::fflush(stdout);
      std::this_thread::sleep_for(std::chrono::seconds(1));  // let the server settle
      triggered = true;
      t_trigger = Clock::now();
      trigger = std::thread([&] {
        advance_status = Advance(opt);
        t_answer = Clock::now();
      });
      deadline_done = t_trigger + std::chrono::seconds(opt.timeout_s);
    }
    if (triggered && done + failed >= n) break;
    auto now = Clock::now();
    if (!triggered && now > deadline_open) {
      std::fprintf(stderr, "sse_load: streams did not open in time (%zu connecting)\n", connecting);
      return 1;
    }
    if (triggered && now > deadline_done) break;
    int k = epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
    if (k < 0 && errno != EINTR) Die("epoll_wait");
    for (int e = 0; e < k; ++e) {
      size_t i = evs[e].data.u64;
      Conn& c = conns[i];
      if (c.fd < 0) continue;
      if (evs[e].events & EPOLLOUT && !c.out.empty()) {
        ssize_t w = write(c.fd, c.out.data(), c.out.size());
        if (w > 0)
          c.out.erase(0, static_cast<size_t>(w));
        else if (w < 0 && errno != EAGAIN) {
          fail(i);
          continue;
        }
        if (c.out.empty()) {
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP;
          ev.data.u64 = i;
          epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
          if (c.state == State::kConnecting) c.state = State::kHeaders;
        }
      }
      if (evs[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        char buf[16384];
        bool closed = false;
        for (;;) {
          ssize_t r = read(c.fd, buf, sizeof buf);
          if (r > 0) {
            c.in.append(buf, static_cast<size_t>(r));
            continue;
          }
          if (r == 0 || (errno != EAGAIN && errno != EINTR)) closed = true;
          break;
        }
        if (c.state == State::kHeaders || c.state == State::kConnecting) {
          size_t end = c.in.find("\r\n\r\n");
          if (end != std::string::npos) {
            if (c.in.compare(0, 12, "HTTP/1.1 200") != 0) {
              if (failed < 3) std::fprintf(stderr, "sse_load: %s\n", c.in.substr(0, c.in.find("\r\n")).c_str());
              fail(i);
              continue;
            }
            c.in.erase(0, end + 4);
            c.state = State::kOpen;
            --connecting;
            ++open;
          }
        }
        if (c.state == State::kOpen && triggered && parse_events(c)) {
          c.got = Clock::now();
          c.state = State::kDone;
          --open;
          ++done;
        } else if (c.state == State::kOpen && !triggered) {
          parse_events(c);  // drops the "stream open" comment and any earlier events
        }
        if (closed && c.state != State::kDone) fail(i);
      }
    }
  }
  if (trigger.joinable()) trigger.join();

  std::vector<double> lat;
  for (auto& c : conns)
    if (c.state == State::kDone) lat.push_back(Ms(c.got - t_trigger));
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) { return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, size_t(p * lat.size()))]; };
  std::printf("advance_status: %s\nadvance_answered_ms: %.1f\n", advance_status.c_str(), Ms(t_answer - t_trigger));
  std::printf("streams_notified: %zu of %zu\n", lat.size(), n);
  std::printf("notify_p50_ms: %.1f\nnotify_p99_ms: %.1f\nnotify_all_ms: %.1f\n", pct(0.5), pct(0.99),
              lat.empty() ? 0.0 : lat.back());
  std::printf("server_vmhwm_kb: %ld\nserver_rss_kb: %ld\n", ProcStatusKb(opt.server_pid, "VmHWM:"),
              ProcStatusKb(opt.server_pid, "VmRSS:"));
  for (auto& c : conns)
    if (c.fd >= 0) close(c.fd);
  return lat.size() == n ? 0 : 1;
}
