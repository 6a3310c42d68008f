#pragma once
// Live notifications (docs/product.md §8): holds the open event streams of this process by user,
// and pushes each new notification to its user's streams. Notifier signals the id range
// a transaction inserted on the database channel kChannel after commit; the hub listens
// once, reads each range with one query on a thread of its own (the database's listener
// thread must stay quick), and pushes the rows. Because every process listens, a browser
// connected to any process gets its notifications.
//
// A stream opened with a last event id first replays the user's notifications after it;
// live events that arrive meanwhile are held back and sent after the replay, and ids
// already sent on a stream are never sent twice.
//
// Thread-safe. The hub must outlive nothing: streams that end after it is destroyed, and
// signals that arrive after Stop(), are ignored.
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "db/database.h"
#include "http/types.h"

namespace atelier::notify {

// Parses a "first:last" signal payload; nullopt when malformed or first > last.
std::optional<std::pair<std::int64_t, std::int64_t>> ParseRange(std::string_view payload);

class StreamHub {
 public:
  explicit StreamHub(db::Database& db);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Listens on the channel and starts the delivery thread. Call once, before serving.
  void Start();
  // Stops the delivery thread and closes the open streams.
  void Stop();

  // A new stream for the user, registered before the replay so nothing falls between.
  std::shared_ptr<http::SseSink> Open(std::int64_t user_id, std::optional<std::int64_t> last_event_id);
  // Streams open now (for tests and metrics).
  size_t OpenStreams() const;

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace atelier::notify
