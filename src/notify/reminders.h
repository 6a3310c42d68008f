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
// Thread-safety: Add() while wiring, before Start(); Start()/Stop() from one thread (the
// loop of common/background_loop.h); SweepOnce() from any thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/background_loop.h"
#include "common/clock.h"
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
      : db_(db), clock_(clock), loop_({.component = "reminders", .interval = interval}, [this] {
          SweepOnce();
          return false;
        }) {}

  void Add(std::string name, Job job) { jobs_.push_back({std::move(name), std::move(job)}); }
  // Runs every job once, each in its own write transaction. Never throws: a failing job is
  // logged (rate-limited) and runs again next pass. Returns the reminders sent.
  int SweepOnce();

  void Start() {
    if (!jobs_.empty()) loop_.Start();
  }
  void Stop() { loop_.Stop(); }

 private:
  struct Named {
    std::string name;
    Job job;
  };
  db::Database& db_;
  const Clock& clock_;
  std::vector<Named> jobs_;
  BackgroundLoop loop_;
};

}  // namespace atelier::notify
