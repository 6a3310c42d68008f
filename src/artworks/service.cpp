#include "artworks/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <climits>
#include <thread>

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

// What a vote checks before it changes anything, in the order of the errors: no such
// artwork or not a member (404), not VOTING (409 wrong_phase).
store::VoteTarget MustLoadVoteTarget(db::Tx& tx, std::int64_t artwork_id, std::int64_t user_id,
                                     const char* wrong_phase) {
  auto t = store::LoadVoteTarget(tx, artwork_id, user_id);
  if (!t || !t->member) throw NotFound();
  if (t->phase != Phase::kVoting) throw WrongPhase(wrong_phase);
  return *t;
}

}  // namespace

void ArtworkService::FillViewer(db::Tx& tx, std::vector<ArtworkRow>& rows, std::int64_t viewer_id,
                                const store::PageContext& page) const {
  if (rows.empty()) return;
  const store::RowsById by_id(rows);
  // The page context was read in the snapshot of the rows. Votes are inserted only while
  // VOTING and phases only move forward (events::NextPhase): while OPEN there are none.
  if (page.votes_listed) {
    for (std::int64_t id : page.my_votes) {
      if (ArtworkRow* a = by_id.Find(id)) a->my_vote = true;
    }
  } else if (page.phase != Phase::kOpen) {
    store::FillMyVotes(tx, by_id, viewer_id);
  }
  hooks_.Mark(tx, page.phase, viewer_id, by_id.Lo(), by_id.Hi(), [&by_id](std::int64_t id) -> ViewerMarks* {
    ArtworkRow* a = by_id.Find(id);
    return a ? &a->marks : nullptr;
  });
}

api::Artwork ArtworkService::Answer(db::Tx& tx, ArtworkRow& a, std::int64_t viewer_id, Phase phase,
                                    bool anonymous_voting) const {
  hooks_.Mark(tx, phase, viewer_id, a.id, a.id, [&a](std::int64_t id) { return id == a.id ? &a.marks : nullptr; });
  return ArtworkOf(a, events::CountsVisible(phase), ArtistHidden(anonymous_voting, phase) && a.artist_id != viewer_id);
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

api::Artwork ArtworkService::Create(std::int64_t user_id, std::int64_t event_id, const std::string& title,
                                    const std::string& description, const ProcessedImage& image,
                                    db::CommitToken& durable) {
  NewArtwork a;
  a.event_id = event_id;
  a.artist_id = user_id;
  a.title = title;
  a.description = description;
  // The files stay pinned until the row naming them has committed, so the collector cannot
  // take a file this upload found already there (artworks/image_store.h).
  ImagePins pins;
  a.image_key = images_.Put(image.image, pins);
  a.image_type = image.image_type;
  a.thumb_key = images_.Put(image.thumb, pins);
  a.thumb_type = image.thumb_type;
  if (!image.display.empty()) {
    a.display_key = images_.Put(image.display, pins);
    a.display_type = image.display_type;
    a.display_width = image.display_width;
    a.display_height = image.display_height;
  }
  a.width = image.width;
  a.height = image.height;
  if (pause_after_store_.count() > 0) std::this_thread::sleep_for(pause_after_store_);
  return db_.Write(durable, [&](db::Tx& tx) {
    // Locking the event row orders this insert after a phase change or another upload of
    // the same member, so the phase and the count checked here hold until commit.
    EventInfo e = MustLoadEvent(tx, event_id, true);
    groups::RequireMember(tx, e.group_id, user_id);
    CheckSubmission(tx, e, user_id);
    NewArtwork row = a;
    row.created_at = clock_.Now();
    std::int64_t id = store::Insert(tx, row);
    auto created = store::Find(tx, id, user_id);
    return Answer(tx, *created, user_id, e.phase, e.anonymous_voting);
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

void ArtworkService::FillHeads(db::Tx& tx, ArtworkHeadCache& cache, bool hide_artist, std::int64_t epoch,
                               const std::vector<ArtworkRow>& rows, const std::vector<std::size_t>* which,
                               std::vector<api::ListedArtwork>& items) {
  const std::size_t n = which ? which->size() : rows.size();
  auto row_of = [which](std::size_t k) { return which ? (*which)[k] : k; };
  std::vector<std::int64_t> ids(n);
  for (size_t k = 0; k < n; ++k) ids[k] = rows[row_of(k)].id;
  std::vector<ArtworkHeadCache::Head> heads(n);
  if (cache.Find(epoch, ids, heads) < n) {
    for (size_t k = 0; k < n; ++k) {
      if (heads[k]) continue;
      // The page's keys were read in this snapshot, so the row is there.
      auto a = store::FindHead(tx, ids[k]);
      if (!a) throw std::logic_error("artwork " + std::to_string(ids[k]) + " of a page is missing from its snapshot");
      heads[k] = std::make_shared<const std::string>(api::OpenArtworkText(HeadOf(*a, hide_artist)));
      cache.Store(epoch, ids[k], heads[k]);
    }
  }
  for (size_t k = 0; k < n; ++k) items[row_of(k)].head = std::move(heads[k]);
}

std::vector<api::ListedArtwork> ArtworkService::Listed(db::Tx& tx, const store::PageContext& page,
                                                       const std::vector<ArtworkRow>& rows) {
  const bool counts_visible = events::CountsVisible(page.phase);
  std::vector<api::ListedArtwork> items(rows.size());
  if (!ArtistHidden(page.anonymous_voting, page.phase)) {
    FillHeads(tx, heads_, false, page.epoch, rows, nullptr, items);
  } else if (!rows.empty()) {
    // The viewer's own artworks (a few at most) keep their artist; every other row takes a
    // head written without it.
    const auto& own = page.my_artworks;
    std::vector<std::size_t> named, hidden;
    for (size_t i = 0; i < rows.size(); ++i)
      (std::binary_search(own.begin(), own.end(), rows[i].id) ? named : hidden).push_back(i);
    if (!named.empty()) FillHeads(tx, heads_, false, page.epoch, rows, &named, items);
    if (!hidden.empty()) FillHeads(tx, anonymous_heads_, true, page.epoch, rows, &hidden, items);
  }
  for (size_t i = 0; i < rows.size(); ++i) items[i].viewer = ViewerOf(rows[i], counts_visible);
  return items;
}

ArtworkService::ArtworkPage ArtworkService::List(std::int64_t user_id, std::int64_t event_id, Sort sort, int limit,
                                                 const std::optional<std::string>& cursor) {
  std::optional<std::int64_t> before;
  std::optional<std::pair<std::int64_t, std::int64_t>> after;
  if (cursor && sort == Sort::kNew) before = DecodeCursor(*cursor, 1)[0];
  if (cursor && sort == Sort::kVotes) {
    auto keys = DecodeCursor(*cursor, 2);
    if (keys[0] < 0 || keys[0] > INT_MAX) throw BadRequest("cursor is not one this server issued");
    after = std::make_pair(keys[0], keys[1]);
  }
  auto list = [&](db::Tx& tx) {
    const auto page = MustLoadPageContext(tx, event_id, user_id);
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
    FillViewer(tx, rows, user_id, page);
    return ArtworkPage{Listed(tx, page, rows), std::move(next)};
  };
  // While VOTING, with the event's keys and the page's heads cached, a page is the page
  // context alone: one statement. Otherwise (counts or likes to read, keys or heads to
  // load) a transaction from the start saves running the page context twice.
  if (keys_.StoredWithCounts(event_id) == false) return db_.ReadSingle(list);
  return db_.Read(list);
}

api::Artwork ArtworkService::Get(std::int64_t user_id, std::int64_t artwork_id) {
  return db_.Read([&](db::Tx& tx) {
    auto l = MustLoadForMember(tx, artwork_id, user_id);
    return Answer(tx, l.art, user_id, l.event.phase, l.event.anonymous_voting);
  });
}

api::Artwork ArtworkService::Update(std::int64_t user_id, std::int64_t artwork_id, std::optional<std::string> title,
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
    auto updated = store::Find(tx, artwork_id, user_id);
    return Answer(tx, *updated, user_id, e.phase, e.anonymous_voting);
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
    hooks_.RunBeforeDelete(tx, artwork_id, e);
    store::Delete(tx, artwork_id, e.id);
  });
}

ArtworkService::ImageRef ArtworkService::Image(std::int64_t user_id, std::int64_t artwork_id, ImageKind kind) {
  return db_.Read([&](db::Tx& tx) {
    auto l = MustLoadForMember(tx, artwork_id, user_id);
    switch (kind) {
      case ImageKind::kThumbnail:
        return ImageRef{l.art.thumb_key, l.art.thumb_type};
      case ImageKind::kDisplay:
        // No rendition (a small image, or an upload from before renditions): the original.
        if (!l.art.display_key.empty()) return ImageRef{l.art.display_key, l.art.display_type};
        break;
      case ImageKind::kOriginal:
        break;
    }
    return ImageRef{l.art.image_key, l.art.image_type};
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

ArtworkService::ResultPage ArtworkService::Results(std::int64_t user_id, std::int64_t event_id, int limit,
                                                   const std::optional<std::string>& cursor) {
  std::optional<std::pair<std::int64_t, std::int64_t>> after;
  if (cursor) {
    auto keys = DecodeCursor(*cursor, 2);
    if (keys[0] < 0 || keys[0] > INT_MAX) throw BadRequest("cursor is not one this server issued");
    after = std::make_pair(keys[0], keys[1]);
  }
  return db_.Read([&](db::Tx& tx) {
    const auto page = MustLoadPageContext(tx, event_id, user_id);
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
    FillViewer(tx, rows, user_id, page);
    auto listed = Listed(tx, page, rows);
    ResultPage out;
    out.items.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      out.items[i].rank = rows[i].rank;
      out.items[i].artwork = std::move(listed[i]);
      out.items[i].voteCount = rows[i].vote_count;
    }
    out.nextCursor = std::move(next);
    return out;
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
