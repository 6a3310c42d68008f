#pragma once
// The phase scheduler: one background thread per process that, every interval, advances
// the events whose set time has passed (EventService::AdvanceDue). Several processes may
// run it against one PostgreSQL database; each phase change still happens once.
//
// Thread-safety and failures: those of common/background_loop.h.
#include <chrono>

#include "common/background_loop.h"
#include "events/service.h"

namespace atelier::events {

class Scheduler {
 public:
  // A batch of due events per pass; a full batch means more are due (after downtime).
  static constexpr int kBatch = 100;

  Scheduler(EventService& service, std::chrono::milliseconds interval)
      : loop_({.component = "scheduler", .interval = interval},
              [&service] { return service.AdvanceDue(kBatch) == kBatch; }) {}

  void Start() { loop_.Start(); }
  void Stop() { loop_.Stop(); }

 private:
  BackgroundLoop loop_;
};

}  // namespace atelier::events
