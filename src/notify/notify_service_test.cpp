// Notifier and Feed against a real (in-memory) database: what a notification stores, when
// it is mailed (defaults and settings), group-wide notifications, read marks, paging, and
// that a notification commits or rolls back with the change it reports.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "notify/feed.h"
#include "notify/notifier.h"
#include "testing/service_world.h"

namespace atelier::notify {
namespace {

using fixture::World;
namespace json = boost::json;

class NotifyServiceTest : public ::testing::Test {
 protected:
  World w;
  accounts::AuthUser ann = w.AddUser("ann");
  accounts::AuthUser bob = w.AddUser("bob");
  accounts::AuthUser cat = w.AddUser("cat");

  std::int64_t Notify(const accounts::AuthUser& u, Type type, const std::string& message = "news",
                      bool may_email = true) {
    return w.db->Write([&](db::Tx& tx) {
      return w.notifier.Notify(tx, u.id, type, message, {{"eventId", "7"}, {"n", 1}}, may_email);
    });
  }
  json::object Page(const accounts::AuthUser& u, bool unread_only = false, int limit = 20,
                    std::optional<std::string> cursor = std::nullopt) {
    std::optional<std::int64_t> before;
    if (cursor) before = DecodeCursor(*cursor, 1)[0];
    return json::parse(ToJsonText(w.feed.List(u.id, unread_only, limit, before))).as_object();
  }
};

TEST_F(NotifyServiceTest, ANotificationIsListedForItsUserOnly) {
  w.clock.Advance(1234);
  std::int64_t id = Notify(ann, Type::kEventStatusUpdate, "Voting has started");
  auto page = Page(ann);
  ASSERT_EQ(page.at("items").as_array().size(), 1u);
  const auto& n = page.at("items").at(0).as_object();
  EXPECT_EQ(n.at("id").as_string(), std::to_string(id));
  EXPECT_EQ(n.at("type").as_string(), "EVENT_STATUS_UPDATE");
  EXPECT_EQ(n.at("message").as_string(), "Voting has started");
  EXPECT_EQ(n.at("data"), (json::object{{"eventId", "7"}, {"n", 1}}));
  EXPECT_EQ(n.at("createdAt").as_string(), FormatTime(fixture::kStart + 1234));
  EXPECT_FALSE(n.at("read").as_bool());
  EXPECT_EQ(page.at("unreadCount").as_int64(), 1);
  EXPECT_TRUE(page.at("nextCursor").is_null());
  EXPECT_TRUE(Page(bob).at("items").as_array().empty());
}

TEST_F(NotifyServiceTest, MailFollowsTheDefaultsOfEachType) {
  Notify(ann, Type::kGroupInvitation, "invited");
  Notify(ann, Type::kNewMatch, "matched");
  Notify(ann, Type::kMatchUpdate, "updated");
  Notify(ann, Type::kEventStatusUpdate, "phase");
  Notify(ann, Type::kVoteNotification, "votes");
  auto mail = w.MailTo(ann.email);
  ASSERT_EQ(mail.size(), 3u);
  EXPECT_EQ(mail[0].first, "invited");
  EXPECT_EQ(mail[1].first, "matched");
  EXPECT_EQ(mail[2].first, "updated");
  EXPECT_NE(mail[0].second.find("https://atelier.test"), std::string::npos) << mail[0].second;
  // News mailed already is not mailed again.
  Notify(ann, Type::kGroupInvitation, "again", /*may_email=*/false);
  EXPECT_EQ(w.MailTo(ann.email).size(), 3u);
  EXPECT_EQ(Page(ann).at("items").as_array().size(), 6u);
}

TEST_F(NotifyServiceTest, SettingsDecideWhatIsMailed) {
  auto defaults = w.feed.Settings(ann.id);
  EXPECT_TRUE(defaults.GROUP_INVITATION);
  EXPECT_FALSE(defaults.VOTE_NOTIFICATION);
  auto changed =
      w.feed.UpdateSettings(ann.id, {{Type::kGroupInvitation, false}, {Type::kVoteNotification, true}}, w.durable);
  EXPECT_FALSE(changed.GROUP_INVITATION);
  EXPECT_TRUE(changed.VOTE_NOTIFICATION);
  EXPECT_TRUE(changed.NEW_MATCH);  // untouched
  EXPECT_EQ(w.feed.Settings(ann.id), changed);
  EXPECT_EQ(w.feed.Settings(bob.id), defaults);  // one user's choice only

  Notify(ann, Type::kGroupInvitation, "invited");
  Notify(ann, Type::kVoteNotification, "votes");
  auto mail = w.MailTo(ann.email);
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].first, "votes");
}

TEST_F(NotifyServiceTest, GroupNotificationsReachEveryMemberAndHonourSettings) {
  std::int64_t group = w.AddGroup(ann, {bob});
  w.AddGroup(cat, {}, {}, "Elsewhere");
  w.feed.UpdateSettings(bob.id, {{Type::kNewMatch, false}}, w.durable);
  std::int64_t n = w.db->Write([&](db::Tx& tx) {
    return w.notifier.NotifyGroupMembers(tx, group, Type::kNewMatch, "for all", {{"groupId", "1"}});
  });
  EXPECT_EQ(n, 2);
  EXPECT_EQ(w.Notes(ann.id, "NEW_MATCH").size(), 1u);
  EXPECT_EQ(w.Notes(bob.id, "NEW_MATCH").size(), 1u);
  EXPECT_TRUE(w.Notes(cat.id).empty());
  EXPECT_EQ(w.MailTo(ann.email).size(), 1u);
  EXPECT_TRUE(w.MailTo(bob.email).empty());
  // A group nobody is in (it has no memberships) notifies nobody.
  EXPECT_EQ(
      w.db->Write([&](db::Tx& tx) { return w.notifier.NotifyGroupMembers(tx, group + 100, Type::kNewMatch, "x", {}); }),
      0);
}

TEST_F(NotifyServiceTest, ANotificationRollsBackWithItsChange) {
  EXPECT_THROW(w.db->Write([&](db::Tx& tx) {
    w.notifier.Notify(tx, ann.id, Type::kGroupInvitation, "never", {});
    throw std::runtime_error("the change failed");
  }),
               std::runtime_error);
  EXPECT_TRUE(w.Notes(ann.id).empty());
  EXPECT_TRUE(w.MailTo(ann.email).empty());
}

TEST_F(NotifyServiceTest, ReadMarksAreTheOwnersOnly) {
  std::int64_t first = Notify(ann, Type::kEventStatusUpdate, "one");
  Notify(ann, Type::kEventStatusUpdate, "two");
  std::int64_t bobs = Notify(bob, Type::kEventStatusUpdate, "bob's");
  EXPECT_API_ERROR(w.feed.MarkRead(ann.id, bobs, w.durable), 404, "not_found");
  EXPECT_API_ERROR(w.feed.MarkRead(ann.id, bobs + 100, w.durable), 404, "not_found");
  w.feed.MarkRead(ann.id, first, w.durable);
  w.feed.MarkRead(ann.id, first, w.durable);  // again: still fine
  auto page = Page(ann);
  EXPECT_EQ(page.at("unreadCount").as_int64(), 1);
  EXPECT_TRUE(page.at("items").at(1).at("read").as_bool());
  auto unread = Page(ann, /*unread_only=*/true);
  ASSERT_EQ(unread.at("items").as_array().size(), 1u);
  EXPECT_EQ(unread.at("items").at(0).at("message").as_string(), "two");

  w.feed.MarkAllRead(ann.id, w.durable);
  EXPECT_EQ(Page(ann).at("unreadCount").as_int64(), 0);
  EXPECT_TRUE(Page(ann, true).at("items").as_array().empty());
  EXPECT_EQ(Page(bob).at("unreadCount").as_int64(), 1);  // bob's stay unread
}

TEST_F(NotifyServiceTest, TheFeedPagesNewestFirstWithoutGapsOrRepeats) {
  for (int i = 0; i < 25; ++i) Notify(ann, Type::kEventStatusUpdate, "n" + std::to_string(i));
  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto page = Page(ann, false, 10, cursor);
    for (const auto& it : page.at("items").as_array()) seen.emplace_back(it.at("message").as_string());
    EXPECT_EQ(page.at("unreadCount").as_int64(), 25);  // all unread ones, not the page's
    cursor =
        page.at("nextCursor").is_null() ? std::nullopt : std::optional<std::string>(page.at("nextCursor").as_string());
    ++pages;
  } while (cursor && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], "n" + std::to_string(24 - i));
}

TEST_F(NotifyServiceTest, ACommittedNotificationIsSignalledWithItsId) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> payloads;
  w.db->Listen(std::string(kChannel), [&](std::string_view p) {
    std::lock_guard lock(mu);
    payloads.emplace_back(p);
    cv.notify_all();
  });
  // Committed: "first:last" of the inserted ids, for every StreamHub to push.
  std::int64_t id = Notify(ann, Type::kEventStatusUpdate);
  std::unique_lock lock(mu);
  // A generous ceiling: delivery is on the database's background thread.
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !payloads.empty(); }));
  EXPECT_EQ(payloads.front(), std::to_string(id) + ":" + std::to_string(id));
}

}  // namespace
}  // namespace atelier::notify
