// Pure pairing algorithm for docs/product.md §7: pairs artists who like each other's work so that the number of
// pairs is the largest possible and, among those pairings, the total rank is the lowest. See docs/matching.md.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
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

// Pairs the pairing must not make (docs/matching.md, "Pairs that are never made"). Likes are
// kept whole: ranks (and R, the largest rank of the event) are worked out from every like,
// so a like weighs the same in a first pairing and in a re-pairing; only the mutual edges
// these rules name are taken out of the graph before it is solved.
struct PairingRules {
  // Unordered pairs never matched: a group's exclusions, partners of the group's previous
  // event, pairs that declined. The order within a pair does not matter.
  std::vector<std::pair<std::int64_t, std::int64_t>> forbidden;
  // Artists left out altogether (when re-pairing: those already in a match).
  std::vector<std::int64_t> unavailable;
};

// The same optimum over the mutual pairs the rules allow.
std::vector<Pair> ComputePairing(std::vector<Like> likes, const PairingRules& rules);

}  // namespace atelier::matching
