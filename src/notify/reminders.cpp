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
  for (const auto& named : jobs_) {
    const std::string& name = named.name;
    try {
      sent += db_.Write([&](db::Tx& tx) { return named.job(tx, clock_.Now()); });
    } catch (const std::exception& ex) {
      log::WriteLimited("reminders." + name, log::kRepeatEvery, log::Level::kError, "reminder sweep failed",
                        {{"component", "reminders"}, {"job", name}, {"error", ex.what()}});
    }
  }
  return sent;
}

}  // namespace atelier::notify
