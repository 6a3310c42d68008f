#include "artworks/ranking.h"

#include <stdexcept>

namespace atelier::artworks {

std::vector<int> CompetitionRanks(const std::vector<std::int64_t>& counts_desc) {
  std::vector<int> ranks(counts_desc.size());
  for (size_t i = 0; i < counts_desc.size(); ++i) {
    if (i > 0 && counts_desc[i] > counts_desc[i - 1])
      throw std::invalid_argument("CompetitionRanks: counts must be sorted from most to fewest");
    ranks[i] = (i > 0 && counts_desc[i] == counts_desc[i - 1]) ? ranks[i - 1] : static_cast<int>(i) + 1;
  }
  return ranks;
}

}  // namespace atelier::artworks
