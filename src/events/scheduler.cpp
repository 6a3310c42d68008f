#include "events/scheduler.h"

namespace atelier::events {

void Scheduler::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    // Catch-up: a full batch means more may be due (after downtime), so go again at once.
    while (service_.AdvanceDue(100) == 100) {
      std::lock_guard check(mu_);
      if (stopping_) return;
    }
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace atelier::events
