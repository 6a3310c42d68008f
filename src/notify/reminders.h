#pragma once
// Reminders: notifications sent once when a time comes near (TRADE_REMINDER 24 hours
// before an event's tradesDueAt; DEADLINE_REMINDER can use the same). A feature adds a job
// to the ReminderSweeper while wiring; every interval the sweeper runs each job in a write
// transaction of its own. A job finds who is due and, for each, claims the reminder with
// ClaimReminder and notifies only when the claim is new. The claim is a row of
// `reminders_sent` (kind, user, subject) inserted with ON CONFLICT DO NOTHING in the same
// transaction as the notification, so with any number of processes on one PostgreSQL a
// reminder is sent exactly once (a concurrent insert of the same key makes the later
// transaction retry under SERIALIZABLE, and the retry sees the row).
//
// Thread-safety: Add() while wiring, before Start(); Start()/Stop() from one thread;
// SweepOnce() from any thread.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "db/database.h"

namespace atelier::notify {

// In tx: true when (kind, user_id, subject_id) had not been claimed (the caller sends the
// reminder in this transaction), false when it was sent already.
bool ClaimReminder(db::Tx& tx, std::string_view kind, std::int64_t user_id, std::int64_t subject_id, Millis now);

class ReminderSweeper {
 public:
  // One batch of a kind of reminder at `now`, in tx; returns how many it sent.
  using Job = std::function<int(db::Tx& tx, Millis now)>;

  ReminderSweeper(db::Database& db, const Clock& clock, std::chrono::milliseconds interval)
      : db_(db), clock_(clock), interval_(interval) {}
  ~ReminderSweeper() { Stop(); }
  ReminderSweeper(const ReminderSweeper&) = delete;
  ReminderSweeper& operator=(const ReminderSweeper&) = delete;

  void Add(std::string name, Job job) { jobs_.push_back({std::move(name), std::move(job)}); }
  // Runs every job once, each in its own write transaction. Never throws: a failing job is
  // logged (rate-limited) and runs again next pass. Returns the reminders sent.
  int SweepOnce();

  void Start();
  void Stop();

 private:
  void Loop();

  struct Named {
    std::string name;
    Job job;
  };
  db::Database& db_;
  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  std::vector<Named> jobs_;
  Mutex mu_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace atelier::notify
