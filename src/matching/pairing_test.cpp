#include "matching/pairing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace atelier::matching {
namespace {

// ---- Independent reference: a direct reading of docs/product.md §7, no shared code with pairing.cpp. ----

struct RefEdge {
  std::int64_t a, b;  // a < b
  std::int64_t artwork_of_a, artwork_of_b, cost;
};

std::vector<RefEdge> ReferenceEdges(const std::vector<Like>& likes) {
  int max_rank = 0;
  for (const Like& l : likes)
    if (l.liker != l.artist && l.rank) max_rank = std::max(max_rank, *l.rank);
  auto eff = [&](const Like& l) { return static_cast<std::int64_t>(l.rank ? *l.rank : max_rank + 1); };
  std::set<std::int64_t> users;
  for (const Like& l : likes) {
    users.insert(l.liker);
    users.insert(l.artist);
  }
  // best(x, y): x's best like of y's work as (rank, artwork), if any.
  auto best = [&](std::int64_t x, std::int64_t y) -> std::optional<std::pair<std::int64_t, std::int64_t>> {
    std::optional<std::pair<std::int64_t, std::int64_t>> result;
    for (const Like& l : likes) {
      if (l.liker != x || l.artist != y || x == y) continue;
      std::pair<std::int64_t, std::int64_t> candidate{eff(l), l.artwork};
      if (!result || candidate < *result) result = candidate;
    }
    return result;
  };
  std::vector<RefEdge> edges;
  for (std::int64_t a : users)
    for (std::int64_t b : users) {
      if (a >= b) continue;
      auto ab = best(a, b), ba = best(b, a);
      if (ab && ba) edges.push_back({a, b, ba->second, ab->second, ab->first + ba->first});
    }
  return edges;
}

struct Optimum {
  int pairs = 0;
  std::int64_t cost = 0;
};

// Exhaustive search over all matchings: the lowest unmatched node is either left alone or matched to a neighbour.
void Search(const std::vector<RefEdge>& edges, std::vector<std::int64_t>& used, std::size_t first_edge, int pairs,
            std::int64_t cost, Optimum& best) {
  if (pairs > best.pairs || (pairs == best.pairs && cost < best.cost)) best = {pairs, cost};
  for (std::size_t i = first_edge; i < edges.size(); ++i) {
    const RefEdge& e = edges[i];
    if (std::find(used.begin(), used.end(), e.a) != used.end() ||
        std::find(used.begin(), used.end(), e.b) != used.end())
      continue;
    used.push_back(e.a);
    used.push_back(e.b);
    Search(edges, used, i + 1, pairs + 1, cost + e.cost, best);
    used.pop_back();
    used.pop_back();
  }
}

Optimum BruteForce(const std::vector<RefEdge>& edges) {
  Optimum best;
  std::vector<std::int64_t> used;
  Search(edges, used, 0, 0, 0, best);
  return best;
}

// Checks that `pairs` is a valid matching of mutual edges with the right fields, sorted, and returns its total cost.
std::int64_t CheckValid(const std::vector<Pair>& pairs, const std::vector<RefEdge>& edges) {
  std::set<std::int64_t> seen;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Pair& p = pairs[i];
    EXPECT_LT(p.user_a, p.user_b);
    if (i > 0) {
      EXPECT_LT(std::pair(pairs[i - 1].user_a, pairs[i - 1].user_b), std::pair(p.user_a, p.user_b));
    }
    EXPECT_TRUE(seen.insert(p.user_a).second) << "user " << p.user_a << " matched twice";
    EXPECT_TRUE(seen.insert(p.user_b).second) << "user " << p.user_b << " matched twice";
    auto it =
        std::find_if(edges.begin(), edges.end(), [&](const RefEdge& e) { return e.a == p.user_a && e.b == p.user_b; });
    EXPECT_NE(it, edges.end()) << "not a mutual pair: " << p.user_a << "-" << p.user_b;
    if (it != edges.end()) {
      EXPECT_EQ(p.artwork_of_a, it->artwork_of_a);
      EXPECT_EQ(p.artwork_of_b, it->artwork_of_b);
      EXPECT_EQ(p.cost, it->cost);
    }
    total += p.cost;
  }
  return total;
}

// ---- Random instances ----

struct Instance {
  std::vector<Like> likes;
};

Instance RandomInstance(std::mt19937_64& rng) {
  const int artists = std::uniform_int_distribution<int>(0, 10)(rng);
  std::vector<std::int64_t> ids(static_cast<std::size_t>(artists));
  for (int i = 0; i < artists; ++i) ids[static_cast<std::size_t>(i)] = 1000 + 7 * i + static_cast<int>(rng() % 5);
  std::shuffle(ids.begin(), ids.end(), rng);
  // Each artist has 1–3 artworks with distinct ids.
  std::vector<std::vector<std::int64_t>> works(ids.size());
  std::int64_t next_artwork = 1;
  for (auto& w : works) {
    const int n = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int k = 0; k < n; ++k) w.push_back(next_artwork++ * 3 + static_cast<std::int64_t>(rng() % 3));
  }
  const double mutual_p = std::uniform_real_distribution<double>(0.1, 0.9)(rng);
  const int max_rank = std::uniform_int_distribution<int>(1, 4)(rng);  // small: many ties
  const double unranked_p = std::uniform_real_distribution<double>(0.0, 0.5)(rng);
  const bool no_ranks = rng() % 20 == 0;
  auto random_rank = [&]() -> std::optional<int> {
    if (no_ranks || std::bernoulli_distribution(unranked_p)(rng)) return std::nullopt;
    return std::uniform_int_distribution<int>(1, max_rank)(rng);
  };
  Instance inst;
  for (std::size_t i = 0; i < ids.size(); ++i)
    for (std::size_t j = i + 1; j < ids.size(); ++j) {
      const bool mutual = std::bernoulli_distribution(mutual_p)(rng);
      const bool one_way = !mutual && std::bernoulli_distribution(0.3)(rng);
      if (!mutual && !one_way) continue;
      auto like_some = [&](std::size_t from, std::size_t to) {
        const int count = std::uniform_int_distribution<int>(1, static_cast<int>(works[to].size()))(rng);
        for (int k = 0; k < count; ++k) {
          const std::int64_t artwork = works[to][rng() % works[to].size()];
          inst.likes.push_back({ids[from], artwork, ids[to], random_rank()});  // duplicates allowed on purpose
        }
      };
      if (mutual) {
        like_some(i, j);
        like_some(j, i);
      } else if (rng() % 2) {
        like_some(i, j);
      } else {
        like_some(j, i);
      }
    }
  // A few self-likes, which must be ignored.
  if (!ids.empty() && rng() % 4 == 0) inst.likes.push_back({ids[0], works[0][0], ids[0], 1});
  std::shuffle(inst.likes.begin(), inst.likes.end(), rng);
  return inst;
}

TEST(PairingTest, MatchesBruteForceOnRandomGraphs) {
  std::mt19937_64 rng(20240611);
  constexpr int kGraphs = 10000;
  int nonempty = 0, with_choice = 0;
  for (int g = 0; g < kGraphs; ++g) {
    Instance inst = RandomInstance(rng);
    const std::vector<RefEdge> edges = ReferenceEdges(inst.likes);
    const Optimum opt = BruteForce(edges);
    const std::vector<Pair> pairs = ComputePairing(inst.likes);
    const std::int64_t total = CheckValid(pairs, edges);
    ASSERT_EQ(static_cast<int>(pairs.size()), opt.pairs) << "graph " << g;
    ASSERT_EQ(total, opt.cost) << "graph " << g;
    if (!pairs.empty()) ++nonempty;
    if (edges.size() > pairs.size()) ++with_choice;
    // Determinism: any order of the same likes gives exactly the same result.
    if (g % 4 == 0) {
      std::vector<Like> shuffled = inst.likes;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      ASSERT_EQ(ComputePairing(shuffled), pairs) << "graph " << g;
    }
  }
  EXPECT_GT(nonempty, kGraphs / 2);
  EXPECT_GT(with_choice, kGraphs / 4);
}

// The rules take edges out of the graph and nothing else: the optimum over the edges they
// allow, with ranks from every like of the event (a brute force on random graphs).
TEST(PairingTest, RulesMatchBruteForceOnTheAllowedEdges) {
  std::mt19937_64 rng(20261205);
  constexpr int kGraphs = 4000;
  int ruled_out = 0;
  for (int g = 0; g < kGraphs; ++g) {
    Instance inst = RandomInstance(rng);
    const std::vector<RefEdge> all = ReferenceEdges(inst.likes);
    PairingRules rules;
    std::set<std::int64_t> users;
    for (const Like& l : inst.likes) users.insert(l.artist);
    for (std::int64_t u : users)
      if (rng() % 6 == 0) rules.unavailable.push_back(u);
    for (const RefEdge& e : all) {
      if (rng() % 4 != 0) continue;
      // Either order: the rule is about the unordered pair.
      if (rng() % 2)
        rules.forbidden.emplace_back(e.a, e.b);
      else
        rules.forbidden.emplace_back(e.b, e.a);
    }
    std::vector<RefEdge> allowed;
    for (const RefEdge& e : all) {
      auto is = [&](std::int64_t u) {
        return std::find(rules.unavailable.begin(), rules.unavailable.end(), u) != rules.unavailable.end();
      };
      const bool forbidden =
          std::find(rules.forbidden.begin(), rules.forbidden.end(), std::pair{e.a, e.b}) != rules.forbidden.end() ||
          std::find(rules.forbidden.begin(), rules.forbidden.end(), std::pair{e.b, e.a}) != rules.forbidden.end();
      if (forbidden || is(e.a) || is(e.b)) continue;
      allowed.push_back(e);
    }
    if (allowed.size() < all.size()) ++ruled_out;
    const Optimum opt = BruteForce(allowed);
    const std::vector<Pair> pairs = ComputePairing(inst.likes, rules);
    const std::int64_t total = CheckValid(pairs, allowed);
    ASSERT_EQ(static_cast<int>(pairs.size()), opt.pairs) << "graph " << g;
    ASSERT_EQ(total, opt.cost) << "graph " << g;
  }
  EXPECT_GT(ruled_out, kGraphs / 3);
}

// ---- Hand-written cases ----

// Likes where `a` and `b` like each other's only artwork (artwork id = 100 * artist id) with the given ranks.
void AddMutual(std::vector<Like>& likes, std::int64_t a, std::int64_t b, std::optional<int> rank_ab = 1,
               std::optional<int> rank_ba = 1) {
  likes.push_back({a, 100 * b, b, rank_ab});
  likes.push_back({b, 100 * a, a, rank_ba});
}

TEST(PairingTest, EmptyInput) { EXPECT_TRUE(ComputePairing({}).empty()); }

TEST(PairingTest, NoMutualLikes) {
  std::vector<Like> likes = {{1, 200, 2, 1}, {2, 300, 3, 1}, {3, 100, 1, 1}, {1, 400, 4, std::nullopt}};
  EXPECT_TRUE(ComputePairing(likes).empty());
}

TEST(PairingTest, SelfLikesIgnored) {
  std::vector<Like> likes = {{1, 100, 1, 1}, {1, 101, 1, 1}, {2, 200, 2, std::nullopt}};
  EXPECT_TRUE(ComputePairing(likes).empty());
  // A self-like with a huge rank does not change R either.
  likes = {{1, 100, 1, 50}};
  AddMutual(likes, 1, 2, 3, std::nullopt);
  const auto pairs = ComputePairing(likes);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].cost, 3 + 4);
}

TEST(PairingTest, SinglePair) {
  std::vector<Like> likes;
  AddMutual(likes, 9, 4, 2, 5);
  EXPECT_EQ(ComputePairing(likes), (std::vector<Pair>{{4, 9, 400, 900, 7}}));
}

TEST(PairingTest, PathGivesTwoMatchesNotGreedyOne) {
  // A–B–C–D; the middle edge is the cheapest, so a greedy pick of it would leave A and D alone.
  std::vector<Like> likes;
  AddMutual(likes, 1, 2, 5, 5);  // A–B cost 10
  AddMutual(likes, 2, 3, 1, 1);  // B–C cost 2
  AddMutual(likes, 3, 4, 5, 5);  // C–D cost 10
  EXPECT_EQ(ComputePairing(likes), (std::vector<Pair>{{1, 2, 100, 200, 10}, {3, 4, 300, 400, 10}}));
}

TEST(PairingTest, MinimumCostAmongMaximumMatchings) {
  // Square 1–2–3–4–1: two perfect matchings, {12, 34} cost 2+8 = 10 and {23, 41} cost 4+4 = 8.
  std::vector<Like> likes;
  AddMutual(likes, 1, 2, 1, 1);
  AddMutual(likes, 3, 4, 4, 4);
  AddMutual(likes, 2, 3, 2, 2);
  AddMutual(likes, 4, 1, 2, 2);
  const auto pairs = ComputePairing(likes);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].user_a, 1);
  EXPECT_EQ(pairs[0].user_b, 4);
  EXPECT_EQ(pairs[1].user_a, 2);
  EXPECT_EQ(pairs[1].user_b, 3);
  EXPECT_EQ(pairs[0].cost + pairs[1].cost, 8);
}

TEST(PairingTest, OddCycleBlossom) {
  // Triangle 1–2–3 plus a pendant 3–4: the only perfect-ish choice is {12, 34}.
  std::vector<Like> likes;
  AddMutual(likes, 1, 2, 3, 3);
  AddMutual(likes, 2, 3, 1, 1);
  AddMutual(likes, 1, 3, 1, 1);
  AddMutual(likes, 3, 4, 3, 3);
  EXPECT_EQ(ComputePairing(likes), (std::vector<Pair>{{1, 2, 100, 200, 6}, {3, 4, 300, 400, 6}}));
}

TEST(PairingTest, UnrankedCountsAsMaxRankPlusOne) {
  std::vector<Like> likes;
  AddMutual(likes, 1, 2, std::nullopt, 2);
  // The largest rank in the event is 7, given in a one-way like: it still counts.
  likes.push_back({3, 100, 1, 7});
  auto pairs = ComputePairing(likes);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].cost, 8 + 2);

  // Unranked on both sides.
  likes.clear();
  AddMutual(likes, 1, 2, std::nullopt, std::nullopt);
  likes.push_back({3, 100, 1, 4});
  pairs = ComputePairing(likes);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].cost, 5 + 5);

  // No rank at all in the event: an unranked like counts as 1 (R = 0).
  likes.clear();
  AddMutual(likes, 1, 2, std::nullopt, std::nullopt);
  pairs = ComputePairing(likes);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].cost, 2);
}

TEST(PairingTest, UnrankedLosesToRankedInTheChoice) {
  // 1 likes 2 (rank 3) and 3 (unranked = 4); 2 and 3 both like 1 at rank 1. 1 is paired with 2.
  std::vector<Like> likes = {{1, 200, 2, 3}, {1, 300, 3, std::nullopt}, {2, 100, 1, 1}, {3, 100, 1, 1}};
  EXPECT_EQ(ComputePairing(likes), (std::vector<Pair>{{1, 2, 100, 200, 4}}));
}

TEST(PairingTest, ChosenArtworks) {
  // 1 has artworks 10, 11, 12; 2 has 20, 21.
  std::vector<Like> likes = {
      {2, 12, 1, 3},             // 2's best of 1's work: 11 and 12 tie at rank 3 ... but 10 is unranked (= 6)
      {2, 11, 1, 3},             //   → lowest artwork id among the best: 11
      {2, 10, 1, std::nullopt},  //
      {1, 21, 2, 2},             // 1's best of 2's work: 21 (rank 2) beats 20 (rank 5)
      {1, 20, 2, 5},             //
      {1, 21, 2, 5},             // a duplicate like with a worse rank does not matter
  };
  const std::vector<Pair> expected = {{1, 2, /*artwork_of_a=*/11, /*artwork_of_b=*/21, /*cost=*/3 + 2}};
  EXPECT_EQ(ComputePairing(likes), expected);
  std::reverse(likes.begin(), likes.end());
  EXPECT_EQ(ComputePairing(likes), expected);

  // All unranked: the lowest artwork id wins.
  likes = {{2, 12, 1, std::nullopt}, {2, 10, 1, std::nullopt}, {1, 21, 2, std::nullopt}, {1, 20, 2, std::nullopt}};
  EXPECT_EQ(ComputePairing(likes), (std::vector<Pair>{{1, 2, 10, 20, 2}}));
}

TEST(PairingTest, DeterministicUnderShuffleWithManyTies) {
  // A complete graph on 9 artists, all costs equal: many optimal matchings, always the same one is returned.
  std::vector<Like> likes;
  for (std::int64_t a = 1; a <= 9; ++a)
    for (std::int64_t b = a + 1; b <= 9; ++b) AddMutual(likes, a, b, 1, 1);
  const std::vector<Pair> reference = ComputePairing(likes);
  EXPECT_EQ(reference.size(), 4u);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 50; ++i) {
    std::shuffle(likes.begin(), likes.end(), rng);
    EXPECT_EQ(ComputePairing(likes), reference);
  }
}

TEST(PairingTest, LargeIdsAndRanks) {
  const std::int64_t big = std::int64_t{1} << 60;
  std::vector<Like> likes = {{big, 5, big + 1, 2'000'000'000}, {big + 1, 6, big, std::nullopt}};
  const auto pairs = ComputePairing(likes);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].cost, std::int64_t{2'000'000'000} + 2'000'000'001);
  // Many components with huge ranks, and a triangle with a huge spread of costs.
  likes.clear();
  AddMutual(likes, 1, 2, 2'000'000'000, 1);
  AddMutual(likes, 2, 3, 1, 1);
  AddMutual(likes, 1, 3, std::nullopt, std::nullopt);
  AddMutual(likes, 3, 4, 2'000'000'000, 2'000'000'000);
  EXPECT_EQ(ComputePairing(likes).size(), 2u);
}

TEST(PairingTest, DisconnectedComponents) {
  std::vector<Like> likes;
  AddMutual(likes, 1, 2, 5, 5);
  AddMutual(likes, 2, 3, 1, 1);
  AddMutual(likes, 3, 4, 5, 5);
  AddMutual(likes, 10, 11, 1, 1);
  AddMutual(likes, 20, 21, 2, 2);
  AddMutual(likes, 21, 22, 1, 1);
  const auto pairs = ComputePairing(likes);
  ASSERT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0], (Pair{1, 2, 100, 200, 10}));
  EXPECT_EQ(pairs[1], (Pair{3, 4, 300, 400, 10}));
  EXPECT_EQ(pairs[2], (Pair{10, 11, 1000, 1100, 2}));
  EXPECT_EQ(pairs[3], (Pair{21, 22, 2100, 2200, 2}));
}

// A-B declined while A-C and B-D like each other: re-pairing without A-B and with the
// artists already matched (E-F) left out gives A-C and B-D.
TEST(PairingTest, RepairingAfterADecline) {
  std::vector<Like> likes;
  AddMutual(likes, 1, 2, 1, 1);  // A-B, declined
  AddMutual(likes, 1, 3, 2, 2);  // A-C
  AddMutual(likes, 2, 4, 3, 3);  // B-D
  AddMutual(likes, 5, 6, 1, 1);  // E-F, matched and not declined
  AddMutual(likes, 3, 5, 1, 1);  // C-E: E is taken
  const auto again = ComputePairing(likes, {.forbidden = {{2, 1}}, .unavailable = {5, 6}});
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0], (Pair{1, 3, 100, 300, 4}));
  EXPECT_EQ(again[1], (Pair{2, 4, 200, 400, 6}));
  // Ranks still come from every like: an unranked like weighs R + 1 with R of the whole event.
  std::vector<Like> unranked;
  AddMutual(unranked, 1, 2, 7, 7);
  AddMutual(unranked, 3, 4, std::nullopt, std::nullopt);
  EXPECT_EQ(ComputePairing(unranked, {.forbidden = {}, .unavailable = {1}}), (std::vector<Pair>{{3, 4, 300, 400, 16}}));
}

}  // namespace
}  // namespace atelier::matching
