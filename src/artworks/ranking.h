#pragma once
// Vote ranking (docs/product.md §6): most votes first, ties share a rank, the next rank skips
// ("competition ranking": 1, 2, 2, 4). Pure; safe from any thread.
#include <cstdint>
#include <vector>

namespace atelier::artworks {

// Ranks for vote counts already sorted from most to fewest votes (ties in any order).
// Throws std::invalid_argument when the counts are not sorted that way.
std::vector<int> CompetitionRanks(const std::vector<std::int64_t>& counts_desc);

}  // namespace atelier::artworks
