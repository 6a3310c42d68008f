#include "artworks/artwork_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace atelier::artworks {
namespace {

using Head = ArtworkHeadCache::Head;
Head MakeHead(std::string s) { return std::make_shared<const std::string>(std::move(s)); }
std::string Text(const Head& h) { return h ? *h : std::string(); }

// Looks up one id; "" when absent.
std::string One(ArtworkHeadCache& c, std::int64_t epoch, std::int64_t id) {
  std::vector<std::int64_t> ids{id};
  std::vector<Head> heads(1);
  c.Find(epoch, ids, heads);
  return Text(heads[0]);
}

TEST(ArtworkHeadCache, FindsWhatWasStoredUnderTheSameEpochOnly) {
  ArtworkHeadCache c(1 << 20);
  c.Store(3, 10, MakeHead("ten"));
  c.Store(3, 11, MakeHead("eleven"));
  std::vector<std::int64_t> ids{11, 12, 10};
  std::vector<Head> heads(3);
  EXPECT_EQ(c.Find(3, ids, heads), 2u);
  EXPECT_EQ(Text(heads[0]), "eleven");
  EXPECT_EQ(heads[1], nullptr);
  EXPECT_EQ(Text(heads[2]), "ten");
  // A reader of another epoch finds nothing: its snapshot may show other text.
  EXPECT_EQ(One(c, 2, 10), "");
  EXPECT_EQ(One(c, 4, 10), "");
}

TEST(ArtworkHeadCache, AHeadOutlivesItsEntry) {
  // A page keeps the heads it found while it writes, whatever the cache does meanwhile.
  ArtworkHeadCache c(1 << 20);
  c.Store(3, 10, MakeHead("ten"));
  std::vector<std::int64_t> ids{10, 10};
  std::vector<Head> heads(2);
  EXPECT_EQ(c.Find(3, ids, heads), 2u);
  EXPECT_EQ(heads[0], heads[1]);       // the same text, shared, not copied
  c.Store(4, 11, MakeHead("eleven"));  // a newer epoch drops every head
  EXPECT_EQ(One(c, 3, 10), "");
  EXPECT_EQ(Text(heads[0]), "ten");
  std::vector<Head> none(0);
  EXPECT_EQ(c.Find(4, std::vector<std::int64_t>{}, none), 0u);  // an empty page
}

TEST(ArtworkHeadCache, ANewerEpochDropsEverythingAnOlderOneStoresNothing) {
  ArtworkHeadCache c(1 << 20);
  c.Store(1, 10, MakeHead("old ten"));
  c.Store(1, 11, MakeHead("old eleven"));
  c.Store(2, 10, MakeHead("new ten"));
  EXPECT_EQ(One(c, 2, 10), "new ten");
  EXPECT_EQ(One(c, 2, 11), "");  // read under epoch 1: gone
  EXPECT_EQ(c.GetStats().entries, 1u);
  // A reader whose snapshot predates epoch 2 must not bring its text back.
  c.Store(1, 11, MakeHead("old eleven"));
  c.Store(1, 10, MakeHead("old ten"));
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
    c.Store(1, id, MakeHead(text));
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
  c.Store(1, 5000, MakeHead(std::string(budget, 'y')));
  EXPECT_EQ(One(c, 1, 5000), "");
}

TEST(ArtworkHeadCache, ConcurrentReadersNeverSeeTextOfAnotherEpoch) {
  // Writers store "e<epoch>:<id>" under epoch e while the epoch moves on; readers must only
  // ever get the text of the epoch they ask with.
  ArtworkHeadCache c(64 * 1024);
  std::atomic<std::int64_t> epoch{0};
  std::atomic<bool> stop{false};
  std::atomic<long> hits{0}, wrong{0}, whole_pages{0};
  auto text = [](std::int64_t e, std::int64_t id) { return "e" + std::to_string(e) + ":" + std::to_string(id); };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::int64_t> ids(50);
      std::vector<Head> heads(50);
      for (int round = 0; !stop; ++round) {
        std::int64_t e = epoch.load();
        for (int i = 0; i < 50; ++i) ids[i] = (round * 7 + i + t) % 400;
        std::fill(heads.begin(), heads.end(), nullptr);
        const std::size_t found = c.Find(e, ids, heads);
        hits += static_cast<long>(found);
        if (found == ids.size()) ++whole_pages;
        for (int i = 0; i < 50; ++i) {
          if (heads[i] && *heads[i] != text(e, ids[i])) ++wrong;
          if (!heads[i]) c.Store(e, ids[i], MakeHead(text(e, ids[i])));
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
  EXPECT_GT(whole_pages.load(), 0);
}

}  // namespace
}  // namespace atelier::artworks

namespace atelier::artworks {
namespace {

// Random keys of an event: ids newest first, counts with many ties.
struct Sample {
  std::vector<std::int64_t> ids, votes;
};
Sample RandomSample(std::mt19937_64& rng, int n) {
  Sample s;
  std::int64_t id = 1 + static_cast<std::int64_t>(rng() % 5);
  for (int i = 0; i < n; ++i) {
    s.ids.push_back(id);
    s.votes.push_back(static_cast<std::int64_t>(rng() % 6));
    id += 1 + static_cast<std::int64_t>(rng() % 3);  // gaps: other events' artworks
  }
  std::reverse(s.ids.begin(), s.ids.end());
  std::reverse(s.votes.begin(), s.votes.end());
  return s;
}

std::vector<std::int64_t> IdsOf(const std::vector<ArtworkRow>& rows) {
  std::vector<std::int64_t> out;
  for (const auto& r : rows) out.push_back(r.id);
  return out;
}

TEST(EventKeys, PagesAreWhatTheIndexQueriesReturn) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    const int n = static_cast<int>(rng() % 40);
    Sample s = RandomSample(rng, n);
    EventKeys keys(5, true, s.ids, s.votes);
    EventKeys no_counts(5, false, s.ids, {});
    // Brute force of store::ListNew: ids below `before`, newest first.
    const std::int64_t before = static_cast<std::int64_t>(rng() % 100);
    const std::size_t limit = 1 + rng() % 10;
    std::vector<std::int64_t> expect;
    for (std::int64_t id : s.ids)
      if (id < before && expect.size() < limit) expect.push_back(id);
    EXPECT_EQ(IdsOf(keys.Newest(before, limit)), expect);
    EXPECT_EQ(IdsOf(no_counts.Newest(before, limit)), expect);
    for (const auto& r : keys.Newest(std::nullopt, 100))
      EXPECT_EQ(r.vote_count, s.votes[std::find(s.ids.begin(), s.ids.end(), r.id) - s.ids.begin()]);
    for (const auto& r : no_counts.Newest(std::nullopt, 100)) EXPECT_EQ(r.vote_count, 0);
    // Brute force of store::ListByVotes: vote_count <= v AND (vote_count < v OR id > i),
    // ORDER BY vote_count DESC, id ASC; and ranks as 1 + how many have more votes.
    std::vector<std::pair<std::int64_t, std::int64_t>> order;  // (votes, id)
    for (int i = 0; i < n; ++i) order.emplace_back(s.votes[i], s.ids[i]);
    std::sort(order.begin(), order.end(),
              [](auto a, auto b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    std::vector<std::int64_t> all;
    for (auto [v, id] : order) all.push_back(id);
    EXPECT_EQ(IdsOf(keys.ByVotes(std::nullopt, 1000)), all);
    const std::pair<std::int64_t, std::int64_t> after{static_cast<std::int64_t>(rng() % 7),
                                                      static_cast<std::int64_t>(rng() % 100)};
    std::vector<std::int64_t> expect_votes;
    for (auto [v, id] : order)
      if (v <= after.first && (v < after.first || id > after.second) && expect_votes.size() < limit)
        expect_votes.push_back(id);
    EXPECT_EQ(IdsOf(keys.ByVotes(after, limit)), expect_votes);
    for (std::int64_t v = 0; v < 8; ++v) {
      int more = 0;
      for (std::int64_t w : s.votes) more += w > v;
      EXPECT_EQ(keys.RankOf(v), more + 1);
    }
    EXPECT_THROW(no_counts.ByVotes(std::nullopt, 1), std::logic_error);
  }
  EXPECT_THROW(EventKeys(1, false, {1, 2}, {}), std::invalid_argument);  // oldest first
  EXPECT_THROW(EventKeys(1, true, {2, 1}, {0}), std::invalid_argument);
}

std::shared_ptr<const EventKeys> Keys(std::int64_t epoch, bool with_counts, int n) {
  std::vector<std::int64_t> ids, votes;
  for (int i = n; i > 0; --i) {
    ids.push_back(i);
    if (with_counts) votes.push_back(i % 3);
  }
  return std::make_shared<const EventKeys>(epoch, with_counts, ids, votes);
}

TEST(EventKeysCache, ServesOnlyItsEpochAndCountsOnlyWhenRead) {
  EventKeysCache c(1 << 20);
  EXPECT_FALSE(c.Find(1, 3, false));
  ASSERT_TRUE(c.BeginLoad(1, 10, false));
  c.Store(1, Keys(3, false, 10));
  EXPECT_TRUE(c.Find(1, 3, false));
  EXPECT_FALSE(c.Find(1, 4, false));  // a deletion (or a rename) since
  EXPECT_FALSE(c.Find(1, 2, false));
  EXPECT_FALSE(c.Find(1, 3, true));  // read while VOTING: no counts
  EXPECT_FALSE(c.Find(2, 3, false));
  ASSERT_TRUE(c.BeginLoad(1, 10, true));
  c.Store(1, Keys(3, true, 10));
  EXPECT_TRUE(c.Find(1, 3, true));
  EXPECT_TRUE(c.Find(1, 3, false));
  // Keys of an older snapshot, or of one epoch without counts, do not replace these.
  ASSERT_TRUE(c.BeginLoad(1, 10, false));
  c.Store(1, Keys(3, false, 10));
  EXPECT_TRUE(c.Find(1, 3, true));
  ASSERT_TRUE(c.BeginLoad(1, 10, true));
  c.Store(1, Keys(2, true, 10));
  EXPECT_TRUE(c.Find(1, 3, true));
  ASSERT_TRUE(c.BeginLoad(1, 10, true));
  c.Store(1, Keys(4, true, 9));
  EXPECT_FALSE(c.Find(1, 3, true));
  EXPECT_EQ(c.Find(1, 4, true)->Size(), 9u);
}

TEST(EventKeysCache, OneLoaderPerEventAndABudget) {
  const std::size_t each = EventKeysCache::Cost(1000, false);
  EventKeysCache c(3 * each);
  ASSERT_TRUE(c.BeginLoad(1, 1000, false));
  EXPECT_FALSE(c.BeginLoad(1, 1000, false));  // someone is reading event 1 already
  EXPECT_TRUE(c.BeginLoad(2, 1000, false));
  c.EndLoad(2);  // that load failed
  EXPECT_TRUE(c.BeginLoad(2, 1000, false));
  c.Store(1, Keys(1, false, 1000));
  c.Store(2, Keys(1, false, 1000));
  EXPECT_TRUE(c.BeginLoad(1, 1000, false));  // the load ended with Store
  c.EndLoad(1);
  // Too large for half the budget: never loaded, never stored.
  EXPECT_FALSE(c.BeginLoad(9, 2000, false));
  c.Store(9, Keys(1, false, 2000));
  EXPECT_FALSE(c.Find(9, 1, false));
  // Over budget: the least recently used event goes.
  EXPECT_TRUE(c.Find(1, 1, false));
  for (std::int64_t e = 3; e <= 4; ++e) {
    ASSERT_TRUE(c.BeginLoad(e, 1000, false));
    c.Store(e, Keys(1, false, 1000));
  }
  EXPECT_LE(c.Bytes(), 3 * each);
  EXPECT_TRUE(c.Find(1, 1, false));
  EXPECT_FALSE(c.Find(2, 1, false));
  EXPECT_TRUE(c.Find(4, 1, false));
}

}  // namespace
}  // namespace atelier::artworks
