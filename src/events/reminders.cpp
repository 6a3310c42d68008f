#include "events/reminders.h"

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "common/human_time.h"
#include "common/json_util.h"

namespace atelier::events {

namespace {

struct DueEvent {
  std::int64_t id = 0;
  std::string name;
  std::string phase;
  Millis ends_at = 0;
};

// Who is reminded, per phase: the claim rows inserted (and returned) for the event. The
// phase is checked again here, inside the transaction that claims.
constexpr const char* kClaimVoting =
    "INSERT INTO reminders_sent (kind, user_id, subject_id, sent_at) "
    "SELECT 'DEADLINE_REMINDER:VOTING', m.user_id, e.id, $2 FROM events e "
    "JOIN memberships m ON m.group_id = e.group_id "
    "LEFT JOIN vote_budgets b ON b.event_id = e.id AND b.user_id = m.user_id "
    "WHERE e.id = $1 AND e.phase = 'VOTING' AND COALESCE(b.used, 0) < e.votes_per_member "
    "ON CONFLICT DO NOTHING RETURNING user_id";
constexpr const char* kClaimMatching =
    "INSERT INTO reminders_sent (kind, user_id, subject_id, sent_at) "
    "SELECT 'DEADLINE_REMINDER:MATCHING', m.user_id, e.id, $2 FROM events e "
    "JOIN memberships m ON m.group_id = e.group_id "
    "WHERE e.id = $1 AND e.phase = 'MATCHING' "
    "AND EXISTS (SELECT 1 FROM artworks a WHERE a.event_id = e.id AND a.artist_id = m.user_id) "
    "AND NOT EXISTS (SELECT 1 FROM likes l WHERE l.event_id = e.id AND l.liker_id = m.user_id) "
    "ON CONFLICT DO NOTHING RETURNING user_id";

}  // namespace

int SendDeadlineReminders(db::Tx& tx, const notify::Notifier& notifier, Millis now) {
  std::vector<DueEvent> due;
  for (const auto& r : tx.Query(
           "SELECT id, name, phase, CASE WHEN phase = 'VOTING' THEN matching_starts_at ELSE ends_at END FROM events "
           "WHERE (phase = 'VOTING' AND matching_starts_at IS NOT NULL AND matching_starts_at > $1 "
           "AND matching_starts_at <= $2) "
           "OR (phase = 'MATCHING' AND ends_at IS NOT NULL AND ends_at > $1 AND ends_at <= $2) ORDER BY id",
           now, now + kDeadlineReminderLead))
    due.push_back({r.Int(0), r.Str(1), r.Str(2), r.Int(3)});
  int sent = 0;
  for (const auto& e : due) {
    auto claimed = tx.Query(e.phase == "VOTING" ? kClaimVoting : kClaimMatching, e.id, now);
    if (claimed.empty()) continue;
    const std::string when = FormatHumanTime(e.ends_at);
    const std::string message =
        e.phase == "VOTING"
            ? "Voting in \"" + e.name + "\" ends on " + when + ", and you have votes left"
            : "Matching in \"" + e.name + "\" ends on " + when + ", and you have not liked any artwork yet";
    boost::json::object data{{"eventId", IdStr(e.id)}, {"phase", e.phase}, {"endsAt", FormatTime(e.ends_at)}};
    for (const auto& r : claimed) notifier.Notify(tx, r.Int(0), notify::Type::kDeadlineReminder, message, data);
    sent += static_cast<int>(claimed.size());
  }
  return sent;
}

}  // namespace atelier::events
