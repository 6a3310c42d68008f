#include "matching/match_service.h"

#include <boost/json.hpp>

#include "accounts/auth.h"
#include "artworks/artwork_service.h"
#include "artworks/artwork_store.h"
#include "common/error.h"
#include "common/json_util.h"
#include "common/text.h"
#include "events/event_lookup.h"
#include "events/phase.h"
#include "groups/membership.h"
#include "matching/match_store.h"
#include "matching/pairing.h"

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

boost::json::object LikeJson(const store::LikeRow& l) {
  boost::json::object o{{"artworkId", IdStr(l.artwork_id)}, {"createdAt", FormatTime(l.created_at)}};
  if (l.rank)
    o["rank"] = *l.rank;
  else
    o["rank"] = nullptr;
  return o;
}

// The artwork of a like, with its event, for a member of the event's group (404 for
// anyone else). The event row is locked so that the phase read here holds until commit.
struct Target {
  artworks::ArtworkRow art;
  EventInfo event;
};
Target MustLoadTarget(db::Tx& tx, std::int64_t artwork_id, std::int64_t user_id) {
  auto art = artworks::store::Find(tx, artwork_id, user_id);
  if (!art) throw NotFound();
  EventInfo e = MustLoadEvent(tx, art->event_id, true);
  groups::RequireMember(tx, e.group_id, user_id);
  return {std::move(*art), std::move(e)};
}

// The match as `viewer` sees it: artworks carry the viewer's myVote/myLike. Matches exist
// only once voting has ended, so vote counts are visible.
boost::json::object MatchJson(db::Tx& tx, const MatchRow& m, std::int64_t viewer) {
  boost::json::array participants;
  for (const auto& p : m.participants) {
    boost::json::value artwork = nullptr;
    if (auto art = artworks::store::Find(tx, p.artwork_id, viewer))
      artwork = artworks::ArtworkService::ArtworkJson(*art, true);
    participants.push_back({{"user", accounts::PublicUser(p.user_id, p.username, p.display_name)},
                            {"artwork", std::move(artwork)},
                            {"accepted", p.accepted},
                            {"received", p.received}});
  }
  return {{"id", IdStr(m.id)},
          {"eventId", IdStr(m.event_id)},
          {"status", m.status},
          {"createdAt", FormatTime(m.created_at)},
          {"participants", std::move(participants)}};
}

boost::json::object MatchPage(db::Tx& tx, std::vector<std::int64_t> ids, int limit, std::int64_t viewer) {
  std::optional<std::string> next;
  if (static_cast<int>(ids.size()) > limit) {
    ids.resize(limit);
    next = EncodeCursor({ids.back()});
  }
  boost::json::array items;
  for (auto id : ids)
    if (auto m = store::LoadMatch(tx, id)) items.push_back(MatchJson(tx, *m, viewer));
  return Page(std::move(items), next);
}

std::string DisplayName(db::Tx& tx, std::int64_t user_id) {
  auto row = tx.QueryOne("SELECT display_name FROM users WHERE id = $1", user_id);
  return row ? row->Str(0) : std::string("Someone");
}

}  // namespace

boost::json::object MatchService::Like(std::int64_t user_id, std::int64_t artwork_id, std::optional<std::int64_t> rank,
                                       db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    auto t = MustLoadTarget(tx, artwork_id, user_id);
    if (t.event.phase != Phase::kMatching) throw WrongPhase("Likes can be given only while the event is MATCHING");
    if (t.art.artist_id == user_id) throw Forbidden("You cannot like your own artwork", "cannot_like_own");
    if (!store::HasArtwork(tx, t.event.id, user_id))
      throw Forbidden("Only artists who submitted an artwork to this event can like its artworks", "not_a_participant");
    return LikeJson(store::UpsertLike(tx, user_id, artwork_id, t.event.id, rank, clock_.Now()));
  });
}

void MatchService::Unlike(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable) {
  db_.Write(durable, [&](db::Tx& tx) {
    auto t = MustLoadTarget(tx, artwork_id, user_id);
    if (t.event.phase != Phase::kMatching) throw WrongPhase("Likes can be withdrawn only while the event is MATCHING");
    store::DeleteLike(tx, user_id, artwork_id);
  });
}

boost::json::object MatchService::ListLikes(std::int64_t user_id, std::int64_t event_id, int limit,
                                            const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> after;
  if (cursor) after = DecodeCursor(*cursor, 1)[0];
  return db_.Read([&](db::Tx& tx) {
    EventInfo e = MustLoadEvent(tx, event_id);
    groups::RequireMember(tx, e.group_id, user_id);
    auto rows = store::ListLikes(tx, event_id, user_id, after, limit + 1);
    std::optional<std::string> next;
    if (static_cast<int>(rows.size()) > limit) {
      rows.resize(limit);
      next = EncodeCursor({rows.back().artwork_id});
    }
    boost::json::array items;
    for (const auto& l : rows) items.push_back(LikeJson(l));
    return Page(std::move(items), next);
  });
}

boost::json::object MatchService::Act(std::int64_t user_id, std::int64_t match_id, MatchAction action,
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
    std::string news;  // what the other participant is told; empty when nothing changed
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
        news = name + " declined your match" + where;
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
    if (!news.empty() && other) {
      boost::json::object data{{"matchId", IdStr(match_id)}, {"eventId", IdStr(m->event_id)}};
      notifier_.Notify(tx, other->user_id, notify::Type::kMatchUpdate, news, data);
    }
    return MatchJson(tx, *store::LoadMatch(tx, match_id), user_id);
  });
}

boost::json::object MatchService::ListEventMatches(std::int64_t user_id, std::int64_t event_id, int limit,
                                                   const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> after;
  if (cursor) after = DecodeCursor(*cursor, 1)[0];
  return db_.Read([&](db::Tx& tx) {
    EventInfo e = MustLoadEvent(tx, event_id);
    auto role = groups::RequireMember(tx, e.group_id, user_id);
    std::optional<std::int64_t> only;
    if (role == groups::Role::kMember) only = user_id;
    return MatchPage(tx, store::EventMatchIds(tx, event_id, only, after, limit + 1), limit, user_id);
  });
}

boost::json::object MatchService::ListMyMatches(std::int64_t user_id, int limit,
                                                const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> before;
  if (cursor) before = DecodeCursor(*cursor, 1)[0];
  return db_.Read(
      [&](db::Tx& tx) { return MatchPage(tx, store::UserMatchIds(tx, user_id, before, limit + 1), limit, user_id); });
}

void MatchService::CreateMatches(db::Tx& tx, const EventInfo& event) const {
  auto pairs = ComputePairing(store::EventLikes(tx, event.id, event.group_id));
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

}  // namespace atelier::matching
