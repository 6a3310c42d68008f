#include "artworks/ranking.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>

namespace atelier::artworks {
namespace {

TEST(CompetitionRanks, TiesShareARankAndTheNextSkips) {
  EXPECT_EQ(CompetitionRanks({9, 5, 5, 1}), (std::vector<int>{1, 2, 2, 4}));
  EXPECT_EQ(CompetitionRanks({3, 3, 3}), (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(CompetitionRanks({4, 3, 2, 2, 2, 0, 0}), (std::vector<int>{1, 2, 3, 3, 3, 6, 6}));
  EXPECT_EQ(CompetitionRanks({0}), (std::vector<int>{1}));
  EXPECT_TRUE(CompetitionRanks({}).empty());
}

TEST(CompetitionRanks, RefusesUnsortedCounts) { EXPECT_THROW(CompetitionRanks({1, 2}), std::invalid_argument); }

// Against the definition: rank = 1 + how many have strictly more votes.
TEST(CompetitionRanks, MatchesTheDefinitionOnRandomCounts) {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::int64_t> counts(rng() % 12);
    for (auto& c : counts) c = rng() % 5;
    std::sort(counts.rbegin(), counts.rend());
    auto ranks = CompetitionRanks(counts);
    for (size_t i = 0; i < counts.size(); ++i) {
      int more = static_cast<int>(std::count_if(counts.begin(), counts.end(), [&](auto c) { return c > counts[i]; }));
      EXPECT_EQ(ranks[i], more + 1);
    }
  }
}

}  // namespace
}  // namespace atelier::artworks
