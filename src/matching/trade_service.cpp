#include "matching/trade_service.h"

#include <boost/json.hpp>

#include "common/error.h"
#include "common/json_util.h"
#include "common/text.h"
#include "events/event_lookup.h"
#include "events/validate.h"
#include "groups/membership.h"
#include "matching/match_view.h"
#include "matching/store.h"
#include "matching/trade_store.h"

namespace atelier::matching {

namespace {
using store::MatchRow;
using store::ParticipantRow;

constexpr std::string_view kPending = "PENDING";
constexpr std::string_view kAccepted = "ACCEPTED";
constexpr std::string_view kDeclined = "DECLINED";

ApiError MatchClosed(std::string detail) { return Conflict("match_closed", std::move(detail)); }

// The match with the caller's and the partner's rows, for a participant who is still a
// member of the group (404 for anyone else, owners and admins included).
struct Mine {
  MatchRow match;
  const ParticipantRow* me = nullptr;
  const ParticipantRow* other = nullptr;  // null only if the partner's artwork went
};
Mine MustLoadMine(db::Tx& tx, std::int64_t match_id, std::int64_t user_id, bool for_update) {
  auto m = store::LoadMatch(tx, match_id, for_update);
  if (!m) throw NotFound();
  Mine out{std::move(*m)};
  for (const auto& p : out.match.participants) (p.user_id == user_id ? out.me : out.other) = &p;
  if (!out.me) throw NotFound();
  groups::RequireMember(tx, out.match.group_id, user_id);
  return out;
}

// The delivery rules, in the order of their errors.
void CheckDeliverable(const Mine& mine) {
  const auto& status = mine.match.status;
  if (status == kDeclined) throw MatchClosed("This match was declined");
  if (status == kPending)
    throw Conflict("wrong_phase", "Art can be delivered only once both artists accepted the match");
  if (status != kAccepted || (mine.other && mine.other->received))
    throw MatchClosed("Your partner has already marked your art received");
}

api::MatchMessage MessageOf(const store::MessageRow& r) {
  return {Id{r.id}, Id{r.match_id}, api::PublicUser{Id{r.author_id}, r.author_username, r.author_display_name}, r.text,
          Time{r.created_at}};
}

}  // namespace

std::string TradeService::CheckMessage(const std::string& text) {
  Validation v;
  if (Trim(text).empty())
    v.Add("text", "invalid", "must not be empty");
  else
    events::CheckText("text", text, kMaxMessage, v);
  v.ThrowIfAny();
  return text;
}

api::MatchMessage TradeService::PostMessage(std::int64_t user_id, std::int64_t match_id, const std::string& text,
                                            db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    // The lock orders the message after a decline of the same match.
    auto mine = MustLoadMine(tx, match_id, user_id, true);
    if (mine.match.status == kDeclined) throw MatchClosed("This match was declined; no more messages can be sent");
    const Millis now = clock_.Now();
    const std::int64_t id = store::InsertMessage(tx, match_id, user_id, text, now);
    if (mine.other) {
      const std::int64_t to = mine.other->user_id;
      const std::int64_t waiting = store::WaitingMessages(tx, match_id, user_id, to);
      std::string news = mine.me->display_name + " wrote to you in your match in " + Quoted(mine.match.event_name);
      if (waiting > 1) news += " (" + std::to_string(waiting) + " messages wait for you)";
      boost::json::object data{
          {"matchId", IdStr(match_id)}, {"eventId", IdStr(mine.match.event_id)}, {"messageId", IdStr(id)}};
      // At most one mail an hour per match and recipient; every message is in the feed.
      const bool may_email = store::ClaimMessageMail(tx, match_id, to, now, kMessageMailInterval);
      notifier_.Notify(tx, to, notify::Type::kMatchMessage, news, data, may_email);
    }
    return MessageOf(*store::FindMessage(tx, id));
  });
}

PageOfItems<api::MatchMessage> TradeService::ListMessages(std::int64_t user_id, std::int64_t match_id, int limit,
                                                          const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> before;
  if (cursor) before = DecodeCursor(*cursor, 1)[0];
  return db_.Read([&](db::Tx& tx) {
    MustLoadMine(tx, match_id, user_id, false);
    auto rows = store::ListMessages(tx, match_id, before, limit + 1);
    PageOfItems<api::MatchMessage> page;
    if (static_cast<int>(rows.size()) > limit) {
      rows.resize(limit);
      page.nextCursor = EncodeCursor({rows.back().id});
    }
    page.items.reserve(rows.size());
    for (const auto& r : rows) page.items.push_back(MessageOf(r));
    return page;
  });
}

void TradeService::CheckCanDeliver(std::int64_t user_id, std::int64_t match_id) {
  db_.Read([&](db::Tx& tx) { CheckDeliverable(MustLoadMine(tx, match_id, user_id, false)); });
}

void TradeService::CheckText(std::string& title, std::optional<std::string>& description) {
  Validation v;
  title = events::CheckLine("title", title, events::kMaxName, v);
  if (description) events::CheckText("description", *description, events::kMaxDescription, v);
  v.ThrowIfAny();
}

api::Match TradeService::Deliver(std::int64_t user_id, std::int64_t match_id, const std::string& title,
                                 const std::string& description, const artworks::ProcessedImage& image,
                                 db::CommitToken& durable) {
  store::DeliveryRow d;
  d.match_id = match_id;
  d.user_id = user_id;
  d.title = title;
  d.description = description;
  // Held until the row has committed, so the collector cannot take a file this delivery
  // found already stored (artworks/image_collector.h).
  artworks::ImagePins pins;
  d.image_key = images_.Put(image.image, pins);
  d.image_type = image.image_type;
  d.thumb_key = images_.Put(image.thumb, pins);
  d.thumb_type = image.thumb_type;
  d.width = image.width;
  d.height = image.height;
  return db_.Write(durable, [&](db::Tx& tx) {
    // The match row's lock orders this after the partner's "received" (MatchService::Act
    // takes it too): a delivery is replaced only while the partner has not received it.
    auto mine = MustLoadMine(tx, match_id, user_id, true);
    CheckDeliverable(mine);
    store::DeliveryRow row = d;
    row.created_at = clock_.Now();
    store::UpsertDelivery(tx, row);
    if (mine.other) {
      boost::json::object data{{"matchId", IdStr(match_id)}, {"eventId", IdStr(mine.match.event_id)}};
      notifier_.Notify(tx, mine.other->user_id, notify::Type::kTradeDelivered,
                       mine.me->display_name + " delivered " + Quoted(title) + " to you in " +
                           Quoted(mine.match.event_name) + ": mark it received once you have it",
                       data);
    }
    return ViewMatch(tx, artworks_, *store::LoadMatch(tx, match_id), user_id);
  });
}

TradeService::ImageRef TradeService::Image(std::int64_t user_id, std::int64_t delivery_id, bool thumbnail) {
  return db_.Read([&](db::Tx& tx) {
    auto d = store::FindDelivery(tx, delivery_id);
    if (!d) throw NotFound();
    auto m = store::LoadMatch(tx, d->match_id);
    if (!m) throw NotFound();
    bool participant = false;
    for (const auto& p : m->participants) participant = participant || p.user_id == user_id;
    // Everyone who reads it is a member; the participants alone until the trade is complete.
    if (!groups::RoleOf(tx, m->group_id, user_id)) throw NotFound();
    if (!participant && m->status != "COMPLETED") throw NotFound();
    if (thumbnail) return ImageRef{d->thumb_key, d->thumb_type};
    return ImageRef{d->image_key, d->image_type};
  });
}

PageOfItems<api::Match> TradeService::ListTrades(std::int64_t user_id, std::int64_t event_id, int limit,
                                                 const std::optional<std::string>& cursor) {
  std::optional<std::pair<std::int64_t, std::int64_t>> after;
  if (cursor) {
    auto keys = DecodeCursor(*cursor, 2);
    after = std::make_pair(keys[0], keys[1]);
  }
  return db_.Read([&](db::Tx& tx) {
    auto e = events::MustLoadEvent(tx, event_id);
    groups::RequireMember(tx, e.group_id, user_id);
    auto keys = store::CompletedMatches(tx, event_id, after, limit + 1);
    PageOfItems<api::Match> page;
    if (static_cast<int>(keys.size()) > limit) {
      keys.resize(limit);
      page.nextCursor = EncodeCursor({keys.back().first, keys.back().second});
    }
    for (const auto& [completed_at, id] : keys)
      if (auto m = store::LoadMatch(tx, id)) page.items.push_back(ViewMatch(tx, artworks_, *m, user_id));
    return page;
  });
}

}  // namespace atelier::matching
