#pragma once
// The callbacks registered with Database::Listen, by channel, and their delivery: the part
// of cross-process signals both backends share. How a signal arrives differs (SQLite: from
// the committing thread, in-process; PostgreSQL: NOTIFY read by a LISTEN thread); both hand
// it to Deliver().
//
// Thread-safety: every member function may be called from any thread.
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "db/internal.h"

namespace atelier::db::internal {

class Listeners {
 public:
  using Callback = std::function<void(std::string_view payload)>;

  // `component`: what a listener's failure is logged as ("sqlite_listen", "pg_listen").
  explicit Listeners(std::string component) : component_(std::move(component)) {}

  void Add(std::string channel, Callback callback);
  // The channels that have a callback, in no particular order.
  std::vector<std::string> Channels() const;
  // Calls every callback of `channel` with `payload`, in the order they were added, on the
  // calling thread and without the lock held (a callback may use the database or Add). A
  // callback that throws is logged with the channel and does not keep the others from
  // running: a listener's failure is not the sender's.
  void Deliver(std::string_view channel, std::string_view payload) const;

 private:
  const std::string component_;
  mutable Mutex mu_;
  std::unordered_map<std::string, std::vector<Callback>, StringHash, std::equal_to<>> by_channel_ GUARDED_BY(mu_);
};

}  // namespace atelier::db::internal
