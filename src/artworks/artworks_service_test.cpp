// ArtworkService against a real (in-memory) database, wired to the EventService as the
// server wires it (the VOTING → MATCHING hook publishes the counts): submissions and their
// limits, who may edit and delete, the vote budget, one vote per artwork, blind counts
// until VOTING ends, and competition ranks. Images are stored bytes, not decoded ones
// (image decoding has its own tests).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "accounts/service.h"
#include "artworks/image_collector.h"
#include "artworks/service.h"
#include "events/service.h"
#include "testing/service_world.h"

namespace atelier::artworks {
namespace {

using events::Phase;
using fixture::World;
namespace json = boost::json;

// A directory of its own under the system's temp dir, removed with the test.
struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("atelier-svctest-" + std::to_string(std::random_device{}()) + "-" + std::to_string(std::random_device{}()));
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

class ArtworkServiceTest : public ::testing::Test {
 protected:
  ArtworkServiceTest() {
    events.Hooks().Add([this](db::Tx& tx, const events::EventInfo& e, Phase from, Phase to) {
      if (from == Phase::kVoting && to == Phase::kMatching) svc.PublishVotes(tx, e);
    });
  }

  World w;
  TempDir dir;
  ImageStore images{dir.path};
  ArtworkService svc{*w.db, w.clock, w.notifier, images};
  events::EventService events{*w.db, w.clock, w.notifier, w.no_limits};
  accounts::AuthUser owner = w.AddUser("owner");
  accounts::AuthUser admin = w.AddUser("admin");
  accounts::AuthUser ann = w.AddUser("ann");
  accounts::AuthUser bob = w.AddUser("bob");
  accounts::AuthUser cat = w.AddUser("cat");
  accounts::AuthUser dan = w.AddUser("dan");
  accounts::AuthUser outsider = w.AddUser("outsider");
  std::int64_t group = w.AddGroup(owner, {admin}, {ann, bob, cat, dan});

  std::int64_t Submit(const accounts::AuthUser& artist, std::int64_t event_id, const std::string& title) {
    ProcessedImage img{"image of " + title, "image/png", "thumb of " + title, "image/webp", 640, 480, "", "", 0, 0};
    auto a = svc.Create(artist.id, event_id, title, "", img, w.durable);
    return a.id.value;
  }
  void Advance(std::int64_t event_id, Phase to) { events.Advance(admin.id, event_id, to, w.durable); }
  json::object GetArtwork(const accounts::AuthUser& u, std::int64_t id) {
    return json::parse(ToJsonText(svc.Get(u.id, id))).as_object();
  }
  json::object ListPage(const accounts::AuthUser& u, std::int64_t event_id, Sort sort, int limit = 20,
                        std::optional<std::string> cursor = std::nullopt) {
    return json::parse(ToJsonText(svc.List(u.id, event_id, sort, limit, cursor))).as_object();
  }
  json::object ResultsOf(const accounts::AuthUser& u, std::int64_t event_id) {
    return json::parse(ToJsonText(svc.Results(u.id, event_id, 20, std::nullopt))).as_object();
  }
};

TEST_F(ArtworkServiceTest, MembersSubmitWhileOpenWithinTheLimit) {
  std::int64_t ev = w.AddEvent(group, "OPEN", 3, /*max_artworks_per_member=*/2);
  EXPECT_API_ERROR(svc.CheckCanSubmit(outsider.id, ev), 404, "not_found");
  EXPECT_API_ERROR(Submit(outsider, ev, "x"), 404, "not_found");
  EXPECT_API_ERROR(Submit(ann, ev + 100, "x"), 404, "not_found");
  std::int64_t id = Submit(ann, ev, "First");
  auto art = GetArtwork(bob, id);
  EXPECT_EQ(art.at("title").as_string(), "First");
  EXPECT_EQ(art.at("artist").at("username").as_string(), "ann");
  EXPECT_EQ(art.at("width").as_int64(), 640);
  Submit(ann, ev, "Second");
  EXPECT_API_ERROR(svc.CheckCanSubmit(ann.id, ev), 409, "artwork_limit_reached");
  EXPECT_API_ERROR(Submit(ann, ev, "Third"), 409, "artwork_limit_reached");
  EXPECT_EQ(w.Count("SELECT artwork_count FROM events"), 2);
  // The image bytes are stored under their key.
  auto ref = svc.Image(bob.id, id, ArtworkService::ImageKind::kOriginal);
  EXPECT_TRUE(images.Exists(ref.key));
  EXPECT_EQ(ref.content_type, "image/png");
  EXPECT_API_ERROR(svc.Image(outsider.id, id, ArtworkService::ImageKind::kThumbnail), 404, "not_found");
}

TEST_F(ArtworkServiceTest, NoSubmissionsAfterOpen) {
  std::int64_t ev = w.AddEvent(group, "OPEN");
  Advance(ev, Phase::kVoting);
  EXPECT_API_ERROR(svc.CheckCanSubmit(ann.id, ev), 409, "wrong_phase");
  EXPECT_API_ERROR(Submit(ann, ev, "Late"), 409, "wrong_phase");
}

TEST_F(ArtworkServiceTest, OnlyTheArtistEditsAndOnlyWhileOpen) {
  std::int64_t ev = w.AddEvent(group, "OPEN");
  std::int64_t id = Submit(ann, ev, "Draft");
  EXPECT_API_ERROR(svc.Update(bob.id, id, "Mine now", std::nullopt, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.Update(admin.id, id, "Admin's", std::nullopt, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.Update(outsider.id, id, "x", std::nullopt, w.durable), 404, "not_found");
  EXPECT_API_ERROR(svc.Update(ann.id, id, "", std::nullopt, w.durable), 422, "validation_failed");
  auto updated =
      json::parse(ToJsonText(svc.Update(ann.id, id, "Final", std::optional<std::string>("words"), w.durable)))
          .as_object();
  EXPECT_EQ(updated.at("title").as_string(), "Final");
  EXPECT_EQ(GetArtwork(bob, id).at("description").as_string(), "words");  // not a stale cached head
  Advance(ev, Phase::kVoting);
  EXPECT_API_ERROR(svc.Update(ann.id, id, "Later", std::nullopt, w.durable), 409, "wrong_phase");
}

TEST_F(ArtworkServiceTest, TheArtistDeletesWhileOpenAdminsAlways) {
  std::int64_t ev = w.AddEvent(group, "OPEN");
  std::int64_t a = Submit(ann, ev, "A");
  std::int64_t b = Submit(bob, ev, "B");
  std::int64_t c = Submit(cat, ev, "C");
  EXPECT_API_ERROR(svc.Delete(bob.id, a, w.durable), 403, "forbidden");
  EXPECT_API_ERROR(svc.Delete(outsider.id, a, w.durable), 404, "not_found");
  svc.Delete(ann.id, a, w.durable);
  EXPECT_API_ERROR(svc.Get(ann.id, a), 404, "not_found");
  Advance(ev, Phase::kVoting);
  EXPECT_API_ERROR(svc.Delete(bob.id, b, w.durable), 409, "wrong_phase");
  svc.Delete(admin.id, b, w.durable);
  svc.Delete(owner.id, c, w.durable);
  EXPECT_EQ(w.Count("SELECT COUNT(*) FROM artworks"), 0);
  EXPECT_EQ(w.Count("SELECT artwork_count FROM events"), 0);
}

TEST_F(ArtworkServiceTest, VotesOnlyWhileVotingByMembersForOthersWork) {
  std::int64_t ev = w.AddEvent(group, "OPEN");
  std::int64_t a = Submit(ann, ev, "A");
  EXPECT_API_ERROR(svc.Vote(bob.id, a, w.durable), 409, "wrong_phase");
  Advance(ev, Phase::kVoting);
  EXPECT_API_ERROR(svc.Vote(ann.id, a, w.durable), 403, "cannot_vote_own");
  EXPECT_API_ERROR(svc.Vote(outsider.id, a, w.durable), 404, "not_found");
  EXPECT_API_ERROR(svc.Vote(bob.id, a + 100, w.durable), 404, "not_found");
  EXPECT_EQ(svc.Vote(bob.id, a, w.durable), 2);
  Advance(ev, Phase::kMatching);
  EXPECT_API_ERROR(svc.Vote(cat.id, a, w.durable), 409, "wrong_phase");
  EXPECT_API_ERROR(svc.Unvote(bob.id, a, w.durable), 409, "wrong_phase");
}

TEST_F(ArtworkServiceTest, OneVotePerArtworkAndTheBudgetHolds) {
  std::int64_t ev = w.AddEvent(group, "OPEN", /*votes_per_member=*/2);
  std::int64_t a = Submit(ann, ev, "A");
  std::int64_t b = Submit(bob, ev, "B");
  std::int64_t c = Submit(cat, ev, "C");
  Advance(ev, Phase::kVoting);
  EXPECT_EQ(svc.Vote(dan.id, a, w.durable), 1);
  EXPECT_EQ(svc.Vote(dan.id, a, w.durable), 1);  // a repeat changes nothing
  EXPECT_EQ(svc.Vote(dan.id, b, w.durable), 0);
  EXPECT_API_ERROR(svc.Vote(dan.id, c, w.durable), 409, "vote_budget_exhausted");
  // The refused vote left no row behind.
  EXPECT_EQ(w.Count("SELECT COUNT(*) FROM votes"), 2);
  EXPECT_EQ(w.Count("SELECT used FROM vote_budgets"), 2);
  EXPECT_EQ(events.GetEvent(dan.id, ev).myVotesRemaining, 0);
  // Withdrawing gives the vote back, once.
  EXPECT_EQ(svc.Unvote(dan.id, a, w.durable), 1);
  EXPECT_EQ(svc.Unvote(dan.id, a, w.durable), 1);
  EXPECT_EQ(svc.Vote(dan.id, c, w.durable), 0);
  EXPECT_EQ(w.Count("SELECT vote_count FROM artworks WHERE id = " + std::to_string(a)), 0);
  EXPECT_EQ(w.Count("SELECT vote_count FROM artworks WHERE id = " + std::to_string(c)), 1);
}

TEST_F(ArtworkServiceTest, CountsAreBlindUntilVotingEnds) {
  std::int64_t ev = w.AddEvent(group, "OPEN");
  std::int64_t a = Submit(ann, ev, "A");
  Advance(ev, Phase::kVoting);
  svc.Vote(bob.id, a, w.durable);
  EXPECT_TRUE(GetArtwork(ann, a).at("voteCount").is_null());
  auto page = ListPage(bob, ev, Sort::kNew);
  ASSERT_EQ(page.at("items").as_array().size(), 1u);
  EXPECT_TRUE(page.at("items").at(0).at("voteCount").is_null());
  EXPECT_TRUE(page.at("items").at(0).at("myVote").as_bool());
  EXPECT_FALSE(ListPage(cat, ev, Sort::kNew).at("items").at(0).at("myVote").as_bool());
  EXPECT_API_ERROR(ListPage(bob, ev, Sort::kVotes), 409, "wrong_phase");
  EXPECT_API_ERROR(svc.Results(bob.id, ev, 20, std::nullopt), 409, "wrong_phase");

  Advance(ev, Phase::kMatching);
  EXPECT_EQ(GetArtwork(ann, a).at("voteCount").as_int64(), 1);
  EXPECT_EQ(ListPage(cat, ev, Sort::kVotes).at("items").at(0).at("voteCount").as_int64(), 1);
  EXPECT_API_ERROR(svc.Results(outsider.id, ev, 20, std::nullopt), 404, "not_found");
}

TEST_F(ArtworkServiceTest, ResultsRankTiesAsCompetitionRanks) {
  auto x = w.AddUser("x"), y = w.AddUser("y"), z = w.AddUser("z");
  w.db->Write([&](db::Tx& tx) {
    for (const auto& u : {x, y, z})
      tx.Exec("INSERT INTO memberships (group_id, user_id, role, joined_at) VALUES ($1, $2, 'member', 0)", group, u.id);
  });
  std::int64_t ev = w.AddEvent(group, "OPEN");
  std::int64_t a = Submit(ann, ev, "A"), b = Submit(bob, ev, "B"), c = Submit(cat, ev, "C"), d = Submit(dan, ev, "D");
  Advance(ev, Phase::kVoting);
  // A: 3 votes, B and C: 2 each, D: none → ranks 1, 2, 2, 4.
  for (auto id : {a, b}) svc.Vote(x.id, id, w.durable);
  for (auto id : {a, c}) svc.Vote(y.id, id, w.durable);
  for (auto id : {a, b, c}) svc.Vote(z.id, id, w.durable);
  Advance(ev, Phase::kMatching);

  auto items = ResultsOf(ann, ev).at("items").as_array();
  ASSERT_EQ(items.size(), 4u);
  std::vector<std::pair<std::int64_t, std::int64_t>> rank_votes;
  for (const auto& it : items) rank_votes.emplace_back(it.at("rank").as_int64(), it.at("voteCount").as_int64());
  EXPECT_EQ(rank_votes, (std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 3}, {2, 2}, {2, 2}, {4, 0}}));
  EXPECT_EQ(items[0].at("artwork").at("id").as_string(), std::to_string(a));
  EXPECT_EQ(items[3].at("artwork").at("id").as_string(), std::to_string(d));

  // Leaving VOTING told each artist their count and rank, once.
  auto expect_note = [&](const accounts::AuthUser& artist, std::int64_t votes, std::int64_t rank) {
    auto notes = w.Notes(artist.id, "VOTE_NOTIFICATION");
    ASSERT_EQ(notes.size(), 1u) << artist.username;
    EXPECT_EQ(notes[0].data.at("voteCount").as_int64(), votes) << artist.username;
    EXPECT_EQ(notes[0].data.at("rank").as_int64(), rank) << artist.username;
  };
  expect_note(ann, 3, 1);
  expect_note(bob, 2, 2);
  expect_note(cat, 2, 2);
  expect_note(dan, 0, 4);
  EXPECT_TRUE(w.Notes(x.id, "VOTE_NOTIFICATION").empty());
  Advance(ev, Phase::kClosed);
  EXPECT_EQ(w.Notes(ann.id, "VOTE_NOTIFICATION").size(), 1u);
}

TEST_F(ArtworkServiceTest, DeletingAVotedArtworkGivesTheVotesBack) {
  std::int64_t ev = w.AddEvent(group, "OPEN", /*votes_per_member=*/1);
  std::int64_t a = Submit(ann, ev, "A");
  std::int64_t b = Submit(bob, ev, "B");
  Advance(ev, Phase::kVoting);
  EXPECT_EQ(svc.Vote(dan.id, a, w.durable), 0);
  EXPECT_EQ(svc.Vote(cat.id, a, w.durable), 0);
  svc.Delete(admin.id, a, w.durable);
  EXPECT_EQ(events.GetEvent(dan.id, ev).myVotesRemaining, 1);
  EXPECT_EQ(svc.Vote(dan.id, b, w.durable), 0);
  EXPECT_EQ(svc.Vote(cat.id, b, w.durable), 0);
}

TEST_F(ArtworkServiceTest, PagesShowChangesMadeAfterTheyWereCached) {
  std::int64_t ev = w.AddEvent(group, "OPEN");
  std::int64_t a = Submit(ann, ev, "Before");
  Submit(bob, ev, "B");
  auto title_of_a = [&] {
    const json::object page = ListPage(cat, ev, Sort::kNew);
    for (const auto& it : page.at("items").as_array())
      if (it.at("id").as_string() == std::to_string(a)) return std::string(it.at("title").as_string());
    return std::string("(missing)");
  };
  EXPECT_EQ(title_of_a(), "Before");
  svc.Update(ann.id, a, "After", std::nullopt, w.durable);
  EXPECT_EQ(title_of_a(), "After");

  // Past OPEN pages come from the event's cached keys and heads; a new display name and a
  // deletion still show on the next page.
  Advance(ev, Phase::kVoting);
  EXPECT_EQ(ListPage(cat, ev, Sort::kNew).at("items").as_array().size(), 2u);
  accounts::AccountService accounts{*w.db, w.clock, w.notifier, accounts::AccountsConfig{}};
  accounts.UpdateProfile(ann.id, std::string("Ann Renamed"), std::nullopt, std::nullopt, false, w.durable);
  auto page = ListPage(cat, ev, Sort::kNew);
  ASSERT_EQ(page.at("items").as_array().size(), 2u);
  EXPECT_EQ(page.at("items").at(1).at("artist").at("displayName").as_string(), "Ann Renamed");
  svc.Delete(admin.id, a, w.durable);
  page = ListPage(cat, ev, Sort::kNew);
  ASSERT_EQ(page.at("items").as_array().size(), 1u);
  EXPECT_EQ(page.at("items").at(0).at("title").as_string(), "B");
}

TEST_F(ArtworkServiceTest, PagesFollowTheirCursors) {
  std::int64_t ev = w.AddEvent(group, "OPEN");
  std::vector<std::int64_t> ids;
  for (const auto& u : {ann, bob, cat}) ids.push_back(Submit(u, ev, "by " + u.username));
  auto first = ListPage(dan, ev, Sort::kNew, 2);
  ASSERT_EQ(first.at("items").as_array().size(), 2u);
  EXPECT_EQ(first.at("items").at(0).at("id").as_string(), std::to_string(ids[2]));  // newest first
  ASSERT_TRUE(first.at("nextCursor").is_string());
  auto second = ListPage(dan, ev, Sort::kNew, 2, std::string(first.at("nextCursor").as_string()));
  ASSERT_EQ(second.at("items").as_array().size(), 1u);
  EXPECT_EQ(second.at("items").at(0).at("id").as_string(), std::to_string(ids[0]));
  EXPECT_TRUE(second.at("nextCursor").is_null());
  EXPECT_API_ERROR(ListPage(outsider, ev, Sort::kNew), 404, "not_found");
}

// The collector (image_collector.h) on the service's own store: a deleted artwork's files
// go, a file another artwork shares stays, a pinned file (an upload in progress) and a
// young file stay, an old temp file goes.
TEST_F(ArtworkServiceTest, TheCollectorRemovesOnlyUnreferencedUnpinnedOldFiles) {
  std::int64_t ev = w.AddEvent(group, "OPEN", 3, /*max_artworks_per_member=*/5);
  const std::int64_t gone = Submit(ann, ev, "Gone");
  const std::int64_t shared_a = Submit(ann, ev, "Shared");
  const std::int64_t shared_b = Submit(bob, ev, "Shared");  // the same bytes
  const auto gone_key = svc.Image(ann.id, gone, ArtworkService::ImageKind::kOriginal).key,
             gone_thumb = svc.Image(ann.id, gone, ArtworkService::ImageKind::kThumbnail).key;
  const auto shared_key = svc.Image(ann.id, shared_a, ArtworkService::ImageKind::kOriginal).key;
  ASSERT_EQ(shared_key, svc.Image(bob.id, shared_b, ArtworkService::ImageKind::kOriginal).key);
  svc.Delete(ann.id, gone, w.durable);
  svc.Delete(ann.id, shared_a, w.durable);
  // An upload in progress: its file is stored and pinned, its row not inserted yet.
  ImagePins in_progress;
  const auto pinned_key = images.Put("an upload in progress", in_progress);
  // What a crashed Put leaves.
  const auto temp = images.PathOf(shared_key).parent_path() / ("." + shared_key + ".tmp-XXXXXX");
  std::ofstream(temp) << "partial";

  // With an hour's grace nothing here is old enough.
  ImageCollector patient(*w.db, images, {.grace = std::chrono::hours(1)});
  auto pass = patient.CollectOnce();
  EXPECT_TRUE(pass.ran);
  EXPECT_EQ(pass.removed + pass.temp_removed, 0);
  EXPECT_TRUE(images.Exists(gone_key));

  ImageCollector collector(*w.db, images, {.grace = std::chrono::seconds(0)});
  pass = collector.CollectOnce();
  EXPECT_TRUE(pass.ran);
  EXPECT_EQ(pass.removed, 2);  // the deleted artwork's image and thumbnail
  EXPECT_EQ(pass.temp_removed, 1);
  EXPECT_EQ(pass.pinned, 1);
  EXPECT_FALSE(images.Exists(gone_key));
  EXPECT_FALSE(images.Exists(gone_thumb));
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_TRUE(images.Exists(shared_key));
  EXPECT_TRUE(images.Exists(svc.Image(bob.id, shared_b, ArtworkService::ImageKind::kThumbnail).key));
  EXPECT_TRUE(images.Exists(pinned_key));

  // Unpinned and still unreferenced (the upload failed): collected at the next pass.
  in_progress = ImagePins();
  EXPECT_EQ(collector.CollectOnce().removed, 1);
  EXPECT_FALSE(images.Exists(pinned_key));

  // A backup in progress holds every pass off.
  auto backup = images.LockAgainstCollection();
  EXPECT_FALSE(collector.CollectOnce().ran);
}

TEST(ImageKeyColumns, TheQueryNamesEveryColumn) {
  const std::string sql = ReferencedKeysQuery();
  for (const auto& c : kImageKeyColumns) {
    EXPECT_NE(sql.find("SELECT " + std::string(c.column) + " FROM " + std::string(c.table)), std::string::npos) << sql;
  }
  KeySet keys;
  keys.Add(std::string(64, 'b'));
  keys.Add("not a key");
  keys.Add(std::string(64, 'a'));
  keys.Add(std::string(64, 'b'));
  keys.Seal();
  EXPECT_EQ(keys.Size(), 2u);
  EXPECT_TRUE(keys.Contains(std::string(64, 'a')));
  EXPECT_FALSE(keys.Contains(std::string(64, 'c')));
  EXPECT_FALSE(keys.Contains("not a key"));
}

}  // namespace
}  // namespace atelier::artworks

namespace atelier::artworks {
namespace {

// Issue 18: anonymous voting. One service (one pair of head caches) serves every viewer:
// the artist sees their name, everyone else null, whichever head was cached first; the
// switch and the phase change show at once.
TEST_F(ArtworkServiceTest, AnonymousVotingHidesArtistsFromOthersUntilVotingEnds) {
  std::int64_t ev = w.AddEvent(group, "OPEN", 3, 2);
  std::int64_t by_ann = Submit(ann, ev, "Ann's");
  std::int64_t by_bob = Submit(bob, ev, "Bob's");
  auto artist_of = [&](const accounts::AuthUser& u, std::int64_t id) -> std::string {
    json::object page = ListPage(u, ev, Sort::kNew);
    std::string listed = "missing";
    for (const auto& item : page.at("items").as_array())
      if (item.at("id").as_string() == std::to_string(id))
        listed = item.at("artist").is_null() ? "null" : std::string(item.at("artist").at("username").as_string());
    json::object single = GetArtwork(u, id);
    const std::string got =
        single.at("artist").is_null() ? "null" : std::string(single.at("artist").at("username").as_string());
    EXPECT_EQ(listed, got) << u.username << " " << id;
    return got;
  };
  // Named heads cached first (no anonymity yet).
  EXPECT_EQ(artist_of(bob, by_ann), "ann");
  events::EventInput on;
  on.anonymous_voting = true;
  EXPECT_TRUE(events.Update(owner.id, ev, on, w.durable).anonymousVoting);
  for (Phase phase : {Phase::kOpen, Phase::kVoting}) {
    if (phase == Phase::kVoting) Advance(ev, Phase::kVoting);
    for (const auto* u : {&bob, &admin, &owner, &cat}) EXPECT_EQ(artist_of(*u, by_ann), "null") << u->username;
    EXPECT_EQ(artist_of(ann, by_ann), "ann");
    EXPECT_EQ(artist_of(ann, by_bob), "null");
    EXPECT_EQ(artist_of(bob, by_bob), "bob");
  }
  // Only while OPEN could it change; it stays as it is.
  events::EventInput off;
  off.anonymous_voting = false;
  EXPECT_API_ERROR(events.Update(owner.id, ev, off, w.durable), 409, "wrong_phase");
  EXPECT_API_ERROR(events.Update(ann.id, ev, off, w.durable), 403, "forbidden");
  EXPECT_TRUE(events.Update(owner.id, ev, on, w.durable).anonymousVoting);  // the same value: no change
  Advance(ev, Phase::kMatching);
  for (const auto* u : {&bob, &admin, &owner, &ann}) EXPECT_EQ(artist_of(*u, by_ann), "ann") << u->username;
  const json::object results = ResultsOf(cat, ev);
  ASSERT_EQ(results.at("items").as_array().size(), 2u);
  for (const auto& item : results.at("items").as_array()) EXPECT_FALSE(item.at("artwork").at("artist").is_null());
}

}  // namespace
}  // namespace atelier::artworks
