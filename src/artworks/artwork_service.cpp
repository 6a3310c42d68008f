#include "artworks/artwork_service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <climits>
#include <cstring>

#include "accounts/auth.h"
#include "artworks/ranking.h"
#include "common/error.h"
#include "common/json_util.h"
#include "common/text.h"
#include "events/event_lookup.h"
#include "events/phase.h"
#include "events/validate.h"
#include "groups/membership.h"

namespace atelier::artworks {

namespace {
using events::EventInfo;
using events::MustLoadEvent;
using events::Phase;

ApiError WrongPhase(std::string detail) { return Conflict("wrong_phase", std::move(detail)); }

// The event of a page, for a member of its group (404 for anyone else, as MustLoadEvent
// then groups::RequireMember would answer), in one statement.
store::PageContext MustLoadPageContext(db::Tx& tx, std::int64_t event_id, std::int64_t user_id) {
  auto page = store::LoadPageContext(tx, event_id, user_id);
  if (!page || !page->member) throw NotFound();
  return *page;
}

// The artwork and its event, for a member of the event's group (404 for anyone else).
struct Loaded {
  ArtworkRow art;
  EventInfo event;
  groups::Role role;
};
Loaded MustLoadForMember(db::Tx& tx, std::int64_t artwork_id, std::int64_t user_id) {
  auto art = store::Find(tx, artwork_id, user_id);
  if (!art) throw NotFound();
  EventInfo e = MustLoadEvent(tx, art->event_id);
  auto role = groups::RequireMember(tx, e.group_id, user_id);
  return {std::move(*art), std::move(e), role};
}

void CheckSubmission(db::Tx& tx, const EventInfo& e, std::int64_t user_id) {
  if (e.phase != Phase::kOpen) throw WrongPhase("Artworks can be submitted only while the event is OPEN");
  if (store::CountByArtist(tx, e.id, user_id) >= e.max_artworks_per_member)
    throw Conflict("artwork_limit_reached", "You have submitted " + std::to_string(e.max_artworks_per_member) +
                                                " artwork(s) to this event, the most it allows");
}

int Remaining(int votes_per_member, int used) { return std::max(0, votes_per_member - used); }

// The viewer's rows that can exist in an event in phase p. Phases only move forward
// (events::NextPhase; ChangePhase is the only writer of events.phase). Votes are inserted
// only while VOTING (Vote below), likes only while MATCHING (matching::MatchService::Like,
// which locks the event row; app/demo inserts its likes after advancing to MATCHING),
// matches only by the MATCHING → CLOSED hook (matching::MatchService::CreateMatches, wired
// in app/wire_matching.cpp). A page reads the event and its rows in one snapshot.
store::ViewerKinds ViewerKindsIn(Phase p) {
  return {.votes = p != Phase::kOpen,
          .likes = p == Phase::kMatching || p == Phase::kClosed,
          .matches = p == Phase::kClosed};
}

// What a vote checks before it changes anything, in the order of the errors: no such
// artwork or not a member (404), not VOTING (409 wrong_phase).
store::VoteTarget MustLoadVoteTarget(db::Tx& tx, std::int64_t artwork_id, std::int64_t user_id,
                                     const char* wrong_phase) {
  auto t = store::LoadVoteTarget(tx, artwork_id, user_id);
  if (!t || !t->member) throw NotFound();
  if (t->phase != Phase::kVoting) throw WrongPhase(wrong_phase);
  return *t;
}

// Room for one Artwork object in a page body (~550 bytes with short texts), so a page is
// written without regrowing the string.
constexpr size_t kArtworkJsonReserve = 768;

}  // namespace

std::string ArtworkService::ArtworkText(const ArtworkRow& a, bool counts_visible) {
  std::string out;
  out.reserve(kArtworkJsonReserve);
  JsonWriter w(out);
  WriteArtwork(w, a, counts_visible);
  return out;
}

void ArtworkService::WriteArtwork(JsonWriter& w, const ArtworkRow& a, bool counts_visible) {
  WriteArtworkHead(w, a);
  WriteArtworkTail(w, a, counts_visible);
}

void ArtworkService::WriteArtworkHead(JsonWriter& w, const ArtworkRow& a) {
  const std::string id = IdStr(a.id);
  // The key in the URL makes a cached image safe to keep for long: new bytes, new URL.
  const std::string_view image_version = std::string_view(a.image_key).substr(0, 16);
  const std::string_view thumb_version = std::string_view(a.thumb_key).substr(0, 16);
  w.BeginObject();
  w.Key("id").String(id);
  w.Key("eventId").String(IdStr(a.event_id));
  w.Key("artist");
  accounts::WritePublicUser(w, a.artist_id, a.artist_username, a.artist_display_name);
  w.Key("title").String(a.title);
  w.Key("description").String(a.description);
  w.Key("imageUrl").StringParts({"/api/v1/artworks/", id, "/image?v=", image_version});
  w.Key("thumbnailUrl").StringParts({"/api/v1/artworks/", id, "/thumbnail?v=", thumb_version});
  w.Key("width").Int(a.width);
  w.Key("height").Int(a.height);
  w.Key("createdAt").String(FormatTime(a.created_at));
}

void ArtworkService::WriteArtworkTail(JsonWriter& w, const ArtworkRow& a, bool counts_visible) {
  // Written for every artwork of every page: composed in a buffer and appended at once
  // (cheaper than a JsonWriter call per member). At most ~110 bytes.
  char buf[160];
  char* p = buf;
  auto put = [&p](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  auto put_int = [&p, &buf](std::int64_t v) { p = std::to_chars(p, buf + sizeof buf, v).ptr; };
  put("\"voteCount\":");
  if (counts_visible)
    put_int(a.vote_count);
  else
    put("null");
  put(a.my_vote ? ",\"myVote\":true,\"myLike\":" : ",\"myVote\":false,\"myLike\":");
  if (a.liked) {
    put("{\"rank\":");
    if (a.like_rank)
      put_int(*a.like_rank);
    else
      put("null");
    put("}");
  } else {
    put("null");
  }
  put(a.matched ? ",\"isMatched\":true" : ",\"isMatched\":false");
  w.Members(std::string_view(buf, static_cast<size_t>(p - buf))).EndObject();
}

boost::json::object ArtworkService::ArtworkJson(const ArtworkRow& a, bool counts_visible) {
  boost::json::value v = boost::json::parse(ArtworkText(a, counts_visible));
  return std::move(v.as_object());
}

void ArtworkService::CheckCanSubmit(std::int64_t user_id, std::int64_t event_id) {
  db_.Read([&](db::Tx& tx) {
    EventInfo e = MustLoadEvent(tx, event_id);
    groups::RequireMember(tx, e.group_id, user_id);
    CheckSubmission(tx, e, user_id);
  });
}

void ArtworkService::CheckText(std::string& title, std::optional<std::string>& description) {
  Validation v;
  title = events::CheckLine("title", title, events::kMaxName, v);
  if (description) events::CheckText("description", *description, events::kMaxDescription, v);
  v.ThrowIfAny();
}

boost::json::object ArtworkService::Create(std::int64_t user_id, std::int64_t event_id, const std::string& title,
                                           const std::string& description, const ProcessedImage& image,
                                           db::CommitToken& durable) {
  NewArtwork a;
  a.event_id = event_id;
  a.artist_id = user_id;
  a.title = title;
  a.description = description;
  a.image_key = images_.Put(image.image);
  a.image_type = image.image_type;
  a.thumb_key = images_.Put(image.thumb);
  a.thumb_type = image.thumb_type;
  a.width = image.width;
  a.height = image.height;
  return db_.Write(durable, [&](db::Tx& tx) {
    // Locking the event row orders this insert after a phase change or another upload of
    // the same member, so the phase and the count checked here hold until commit.
    EventInfo e = MustLoadEvent(tx, event_id, true);
    groups::RequireMember(tx, e.group_id, user_id);
    CheckSubmission(tx, e, user_id);
    NewArtwork row = a;
    row.created_at = clock_.Now();
    std::int64_t id = store::Insert(tx, row);
    return ArtworkJson(*store::Find(tx, id, user_id), false);
  });
}

EventKeysCache::Ptr ArtworkService::Keys(db::Tx& tx, std::int64_t event_id, const store::PageContext& page) {
  // While OPEN, uploads change the set at any time: pages read the index.
  if (page.phase == Phase::kOpen) return nullptr;
  const bool with_counts = events::CountsVisible(page.phase);
  if (auto keys = keys_.Find(event_id, page.epoch, with_counts)) return keys;
  const auto artworks = static_cast<std::size_t>(std::max<std::int64_t>(page.artwork_count, 0));
  if (!keys_.BeginLoad(event_id, artworks, with_counts)) return nullptr;
  try {
    std::vector<std::int64_t> ids, votes;
    ids.reserve(artworks);
    if (with_counts) votes.reserve(artworks);
    store::AllKeys(tx, event_id, with_counts, ids, votes);
    auto keys = std::make_shared<const EventKeys>(page.epoch, with_counts, std::move(ids), std::move(votes));
    keys_.Store(event_id, keys);
    return keys;
  } catch (...) {
    keys_.EndLoad(event_id);
    throw;
  }
}

std::vector<std::string> ArtworkService::Heads(db::Tx& tx, std::int64_t epoch, const std::vector<ArtworkRow>& rows) {
  std::vector<std::int64_t> ids(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) ids[i] = rows[i].id;
  std::vector<std::string> heads(rows.size());
  if (heads_.Find(epoch, ids, heads) == rows.size()) return heads;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!heads[i].empty()) continue;
    // The page's keys were read in this snapshot, so the row is there.
    auto a = store::FindHead(tx, ids[i]);
    if (!a) throw std::logic_error("artwork " + std::to_string(ids[i]) + " of a page is missing from its snapshot");
    heads[i].reserve(kArtworkJsonReserve);
    JsonWriter hw(heads[i]);
    WriteArtworkHead(hw, *a);
    heads_.Store(epoch, ids[i], heads[i]);
  }
  return heads;
}

template <typename HeadOf>
std::string ArtworkService::PageText(const std::vector<ArtworkRow>& rows, HeadOf&& head_of, bool counts_visible,
                                     const std::optional<std::string>& next, bool with_ranks) {
  std::string body;
  body.reserve(rows.size() * (kArtworkJsonReserve + (with_ranks ? 64 : 0)) + 128);
  JsonWriter w(body);
  w.BeginObject();
  size_t i = 0;
  WritePageMembers(
      w, rows,
      [&](JsonWriter& w, const ArtworkRow& r) {
        if (with_ranks) w.BeginObject().Key("rank").Int(r.rank).Key("artwork");
        w.ResumeObject(head_of(i++));
        WriteArtworkTail(w, r, counts_visible);
        if (with_ranks) w.Key("voteCount").Int(r.vote_count).EndObject();
      },
      next);
  w.EndObject();
  return body;
}

std::string ArtworkService::PageText(db::Tx& tx, std::int64_t epoch, const std::vector<ArtworkRow>& rows,
                                     bool counts_visible, const std::optional<std::string>& next, bool with_ranks) {
  std::vector<std::int64_t> ids(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) ids[i] = rows[i].id;
  std::string body;
  if (heads_.WithHeads(epoch, ids, [&](std::span<const std::string* const> heads) {
        body = PageText(
            rows, [&](size_t i) -> std::string_view { return *heads[i]; }, counts_visible, next, with_ranks);
      }))
    return body;
  auto heads = Heads(tx, epoch, rows);
  return PageText(
      rows, [&](size_t i) -> std::string_view { return heads[i]; }, counts_visible, next, with_ranks);
}

std::string ArtworkService::List(const std::function<ListQuery(db::Tx&)>& resolve) {
  return db_.Read([&](db::Tx& tx) {
    const ListQuery q = resolve(tx);
    const std::int64_t user_id = q.user_id, event_id = q.event_id;
    const Sort sort = q.sort;
    const int limit = q.limit;
    std::optional<std::int64_t> before;
    std::optional<std::pair<std::int64_t, std::int64_t>> after;
    if (q.cursor && sort == Sort::kNew) before = DecodeCursor(*q.cursor, 1)[0];
    if (q.cursor && sort == Sort::kVotes) {
      auto keys = DecodeCursor(*q.cursor, 2);
      if (keys[0] < 0 || keys[0] > INT_MAX) throw BadRequest("cursor is not one this server issued");
      after = std::make_pair(keys[0], keys[1]);
    }
    const auto page = MustLoadPageContext(tx, event_id, user_id);
    const std::int64_t epoch = page.epoch;
    bool visible = events::CountsVisible(page.phase);
    if (sort == Sort::kVotes && !visible)
      throw WrongPhase("Vote counts are hidden until voting ends; sort=votes works from MATCHING on");
    std::vector<ArtworkRow> rows;
    if (auto keys = Keys(tx, event_id, page))
      rows = sort == Sort::kNew ? keys->Newest(before, limit + 1) : keys->ByVotes(after, limit + 1);
    else
      rows = sort == Sort::kNew ? store::ListNew(tx, event_id, before, limit + 1, visible)
                                : store::ListByVotes(tx, event_id, after, limit + 1);
    std::optional<std::string> next;
    if (static_cast<int>(rows.size()) > limit) {
      rows.resize(limit);
      next =
          sort == Sort::kNew ? EncodeCursor({rows.back().id}) : EncodeCursor({rows.back().vote_count, rows.back().id});
    }
    store::FillViewer(tx, rows, user_id, ViewerKindsIn(page.phase));
    return PageText(tx, epoch, rows, visible, next, false);
  });
}

std::string ArtworkService::Get(std::int64_t user_id, std::int64_t artwork_id) {
  return db_.Read([&](db::Tx& tx) {
    auto l = MustLoadForMember(tx, artwork_id, user_id);
    return ArtworkText(l.art, events::CountsVisible(l.event.phase));
  });
}

std::string ArtworkService::Update(std::int64_t user_id, std::int64_t artwork_id, std::optional<std::string> title,
                                   std::optional<std::optional<std::string>> description, db::CommitToken& durable) {
  Validation v;
  if (title) *title = events::CheckLine("title", *title, events::kMaxName, v);
  std::optional<std::string> new_description;
  if (description) {
    new_description = description->value_or("");
    events::CheckText("description", *new_description, events::kMaxDescription, v);
  }
  return db_.Write(durable, [&](db::Tx& tx) {
    auto l = MustLoadForMember(tx, artwork_id, user_id);
    if (l.art.artist_id != user_id) throw Forbidden("Only the artist can edit an artwork");
    EventInfo e = MustLoadEvent(tx, l.event.id, true);
    if (e.phase != Phase::kOpen) throw WrongPhase("Artworks can be edited only while the event is OPEN");
    v.ThrowIfAny();
    store::UpdateText(tx, artwork_id, title.value_or(l.art.title), new_description.value_or(l.art.description));
    return ArtworkText(*store::Find(tx, artwork_id, user_id), false);
  });
}

void ArtworkService::Delete(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable) {
  db_.Write(durable, [&](db::Tx& tx) {
    auto l = MustLoadForMember(tx, artwork_id, user_id);
    EventInfo e = MustLoadEvent(tx, l.event.id, true);
    bool admin = l.role != groups::Role::kMember;
    bool artist = l.art.artist_id == user_id;
    if (!admin) {
      if (!artist) throw Forbidden("Only the artist or a group admin can delete an artwork");
      if (e.phase != Phase::kOpen)
        throw WrongPhase("The artist can delete an artwork only while the event is OPEN; ask a group admin");
    }
    // A match rests on its two artworks: removing one cancels the match. The artists of
    // a live one (PENDING or ACCEPTED) are told; a DECLINED or COMPLETED one just goes.
    for (const auto& m : store::DeleteMatchesOf(tx, artwork_id)) {
      if (m.status != "PENDING" && m.status != "ACCEPTED") continue;
      boost::json::object data{{"matchId", IdStr(m.id)}, {"eventId", IdStr(e.id)}};
      for (std::int64_t u : m.users)
        notifier_.Notify(tx, u, notify::Type::kMatchUpdate,
                         "Your match in " + Quoted(e.name) + " was cancelled: an artwork in it was removed", data);
    }
    store::Delete(tx, artwork_id, e.id);
  });
}

ArtworkService::ImageRef ArtworkService::Image(std::int64_t user_id, std::int64_t artwork_id, bool thumbnail) {
  return db_.Read([&](db::Tx& tx) {
    auto l = MustLoadForMember(tx, artwork_id, user_id);
    return thumbnail ? ImageRef{l.art.thumb_key, l.art.thumb_type} : ImageRef{l.art.image_key, l.art.image_type};
  });
}

int ArtworkService::Vote(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    auto t = MustLoadVoteTarget(tx, artwork_id, user_id, "Votes can be cast only while the event is VOTING");
    if (t.artist_id == user_id) throw Forbidden("You cannot vote for your own artwork", "cannot_vote_own");
    // The vote row first (a repeat changes nothing), then the budget as a conditional
    // upsert in the same transaction: refused, the whole vote rolls back.
    if (!store::AddVote(tx, user_id, artwork_id, t.event_id, clock_.Now()))
      return Remaining(t.votes_per_member, events::UsedVotes(tx, t.event_id, user_id));
    auto used = store::TakeBudget(tx, t.event_id, user_id, t.votes_per_member);
    if (!used) {
      throw Conflict("vote_budget_exhausted",
                     "You have used all " + std::to_string(t.votes_per_member) + " votes in this event");
    }
    return Remaining(t.votes_per_member, *used);
  });
}

int ArtworkService::Unvote(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable) {
  return db_.Write(durable, [&](db::Tx& tx) {
    auto t = MustLoadVoteTarget(tx, artwork_id, user_id, "Votes can be withdrawn only while the event is VOTING");
    auto used = store::RemoveVote(tx, user_id, artwork_id, t.event_id);
    return Remaining(t.votes_per_member, used ? *used : events::UsedVotes(tx, t.event_id, user_id));
  });
}

std::string ArtworkService::Results(std::int64_t user_id, std::int64_t event_id, int limit,
                                    const std::optional<std::string>& cursor) {
  std::optional<std::pair<std::int64_t, std::int64_t>> after;
  if (cursor) {
    auto keys = DecodeCursor(*cursor, 2);
    if (keys[0] < 0 || keys[0] > INT_MAX) throw BadRequest("cursor is not one this server issued");
    after = std::make_pair(keys[0], keys[1]);
  }
  return db_.Read([&](db::Tx& tx) {
    const auto page = MustLoadPageContext(tx, event_id, user_id);
    const std::int64_t epoch = page.epoch;
    if (!events::CountsVisible(page.phase)) throw WrongPhase("Results are published when voting ends");
    auto keys = Keys(tx, event_id, page);
    auto rows = keys ? keys->ByVotes(after, limit + 1) : store::ListByVotes(tx, event_id, after, limit + 1);
    std::optional<std::string> next;
    if (static_cast<int>(rows.size()) > limit) {
      rows.resize(limit);
      next = EncodeCursor({rows.back().vote_count, rows.back().id});
    }
    if (keys) {
      for (auto& r : rows) r.rank = keys->RankOf(r.vote_count);
    } else {
      store::FillRanks(tx, rows, event_id);
    }
    store::FillViewer(tx, rows, user_id, ViewerKindsIn(page.phase));
    return PageText(tx, epoch, rows, true, next, true);
  });
}

void ArtworkService::PublishVotes(db::Tx& tx, const EventInfo& event) const {
  auto tallies = store::TallyEvent(tx, event.id);
  std::vector<std::int64_t> counts;
  counts.reserve(tallies.size());
  for (const auto& t : tallies) counts.push_back(t.votes);
  auto ranks = CompetitionRanks(counts);
  for (size_t i = 0; i < tallies.size(); ++i) {
    const auto& t = tallies[i];
    std::string message = "Voting has ended in " + Quoted(event.name) + ": " + Quoted(t.title) + " received " +
                          std::to_string(t.votes) + (t.votes == 1 ? " vote" : " votes") + " and ranks #" +
                          std::to_string(ranks[i]) + " of " + std::to_string(tallies.size());
    boost::json::object data{
        {"artworkId", IdStr(t.id)}, {"eventId", IdStr(event.id)}, {"voteCount", t.votes}, {"rank", ranks[i]}};
    notifier_.Notify(tx, t.artist_id, notify::Type::kVoteNotification, message, data);
  }
}

}  // namespace atelier::artworks
