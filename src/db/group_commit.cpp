#include "db/group_commit.h"

#include <algorithm>

namespace atelier::db::internal {

GroupCommit::GroupCommit(std::function<void()> flush) : flush_(std::move(flush)), thread_([this] { SyncLoop(); }) {}

GroupCommit::~GroupCommit() {
  {
    MutexLock lk(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void GroupCommit::WhenDurable(std::uint64_t ticket, std::function<void()> fn) {
  {
    MutexLock lk(mu_);
    if (ticket > durable_) {
      waiting_.emplace_back(ticket, std::move(fn));
      lk.Unlock();
      cv_.notify_one();
      return;
    }
  }
  fn();
}

GroupCommit::Stats GroupCommit::GetStats() const {
  MutexLock lk(mu_);
  return Stats{committed_.load(), durable_, syncs_};
}

// Flushes while someone waits, then releases every waiter whose commit the flush covered.
// On stop it goes on until nobody waits, so no waiter is left behind.
void GroupCommit::SyncLoop() {
  MutexLock lk(mu_);
  for (;;) {
    while (!stop_ && waiting_.empty()) cv_.wait(lk.Native());
    if (waiting_.empty()) return;  // stopping, nobody waits
    // Read before the flush starts: every commit numbered by now wrote its pages already.
    const std::uint64_t target = committed_.load(std::memory_order_acquire);
    if (target > durable_) {
      lk.Unlock();
      flush_();
      lk.Lock();
      durable_ = std::max(durable_, target);
      ++syncs_;
    }
    std::vector<std::function<void()>> ready;
    const std::uint64_t durable = durable_;
    std::erase_if(waiting_, [&](auto& w) {
      if (w.first > durable) return false;
      ready.push_back(std::move(w.second));
      return true;
    });
    lk.Unlock();
    for (auto& fn : ready) fn();
    lk.Lock();
  }
}

}  // namespace atelier::db::internal
