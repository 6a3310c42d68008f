// Benchmark for atelier::matching::ComputePairing (docs/product.md §7). Not a test: run by hand.
//
//   pairing_bench            the standard sizes (1,000 and 10,000 participants, 20 likes each)
//   pairing_bench N LIKES    one custom size
//
// "uniform": each artist likes artworks of random other artists (few mutual likes, many tiny components).
// "clustered": each artist likes artworks of artists among its 60 neighbours on a ring, so mutual likes are common and
// the mutual-like graph is one big connected component: the worst case for the matching itself.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "matching/pairing.h"

namespace {

using atelier::matching::ComputePairing;
using atelier::matching::Like;

std::vector<Like> MakeInstance(int participants, int likes_per_artist, int neighbourhood, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::int64_t>> works(static_cast<std::size_t>(participants));
  std::int64_t next_artwork = 1;
  for (auto& w : works) {
    const int n = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int k = 0; k < n; ++k) w.push_back(next_artwork++);
  }
  auto user_id = [](int i) { return std::int64_t{1'000'000} + i; };
  std::vector<Like> likes;
  likes.reserve(static_cast<std::size_t>(participants) * static_cast<std::size_t>(likes_per_artist));
  for (int i = 0; i < participants; ++i) {
    std::set<std::int64_t> liked;
    while (static_cast<int>(liked.size()) < likes_per_artist) {
      int j;
      if (neighbourhood > 0) {
        j = (i + std::uniform_int_distribution<int>(-neighbourhood / 2, neighbourhood / 2)(rng) + participants) %
            participants;
      } else {
        j = std::uniform_int_distribution<int>(0, participants - 1)(rng);
      }
      if (j == i) continue;
      const auto& w = works[static_cast<std::size_t>(j)];
      const std::int64_t artwork = w[rng() % w.size()];
      if (!liked.insert(artwork).second) continue;
      std::optional<int> rank;
      if (rng() % 4 != 0) rank = std::uniform_int_distribution<int>(1, likes_per_artist)(rng);  // 25% unranked
      likes.push_back({user_id(i), artwork, user_id(j), rank});
    }
  }
  return likes;
}

// Mutual edges, counted independently of the library.
std::size_t CountMutualEdges(const std::vector<Like>& likes) {
  std::set<std::pair<std::int64_t, std::int64_t>> directed;
  for (const Like& l : likes) directed.insert({l.liker, l.artist});
  std::size_t count = 0;
  for (const auto& [a, b] : directed)
    if (a < b && directed.count({b, a})) ++count;
  return count;
}

void Run(const char* name, int participants, int likes_per_artist, int neighbourhood) {
  const std::vector<Like> likes = MakeInstance(participants, likes_per_artist, neighbourhood, 42);
  const std::size_t mutual = CountMutualEdges(likes);
  const auto start = std::chrono::steady_clock::now();
  const auto pairs = ComputePairing(likes);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::int64_t total_cost = 0;
  for (const auto& p : pairs) total_cost += p.cost;
  std::printf("%-9s participants=%-6d likes=%-7zu mutual_edges=%-7zu pairs=%-6zu total_cost=%-8lld time_ms=%.1f\n",
              name, participants, likes.size(), mutual, pairs.size(), static_cast<long long>(total_cost), ms);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3) {
    const int n = std::atoi(argv[1]), k = std::atoi(argv[2]);
    if (n < 2 || k < 1 || 4 * k >= n) {
      std::fprintf(stderr, "usage: %s [PARTICIPANTS LIKES_EACH]\n", argv[0]);
      return 2;
    }
    Run("uniform", n, k, 0);
    Run("clustered", n, k, std::max(60, 4 * k));
    return 0;
  }
  for (int n : {1'000, 10'000}) {
    Run("uniform", n, 20, 0);
    Run("clustered", n, 20, 60);
  }
  return 0;
}
