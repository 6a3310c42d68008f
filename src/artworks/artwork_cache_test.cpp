#include "artworks/artwork_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace atelier::artworks {
namespace {

using Text = ArtworkHeadCache::Text;

Text Head(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

// Looks up one id; "" when absent.
std::string One(ArtworkHeadCache& c, std::int64_t epoch, std::int64_t id) {
  std::vector<std::int64_t> ids{id};
  std::vector<Text> heads(1);
  c.Find(epoch, ids, heads);
  return heads[0] ? *heads[0] : "";
}

TEST(ArtworkHeadCache, FindsWhatWasStoredUnderTheSameEpochOnly) {
  ArtworkHeadCache c(1 << 20);
  c.Store(3, 10, Head("ten"));
  c.Store(3, 11, Head("eleven"));
  std::vector<std::int64_t> ids{11, 12, 10};
  std::vector<Text> heads(3);
  EXPECT_EQ(c.Find(3, ids, heads), 2u);
  ASSERT_TRUE(heads[0] && heads[2]);
  EXPECT_EQ(*heads[0], "eleven");
  EXPECT_FALSE(heads[1]);
  EXPECT_EQ(*heads[2], "ten");
  // A reader of another epoch finds nothing: its snapshot may show other text.
  EXPECT_EQ(One(c, 2, 10), "");
  EXPECT_EQ(One(c, 4, 10), "");
}

TEST(ArtworkHeadCache, ANewerEpochDropsEverythingAnOlderOneStoresNothing) {
  ArtworkHeadCache c(1 << 20);
  c.Store(1, 10, Head("old ten"));
  c.Store(1, 11, Head("old eleven"));
  c.Store(2, 10, Head("new ten"));
  EXPECT_EQ(One(c, 2, 10), "new ten");
  EXPECT_EQ(One(c, 2, 11), "");  // read under epoch 1: gone
  EXPECT_EQ(c.GetStats().entries, 1u);
  // A reader whose snapshot predates epoch 2 must not bring its text back.
  c.Store(1, 11, Head("old eleven"));
  c.Store(1, 10, Head("old ten"));
  EXPECT_EQ(One(c, 2, 10), "new ten");
  EXPECT_EQ(One(c, 2, 11), "");
  EXPECT_EQ(c.GetStats().epoch, 2);
}

TEST(ArtworkHeadCache, StaysWithinItsBudgetAndKeepsWhatIsAskedFor) {
  const std::string text(200, 'x');
  const std::size_t cost = text.size() + ArtworkHeadCache::kEntryOverhead;
  const std::size_t budget = 100 * cost;
  ArtworkHeadCache c(budget);
  for (std::int64_t id = 0; id < 1000; ++id) {
    c.Store(1, id, Head(text));
    // Artwork 0 is asked for all the time; it must survive every rotation.
    EXPECT_EQ(One(c, 1, 0), text) << "after storing " << id;
    auto s = c.GetStats();
    EXPECT_LE(s.bytes, budget);
    EXPECT_LE(s.entries, 100u);
  }
  EXPECT_GE(c.GetStats().entries, 50u);
  EXPECT_EQ(One(c, 1, 999), text);
  EXPECT_EQ(One(c, 1, 500), "");  // long gone
  // A head larger than half the budget is not kept at all.
  c.Store(1, 5000, Head(std::string(budget, 'y')));
  EXPECT_EQ(One(c, 1, 5000), "");
}

TEST(ArtworkHeadCache, ConcurrentReadersNeverSeeTextOfAnotherEpoch) {
  // Writers store "e<epoch>:<id>" under epoch e while the epoch moves on; readers must only
  // ever get the text of the epoch they ask with.
  ArtworkHeadCache c(64 * 1024);
  std::atomic<std::int64_t> epoch{0};
  std::atomic<bool> stop{false};
  std::atomic<long> hits{0}, wrong{0};
  auto text = [](std::int64_t e, std::int64_t id) { return "e" + std::to_string(e) + ":" + std::to_string(id); };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::int64_t> ids(50);
      std::vector<Text> heads(50);
      for (int round = 0; !stop; ++round) {
        std::int64_t e = epoch.load();
        for (int i = 0; i < 50; ++i) ids[i] = (round * 7 + i + t) % 400;
        std::fill(heads.begin(), heads.end(), nullptr);
        hits += static_cast<long>(c.Find(e, ids, heads));
        for (int i = 0; i < 50; ++i) {
          if (heads[i] && *heads[i] != text(e, ids[i])) ++wrong;
          if (!heads[i]) c.Store(e, ids[i], Head(text(e, ids[i])));
        }
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    ++epoch;
  }
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(hits.load(), 0);
}

}  // namespace
}  // namespace atelier::artworks
