#include "matching/pairing.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "matching/lemon_matching.h"

namespace atelier::matching {
namespace {

// A's best like of B's work: (liker A, artist B) → lowest effective rank, lowest artwork id on a tie.
struct BestLike {
  std::int64_t liker;
  std::int64_t artist;
  std::int64_t rank;  // effective rank (unranked = R + 1)
  std::int64_t artwork;
};

struct MutualEdge {
  std::int64_t a, b;  // a < b
  std::int64_t artwork_of_a, artwork_of_b;
  std::int64_t cost;
};

// Weights handed to LEMON must stay far from the int64 limit: LEMON scales them by dualScale = 4 and adds dual values.
constexpr std::int64_t kMaxWeight = std::numeric_limits<std::int64_t>::max() / 64;

class DisjointSets {
 public:
  explicit DisjointSets(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), std::size_t{0}); }
  std::size_t Find(std::size_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void Unite(std::size_t x, std::size_t y) {
    x = Find(x);
    y = Find(y);
    if (x == y) return;
    if (y < x) std::swap(x, y);
    parent_[y] = x;  // the smaller index is the root: deterministic
  }

 private:
  std::vector<std::size_t> parent_;
};

std::vector<BestLike> BestLikes(const std::vector<Like>& likes) {
  // R = the largest rank given in the event; an unranked like counts as R + 1 (R = 0 when nothing is ranked).
  std::optional<int> max_rank;
  for (const Like& like : likes) {
    if (like.liker == like.artist || !like.rank) continue;
    if (!max_rank || *like.rank > *max_rank) max_rank = like.rank;
  }
  const std::int64_t unranked = static_cast<std::int64_t>(max_rank.value_or(0)) + 1;

  std::vector<BestLike> all;
  all.reserve(likes.size());
  for (const Like& like : likes) {
    if (like.liker == like.artist) continue;  // defensive: one cannot like one's own work
    all.push_back(
        {like.liker, like.artist, like.rank ? static_cast<std::int64_t>(*like.rank) : unranked, like.artwork});
  }
  // Total order on every field: the result does not depend on the input order.
  std::sort(all.begin(), all.end(), [](const BestLike& x, const BestLike& y) {
    return std::tie(x.liker, x.artist, x.rank, x.artwork) < std::tie(y.liker, y.artist, y.rank, y.artwork);
  });
  // Keep the first (best) like per (liker, artist).
  auto last = std::unique(all.begin(), all.end(), [](const BestLike& x, const BestLike& y) {
    return x.liker == y.liker && x.artist == y.artist;
  });
  all.erase(last, all.end());
  return all;
}

// Mutual edges sorted by (a, b).
std::vector<MutualEdge> MutualEdges(const std::vector<BestLike>& best) {
  std::vector<MutualEdge> edges;
  for (const BestLike& ab : best) {
    if (ab.liker >= ab.artist) continue;  // each unordered pair once, from its smaller user's side
    auto it = std::lower_bound(best.begin(), best.end(), std::pair{ab.artist, ab.liker},
                               [](const BestLike& x, const std::pair<std::int64_t, std::int64_t>& key) {
                                 return std::pair{x.liker, x.artist} < key;
                               });
    if (it == best.end() || it->liker != ab.artist || it->artist != ab.liker) continue;
    const BestLike& ba = *it;
    // ab: A liked B's piece ab.artwork; ba: B liked A's piece ba.artwork.
    edges.push_back({ab.liker, ab.artist, ba.artwork, ab.artwork, ab.rank + ba.rank});
  }
  // `best` is sorted by (liker, artist) and a = liker, b = artist, so `edges` is already sorted by (a, b).
  return edges;
}

// Solves one connected component. `nodes` are sorted user ids, `edges` sorted by (a, b); appends the chosen pairs.
void SolveComponent(const std::vector<std::int64_t>& nodes, const std::vector<const MutualEdge*>& edges,
                    std::vector<Pair>& out) {
  if (edges.size() == 1) {  // the common case on sparse inputs: nothing to choose
    const MutualEdge& e = *edges.front();
    out.push_back({e.a, e.b, e.artwork_of_a, e.artwork_of_b, e.cost});
    return;
  }

  // Weight w(e) = M − (cost(e) − minCost) with M = (D + 1)·(⌊n/2⌋ + 1), D = maxCost − minCost. Every weight lies in
  // [M − D, M], so it is positive, and a matching with k + 1 edges always outweighs one with k edges:
  //   w(k+1 edges) ≥ (k+1)·(M − D) = k·M + M − (k+1)·D ≥ k·M + M − ⌊n/2⌋·D > k·M ≥ w(k edges),
  // since M = (D+1)(⌊n/2⌋+1) > ⌊n/2⌋·D. So a maximum-weight matching has maximum cardinality, and among matchings of
  // that cardinality k the weight is k·(M + minCost) − total cost: maximum weight = minimum total cost.
  // Full argument in docs/matching.md.
  std::int64_t min_cost = edges.front()->cost, max_cost = edges.front()->cost;
  for (const MutualEdge* e : edges) {
    min_cost = std::min(min_cost, e->cost);
    max_cost = std::max(max_cost, e->cost);
  }
  const std::int64_t spread = max_cost - min_cost;  // costs come from ints: no overflow
  const std::int64_t half_plus_one = static_cast<std::int64_t>(nodes.size() / 2) + 1;
  if (spread + 1 > kMaxWeight / half_plus_one) throw std::overflow_error("ComputePairing: ranks too large");
  const std::int64_t big_m = (spread + 1) * half_plus_one;

  auto index_of = [&nodes](std::int64_t user) {
    return static_cast<int>(std::lower_bound(nodes.begin(), nodes.end(), user) - nodes.begin());
  };
  std::vector<internal::WeightedEdge> weighted;
  weighted.reserve(edges.size());
  for (const MutualEdge* e : edges) weighted.push_back({index_of(e->a), index_of(e->b), big_m - (e->cost - min_cost)});

  // Nodes are inserted in user-id order and edges in (a, b) order, so LEMON's choice among equally good matchings is a
  // function of the data alone.
  const std::vector<int> mate = internal::MaxWeightMatching(static_cast<int>(nodes.size()), weighted);
  for (const MutualEdge* e : edges) {
    const int u = index_of(e->a), v = index_of(e->b);
    if (mate[static_cast<std::size_t>(u)] == v) {
      if (mate[static_cast<std::size_t>(v)] != u) throw std::logic_error("ComputePairing: inconsistent matching");
      out.push_back({e->a, e->b, e->artwork_of_a, e->artwork_of_b, e->cost});
    }
  }
}

}  // namespace

std::vector<Pair> ComputePairing(std::vector<Like> likes) { return ComputePairing(std::move(likes), PairingRules{}); }

std::vector<Pair> ComputePairing(std::vector<Like> likes, const PairingRules& rules) {
  const std::vector<BestLike> best = BestLikes(likes);
  likes.clear();
  likes.shrink_to_fit();
  std::vector<MutualEdge> edges = MutualEdges(best);
  if (!rules.forbidden.empty() || !rules.unavailable.empty()) {
    std::vector<std::pair<std::int64_t, std::int64_t>> forbidden;
    forbidden.reserve(rules.forbidden.size());
    for (auto [x, y] : rules.forbidden) forbidden.emplace_back(std::min(x, y), std::max(x, y));
    std::sort(forbidden.begin(), forbidden.end());
    std::vector<std::int64_t> unavailable = rules.unavailable;
    std::sort(unavailable.begin(), unavailable.end());
    // Removing edges keeps the (a, b) order the solver relies on.
    std::erase_if(edges, [&](const MutualEdge& e) {
      return std::binary_search(forbidden.begin(), forbidden.end(), std::pair{e.a, e.b}) ||
             std::binary_search(unavailable.begin(), unavailable.end(), e.a) ||
             std::binary_search(unavailable.begin(), unavailable.end(), e.b);
    });
  }
  if (edges.empty()) return {};

  // Participants with at least one mutual like, sorted by id.
  std::vector<std::int64_t> users;
  users.reserve(edges.size() * 2);
  for (const MutualEdge& e : edges) {
    users.push_back(e.a);
    users.push_back(e.b);
  }
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  auto index_of = [&users](std::int64_t user) {
    return static_cast<std::size_t>(std::lower_bound(users.begin(), users.end(), user) - users.begin());
  };

  // A matching is a union of matchings of the connected components, and its size and cost are sums over them: solve
  // each component on its own (much faster than one LEMON run on the whole graph).
  DisjointSets sets(users.size());
  for (const MutualEdge& e : edges) sets.Unite(index_of(e.a), index_of(e.b));

  std::vector<std::size_t> component(users.size());
  std::vector<std::size_t> component_of_root(users.size(), 0);
  std::size_t component_count = 0;
  for (std::size_t i = 0; i < users.size(); ++i) {
    const std::size_t root = sets.Find(i);
    if (root == i) component_of_root[i] = component_count++;  // the root is the smallest index of its component
    component[i] = component_of_root[root];
  }
  std::vector<std::vector<std::int64_t>> component_nodes(component_count);
  std::vector<std::vector<const MutualEdge*>> component_edges(component_count);
  for (std::size_t i = 0; i < users.size(); ++i) component_nodes[component[i]].push_back(users[i]);
  for (const MutualEdge& e : edges) component_edges[component[index_of(e.a)]].push_back(&e);

  std::vector<Pair> pairs;
  for (std::size_t c = 0; c < component_count; ++c) SolveComponent(component_nodes[c], component_edges[c], pairs);
  std::sort(pairs.begin(), pairs.end(),
            [](const Pair& x, const Pair& y) { return std::tie(x.user_a, x.user_b) < std::tie(y.user_a, y.user_b); });
  return pairs;
}

}  // namespace atelier::matching
