#pragma once
// The phase scheduler: one background thread per process that, every interval, advances
// the events whose set time has passed (EventService::AdvanceDue). Several processes may
// run it against one PostgreSQL database; each phase change still happens once.
//
// Thread-safety: Start() and Stop() from one thread (the program's wiring); Stop() waits
// for a pass in progress to end. Stop() without Start() does nothing.
#include <chrono>
#include <condition_variable>
#include <thread>

#include "common/mutex.h"
#include "events/event_service.h"

namespace atelier::events {

class Scheduler {
 public:
  Scheduler(EventService& service, std::chrono::milliseconds interval) : service_(service), interval_(interval) {}
  ~Scheduler() { Stop(); }
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  void Stop();

 private:
  void Loop();

  EventService& service_;
  const std::chrono::milliseconds interval_;
  Mutex mu_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace atelier::events
