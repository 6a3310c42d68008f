#pragma once
// Deadline reminders (docs/product.md §5, DEADLINE_REMINDER): 24 hours before VOTING ends
// (`matchingStartsAt`) every member with votes left gets one; 24 hours before MATCHING
// ends (`endsAt`) every participant (an artist with an artwork in the event) who liked
// nothing gets one. Exactly once per user, event and phase, also with several processes
// on one PostgreSQL: the notification is written in the transaction that inserts its row
// in `deadline_reminders_sent` (INSERT … ON CONFLICT DO NOTHING … RETURNING), so only the
// transaction whose insert took the row notifies.
//
// Self-contained: one background loop per process (common/background_loop.h, whose
// thread-safety and failure handling it has), its own table (migration 011). RunOnce()
// may be called from any thread.
#include <chrono>

#include "common/background_loop.h"
#include "common/clock.h"
#include "db/database.h"
#include "notify/notifier.h"

namespace atelier::events {

inline constexpr Millis kDeadlineReminderLead = 24LL * 3600 * 1000;

class DeadlineReminders {
 public:
  DeadlineReminders(db::Database& db, const Clock& clock, const notify::Notifier& notifier,
                    std::chrono::milliseconds interval)
      : db_(db),
        clock_(clock),
        notifier_(notifier),
        loop_({.component = "deadline_reminders", .interval = interval}, [this] {
          RunOnce();
          return false;
        }) {}

  void Start() { loop_.Start(); }
  void Stop() { loop_.Stop(); }
  // Sends the reminders due now; returns how many this call sent.
  int RunOnce();

 private:
  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  BackgroundLoop loop_;
};

}  // namespace atelier::events
