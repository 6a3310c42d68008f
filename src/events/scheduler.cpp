#include "events/scheduler.h"

namespace atelier::events {

void Scheduler::Start() {
  if (thread_.joinable()) return;
  {
    MutexLock lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  MutexLock lock(mu_);
  while (!stopping_) {
    lock.Unlock();
    // Catch-up: a full batch means more may be due (after downtime), so go again at once.
    while (service_.AdvanceDue(100) == 100) {
      MutexLock check(mu_);
      if (stopping_) return;
    }
    lock.Lock();
    const auto until = std::chrono::steady_clock::now() + interval_;
    while (!stopping_ && cv_.wait_until(lock.Native(), until) != std::cv_status::timeout) {
    }
  }
}

}  // namespace atelier::events
