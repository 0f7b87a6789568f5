// Serial host references for the drainage network (model/terrain/network.hpp), written from the
// definitions, one cell at a time, for clarity not speed:
//   random_acyclic_d8   — a random D8 graph that no router would produce (any lower-ranked
//                         neighbour, exits into NoData and off the edge, scattered sinks);
//   dominant_path       — per cell the dominant receiver inside the domain (largest weight, ties
//                         to the lower direction) and its direction, or -1;
//   path_end            — walk the path cell by cell until it ends (or reaches `stop`);
//   reference_network   — streams, Strahler (1957) order by recursion over stream donors, link
//                         heads by recursion, and the link table walked from each head.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "reference_flow.hpp"

namespace leachflow::reference {

// Direction per cell (0..7, 0xFF none). Each valid cell gets a random rank; it drains to a random
// neighbour of lower rank inside the domain, or (when it has none, or with probability
// `exit_chance`) off the edge or into NoData if it touches either, else it is a sink. Acyclic
// because ranks fall along every step inside the domain.
inline std::vector<std::uint8_t> random_acyclic_d8(std::mt19937_64& rng, index_t rows, index_t cols,
                                                   const std::vector<std::uint8_t>& valid, double exit_chance = 0.1) {
  const HostGraph g{rows, cols, valid, {}, {}};
  const auto n = static_cast<std::size_t>(rows * cols);
  std::vector<std::uint64_t> rank(n);
  for (auto& r : rank) r = rng();
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::uint8_t> dir(n, 0xFF);
  for (index_t i = 0; i < rows * cols; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if (!valid[k]) continue;
    std::vector<int> lower, exits;
    for (int d = 0; d < 8; ++d) {
      const index_t j = g.neighbour(i, d);
      if (!g.in_domain(j)) exits.push_back(d);
      else if (rank[static_cast<std::size_t>(j)] < rank[k]) lower.push_back(d);
    }
    const bool leave = !exits.empty() && (lower.empty() || u(rng) < exit_chance);
    const std::vector<int>& from = leave ? exits : lower;
    if (!from.empty()) dir[k] = static_cast<std::uint8_t>(from[static_cast<std::size_t>(rng() % from.size())]);
  }
  return dir;
}

struct DominantPath {
  std::vector<index_t> next;  // receiver inside the domain, or -1
  std::vector<int> dir;       // its direction 0..7, or -1
};

// From receiver masks and weights [cell * 8 + d] (FlowGraph::receiver_masks / weights).
inline DominantPath dominant_path(index_t rows, index_t cols, const std::vector<std::uint8_t>& valid,
                                  const std::vector<std::uint8_t>& mask, const std::vector<float>& weight) {
  const HostGraph g{rows, cols, valid, {}, {}};
  DominantPath p{std::vector<index_t>(valid.size(), -1), std::vector<int>(valid.size(), -1)};
  for (index_t i = 0; i < rows * cols; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if (!valid[k]) continue;
    int best = -1;
    float w = 0.0f;
    for (int d = 0; d < 8; ++d)
      if ((mask[k] >> d & 1u) && weight[k * 8 + static_cast<std::size_t>(d)] > w) {
        w = weight[k * 8 + static_cast<std::size_t>(d)];
        best = d;
      }
    if (best < 0) continue;
    const index_t j = g.neighbour(i, best);
    if (!g.in_domain(j)) continue;
    p.next[k] = j;
    p.dir[k] = best;
  }
  return p;
}

inline index_t path_end(const std::vector<index_t>& next, index_t i, index_t stop = -1) {
  while (i != stop && next[static_cast<std::size_t>(i)] >= 0) i = next[static_cast<std::size_t>(i)];
  return i;
}

struct ReferenceLink {
  index_t head = -1, tail = -1, downstream = -1;
  int strahler = 0;
  double length_m = 0, drop_m = 0;
};

struct ReferenceNetwork {
  std::vector<std::uint8_t> stream;
  std::vector<int> strahler;          // 0 off streams
  std::vector<std::int64_t> link;     // -1 off streams
  std::vector<ReferenceLink> links;   // by ascending head cell
};

// Streams: valid and area ≥ threshold. A stream donor of i is a stream cell whose dominant
// receiver is i. Heads: stream cells with other than exactly one stream donor. A link walks from
// its head down while the next cell is a stream cell with exactly one stream donor; its length
// adds the step out of the tail when that step stays in the domain, and its drop ends there.
inline ReferenceNetwork reference_network(index_t rows, index_t cols, const std::vector<std::uint8_t>& valid,
                                          const DominantPath& p, const std::vector<double>& area_m2,
                                          const std::vector<float>& z, const HostMetrics& m, double threshold_m2) {
  const auto n = static_cast<std::size_t>(rows * cols);
  ReferenceNetwork net;
  net.stream.assign(n, 0);
  for (std::size_t k = 0; k < n; ++k) net.stream[k] = valid[k] && area_m2[k] >= threshold_m2 ? 1 : 0;
  std::vector<std::vector<index_t>> donors(n);
  for (std::size_t k = 0; k < n; ++k)
    if (net.stream[k] && p.next[k] >= 0) donors[static_cast<std::size_t>(p.next[k])].push_back(static_cast<index_t>(k));

  net.strahler.assign(n, -1);
  std::function<int(index_t)> order = [&](index_t i) -> int {
    int& o = net.strahler[static_cast<std::size_t>(i)];
    if (o >= 0) return o;
    int top = 0, at_top = 0;
    for (index_t j : donors[static_cast<std::size_t>(i)]) {
      const int s = order(j);
      if (s > top) {
        top = s;
        at_top = 1;
      } else if (s == top) {
        ++at_top;
      }
    }
    return o = donors[static_cast<std::size_t>(i)].empty() ? 1 : (at_top >= 2 ? top + 1 : top);
  };
  for (std::size_t k = 0; k < n; ++k) net.strahler[k] = net.stream[k] ? order(static_cast<index_t>(k)) : 0;

  auto is_head = [&](std::size_t k) { return net.stream[k] && donors[k].size() != 1; };
  net.link.assign(n, -1);
  for (std::size_t k = 0; k < n; ++k)
    if (is_head(k)) {
      net.link[k] = static_cast<std::int64_t>(net.links.size());
      net.links.push_back({static_cast<index_t>(k), -1, -1, 0, 0.0, 0.0});
    }
  for (ReferenceLink& l : net.links) {
    const std::int64_t id = net.link[static_cast<std::size_t>(l.head)];
    index_t i = l.head;
    for (;;) {
      const auto k = static_cast<std::size_t>(i);
      net.link[k] = id;
      const index_t j = p.next[k];
      const double step = j >= 0 ? m.distance(i / cols, p.dir[k]) : 0.0;
      l.length_m += step;
      if (j >= 0 && net.stream[static_cast<std::size_t>(j)] && !is_head(static_cast<std::size_t>(j))) {
        i = j;
        continue;
      }
      l.tail = i;
      l.strahler = net.strahler[k];
      const index_t end = j >= 0 ? j : i;
      l.drop_m = static_cast<double>(z[static_cast<std::size_t>(l.head)]) - static_cast<double>(z[static_cast<std::size_t>(end)]);
      break;
    }
  }
  for (ReferenceLink& l : net.links) {
    const index_t j = p.next[static_cast<std::size_t>(l.tail)];
    if (j >= 0 && net.stream[static_cast<std::size_t>(j)]) l.downstream = net.link[static_cast<std::size_t>(j)];
  }
  return net;
}

}  // namespace leachflow::reference
