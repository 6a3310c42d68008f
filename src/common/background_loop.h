#pragma once
// A thread of its own that runs a pass of background work, waits, and runs it again until
// stopped: the shape shared by the phase scheduler, the mail sender, the reminder sweeps
// and the image collector, written once so that each of them is only its pass.
//
// - A pass answers true when it stopped at a full batch: more work may be waiting, so the
//   next pass runs at once (catch-up after downtime) unless Stop() was called.
// - A pass that throws is logged at error level under the loop's component, with the
//   error, and the loop waits `after_failure` before trying again; no failure ends the loop.
// - Wake() runs the next pass now instead of at the end of the wait (a LISTEN callback
//   uses it when new work is announced).
//
// Thread-safety: Start() and Stop() from one thread (the program's wiring); Wake() from
// any thread. Stop() waits for a pass in progress to end; Stop() without Start() does
// nothing. The destructor stops the thread.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <string>
#include <thread>

#include "common/mutex.h"

namespace atelier {

class BackgroundLoop {
 public:
  struct Options {
    std::string component;  // the log's "component" of a failed pass
    std::chrono::milliseconds interval{1000};
    // The wait after a pass that threw; zero means `interval`.
    std::chrono::milliseconds after_failure{0};
    // Whether the first pass runs at Start() or one interval later.
    bool first_pass_at_start = true;
  };
  using Pass = std::function<bool()>;

  BackgroundLoop(Options options, Pass pass) : options_(std::move(options)), pass_(std::move(pass)) {}
  ~BackgroundLoop() { Stop(); }
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;

  void Start();
  void Stop();
  void Wake();

 private:
  void Loop();
  // Waits until `until`, a Wake() or a Stop(); false when stopping.
  bool WaitUntil(std::chrono::steady_clock::time_point until);

  const Options options_;
  const Pass pass_;
  Mutex mu_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool woken_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace atelier
