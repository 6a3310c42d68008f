#include "notify/stream_hub.h"

#include <algorithm>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/log.h"
#include "common/mutex.h"
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

std::optional<SessionSignal> ParseSessionSignal(std::string_view payload) {
  if (payload.size() < 3 || payload[1] != ':' || (payload[0] != 's' && payload[0] != 'a')) return std::nullopt;
  auto user = ParseInt(payload.substr(2));
  if (!user || *user < 1) return std::nullopt;
  return SessionSignal{*user, payload[0] == 'a'};
}

void SignalSessionsEnded(db::Database& db, db::Tx& tx, std::int64_t user_id) {
  db.Notify(tx, kSessionsChannel, "s:" + std::to_string(user_id));
}

void SignalEndAllStreams(db::Database& db, db::Tx& tx, std::int64_t user_id) {
  db.Notify(tx, kSessionsChannel, "a:" + std::to_string(user_id));
}

// One open stream. mu guards the rest; held only while pushing (Push never blocks).
struct Stream {
  std::shared_ptr<http::SseSink> sink;
  std::int64_t user_id = 0;
  std::uint64_t seq = 0;  // opening order, for closing a user's oldest
  std::string session;    // sessions.token_hash of the session that opened it
  Mutex mu;
  bool replaying GUARDED_BY(mu) = true;
  std::set<std::int64_t> sent GUARDED_BY(mu);
  std::vector<std::pair<std::int64_t, std::string>> held GUARDED_BY(mu);  // live events during replay

  // Sends unless sent already; caller holds mu. A live event counts against the sink's
  // queue bound; a replay does not (kMaxReplay bounds it).
  void SendLocked(std::int64_t id, std::string event, bool live) REQUIRES(mu) {
    if (sent.contains(id)) return;
    sent.insert(id);
    if (sent.size() > kMaxSentIds) sent.erase(sent.begin());
    if (live)
      sink->Push(std::move(event));
    else
      sink->PushUnbounded(std::move(event));
  }
  void Deliver(std::int64_t id, std::string event) {
    MutexLock lk(mu);
    if (replaying) {
      held.emplace_back(id, std::move(event));
      return;
    }
    SendLocked(id, std::move(event), true);
  }
};

struct StreamHub::Core {
  Core(db::Database& d, HubOptions o) : db(d), options(o) {}
  db::Database& db;
  const HubOptions options;

  // Work for the delivery thread, in the order the signals arrived.
  struct Task {
    bool range = true;  // a notification id range; else a session signal
    std::int64_t first = 0, last = 0;
    SessionSignal signal;
  };

  mutable Mutex mu;
  std::condition_variable cv;
  std::unordered_multimap<std::int64_t, std::shared_ptr<Stream>> streams GUARDED_BY(mu);
  std::deque<Task> queue GUARDED_BY(mu);
  std::uint64_t next_seq GUARDED_BY(mu) = 0;
  bool stopping GUARDED_BY(mu) = false;
  std::thread worker;
  std::atomic<std::uint64_t> refused{0}, dropped{0}, replaced{0}, revoked{0};

  // By its sink, which whoever calls this keeps alive (a Stream the hub ended may be gone
  // when its sink reports the end, and its address reused).
  bool RemoveLocked(std::int64_t user_id, const http::SseSink* sink) REQUIRES(mu) {
    auto [b, e] = streams.equal_range(user_id);
    for (auto it = b; it != e; ++it) {
      if (it->second->sink.get() == sink) {
        streams.erase(it);
        return true;
      }
    }
    return false;
  }
  void Remove(std::int64_t user_id, const http::SseSink* sink) {
    MutexLock lk(mu);
    RemoveLocked(user_id, sink);
  }

  void Loop() {
    for (;;) {
      Task task;
      {
        MutexLock lk(mu);
        while (!stopping && queue.empty()) cv.wait(lk.Native());
        if (stopping) return;
        task = queue.front();
        queue.pop_front();
        // Neighbouring ranges (one per committed transaction) are read in one query; a
        // session signal between them keeps its place.
        while (task.range && !queue.empty() && queue.front().range && queue.front().first <= task.last + 1 &&
               queue.front().first >= task.first) {
          task.last = std::max(task.last, queue.front().last);
          queue.pop_front();
        }
        if (streams.empty()) continue;
      }
      if (!task.range) {
        EndStreams(task.signal);
        continue;
      }
      try {
        Deliver(task.first, task.last);
      } catch (const std::exception& e) {
        // The database is unavailable: these events are lost for live delivery; clients
        // catch up with Last-Event-ID when they reconnect.
        log::WriteLimited(
            "stream_hub", log::kRepeatEvery, log::Level::kError, "live delivery of notifications failed",
            {{"component", "stream_hub"}, {"first_id", task.first}, {"last_id", task.last}, {"error", e.what()}});
      }
    }
  }

  // Ends the user's streams that the signal concerns. When the sessions cannot be read,
  // every stream of the user ends (they reconnect, and a live session opens them again):
  // a stream must not outlive its session because the database was briefly away.
  void EndStreams(const SessionSignal& signal) {
    std::vector<std::shared_ptr<Stream>> mine;
    {
      MutexLock lk(mu);
      auto [b, e] = streams.equal_range(signal.user_id);
      for (auto it = b; it != e; ++it) mine.push_back(it->second);
    }
    if (mine.empty()) return;
    std::set<std::string> live;
    if (!signal.all) {
      try {
        db.Read([&](db::Tx& tx) {
          tx.ForEach(
              "SELECT token_hash FROM sessions WHERE user_id = $1",
              [&](const db::RowView& row) { live.emplace(row.Text(0)); }, signal.user_id);
        });
      } catch (const std::exception&) {
        live.clear();
      }
    }
    for (auto& s : mine) {
      if (live.contains(s->session)) continue;
      bool removed;
      {
        MutexLock lk(mu);
        removed = RemoveLocked(s->user_id, s->sink.get());
      }
      if (removed) {
        ++revoked;
        s->sink->Abort();
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
        MutexLock lk(mu);
        auto [b, e] = streams.equal_range(user);
        for (auto it = b; it != e; ++it) targets.push_back(it->second);
      }
      if (targets.empty()) continue;
      std::int64_t id = row.Int(1);
      std::string event = SseEvent(id, NotificationJson(row, 1));
      for (auto& s : targets) s->Deliver(id, event);
    }
  }

  void Enqueue(Task task) {
    MutexLock lk(mu);
    if (stopping) return;
    queue.push_back(task);
    cv.notify_one();
  }
};

StreamHub::StreamHub(db::Database& db, HubOptions options) : core_(std::make_shared<Core>(db, options)) {}

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
    core->Enqueue({.range = true, .first = range->first, .last = range->second, .signal = {}});
  });
  core_->db.Listen(std::string(kSessionsChannel), [weak](std::string_view payload) {
    auto core = weak.lock();
    if (!core) return;
    auto signal = ParseSessionSignal(payload);
    if (!signal) return;
    core->Enqueue({.range = false, .first = 0, .last = 0, .signal = *signal});
  });
  auto core = core_;
  core_->worker = std::thread([core] { core->Loop(); });
}

void StreamHub::Stop() {
  std::vector<std::shared_ptr<Stream>> open;
  {
    MutexLock lk(core_->mu);
    if (core_->stopping) return;
    core_->stopping = true;
    for (auto& [user, s] : core_->streams) open.push_back(s);
    core_->cv.notify_all();
  }
  if (core_->worker.joinable()) core_->worker.join();
  for (auto& s : open) s->sink->Close();
}

std::shared_ptr<http::SseSink> StreamHub::Open(std::int64_t user_id, std::string session_hash,
                                               std::optional<std::int64_t> last_event_id) {
  auto& core = *core_;
  auto stream = std::make_shared<Stream>();
  stream->sink = std::make_shared<http::SseSink>(core.options.max_queued_bytes);
  stream->user_id = user_id;
  stream->session = std::move(session_hash);
  std::weak_ptr<Core> weak = core_;
  auto* sink = stream->sink.get();
  stream->sink->on_end = [weak, user_id, sink] {
    auto c = weak.lock();
    if (!c) return;
    c->Remove(user_id, sink);
    if (sink->Dropped()) ++c->dropped;
  };
  std::shared_ptr<Stream> oldest;
  {
    MutexLock lk(core.mu);
    auto [b, e] = core.streams.equal_range(user_id);
    std::size_t mine = 0;
    for (auto it = b; it != e; ++it) {
      ++mine;
      if (!oldest || it->second->seq < oldest->seq) oldest = it->second;
    }
    if (mine >= core.options.max_per_user && oldest) {
      // The new stream takes the place of the user's oldest: the total does not grow.
      core.RemoveLocked(user_id, oldest->sink.get());
    } else {
      oldest.reset();
      if (core.streams.size() >= core.options.max_streams) {
        ++core.refused;
        throw ApiError(503, "busy", "The server holds as many live streams as it may; try again shortly")
            .WithRetryAfter(5);
      }
    }
    stream->seq = core.next_seq++;
    core.streams.emplace(user_id, stream);
  }
  if (oldest) {
    ++core.replaced;
    oldest->sink->Abort();
  }
  // Read after registering: a session that ends from now on is seen by the signal, one
  // that ended before (after the caller was authenticated) is seen here.
  std::vector<db::Row> missed;
  bool session_live = false;
  try {
    core.db.Read([&](db::Tx& tx) {
      session_live =
          tx.QueryOne("SELECT 1 FROM sessions WHERE token_hash = $1 AND user_id = $2", stream->session, user_id)
              .has_value();
      if (!session_live || !last_event_id) return;
      missed = tx.Query(std::string("SELECT ") + kNotificationColumns +
                            " FROM notifications WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                        user_id, *last_event_id, kMaxReplay);
    });
  } catch (...) {
    core.Remove(user_id, sink);
    throw;
  }
  if (!session_live) {
    core.Remove(user_id, sink);
    throw Unauthenticated();
  }
  MutexLock lk(stream->mu);
  for (auto& row : missed) stream->SendLocked(row.Int(0), SseEvent(row.Int(0), NotificationJson(row)), false);
  std::sort(stream->held.begin(), stream->held.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [id, event] : stream->held) stream->SendLocked(id, std::move(event), false);
  stream->held.clear();
  stream->replaying = false;
  return stream->sink;
}

size_t StreamHub::OpenStreams() const {
  MutexLock lk(core_->mu);
  return core_->streams.size();
}

HubStats StreamHub::Stats() const {
  HubStats s;
  s.open = OpenStreams();
  s.refused = core_->refused.load();
  s.dropped = core_->dropped.load();
  s.replaced = core_->replaced.load();
  s.revoked = core_->revoked.load();
  return s;
}

}  // namespace atelier::notify
