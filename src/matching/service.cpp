#include "matching/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <utility>

#include "artworks/artwork_view.h"
#include "common/error.h"
#include "common/json_util.h"
#include "common/text.h"
#include "events/event_lookup.h"
#include "events/phase.h"
#include "groups/membership.h"
#include "matching/match_view.h"
#include "matching/pairing.h"
#include "matching/store.h"
#include "matching/trade_store.h"
#include "notify/reminders.h"

namespace atelier::matching {

namespace {
using events::EventInfo;
using events::MustLoadEvent;
using events::Phase;
using store::MatchRow;
using store::ParticipantRow;

constexpr const char* kPending = "PENDING";
constexpr const char* kAccepted = "ACCEPTED";
constexpr const char* kDeclined = "DECLINED";
constexpr const char* kCompleted = "COMPLETED";

ApiError WrongPhase(std::string detail) { return Conflict("wrong_phase", std::move(detail)); }

api::Like LikeOf(const store::LikeRow& l) { return {Id{l.artwork_id}, Time{l.created_at}, l.rank}; }

// The artwork of a like, with its event, for a member of the event's group (404 for
// anyone else). The event row is locked so that the phase read here holds until commit.
struct Target {
  artworks::ArtworkRef art;
  EventInfo event;
};
Target MustLoadTarget(db::Tx& tx, std::int64_t artwork_id, std::int64_t user_id) {
  auto art = artworks::FindArtwork(tx, artwork_id);
  if (!art) throw NotFound();
  EventInfo e = MustLoadEvent(tx, art->event_id, true);
  groups::RequireMember(tx, e.group_id, user_id);
  return {*art, std::move(e)};
}

PageOfItems<api::Match> MatchPage(db::Tx& tx, const artworks::ArtworkHooks& hooks, std::vector<std::int64_t> ids,
                                  int limit, std::int64_t viewer) {
  PageOfItems<api::Match> page;
  if (static_cast<int>(ids.size()) > limit) {
    ids.resize(limit);
    page.nextCursor = EncodeCursor({ids.back()});
  }
  for (auto id : ids)
    if (auto m = store::LoadMatch(tx, id)) page.items.push_back(ViewMatch(tx, hooks, *m, viewer));
  return page;
}

std::string DisplayName(db::Tx& tx, std::int64_t user_id) {
  auto row = tx.QueryOne("SELECT display_name FROM users WHERE id = $1", user_id);
  return row ? row->Str(0) : std::string("Someone");
}

}  // namespace

// The match as `viewer` sees it: artworks carry the viewer's myVote/myLike. Matches are
// made when the event leaves MATCHING for CLOSED, its last phase: their event is CLOSED.
api::Match ViewMatch(db::Tx& tx, const artworks::ArtworkHooks& hooks, const MatchRow& m, std::int64_t viewer) {
  api::Match out{Id{m.id}, Id{m.event_id}, m.status, Time{m.created_at}, {}};
  out.participants.reserve(m.participants.size());
  const auto deliveries = store::MatchDeliveries(tx, m.id);  // by user id, as the participants
  for (const auto& p : m.participants) {
    api::MatchParticipant mp{api::PublicUser{Id{p.user_id}, p.username, p.display_name},
                             artworks::ViewArtwork(tx, hooks, p.artwork_id, viewer, Phase::kClosed),
                             p.accepted,
                             p.received,
                             p.decliner,
                             std::nullopt};
    for (const auto& d : deliveries)
      if (d.user_id == p.user_id) mp.delivery = DeliveryOf(d);
    out.participants.push_back(std::move(mp));
  }
  return out;
}

api::Delivery DeliveryOf(const store::DeliveryRow& d) {
  const std::string base = "/api/v1/deliveries/" + std::to_string(d.id);
  return {d.title,
          d.description,
          base + "/image?v=" + d.image_key.substr(0, 16),
          base + "/thumbnail?v=" + d.thumb_key.substr(0, 16),
          d.width,
          d.height,
          Time{d.created_at}};
}

api::Like MatchService::Like(std::int64_t user_id, std::int64_t artwork_id, std::optional<std::int64_t> rank,
                             db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    auto t = MustLoadTarget(tx, artwork_id, user_id);
    if (t.event.phase != Phase::kMatching) throw WrongPhase("Likes can be given only while the event is MATCHING");
    if (t.art.artist_id == user_id) throw Forbidden("You cannot like your own artwork", "cannot_like_own");
    if (!artworks::HasArtworkIn(tx, t.event.id, user_id))
      throw Forbidden("Only artists who submitted an artwork to this event can like its artworks", "not_a_participant");
    return LikeOf(store::UpsertLike(tx, user_id, artwork_id, t.event.id, rank, clock_.Now()));
  });
}

void MatchService::Unlike(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable) {
  db_.Write(durable, [&](db::Tx& tx) {
    auto t = MustLoadTarget(tx, artwork_id, user_id);
    if (t.event.phase != Phase::kMatching) throw WrongPhase("Likes can be withdrawn only while the event is MATCHING");
    store::DeleteLike(tx, user_id, artwork_id);
  });
}

PageOfItems<api::Like> MatchService::ListLikes(std::int64_t user_id, std::int64_t event_id, int limit,
                                               const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> after;
  if (cursor) after = DecodeCursor(*cursor, 1)[0];
  return db_.Read([&](db::Tx& tx) {
    EventInfo e = MustLoadEvent(tx, event_id);
    groups::RequireMember(tx, e.group_id, user_id);
    auto rows = store::ListLikes(tx, event_id, user_id, after, limit + 1);
    PageOfItems<api::Like> page;
    if (static_cast<int>(rows.size()) > limit) {
      rows.resize(limit);
      page.nextCursor = EncodeCursor({rows.back().artwork_id});
    }
    page.items.reserve(rows.size());
    for (const auto& l : rows) page.items.push_back(LikeOf(l));
    return page;
  });
}

api::Match MatchService::Act(std::int64_t user_id, std::int64_t match_id, MatchAction action,
                             db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    auto m = store::LoadMatch(tx, match_id, true);
    if (!m) throw NotFound();
    const ParticipantRow* me = nullptr;
    const ParticipantRow* other = nullptr;
    for (const auto& p : m->participants) (p.user_id == user_id ? me : other) = &p;
    if (!me) throw NotFound();
    groups::RequireMember(tx, m->group_id, user_id);

    // A repeat of what the caller has done already changes nothing and answers the match.
    std::string status = m->status;
    std::string news;     // what the other participant is told; empty when nothing changed
    bool repair = false;  // a decline frees both artists: the event is paired again
    const std::string& name = me->display_name;
    const std::string where = " in " + Quoted(m->event_name);
    switch (action) {
      case MatchAction::kAccept:
        if (me->accepted) break;
        if (status != kPending) throw WrongPhase("Only a PENDING match can be accepted; this one is " + status);
        store::SetAccepted(tx, match_id, user_id);
        if (other && other->accepted) {
          status = kAccepted;
          news = name + " accepted your match" + where + ": the trade is on";
        } else {
          news = name + " accepted your match" + where + "; accept it too to start the trade";
        }
        break;
      case MatchAction::kDecline:
        if (status == kDeclined) break;
        if (status != kPending) throw WrongPhase("Only a PENDING match can be declined; this one is " + status);
        status = kDeclined;
        store::SetDecliner(tx, match_id, user_id);
        news = name + " declined your match" + where;
        repair = true;
        break;
      case MatchAction::kComplete:
        if (me->received) break;
        if (status != kAccepted)
          throw WrongPhase("Art can be marked received only in an ACCEPTED match; this one is " + status);
        store::SetReceived(tx, match_id, user_id);
        if (other && other->received) {
          status = kCompleted;
          news = name + " received your art" + where + ": the trade is complete";
        } else {
          news = name + " received your art" + where;
        }
        break;
    }
    if (status != m->status) store::SetStatus(tx, match_id, status);
    if (status == kCompleted && m->status != kCompleted) store::SetCompletedAt(tx, match_id, clock_.Now());
    if (!news.empty() && other) {
      boost::json::object data{{"matchId", IdStr(match_id)}, {"eventId", IdStr(m->event_id)}};
      notifier_.Notify(tx, other->user_id, notify::Type::kMatchUpdate, news, data);
    }
    if (repair) RePair(tx, MustLoadEvent(tx, m->event_id));
    return ViewMatch(tx, artworks_, *store::LoadMatch(tx, match_id), user_id);
  });
}

PageOfItems<api::Match> MatchService::ListEventMatches(std::int64_t user_id, std::int64_t event_id, int limit,
                                                       const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> after;
  if (cursor) after = DecodeCursor(*cursor, 1)[0];
  return db_.Read([&](db::Tx& tx) {
    EventInfo e = MustLoadEvent(tx, event_id);
    auto role = groups::RequireMember(tx, e.group_id, user_id);
    std::optional<std::int64_t> only;
    if (role == groups::Role::kMember) only = user_id;
    return MatchPage(tx, artworks_, store::EventMatchIds(tx, event_id, only, after, limit + 1), limit, user_id);
  });
}

PageOfItems<api::Match> MatchService::ListMyMatches(std::int64_t user_id, int limit,
                                                    const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> before;
  if (cursor) before = DecodeCursor(*cursor, 1)[0];
  return db_.Read([&](db::Tx& tx) {
    return MatchPage(tx, artworks_, store::UserMatchIds(tx, user_id, before, limit + 1), limit, user_id);
  });
}

namespace {

constexpr Millis kTradeReminderWindow = 24LL * 3600 * 1000;
constexpr int kRemindersPerSweep = 200;
constexpr const char* kNoMutualLikes = "no_mutual_likes";
constexpr const char* kPairedElsewhere = "paired_elsewhere";

// The event's likes by members, each with the liked artwork's artist (ComputePairing's input).
std::vector<Like> LikesWithArtists(db::Tx& tx, const EventInfo& event) {
  auto likes = store::EventLikes(tx, event.id, event.group_id);
  const auto artworks = artworks::EventArtworks(tx, event.id);  // by id
  for (auto& like : likes) {
    auto it = std::lower_bound(artworks.begin(), artworks.end(), like.artwork,
                               [](const artworks::ArtworkRef& a, std::int64_t id) { return a.id < id; });
    // A like's artwork is in the like's event (the service checks it; deleting the
    // artwork deletes the like), so it is found.
    if (it != artworks.end() && it->id == like.artwork) like.artist = it->artist_id;
  }
  std::erase_if(likes, [](const matching::Like& l) { return l.artist == 0; });
  return likes;
}

// The pairs the event's pairing never makes: the group's exclusions, the partners of the
// group's previous CLOSED event (avoidRepeatPartners) and the pairs that declined here.
PairingRules RulesFor(db::Tx& tx, const EventInfo& event) {
  PairingRules rules;
  rules.forbidden = store::ExcludedPairs(tx, event.group_id);
  if (event.avoid_repeat_partners) {
    auto previous = store::PreviousPartners(tx, event.group_id, event.id);
    rules.forbidden.insert(rules.forbidden.end(), previous.begin(), previous.end());
  }
  auto declined = store::DeclinedPairs(tx, event.id);
  rules.forbidden.insert(rules.forbidden.end(), declined.begin(), declined.end());
  return rules;
}

// The artists with at least one mutual like the rules allow.
std::set<std::int64_t> WithMutualLikes(const std::vector<Like>& likes, const PairingRules& rules) {
  std::set<std::pair<std::int64_t, std::int64_t>> liked;  // (liker, artist)
  for (const auto& l : likes)
    if (l.liker != l.artist) liked.emplace(l.liker, l.artist);
  std::set<std::pair<std::int64_t, std::int64_t>> forbidden;
  for (auto [a, b] : rules.forbidden) forbidden.emplace(std::min(a, b), std::max(a, b));
  std::set<std::int64_t> out;
  for (auto [liker, artist] : liked) {
    if (!liked.contains({artist, liker})) continue;
    if (forbidden.contains({std::min(liker, artist), std::max(liker, artist)})) continue;
    out.insert(liker);
  }
  return out;
}

std::string NoMatchMessage(const std::string& reason, const std::string& event_name) {
  if (reason == kNoMutualLikes)
    return "No match for you in " + Quoted(event_name) +
           ": artists are paired only when each likes the other's work, and nobody you could be paired with "
           "liked your art as you liked theirs";
  return "No match for you in " + Quoted(event_name) +
         ": everyone whose art you liked and who liked yours was paired with someone else, so that as many "
         "artists as possible got a match. If a match is declined, you may still be paired";
}

}  // namespace

void MatchService::StorePairs(db::Tx& tx, const EventInfo& event, const std::vector<Pair>& pairs) const {
  Millis now = clock_.Now();
  const std::string where = " in " + Quoted(event.name);
  for (const auto& pair : pairs) {
    std::int64_t id = store::InsertMatch(tx, event.id, pair, now);
    boost::json::object data{{"matchId", IdStr(id)}, {"eventId", IdStr(event.id)}};
    std::string name_a = DisplayName(tx, pair.user_a), name_b = DisplayName(tx, pair.user_b);
    const std::string tail = ": accept the match to trade art";
    notifier_.Notify(tx, pair.user_a, notify::Type::kNewMatch, "You matched with " + name_b + where + tail, data);
    notifier_.Notify(tx, pair.user_b, notify::Type::kNewMatch, "You matched with " + name_a + where + tail, data);
  }
}

void MatchService::CreateMatches(db::Tx& tx, const EventInfo& event) const {
  store::BumpPairingRound(tx, event.id);
  auto likes = LikesWithArtists(tx, event);
  auto rules = RulesFor(tx, event);
  const auto with_mutual = WithMutualLikes(likes, rules);
  auto pairs = ComputePairing(std::move(likes), rules);
  StorePairs(tx, event, pairs);

  // Why no match: every artist of the event who is still a member and was left out.
  std::set<std::int64_t> matched;
  for (const auto& p : pairs) matched.insert({p.user_a, p.user_b});
  std::set<std::int64_t> artists;
  for (const auto& a : artworks::EventArtworks(tx, event.id)) artists.insert(a.artist_id);
  boost::json::object data{{"eventId", IdStr(event.id)}};
  for (std::int64_t artist : artists) {
    if (matched.contains(artist) || !groups::RoleOf(tx, event.group_id, artist)) continue;
    const std::string reason = with_mutual.contains(artist) ? kPairedElsewhere : kNoMutualLikes;
    store::InsertUnmatched(tx, event.id, artist, reason);
    data["reason"] = reason;
    notifier_.Notify(tx, artist, notify::Type::kNoMatch, NoMatchMessage(reason, event.name), data);
  }
}

void MatchService::RePair(db::Tx& tx, const EventInfo& event) const {
  if (event.phase != Phase::kClosed) return;
  if (event.trades_due_at && clock_.Now() >= *event.trades_due_at) return;
  // First, so that two re-pairings of the event are ordered (see BumpPairingRound).
  store::BumpPairingRound(tx, event.id);
  auto likes = LikesWithArtists(tx, event);
  auto rules = RulesFor(tx, event);
  rules.unavailable = store::LiveParticipants(tx, event.id);
  StorePairs(tx, event, ComputePairing(std::move(likes), rules));
}

void MatchService::MembershipEnded(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) const {
  std::set<std::int64_t> events;
  for (auto [match_id, event_id] : store::OpenMatchesOf(tx, group_id, user_id)) {
    auto m = store::LoadMatch(tx, match_id, true);
    if (!m || (m->status != kPending && m->status != kAccepted)) continue;
    store::SetStatus(tx, match_id, kDeclined);
    events.insert(event_id);
    std::string name = DisplayName(tx, user_id);
    boost::json::object data{{"matchId", IdStr(match_id)}, {"eventId", IdStr(event_id)}};
    for (const auto& p : m->participants) {
      if (p.user_id == user_id) continue;
      notifier_.Notify(tx, p.user_id, notify::Type::kMatchUpdate,
                       "Your match with " + name + " in " + Quoted(m->event_name) + " has ended (" + kDeclined +
                           "): " + name + " is no longer in the group",
                       data);
    }
  }
  for (std::int64_t event_id : events) RePair(tx, MustLoadEvent(tx, event_id));
}

api::NoMatch MatchService::GetNoMatch(std::int64_t user_id, std::int64_t event_id) {
  return db_.Read([&](db::Tx& tx) {
    EventInfo e = MustLoadEvent(tx, event_id);
    groups::RequireMember(tx, e.group_id, user_id);
    api::NoMatch out{Id{event_id}, std::nullopt, std::nullopt};
    if (store::HasLiveMatch(tx, event_id, user_id)) return out;
    if (auto reason = store::UnmatchedReason(tx, event_id, user_id)) {
      out.message = NoMatchMessage(*reason, e.name);
      out.reason = std::move(reason);
    }
    return out;
  });
}

int MatchService::SendTradeReminders(db::Tx& tx, Millis now) const {
  int sent = 0;
  for (const auto& r : store::DueTradeReminders(tx, now, kTradeReminderWindow, kRemindersPerSweep)) {
    if (!notify::ClaimReminder(tx, notify::TypeName(notify::Type::kTradeReminder), r.user_id, r.match_id, now))
      continue;
    boost::json::object data{
        {"matchId", IdStr(r.match_id)}, {"eventId", IdStr(r.event_id)}, {"dueAt", FormatTime(r.due_at)}};
    notifier_.Notify(tx, r.user_id, notify::Type::kTradeReminder,
                     "Your trade in " + Quoted(r.event_name) + " is due by " + FormatTime(r.due_at) +
                         ": send your art and mark the art you receive as received",
                     data);
    ++sent;
  }
  return sent;
}

void MatchService::AddArtworkHooks(artworks::ArtworkHooks& hooks) const {
  hooks.AddMarks(
      [this](db::Tx& tx, Phase phase, std::int64_t viewer_id, std::int64_t lo, std::int64_t hi,
             const artworks::ArtworkHooks::MarksOf& marks_of) { MarkViewer(tx, phase, viewer_id, lo, hi, marks_of); });
  hooks.AddBeforeDelete([this](db::Tx& tx, std::int64_t artwork_id, const EventInfo& event) {
    BeforeArtworkDeleted(tx, artwork_id, event);
  });
}

void MatchService::MarkViewer(db::Tx& tx, Phase phase, std::int64_t viewer_id, std::int64_t lo, std::int64_t hi,
                              const artworks::ArtworkHooks::MarksOf& marks_of) const {
  if (phase == Phase::kMatching || phase == Phase::kClosed) {
    store::ViewerLikes(tx, viewer_id, lo, hi, [&marks_of](std::int64_t id, std::optional<std::int64_t> rank) {
      if (artworks::ViewerMarks* m = marks_of(id)) {
        m->liked = true;
        m->like_rank = rank;
      }
    });
  }
  if (phase == Phase::kClosed) {
    store::MatchedArtworks(tx, lo, hi, [&marks_of](std::int64_t id) {
      if (artworks::ViewerMarks* m = marks_of(id)) m->matched = true;
    });
  }
}

void MatchService::BeforeArtworkDeleted(db::Tx& tx, std::int64_t artwork_id, const EventInfo& event) const {
  for (const auto& m : store::DeleteMatchesOf(tx, artwork_id)) {
    if (m.status != kPending && m.status != kAccepted) continue;
    boost::json::object data{{"matchId", IdStr(m.id)}, {"eventId", IdStr(event.id)}};
    for (std::int64_t u : m.users)
      notifier_.Notify(tx, u, notify::Type::kMatchUpdate,
                       "Your match in " + Quoted(event.name) + " was cancelled: an artwork in it was removed", data);
  }
}

}  // namespace atelier::matching
