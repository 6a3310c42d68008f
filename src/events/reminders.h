#pragma once
// Deadline reminders (docs/product.md §5, DEADLINE_REMINDER): 24 hours before VOTING ends
// (`matchingStartsAt`) every member with votes left gets one; 24 hours before MATCHING
// ends (`endsAt`) every participant (an artist with an artwork in the event) who liked
// nothing gets one. A job of the reminder sweeper (notify/reminders.h): exactly once per
// user, event and phase, also with several processes on one PostgreSQL, because the
// notification is written in the transaction that inserts its claim in `reminders_sent`
// (kind "DEADLINE_REMINDER:<phase>", subject the event) with ON CONFLICT DO NOTHING …
// RETURNING, so only the transaction whose insert took the row notifies.
#include "common/clock.h"
#include "db/database.h"
#include "notify/notifier.h"
#include "notify/reminders.h"

namespace atelier::events {

inline constexpr Millis kDeadlineReminderLead = 24LL * 3600 * 1000;

// In tx: sends the deadline reminders due at `now`; returns how many it sent.
int SendDeadlineReminders(db::Tx& tx, const notify::Notifier& notifier, Millis now);

inline void AddDeadlineReminders(notify::ReminderSweeper& sweeper, const notify::Notifier& notifier) {
  sweeper.Add("deadline", [&notifier](db::Tx& tx, Millis now) { return SendDeadlineReminders(tx, notifier, now); });
}

}  // namespace atelier::events
