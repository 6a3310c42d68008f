#include "events/phase.h"

#include <string>

namespace atelier::events {

namespace {
constexpr std::array<std::string_view, 4> kNames = {"OPEN", "VOTING", "MATCHING", "CLOSED"};
}  // namespace

std::string_view PhaseName(Phase p) { return kNames[static_cast<size_t>(p)]; }

std::optional<Phase> ParsePhase(std::string_view s) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == s) return static_cast<Phase>(i);
  return std::nullopt;
}

std::optional<Phase> NextPhase(Phase p) {
  if (p == Phase::kClosed) return std::nullopt;
  return static_cast<Phase>(static_cast<int>(p) + 1);
}

std::optional<Millis> NextTransitionAt(const Schedule& s, Phase p) {
  if (p == Phase::kClosed) return std::nullopt;
  return s.times[static_cast<size_t>(p)];
}

void CheckSchedule(const Schedule& s, Phase phase, Millis now, const std::array<bool, 3>& changed, Validation& v) {
  const size_t first_upcoming = static_cast<size_t>(phase);
  std::array<bool, 3> reported{};  // one error per field
  for (size_t i = 0; i < 3; ++i) {
    if (!changed[i]) continue;
    std::string field(kScheduleFields[i]);
    if (i < first_upcoming) {
      v.Add(field, "invalid", "this phase change has already happened");
      reported[i] = true;
    } else if (s.times[i] && *s.times[i] <= now) {
      v.Add(field, "invalid", "must be in the future");
      reported[i] = true;
    }
  }
  // The changes still to come, in order; a time equal to or before an earlier one would
  // make a phase of no length, or change phases out of order.
  std::optional<Millis> previous;
  for (size_t i = first_upcoming; i < 3; ++i) {
    if (!s.times[i]) continue;
    if (previous && *s.times[i] <= *previous && !reported[i])
      v.Add(std::string(kScheduleFields[i]), "invalid", "must be after the earlier phase times");
    previous = s.times[i];
  }
}

void CheckTradesDue(std::optional<Millis> trades_due_at, const Schedule& s, Millis now, bool changed, bool ends_changed,
                    Validation& v) {
  if (!trades_due_at) return;
  if (changed && *trades_due_at <= now) {
    v.Add("tradesDueAt", "invalid", "must be in the future");
    return;
  }
  const auto& ends_at = s.times[2];
  if ((changed || ends_changed) && ends_at && *trades_due_at <= *ends_at)
    v.Add(changed ? "tradesDueAt" : "endsAt", "invalid",
          changed ? "must be after endsAt" : "must be before tradesDueAt");
}

}  // namespace atelier::events
