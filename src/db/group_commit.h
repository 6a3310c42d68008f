#pragma once
// Group commit: one disk flush acknowledges every commit made before it began.
//
// A backend whose COMMIT returns before the commit is on disk (SQLite with
// synchronous=NORMAL: the WAL frames are written, not flushed) numbers its commits with
// Committed() and lets whoever acknowledges a write to a client wait with WhenDurable(). A
// thread of this object's own runs `flush` while anyone waits; a flush covers every commit
// numbered before it started, so under load one flush serves dozens of commits.
//
// The contract, which the power-loss test (db/durability_test.cpp) checks end to end:
// - Committed() is called once per commit, after COMMIT returned and in commit order (the
//   caller holds the lock that orders its commits). It returns the commit's number, 1, 2, ….
// - `flush` makes durable every byte the database wrote before the call. It runs on the sync
//   thread only, one call at a time. It never returns after a failure: a failed flush may
//   have dropped the dirty pages, so acknowledging anything afterwards could be a lie (the
//   backend aborts the process, as PostgreSQL does).
// - WhenDurable(n, fn) calls fn once commit n and every earlier one are durable: at once on
//   the calling thread when they already are (n == 0 always is), else on the sync thread
//   right after the flush that covered n. fn must be quick and must not throw; it may call
//   WhenDurable again.
// - The destructor releases the waiters still waiting (after flushing for them) before it
//   returns; no callback runs afterwards.
//
// Thread-safety: every member function may be called from any thread.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "common/mutex.h"

namespace atelier::db::internal {

class GroupCommit {
 public:
  explicit GroupCommit(std::function<void()> flush);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Numbers the commit that just returned (see above). Lock-free: one atomic increment.
  std::uint64_t Committed() { return committed_.fetch_add(1, std::memory_order_acq_rel) + 1; }
  // How many commits were numbered so far.
  std::uint64_t Commits() const { return committed_.load(std::memory_order_acquire); }

  void WhenDurable(std::uint64_t ticket, std::function<void()> fn);

  struct Stats {
    std::uint64_t commits = 0;  // numbered so far
    std::uint64_t durable = 0;  // the newest of them known to be on disk
    std::uint64_t syncs = 0;    // flushes made
  };
  Stats GetStats() const;

 private:
  void SyncLoop();

  const std::function<void()> flush_;
  std::atomic<std::uint64_t> committed_{0};
  mutable Mutex mu_;
  std::condition_variable cv_;  // the sync thread waits on it for waiters or stop_
  std::uint64_t durable_ GUARDED_BY(mu_) = 0;
  std::uint64_t syncs_ GUARDED_BY(mu_) = 0;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> waiting_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once everything above is initialised
};

}  // namespace atelier::db::internal
