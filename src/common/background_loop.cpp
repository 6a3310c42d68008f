#include "common/background_loop.h"

#include "common/log.h"

namespace atelier {

void BackgroundLoop::Start() {
  if (thread_.joinable()) return;
  {
    MutexLock lock(mu_);
    stopping_ = false;
    woken_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void BackgroundLoop::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundLoop::Wake() {
  {
    MutexLock lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool BackgroundLoop::WaitUntil(std::chrono::steady_clock::time_point until) {
  MutexLock lock(mu_);
  while (!stopping_ && !woken_ && cv_.wait_until(lock.Native(), until) != std::cv_status::timeout) {
  }
  woken_ = false;
  return !stopping_;
}

void BackgroundLoop::Loop() {
  const auto after_failure = options_.after_failure.count() > 0 ? options_.after_failure : options_.interval;
  if (!options_.first_pass_at_start && !WaitUntil(std::chrono::steady_clock::now() + options_.interval)) return;
  int failures = 0;
  for (;;) {
    try {
      // A full batch means more may be waiting: go again at once, unless told to stop.
      while (pass_()) {
        MutexLock lock(mu_);
        if (stopping_) return;
      }
      failures = 0;
    } catch (...) {
      ++failures;
      log::WriteLimited(options_.component, log::kRepeatEvery, log::Level::kError, "background pass failed",
                        {{"component", options_.component}, {"failures", failures}, {"error", log::CurrentError()}});
    }
    const auto wait = failures > 0 ? after_failure : options_.interval;
    if (!WaitUntil(std::chrono::steady_clock::now() + wait)) return;
  }
}

}  // namespace atelier
