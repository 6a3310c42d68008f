// MatchService against a real (in-memory) database, wired to the EventService as the
// server wires it (MATCHING → CLOSED pairs the artists inside the phase change): who may
// like, the pairing inserted exactly once, the match lifecycle and its notifications.
#include <gtest/gtest.h>

#include <filesystem>

#include "artworks/service.h"
#include "events/service.h"
#include "matching/service.h"
#include "testing/service_world.h"

namespace atelier::matching {
namespace {

using events::Phase;
using fixture::World;
namespace json = boost::json;

class MatchServiceTest : public ::testing::Test {
 protected:
  MatchServiceTest() {
    svc.AddArtworkHooks(arts.Hooks());  // as app/wire_matching.cpp does
    events.Hooks().Add([this](db::Tx& tx, const events::EventInfo& e, Phase from, Phase to) {
      if (from == Phase::kMatching && to == Phase::kClosed) svc.CreateMatches(tx, e);
    });
  }

  World w;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "atelier-svctest-unused";
  artworks::ImageStore images{dir};  // nothing here touches image files
  artworks::ArtworkService arts{*w.db, w.clock, w.notifier, images};
  MatchService svc{*w.db, w.clock, w.notifier, arts.Hooks()};
  events::EventService events{*w.db, w.clock, w.notifier, w.no_limits};
  accounts::AuthUser owner = w.AddUser("owner");
  accounts::AuthUser admin = w.AddUser("admin");
  accounts::AuthUser ann = w.AddUser("ann");
  accounts::AuthUser bob = w.AddUser("bob");
  accounts::AuthUser cat = w.AddUser("cat");
  accounts::AuthUser dan = w.AddUser("dan");
  accounts::AuthUser idle = w.AddUser("idle");  // a member who submitted nothing
  accounts::AuthUser outsider = w.AddUser("outsider");
  std::int64_t group = w.AddGroup(owner, {admin}, {ann, bob, cat, dan, idle});
  std::int64_t ev = w.AddEvent(group, "MATCHING");
  std::int64_t art_ann = w.AddArtwork(ev, ann, "Ann's");
  std::int64_t art_bob = w.AddArtwork(ev, bob, "Bob's");
  std::int64_t art_cat = w.AddArtwork(ev, cat, "Cat's");
  std::int64_t art_dan = w.AddArtwork(ev, dan, "Dan's");

  void Close() { events.Advance(admin.id, ev, Phase::kClosed, w.durable); }
  static std::int64_t Id(const json::value& v) { return std::stoll(std::string(v.as_string())); }
  // An answer as a client reads it.
  template <typename T>
  static json::value J(const T& answer) {
    return json::parse(ToJsonText(answer));
  }
  // The matches of the event as its owner sees them (all of them).
  json::array AllMatches() { return J(svc.ListEventMatches(owner.id, ev, 50, std::nullopt)).at("items").as_array(); }
  // ann and bob like each other; the event closes; their match's id.
  std::int64_t AnnBobMatch() {
    svc.Like(ann.id, art_bob, 1, w.durable);
    svc.Like(bob.id, art_ann, 1, w.durable);
    Close();
    auto all = AllMatches();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? 0 : Id(all[0].at("id"));
  }
  std::string Status(const accounts::AuthUser& u, std::int64_t match_id, MatchAction a) {
    return std::string(J(svc.Act(u.id, match_id, a, w.durable)).at("status").as_string());
  }
};

TEST_F(MatchServiceTest, OnlyParticipatingMembersLikeOthersWork) {
  EXPECT_API_ERROR(svc.Like(outsider.id, art_ann, std::nullopt, w.durable), 404, "not_found");
  EXPECT_API_ERROR(svc.Like(ann.id, art_ann + 100, std::nullopt, w.durable), 404, "not_found");
  EXPECT_API_ERROR(svc.Like(ann.id, art_ann, std::nullopt, w.durable), 403, "cannot_like_own");
  EXPECT_API_ERROR(svc.Like(idle.id, art_ann, std::nullopt, w.durable), 403, "not_a_participant");
  auto like = svc.Like(ann.id, art_bob, 2, w.durable);
  EXPECT_EQ(like.artworkId.value, art_bob);
  EXPECT_EQ(like.rank, 2);
  // A repeat changes the rank; it stays one like.
  EXPECT_TRUE(J(svc.Like(ann.id, art_bob, std::nullopt, w.durable)).at("rank").is_null());
  auto likes = J(svc.ListLikes(ann.id, ev, 10, std::nullopt)).at("items").as_array();
  ASSERT_EQ(likes.size(), 1u);
  EXPECT_TRUE(likes[0].at("rank").is_null());
  EXPECT_API_ERROR(svc.ListLikes(outsider.id, ev, 10, std::nullopt), 404, "not_found");
  svc.Unlike(ann.id, art_bob, w.durable);
  svc.Unlike(ann.id, art_bob, w.durable);  // gone already: fine
  EXPECT_TRUE(J(svc.ListLikes(ann.id, ev, 10, std::nullopt)).at("items").as_array().empty());
}

TEST_F(MatchServiceTest, LikesOnlyWhileMatching) {
  std::int64_t voting = w.AddEvent(group, "VOTING", 3, 1, "Voting");
  std::int64_t a = w.AddArtwork(voting, ann), b = w.AddArtwork(voting, bob);
  (void)a;
  EXPECT_API_ERROR(svc.Like(ann.id, b, 1, w.durable), 409, "wrong_phase");
  EXPECT_API_ERROR(svc.Unlike(ann.id, b, w.durable), 409, "wrong_phase");
  svc.Like(ann.id, art_bob, 1, w.durable);
  Close();
  EXPECT_API_ERROR(svc.Like(ann.id, art_cat, 1, w.durable), 409, "wrong_phase");
  EXPECT_API_ERROR(svc.Unlike(ann.id, art_bob, w.durable), 409, "wrong_phase");
}

TEST_F(MatchServiceTest, ClosingPairsMutualLikesOnceAndTellsBothArtists) {
  svc.Like(ann.id, art_bob, 1, w.durable);
  svc.Like(bob.id, art_ann, 1, w.durable);
  svc.Like(cat.id, art_dan, 1, w.durable);  // one-sided: no match
  EXPECT_TRUE(AllMatches().empty());
  Close();
  auto all = AllMatches();
  ASSERT_EQ(all.size(), 1u);
  const auto& m = all[0].as_object();
  EXPECT_EQ(m.at("status").as_string(), "PENDING");
  std::vector<std::int64_t> users, artworks;
  for (const auto& p : m.at("participants").as_array()) {
    users.push_back(Id(p.at("user").at("id")));
    artworks.push_back(Id(p.at("artwork").at("id")));
  }
  EXPECT_EQ(users, (std::vector<std::int64_t>{ann.id, bob.id}));
  EXPECT_EQ(artworks, (std::vector<std::int64_t>{art_ann, art_bob}));
  for (const auto& u : {ann, bob}) {
    auto notes = w.Notes(u.id, "NEW_MATCH");
    ASSERT_EQ(notes.size(), 1u) << u.username;
    EXPECT_EQ(Id(notes[0].data.at("matchId")), Id(m.at("id")));
  }
  EXPECT_TRUE(w.Notes(cat.id, "NEW_MATCH").empty());
  EXPECT_TRUE(w.Notes(dan.id, "NEW_MATCH").empty());

  // The change is a compare-and-set: a second MATCHING → CLOSED does nothing, pairs nobody.
  EXPECT_FALSE(w.db->Write([&](db::Tx& tx) { return events.ChangePhase(tx, ev, Phase::kMatching, Phase::kClosed); }));
  EXPECT_EQ(w.Count("SELECT COUNT(*) FROM matches"), 1);
  EXPECT_EQ(w.Notes(ann.id, "NEW_MATCH").size(), 1u);
}

TEST_F(MatchServiceTest, TheSchedulerClosingAnEventPairsToo) {
  svc.Like(ann.id, art_bob, std::nullopt, w.durable);
  svc.Like(bob.id, art_ann, std::nullopt, w.durable);
  w.db->Write([&](db::Tx& tx) {
    tx.Exec("UPDATE events SET ends_at = $2, next_transition_at = $2 WHERE id = $1", ev, w.clock.Now() + 1000);
  });
  EXPECT_EQ(events.AdvanceDue(), 0);
  w.clock.Advance(1000);
  EXPECT_EQ(events.AdvanceDue(), 1);
  EXPECT_EQ(AllMatches().size(), 1u);
  EXPECT_EQ(events.AdvanceDue(), 0);
  EXPECT_EQ(w.Count("SELECT COUNT(*) FROM matches"), 1);
}

TEST_F(MatchServiceTest, LikesOfPeopleWhoLeftTheGroupDoNotPair) {
  svc.Like(ann.id, art_bob, 1, w.durable);
  svc.Like(bob.id, art_ann, 1, w.durable);
  w.db->Write([&](db::Tx& tx) { tx.Exec("DELETE FROM memberships WHERE user_id = $1", bob.id); });
  Close();
  EXPECT_TRUE(AllMatches().empty());
}

TEST_F(MatchServiceTest, BothAcceptThenBothReceive) {
  std::int64_t m = AnnBobMatch();
  EXPECT_API_ERROR(svc.Act(ann.id, m, MatchAction::kComplete, w.durable), 409, "wrong_phase");
  EXPECT_EQ(Status(ann, m, MatchAction::kAccept), "PENDING");
  EXPECT_EQ(Status(ann, m, MatchAction::kAccept), "PENDING");  // a repeat changes nothing
  EXPECT_EQ(w.Notes(bob.id, "MATCH_UPDATE").size(), 1u);
  EXPECT_EQ(Status(bob, m, MatchAction::kAccept), "ACCEPTED");
  EXPECT_EQ(w.Notes(ann.id, "MATCH_UPDATE").size(), 1u);
  EXPECT_API_ERROR(svc.Act(ann.id, m, MatchAction::kDecline, w.durable), 409, "wrong_phase");
  EXPECT_EQ(Status(bob, m, MatchAction::kComplete), "ACCEPTED");
  EXPECT_EQ(Status(ann, m, MatchAction::kComplete), "COMPLETED");
  EXPECT_EQ(w.Notes(bob.id, "MATCH_UPDATE").size(), 2u);
  EXPECT_EQ(w.Notes(ann.id, "MATCH_UPDATE").size(), 2u);
}

TEST_F(MatchServiceTest, ADeclinedMatchStaysDeclined) {
  std::int64_t m = AnnBobMatch();
  EXPECT_EQ(Status(bob, m, MatchAction::kDecline), "DECLINED");
  auto news = w.Notes(ann.id, "MATCH_UPDATE");
  ASSERT_EQ(news.size(), 1u);
  EXPECT_NE(news[0].message.find("declined"), std::string::npos) << news[0].message;
  EXPECT_EQ(Status(ann, m, MatchAction::kDecline), "DECLINED");  // already: no news
  EXPECT_EQ(w.Notes(bob.id, "MATCH_UPDATE").size(), 0u);
  EXPECT_API_ERROR(svc.Act(ann.id, m, MatchAction::kAccept, w.durable), 409, "wrong_phase");
}

TEST_F(MatchServiceTest, OnlyParticipantsActOnAMatch) {
  std::int64_t m = AnnBobMatch();
  EXPECT_API_ERROR(svc.Act(cat.id, m, MatchAction::kAccept, w.durable), 404, "not_found");
  EXPECT_API_ERROR(svc.Act(owner.id, m, MatchAction::kDecline, w.durable), 404, "not_found");
  EXPECT_API_ERROR(svc.Act(outsider.id, m, MatchAction::kAccept, w.durable), 404, "not_found");
  EXPECT_API_ERROR(svc.Act(ann.id, m + 100, MatchAction::kAccept, w.durable), 404, "not_found");
  // A participant who has left the group no longer acts on it.
  w.db->Write([&](db::Tx& tx) { tx.Exec("DELETE FROM memberships WHERE user_id = $1", bob.id); });
  EXPECT_API_ERROR(svc.Act(bob.id, m, MatchAction::kAccept, w.durable), 404, "not_found");
}

TEST_F(MatchServiceTest, MembersSeeTheirMatchesAdminsSeeAll) {
  AnnBobMatch();
  EXPECT_EQ(J(svc.ListEventMatches(ann.id, ev, 10, std::nullopt)).at("items").as_array().size(), 1u);
  EXPECT_TRUE(J(svc.ListEventMatches(cat.id, ev, 10, std::nullopt)).at("items").as_array().empty());
  EXPECT_EQ(J(svc.ListEventMatches(admin.id, ev, 10, std::nullopt)).at("items").as_array().size(), 1u);
  EXPECT_API_ERROR(svc.ListEventMatches(outsider.id, ev, 10, std::nullopt), 404, "not_found");
  EXPECT_EQ(J(svc.ListMyMatches(bob.id, 10, std::nullopt)).at("items").as_array().size(), 1u);
  EXPECT_TRUE(J(svc.ListMyMatches(admin.id, 10, std::nullopt)).at("items").as_array().empty());
}

TEST_F(MatchServiceTest, RemovingAnArtworkCancelsItsLiveMatch) {
  std::int64_t m = AnnBobMatch();
  EXPECT_EQ(Status(ann, m, MatchAction::kAccept), "PENDING");
  arts.Delete(admin.id, art_ann, w.durable);
  EXPECT_TRUE(AllMatches().empty());
  for (const auto& u : {ann, bob}) {
    auto news = w.Notes(u.id, "MATCH_UPDATE");
    ASSERT_FALSE(news.empty()) << u.username;
    EXPECT_NE(news[0].message.find("cancelled"), std::string::npos) << news[0].message;
  }
  EXPECT_API_ERROR(svc.Act(bob.id, m, MatchAction::kAccept, w.durable), 404, "not_found");
}

}  // namespace
}  // namespace atelier::matching

namespace atelier::matching {
namespace {

// Artworks read no likes or matches: what an artwork shows of them comes from the hooks this
// service registers, on every path (a single artwork, a list page, the results, a match).
TEST_F(MatchServiceTest, ArtworksShowTheViewersLikeAndMatchThroughTheHooks) {
  svc.Like(ann.id, art_bob, 3, w.durable);
  svc.Like(ann.id, art_cat, std::nullopt, w.durable);
  auto get = [&](const accounts::AuthUser& u, std::int64_t id) { return J(arts.Get(u.id, id)); };
  EXPECT_EQ(get(ann, art_bob).at("myLike").at("rank").as_int64(), 3);
  EXPECT_TRUE(get(ann, art_cat).at("myLike").at("rank").is_null());
  EXPECT_TRUE(get(ann, art_dan).at("myLike").is_null());
  EXPECT_TRUE(get(bob, art_bob).at("myLike").is_null());  // the viewer's likes only
  EXPECT_FALSE(get(ann, art_bob).at("isMatched").as_bool());
  svc.Like(bob.id, art_ann, 1, w.durable);
  Close();
  // Bob and Ann are matched; Cat's artwork is liked by Ann but in no match.
  for (const auto& viewer : {ann, dan}) {
    auto page = J(arts.List(viewer.id, ev, artworks::Sort::kNew, 10, std::nullopt)).at("items").as_array();
    ASSERT_EQ(page.size(), 4u);
    for (const auto& item : page) {
      const std::int64_t id = Id(item.at("id"));
      EXPECT_EQ(item.at("isMatched").as_bool(), id == art_ann || id == art_bob) << id;
      const bool liked = viewer.id == ann.id && (id == art_bob || id == art_cat);
      EXPECT_EQ(!item.at("myLike").is_null(), liked) << id;
    }
  }
  auto results = J(arts.Results(ann.id, ev, 10, std::nullopt)).at("items").as_array();
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) {
    const std::int64_t id = Id(r.at("artwork").at("id"));
    EXPECT_EQ(r.at("artwork").at("isMatched").as_bool(), id == art_ann || id == art_bob) << id;
  }
  auto match = AllMatches().at(0);
  for (const auto& p : match.at("participants").as_array()) {
    const auto& art = p.at("artwork");
    EXPECT_TRUE(art.at("isMatched").as_bool());
    EXPECT_TRUE(art.at("voteCount").is_int64());  // a closed event's counts are visible
  }
}

// Without matching's hooks an artwork shows no likes: the hooks are what connects the two
// features.
TEST(ArtworkHooks, AnArtworkWithoutHooksHasNoMarks) {
  World w;
  auto owner = w.AddUser("owner"), ann = w.AddUser("ann"), bob = w.AddUser("bob");
  std::int64_t group = w.AddGroup(owner, {}, {ann, bob});
  std::int64_t ev = w.AddEvent(group, "MATCHING");
  std::int64_t art_bob = w.AddArtwork(ev, bob, "Bob's");
  w.db->Write([&](db::Tx& tx) {
    tx.Exec("INSERT INTO likes (liker_id, artwork_id, event_id, rank, created_at) VALUES ($1, $2, $3, 1, 0)", ann.id,
            art_bob, ev);
  });
  artworks::ArtworkHooks none;
  std::optional<api::Artwork> seen;
  w.db->Read([&](db::Tx& tx) { seen = artworks::ViewArtwork(tx, none, art_bob, ann.id, Phase::kMatching); });
  ASSERT_TRUE(seen);
  EXPECT_FALSE(seen->myLike);
  artworks::ArtworkHooks hooks;
  MatchService svc{*w.db, w.clock, w.notifier, hooks};
  svc.AddArtworkHooks(hooks);
  w.db->Read([&](db::Tx& tx) { seen = artworks::ViewArtwork(tx, hooks, art_bob, ann.id, Phase::kMatching); });
  ASSERT_TRUE(seen && seen->myLike);
  EXPECT_EQ(seen->myLike->rank, 1);
  w.db->Read(
      [&](db::Tx& tx) { EXPECT_FALSE(artworks::ViewArtwork(tx, hooks, art_bob + 100, ann.id, Phase::kMatching)); });
}

// A decline frees both artists: each is paired with a free mutual partner; the declined
// pair is never made again.
TEST_F(MatchServiceTest, DeclinePairsTheFreedArtistsAgain) {
  svc.Like(ann.id, art_bob, 1, w.durable);
  svc.Like(bob.id, art_ann, 1, w.durable);
  svc.Like(ann.id, art_cat, 5, w.durable);
  svc.Like(cat.id, art_ann, 5, w.durable);
  Close();
  ASSERT_EQ(AllMatches().size(), 1u);  // ann–bob; cat is left out
  auto cat_no = w.Notes(cat.id, "NO_MATCH");
  ASSERT_EQ(cat_no.size(), 1u);
  EXPECT_EQ(cat_no[0].data.at("reason").as_string(), "paired_elsewhere");
  EXPECT_EQ(J(svc.GetNoMatch(cat.id, ev)).at("reason").as_string(), "paired_elsewhere");
  EXPECT_EQ(w.Notes(dan.id, "NO_MATCH")[0].data.at("reason").as_string(), "no_mutual_likes");
  EXPECT_TRUE(w.Notes(idle.id, "NO_MATCH").empty());

  auto first = Id(AllMatches()[0].at("id"));
  EXPECT_EQ(Status(bob, first, MatchAction::kDecline), "DECLINED");
  auto all = AllMatches();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].at("status").as_string(), "PENDING");
  EXPECT_EQ(w.Notes(cat.id, "NEW_MATCH").size(), 1u);
  EXPECT_TRUE(J(svc.GetNoMatch(cat.id, ev)).at("reason").is_null());
  // ann–cat declines too: ann, bob and cat are free, but every mutual pair declined.
  EXPECT_EQ(Status(cat, Id(all[1].at("id")), MatchAction::kDecline), "DECLINED");
  EXPECT_EQ(AllMatches().size(), 2u);
}

// TRADE_REMINDER 24 hours before tradesDueAt, once per participant, not for a participant
// whose art the partner has received.
TEST_F(MatchServiceTest, TradeRemindersGoOnceInTheLastDay) {
  const Millis due = w.clock.Now() + 30 * fixture::kHourMs;
  w.db->Write([&](db::Tx& tx) { tx.Exec("UPDATE events SET trades_due_at = $1 WHERE id = $2", due, ev); });
  auto m = AnnBobMatch();
  Status(ann, m, MatchAction::kAccept);
  Status(bob, m, MatchAction::kAccept);
  auto sweep = [&] { return w.db->Write([&](db::Tx& tx) { return svc.SendTradeReminders(tx, w.clock.Now()); }); };
  EXPECT_EQ(sweep(), 0);  // 30 hours ahead
  w.clock.Advance(7 * fixture::kHourMs);
  Status(bob, m, MatchAction::kComplete);  // bob received ann's art: ann is done
  EXPECT_EQ(sweep(), 1);
  EXPECT_EQ(sweep(), 0);
  auto notes = w.Notes(bob.id, "TRADE_REMINDER");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].data.at("matchId").as_string(), std::to_string(m));
  EXPECT_EQ(notes[0].data.at("dueAt").as_string(), FormatTime(due));
  EXPECT_TRUE(w.Notes(ann.id, "TRADE_REMINDER").empty());
  w.clock.Advance(24 * fixture::kHourMs);  // past the deadline: nothing more
  EXPECT_EQ(sweep(), 0);
}

// A participant who delivered a piece is not reminded; the partner who did not is.
TEST_F(MatchServiceTest, TradeReminderSkipsAParticipantWhoDelivered) {
  const Millis due = w.clock.Now() + 6 * fixture::kHourMs;
  w.db->Write([&](db::Tx& tx) { tx.Exec("UPDATE events SET trades_due_at = $1 WHERE id = $2", due, ev); });
  auto m = AnnBobMatch();
  Status(ann, m, MatchAction::kAccept);
  Status(bob, m, MatchAction::kAccept);
  w.db->Write([&](db::Tx& tx) {
    tx.Exec(
        "INSERT INTO match_deliveries (match_id, user_id, title, image_key, image_type, thumb_key, thumb_type, width, "
        "height, created_at) VALUES ($1, $2, 'piece', 'k', 'image/png', 't', 'image/webp', 10, 10, $3)",
        m, ann.id, w.clock.Now());
  });
  auto sweep = [&] { return w.db->Write([&](db::Tx& tx) { return svc.SendTradeReminders(tx, w.clock.Now()); }); };
  EXPECT_EQ(sweep(), 1);
  EXPECT_EQ(sweep(), 0);
  EXPECT_TRUE(w.Notes(ann.id, "TRADE_REMINDER").empty());
  EXPECT_EQ(w.Notes(bob.id, "TRADE_REMINDER").size(), 1u);
}

}  // namespace
}  // namespace atelier::matching
