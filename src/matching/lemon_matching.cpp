// Compiled as C++17 (see CMakeLists.txt): LEMON 1.3.1 does not compile as C++20.
#include "matching/lemon_matching.h"

#include <lemon/matching.h>
#include <lemon/smart_graph.h>

#include <stdexcept>

namespace atelier::matching::internal {

std::vector<int> MaxWeightMatching(int node_count, const std::vector<WeightedEdge>& edges) {
  using Graph = lemon::SmartGraph;
  Graph graph;
  graph.reserveNode(node_count);
  graph.reserveEdge(static_cast<int>(edges.size()));
  std::vector<Graph::Node> nodes;
  nodes.reserve(static_cast<std::size_t>(node_count));
  for (int i = 0; i < node_count; ++i) nodes.push_back(graph.addNode());

  Graph::EdgeMap<long long> weight(graph);
  for (const WeightedEdge& e : edges) {
    if (e.u < 0 || e.u >= node_count || e.v < 0 || e.v >= node_count || e.u == e.v) {
      throw std::invalid_argument("MaxWeightMatching: bad edge");
    }
    Graph::Edge edge = graph.addEdge(nodes[static_cast<std::size_t>(e.u)], nodes[static_cast<std::size_t>(e.v)]);
    weight[edge] = static_cast<long long>(e.weight);
  }

  lemon::MaxWeightedMatching<Graph, Graph::EdgeMap<long long>> mwm(graph, weight);
  mwm.run();

  std::vector<int> mate(static_cast<std::size_t>(node_count), -1);
  for (int i = 0; i < node_count; ++i) {
    Graph::Node m = mwm.mate(nodes[static_cast<std::size_t>(i)]);
    if (m != lemon::INVALID) mate[static_cast<std::size_t>(i)] = graph.id(m);
  }
  return mate;
}

}  // namespace atelier::matching::internal
