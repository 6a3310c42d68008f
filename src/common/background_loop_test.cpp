#include "common/background_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace atelier {
namespace {

using namespace std::chrono_literals;

// Polls `done` for up to 5 s: the loop runs on its own thread.
template <typename F>
bool Eventually(F done) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return done();
}

TEST(BackgroundLoop, AFullBatchRunsTheNextPassAtOnce) {
  std::atomic<int> passes{0};
  // Four full batches, then idle: with an hour between passes, only catch-up can reach 5.
  BackgroundLoop loop({.component = "test", .interval = 1h}, [&] { return ++passes < 5; });
  loop.Start();
  EXPECT_TRUE(Eventually([&] { return passes.load() == 5; }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(passes.load(), 5);
  loop.Stop();
}

TEST(BackgroundLoop, AFailedPassIsRetriedAfterItsWait) {
  std::atomic<int> passes{0};
  BackgroundLoop loop({.component = "test", .interval = 1h, .after_failure = 5ms}, [&]() -> bool {
    if (++passes < 3) throw std::runtime_error("database away");
    return false;
  });
  loop.Start();
  EXPECT_TRUE(Eventually([&] { return passes.load() == 3; }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(passes.load(), 3);  // back to the hourly interval once a pass succeeded
  loop.Stop();
}

TEST(BackgroundLoop, WakeRunsAPassBeforeTheIntervalEnds) {
  std::atomic<int> passes{0};
  BackgroundLoop loop({.component = "test", .interval = 1h, .first_pass_at_start = false}, [&] {
    ++passes;
    return false;
  });
  loop.Start();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(passes.load(), 0);  // the first pass waits an interval
  loop.Wake();
  EXPECT_TRUE(Eventually([&] { return passes.load() == 1; }));
  loop.Wake();
  EXPECT_TRUE(Eventually([&] { return passes.load() == 2; }));
  loop.Stop();
}

TEST(BackgroundLoop, StopEndsAWaitAndACatchUpAndMayBeRepeated) {
  std::atomic<int> passes{0};
  BackgroundLoop busy({.component = "test", .interval = 1h}, [&] {
    ++passes;
    std::this_thread::sleep_for(1ms);
    return true;  // always a full batch
  });
  busy.Start();
  EXPECT_TRUE(Eventually([&] { return passes.load() > 3; }));
  const auto start = std::chrono::steady_clock::now();
  busy.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  const int after_stop = passes.load();
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(passes.load(), after_stop);
  busy.Stop();

  BackgroundLoop idle({.component = "test", .interval = 1h}, [] { return false; });
  idle.Stop();  // never started
  idle.Start();
  const auto idle_start = std::chrono::steady_clock::now();
  idle.Stop();  // in the middle of an hour's wait
  EXPECT_LT(std::chrono::steady_clock::now() - idle_start, 1s);
}

}  // namespace
}  // namespace atelier
