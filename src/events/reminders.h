#pragma once
// Deadline reminders (docs/product.md §5, DEADLINE_REMINDER): 24 hours before VOTING ends
// (`matchingStartsAt`) every member with votes left gets one; 24 hours before MATCHING
// ends (`endsAt`) every participant (an artist with an artwork in the event) who liked
// nothing gets one. Exactly once per user, event and phase, also with several processes
// on one PostgreSQL: the notification is written in the transaction that inserts its row
// in `deadline_reminders_sent` (INSERT … ON CONFLICT DO NOTHING … RETURNING), so only the
// transaction whose insert took the row notifies.
//
// Self-contained: one background thread per process, its own table (migration 011).
// Thread-safety: Start()/Stop() from the wiring's thread; RunOnce() from any thread.
#include <chrono>
#include <condition_variable>
#include <thread>

#include "common/clock.h"
#include "common/mutex.h"
#include "db/database.h"
#include "notify/notifier.h"

namespace atelier::events {

inline constexpr Millis kDeadlineReminderLead = 24LL * 3600 * 1000;

class DeadlineReminders {
 public:
  DeadlineReminders(db::Database& db, const Clock& clock, const notify::Notifier& notifier,
                    std::chrono::milliseconds interval)
      : db_(db), clock_(clock), notifier_(notifier), interval_(interval) {}
  ~DeadlineReminders() { Stop(); }
  DeadlineReminders(const DeadlineReminders&) = delete;
  DeadlineReminders& operator=(const DeadlineReminders&) = delete;

  void Start();
  void Stop();
  // Sends the reminders due now; returns how many this call sent.
  int RunOnce();

 private:
  void Loop();

  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  const std::chrono::milliseconds interval_;
  Mutex mu_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace atelier::events
