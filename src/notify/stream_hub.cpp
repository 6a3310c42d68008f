#include "notify/stream_hub.h"

#include <algorithm>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.h"
#include "common/text.h"
#include "notify/feed.h"
#include "notify/notifier.h"

namespace atelier::notify {

namespace {
constexpr size_t kMaxSentIds = 4096;  // per stream, for de-duplication
constexpr int kMaxReplay = 1000;
}  // namespace

std::optional<std::pair<std::int64_t, std::int64_t>> ParseRange(std::string_view payload) {
  size_t colon = payload.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto first = ParseInt(payload.substr(0, colon));
  auto last = ParseInt(payload.substr(colon + 1));
  if (!first || !last || *first > *last || *first < 1) return std::nullopt;
  return std::make_pair(*first, *last);
}

// One open stream. mu guards the rest; held only while pushing (Push never blocks).
struct Stream {
  std::shared_ptr<http::SseSink> sink;
  std::int64_t user_id = 0;
  std::mutex mu;
  bool replaying = true;
  std::set<std::int64_t> sent;
  std::vector<std::pair<std::int64_t, std::string>> held;  // live events during replay

  // Sends unless sent already; caller holds mu.
  void SendLocked(std::int64_t id, std::string event) {
    if (sent.contains(id)) return;
    sent.insert(id);
    if (sent.size() > kMaxSentIds) sent.erase(sent.begin());
    sink->Push(std::move(event));
  }
  void Deliver(std::int64_t id, std::string event) {
    std::lock_guard lk(mu);
    if (replaying) {
      held.emplace_back(id, std::move(event));
      return;
    }
    SendLocked(id, std::move(event));
  }
};

struct StreamHub::Core {
  explicit Core(db::Database& d) : db(d) {}
  db::Database& db;

  mutable std::mutex mu;  // guards streams, queue, stopping
  std::condition_variable cv;
  std::unordered_multimap<std::int64_t, std::shared_ptr<Stream>> streams;
  std::deque<std::pair<std::int64_t, std::int64_t>> queue;
  bool stopping = false;
  std::thread worker;

  void Remove(const Stream* s) {
    std::lock_guard lk(mu);
    auto [b, e] = streams.equal_range(s->user_id);
    for (auto it = b; it != e; ++it) {
      if (it->second.get() == s) {
        streams.erase(it);
        return;
      }
    }
  }

  void Loop() {
    for (;;) {
      std::pair<std::int64_t, std::int64_t> range;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return stopping || !queue.empty(); });
        if (stopping) return;
        range = queue.front();
        queue.pop_front();
        // Neighbouring ranges (one per committed transaction) are read in one query.
        while (!queue.empty() && queue.front().first <= range.second + 1 && queue.front().first >= range.first) {
          range.second = std::max(range.second, queue.front().second);
          queue.pop_front();
        }
        if (streams.empty()) continue;
      }
      try {
        Deliver(range.first, range.second);
      } catch (const std::exception& e) {
        // The database is unavailable: these events are lost for live delivery; clients
        // catch up with Last-Event-ID when they reconnect.
        log::WriteLimited(
            "stream_hub", log::kRepeatEvery, log::Level::kError, "live delivery of notifications failed",
            {{"component", "stream_hub"}, {"first_id", range.first}, {"last_id", range.second}, {"error", e.what()}});
      }
    }
  }

  void Deliver(std::int64_t first, std::int64_t last) {
    auto rows = db.Read([&](db::Tx& tx) {
      return tx.Query(std::string("SELECT user_id, ") + kNotificationColumns +
                          " FROM notifications WHERE id BETWEEN $1 AND $2 ORDER BY id",
                      first, last);
    });
    for (auto& row : rows) {
      std::int64_t user = row.Int(0);
      std::vector<std::shared_ptr<Stream>> targets;
      {
        std::lock_guard lk(mu);
        auto [b, e] = streams.equal_range(user);
        for (auto it = b; it != e; ++it) targets.push_back(it->second);
      }
      if (targets.empty()) continue;
      std::int64_t id = row.Int(1);
      std::string event = SseEvent(id, NotificationJson(row, 1));
      for (auto& s : targets) s->Deliver(id, event);
    }
  }
};

StreamHub::StreamHub(db::Database& db) : core_(std::make_shared<Core>(db)) {}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Start() {
  std::weak_ptr<Core> weak = core_;
  core_->db.Listen(std::string(kChannel), [weak](std::string_view payload) {
    auto core = weak.lock();
    if (!core) return;
    auto range = ParseRange(payload);
    if (!range) {
      log::WriteLimited("stream_hub.payload", log::kRepeatEvery, log::Level::kError,
                        "notification range not understood; not delivered live",
                        {{"component", "stream_hub"}, {"payload", payload}});
      return;
    }
    std::lock_guard lk(core->mu);
    if (core->stopping) return;
    core->queue.push_back(*range);
    core->cv.notify_one();
  });
  auto core = core_;
  core_->worker = std::thread([core] { core->Loop(); });
}

void StreamHub::Stop() {
  std::vector<std::shared_ptr<Stream>> open;
  {
    std::lock_guard lk(core_->mu);
    if (core_->stopping) return;
    core_->stopping = true;
    for (auto& [user, s] : core_->streams) open.push_back(s);
    core_->cv.notify_all();
  }
  if (core_->worker.joinable()) core_->worker.join();
  for (auto& s : open) s->sink->Close();
}

std::shared_ptr<http::SseSink> StreamHub::Open(std::int64_t user_id, std::optional<std::int64_t> last_event_id) {
  auto stream = std::make_shared<Stream>();
  stream->sink = std::make_shared<http::SseSink>();
  stream->user_id = user_id;
  std::weak_ptr<Core> weak = core_;
  Stream* raw = stream.get();
  stream->sink->on_end = [weak, raw] {
    if (auto core = weak.lock()) core->Remove(raw);
  };
  {
    std::lock_guard lk(core_->mu);
    core_->streams.emplace(user_id, stream);
  }
  std::vector<db::Row> missed;
  if (last_event_id) {
    try {
      missed = core_->db.Read([&](db::Tx& tx) {
        return tx.Query(std::string("SELECT ") + kNotificationColumns +
                            " FROM notifications WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                        user_id, *last_event_id, kMaxReplay);
      });
    } catch (...) {
      core_->Remove(raw);
      throw;
    }
  }
  std::lock_guard lk(stream->mu);
  for (auto& row : missed) stream->SendLocked(row.Int(0), SseEvent(row.Int(0), NotificationJson(row)));
  std::sort(stream->held.begin(), stream->held.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [id, event] : stream->held) stream->SendLocked(id, std::move(event));
  stream->held.clear();
  stream->replaying = false;
  return stream->sink;
}

size_t StreamHub::OpenStreams() const {
  std::lock_guard lk(core_->mu);
  return core_->streams.size();
}

}  // namespace atelier::notify
