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
// Limits: a user has at most HubOptions::max_per_user streams in a process (the
// oldest is closed when one more opens), and the process at most max_streams (beyond, Open
// answers 503 busy). A stream belongs to the session that opened it: accounts/ signals on
// kSessionsChannel, in the transaction that ends sessions (logout, password change, reset)
// or locks an account, and every process's hub then ends the streams concerned at once.
// Streams whose client stops reading are dropped by their SseSink (bounded queue) or by
// http/ (write timeout); the client reconnects and replays with Last-Event-ID.
//
// Thread-safe. The hub must outlive nothing: streams that end after it is destroyed, and
// signals that arrive after Stop(), are ignored.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "db/database.h"
#include "http/types.h"

namespace atelier::notify {

// Parses a "first:last" signal payload; nullopt when malformed or first > last.
std::optional<std::pair<std::int64_t, std::int64_t>> ParseRange(std::string_view payload);

// The channel of "streams must end" signals. Payload "s:<user id>": sessions of the user
// ended, each hub ends the user's streams whose session no longer exists; "a:<user id>":
// every stream of the user ends, whatever its session (the account was locked).
inline constexpr std::string_view kSessionsChannel = "atelier_sessions";

struct SessionSignal {
  std::int64_t user_id = 0;
  bool all = false;  // every stream of the user, not only those of ended sessions
};
// Parses a kSessionsChannel payload; nullopt when malformed.
std::optional<SessionSignal> ParseSessionSignal(std::string_view payload);

// Called inside the write transaction that deletes sessions of `user_id`: once it commits,
// the streams of the deleted sessions end in every process.
void SignalSessionsEnded(db::Database& db, db::Tx& tx, std::int64_t user_id);
// Called inside the write transaction that locks the account: once it commits, every
// stream of the user ends in every process.
void SignalEndAllStreams(db::Database& db, db::Tx& tx, std::int64_t user_id);

struct HubOptions {
  std::size_t max_streams = 10000;  // open in this process; beyond, Open throws 503 busy
  std::size_t max_per_user = 5;     // in this process; one more closes the user's oldest
  std::size_t max_queued_bytes = http::SseSink::kDefaultMaxQueuedBytes;  // per stream
};

// Counts since the hub was made (for /metrics).
struct HubStats {
  std::size_t open = 0;
  std::uint64_t refused = 0;   // Open over max_streams (503 busy)
  std::uint64_t dropped = 0;   // the client stopped reading (queue bound or write timeout)
  std::uint64_t replaced = 0;  // closed because the user opened one more than max_per_user
  std::uint64_t revoked = 0;   // closed because their session ended or the account locked
};

class StreamHub {
 public:
  explicit StreamHub(db::Database& db, HubOptions options = {});
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Listens on the channels and starts the delivery thread. Call once, before serving.
  void Start();
  // Stops the delivery thread and closes the open streams.
  void Stop();

  // A new stream for the user's session (`session_hash`, as in sessions.token_hash),
  // registered before the replay so nothing falls between. Reads the database (run it on
  // a worker). Throws ApiError 503 busy (with Retry-After) when the process holds
  // max_streams already, 401 unauthenticated when the session ended meanwhile, and what
  // the database throws.
  std::shared_ptr<http::SseSink> Open(std::int64_t user_id, std::string session_hash,
                                      std::optional<std::int64_t> last_event_id);
  // Streams open now (for tests and metrics).
  size_t OpenStreams() const;
  HubStats Stats() const;

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace atelier::notify
