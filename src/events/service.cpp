#include "events/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <exception>

#include "common/error.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/text.h"
#include "events/event_lookup.h"
#include "events/validate.h"
#include "groups/membership.h"

namespace atelier::events {

namespace {
// Event budgets (token buckets): each new event notifies every member of the group.
constexpr Millis kEventWindow = 3600LL * 1000;
constexpr int kEventsPerUserHour = 20;
constexpr int kEventsPerGroupHour = 30;

ApiError WrongPhase(std::string detail) { return Conflict("wrong_phase", std::move(detail)); }

std::string PhaseMessage(const EventInfo& e, Phase to) {
  switch (to) {
    case Phase::kOpen:
      return "New event " + Quoted(e.name) + ": submissions are open";
    case Phase::kVoting:
      return "Voting has started in " + Quoted(e.name);
    case Phase::kMatching:
      return "Voting has ended in " + Quoted(e.name) + "; matching has started";
    case Phase::kClosed:
      return Quoted(e.name) + " has ended";
  }
  return Quoted(e.name) + " changed phase";
}

void NotifyPhase(const notify::Notifier& notifier, db::Tx& tx, const EventInfo& e) {
  boost::json::object data{{"eventId", IdStr(e.id)}, {"groupId", IdStr(e.group_id)}, {"phase", PhaseName(e.phase)}};
  notifier.NotifyGroupMembers(tx, e.group_id, notify::Type::kEventStatusUpdate, PhaseMessage(e, e.phase), data);
}

// The scheduler retries on its next pass (the event stays due): rate-limited, since with
// the database down or one event failing every pass the same line would repeat.
void LogError(std::int64_t event_id, const char* what) {
  if (event_id == 0) {
    log::WriteLimited("scheduler", log::kRepeatEvery, log::Level::kError, "reading the due events failed",
                      {{"component", "scheduler"}, {"error", what}});
  } else {
    log::WriteLimited("scheduler.event", log::kRepeatEvery, log::Level::kError, "phase change failed",
                      {{"component", "scheduler"}, {"event_id", event_id}, {"error", what}});
  }
}

// The Event resource for a caller who has used `used_votes` in it; the row's strings move.
api::Event ToResource(EventInfo&& e, int used_votes) {
  auto time = [](const std::optional<Millis>& t) -> std::optional<Time> {
    if (!t) return std::nullopt;
    return Time{*t};
  };
  return {.id = {e.id},
          .groupId = {e.group_id},
          .name = std::move(e.name),
          .description = std::move(e.description),
          .phase = e.phase,
          .votingStartsAt = time(e.schedule.times[0]),
          .matchingStartsAt = time(e.schedule.times[1]),
          .endsAt = time(e.schedule.times[2]),
          .votesPerMember = e.votes_per_member,
          .maxArtworksPerMember = e.max_artworks_per_member,
          .artworkCount = e.artwork_count,
          .createdAt = {e.created_at},
          .myVotesRemaining = std::max(0, e.votes_per_member - used_votes),
          .anonymousVoting = e.anonymous_voting,
          .tradesDueAt = time(e.trades_due_at),
          .avoidRepeatPartners = e.avoid_repeat_partners};
}

}  // namespace

api::Event EventService::Create(std::int64_t user_id, std::int64_t group_id, const EventInput& in,
                                db::CommitToken& durable) {
  Validation v;
  EventInfo e;
  e.group_id = group_id;
  e.name = CheckLine("name", in.name.value_or(""), kMaxName, v);
  if (in.description && *in.description) {
    e.description = **in.description;
    CheckText("description", e.description, kMaxDescription, v);
  }
  std::array<bool, 3> given{};
  for (size_t i = 0; i < 3; ++i) {
    if (in.times[i] && *in.times[i]) {
      e.schedule.times[i] = *in.times[i];
      given[i] = true;
    }
  }
  e.votes_per_member = static_cast<int>(in.votes_per_member.value_or(kDefaultVotesPerMember));
  CheckRange("votesPerMember", in.votes_per_member.value_or(kDefaultVotesPerMember), 1, 50, v);
  e.max_artworks_per_member = static_cast<int>(in.max_artworks_per_member.value_or(kDefaultMaxArtworksPerMember));
  CheckRange("maxArtworksPerMember", in.max_artworks_per_member.value_or(kDefaultMaxArtworksPerMember), 1, 10, v);
  e.anonymous_voting = in.anonymous_voting.value_or(false);
  if (in.trades_due_at) e.trades_due_at = *in.trades_due_at;
  e.avoid_repeat_partners = in.avoid_repeat_partners.value_or(true);
  e.phase = Phase::kOpen;
  e.created_by = user_id;
  limiter_.Require("event:user:" + std::to_string(user_id), kEventsPerUserHour, kEventWindow,
                   "Too many new events; try again later");

  return db_.Write(durable, [&](db::Tx& tx) {
    // Membership first: an outsider learns nothing, not even which fields are wrong.
    groups::RequireAdmin(tx, group_id, user_id);
    // After the role check, so that outsiders cannot spend a group's budget.
    limiter_.Require("event:group:" + std::to_string(group_id), kEventsPerGroupHour, kEventWindow,
                     "Too many new events in this group; try again later");
    Millis now = clock_.Now();
    Validation tv = v;
    CheckSchedule(e.schedule, e.phase, now, given, tv);
    CheckTradesDue(e.trades_due_at, e.schedule, now, e.trades_due_at.has_value(), given[2], tv);
    tv.ThrowIfAny();
    EventInfo row = e;
    row.created_at = now;
    store::InsertEvent(tx, row);
    NotifyPhase(notifier_, tx, row);
    return ToResource(std::move(row), 0);
  });
}

PageOfItems<api::Event> EventService::List(std::int64_t user_id, std::int64_t group_id, int limit,
                                           const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> before;
  if (cursor) before = DecodeCursor(*cursor, 1)[0];
  return db_.Read([&](db::Tx& tx) {
    groups::RequireMember(tx, group_id, user_id);
    auto rows = store::ListGroupEvents(tx, group_id, before, limit + 1);
    PageOfItems<api::Event> page;
    if (static_cast<int>(rows.size()) > limit) {
      rows.resize(limit);
      page.nextCursor = EncodeCursor({rows.back().id});
    }
    page.items.reserve(rows.size());
    for (auto& e : rows) {
      int used = UsedVotes(tx, e.id, user_id);
      page.items.push_back(ToResource(std::move(e), used));
    }
    return page;
  });
}

api::Event EventService::GetEvent(std::int64_t user_id, std::int64_t event_id) {
  return db_.Read([&](db::Tx& tx) {
    EventInfo e = MustLoadEvent(tx, event_id, false);
    groups::RequireMember(tx, e.group_id, user_id);
    int used = UsedVotes(tx, e.id, user_id);
    return ToResource(std::move(e), used);
  });
}

api::Event EventService::Update(std::int64_t user_id, std::int64_t event_id, const EventInput& in,
                                db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    EventInfo e = MustLoadEvent(tx, event_id, true);
    groups::RequireAdmin(tx, e.group_id, user_id);
    if (e.phase == Phase::kClosed) throw WrongPhase("A closed event cannot be changed");
    Validation v;
    if (in.name) e.name = CheckLine("name", *in.name, kMaxName, v);
    if (in.description) {
      e.description = in.description->value_or("");
      CheckText("description", e.description, kMaxDescription, v);
    }
    std::array<bool, 3> changed{};
    for (size_t i = 0; i < 3; ++i) {
      if (!in.times[i] || *in.times[i] == e.schedule.times[i]) continue;
      e.schedule.times[i] = *in.times[i];
      changed[i] = true;
    }
    CheckSchedule(e.schedule, e.phase, clock_.Now(), changed, v);
    const bool due_changed = in.trades_due_at && *in.trades_due_at != e.trades_due_at;
    if (due_changed) e.trades_due_at = *in.trades_due_at;
    CheckTradesDue(e.trades_due_at, e.schedule, clock_.Now(), due_changed, changed[2], v);
    if (in.votes_per_member && *in.votes_per_member != e.votes_per_member) {
      CheckRange("votesPerMember", *in.votes_per_member, 1, 50, v);
      if (CountsVisible(e.phase)) throw WrongPhase("votesPerMember cannot change after voting has ended");
      e.votes_per_member = static_cast<int>(*in.votes_per_member);
    }
    if (in.max_artworks_per_member && *in.max_artworks_per_member != e.max_artworks_per_member) {
      CheckRange("maxArtworksPerMember", *in.max_artworks_per_member, 1, 10, v);
      if (e.phase != Phase::kOpen) throw WrongPhase("maxArtworksPerMember can change only while submissions are open");
      e.max_artworks_per_member = static_cast<int>(*in.max_artworks_per_member);
    }
    if (in.anonymous_voting && *in.anonymous_voting != e.anonymous_voting) {
      if (e.phase != Phase::kOpen) throw WrongPhase("anonymousVoting can change only while submissions are open");
      e.anonymous_voting = *in.anonymous_voting;
    }
    if (in.avoid_repeat_partners && *in.avoid_repeat_partners != e.avoid_repeat_partners) {
      if (e.phase != Phase::kOpen) throw WrongPhase("avoidRepeatPartners can change only while submissions are open");
      e.avoid_repeat_partners = *in.avoid_repeat_partners;
    }
    v.ThrowIfAny();
    store::UpdateEvent(tx, e);
    int used = UsedVotes(tx, e.id, user_id);
    return ToResource(std::move(e), used);
  });
}

api::Event EventService::Advance(std::int64_t user_id, std::int64_t event_id, Phase to, db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    EventInfo e = MustLoadEvent(tx, event_id, true);
    groups::RequireAdmin(tx, e.group_id, user_id);
    auto next = NextPhase(e.phase);
    if (!next || *next != to) {
      throw WrongPhase("The event is in phase " + std::string(PhaseName(e.phase)) + "; it can only move to " +
                       (next ? std::string(PhaseName(*next)) : std::string("no other phase")));
    }
    if (!ChangePhase(tx, event_id, e.phase, to)) throw WrongPhase("The event changed phase meanwhile");
    int used = UsedVotes(tx, event_id, user_id);
    return ToResource(MustLoadEvent(tx, event_id, false), used);
  });
}

bool EventService::ChangePhase(db::Tx& tx, std::int64_t event_id, Phase from, Phase to) const {
  auto e = store::LoadEvent(tx, event_id, false);
  if (!e || e->phase != from || NextPhase(from) != to) return false;
  if (!store::CasPhase(tx, event_id, from, to, NextTransitionAt(e->schedule, to))) return false;
  e->phase = to;
  NotifyPhase(notifier_, tx, *e);
  hooks_.Run(tx, *e, from, to);
  return true;
}

int EventService::AdvanceDue(int max_events) {
  int changed = 0;
  try {
    Millis now = clock_.Now();
    auto due = db_.Read([&](db::Tx& tx) { return store::DueEvents(tx, now, max_events); });
    for (std::int64_t id : due) {
      try {
        bool done = db_.Write([&](db::Tx& tx) {
          auto phase = store::ClaimDueEvent(tx, id, now);
          if (!phase) return false;  // no longer due, or another process holds it
          auto next = NextPhase(*phase);
          return next && ChangePhase(tx, id, *phase, *next);
        });
        if (done) ++changed;
      } catch (const std::exception& ex) {
        LogError(id, ex.what());
      }
    }
  } catch (const std::exception& ex) {
    LogError(0, ex.what());
  }
  return changed;
}

}  // namespace atelier::events
