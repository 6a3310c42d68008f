// Internal: a plain C++ (no LEMON types) interface to LEMON's MaxWeightedMatching. The implementation,
// lemon_matching.cpp, is compiled as C++17 because LEMON 1.3.1 does not compile as C++20; this header must therefore
// stay valid C++17 and C++20.
#pragma once

#include <cstdint>
#include <vector>

namespace atelier::matching::internal {

struct WeightedEdge {
  int u = 0;  // node index in [0, node_count)
  int v = 0;
  std::int64_t weight = 0;  // must be > 0
};

// Maximum-weight (not necessarily maximum-cardinality) matching. Nodes and edges are inserted into the LEMON graph in
// the given order, so the result is a deterministic function of the arguments. Returns, for every node, the index of
// its mate or -1 if it is unmatched.
std::vector<int> MaxWeightMatching(int node_count, const std::vector<WeightedEdge>& edges);

}  // namespace atelier::matching::internal
