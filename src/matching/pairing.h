// Pure pairing algorithm for docs/product.md §7: pairs artists who like each other's work so that the number of
// pairs is the largest possible and, among those pairings, the total rank is the lowest. See docs/matching.md.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace atelier::matching {

// One like in an event: `liker` liked `artwork`, which belongs to `artist`. `rank` is 1 for a favourite; nullopt when
// the like is unranked.
struct Like {
  std::int64_t liker = 0;
  std::int64_t artwork = 0;
  std::int64_t artist = 0;
  std::optional<int> rank;
};

struct Pair {
  std::int64_t user_a = 0, user_b = 0;  // user_a < user_b
  std::int64_t artwork_of_a = 0;        // the piece of A's that B liked best
  std::int64_t artwork_of_b = 0;        // the piece of B's that A liked best
  std::int64_t cost = 0;                // rank A gave B + rank B gave A (effective ranks)

  friend bool operator==(const Pair&, const Pair&) = default;
};

// Computes an optimal pairing: the maximum number of pairs and, among those, the minimum total cost.
//
// Rules:
//   - Self-likes (liker == artist) are ignored.
//   - An unranked like counts as R + 1, R being the largest rank given in the event (R = 0 when no like is ranked, so
//     an unranked like then counts as 1).
//   - The rank A gave B is A's best (lowest) effective rank over B's artworks; A's chosen artwork of B is the B artwork
//     with that rank, the lowest artwork id on a tie.
//   - Deterministic: the result depends only on the multiset of likes, not on their order.
//
// Returns the pairs sorted by (user_a, user_b). Throws std::overflow_error if the ranks are so large that the
// weights could overflow 64-bit arithmetic (impossible with int ranks below ~10^7 participants per component).
std::vector<Pair> ComputePairing(std::vector<Like> likes);

}  // namespace atelier::matching
