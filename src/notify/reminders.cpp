#include "notify/reminders.h"

#include <exception>

#include "common/log.h"

namespace atelier::notify {

bool ClaimReminder(db::Tx& tx, std::string_view kind, std::int64_t user_id, std::int64_t subject_id, Millis now) {
  return tx.Exec(
             "INSERT INTO reminders_sent (kind, user_id, subject_id, sent_at) VALUES ($1, $2, $3, $4) "
             "ON CONFLICT DO NOTHING",
             std::string(kind), user_id, subject_id, now) == 1;
}

int ReminderSweeper::SweepOnce() {
  int sent = 0;
  for (const auto& [name, job] : jobs_) {
    try {
      sent += db_.Write([&](db::Tx& tx) { return job(tx, clock_.Now()); });
    } catch (const std::exception& ex) {
      log::WriteLimited("reminders." + name, log::kRepeatEvery, log::Level::kError, "reminder sweep failed",
                        {{"component", "reminders"}, {"job", name}, {"error", ex.what()}});
    }
  }
  return sent;
}

void ReminderSweeper::Start() {
  if (thread_.joinable() || jobs_.empty()) return;
  {
    MutexLock lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void ReminderSweeper::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReminderSweeper::Loop() {
  MutexLock lock(mu_);
  while (!stopping_) {
    lock.Unlock();
    SweepOnce();
    lock.Lock();
    const auto until = std::chrono::steady_clock::now() + interval_;
    while (!stopping_ && cv_.wait_until(lock.Native(), until) != std::cv_status::timeout) {
    }
  }
}

}  // namespace atelier::notify
