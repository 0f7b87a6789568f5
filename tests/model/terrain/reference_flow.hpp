// Serial host references for flow routing and accumulation, written for clarity, not speed:
//   reference_d8          — D8 rules of kernels/terrain/route_d8.hpp, straight from the text;
//   reference_accumulate  — queue-based topological accumulation (Kahn), one cell at a time,
//                           donors found by scanning the neighbours' receivers;
//   reference_levels      — longest upstream chain per cell, by the same queue.
// The parallel code must match these exactly (directions, levels, and accumulations bitwise,
// since both sum donors in ascending direction order: E, SE, S, SW, W, NW, N, NE).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <vector>

namespace leachflow::reference {

using index_t = std::int64_t;

inline constexpr int dr[8] = {0, 1, 1, 1, 0, -1, -1, -1};
inline constexpr int dc[8] = {1, 1, 0, -1, -1, -1, 0, 1};

// A flow graph on the host: per cell a receiver mask and 8 weights.
struct HostGraph {
  index_t rows = 0, cols = 0;
  std::vector<std::uint8_t> valid;
  std::vector<std::uint8_t> mask;
  std::vector<float> weight;  // [cell * 8 + d]

  index_t neighbour(index_t i, int d) const {
    const index_t r = i / cols + dr[d], c = i % cols + dc[d];
    if (r < 0 || r >= rows || c < 0 || c >= cols) return -1;
    return r * cols + c;
  }
  bool in_domain(index_t j) const { return j >= 0 && valid[static_cast<std::size_t>(j)] != 0; }
};

// Per-row distances as in kernels::grid_view::distance_m.
struct HostMetrics {
  std::vector<double> dx, dy, diag;
  double distance(index_t r, int d) const {
    const auto u = static_cast<std::size_t>(r);
    switch (d) {
      case 0: case 4: return dx[u];
      case 2: return dy[u];
      case 6: return dy[u - 1];
      case 1: case 3: return diag[u];
      default: return diag[u - 1];
    }
  }
};

// D8 direction per cell (0..7, 0xFF none), rules 1–4 of route_d8.hpp.
inline std::vector<std::uint8_t> reference_d8(index_t rows, index_t cols, const std::vector<std::uint8_t>& valid,
                                              const std::vector<float>& z, const std::vector<std::int32_t>& flat,
                                              const HostMetrics& m) {
  HostGraph g{rows, cols, valid, {}, {}};
  std::vector<std::uint8_t> dir(static_cast<std::size_t>(rows * cols), 0xFF);
  for (index_t i = 0; i < rows * cols; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (!valid[u]) continue;
    // 1. steepest strictly lower neighbour, first (lowest d) among equals — unless the equals
    //    lie on one flat, then the one with the smaller positive flat gradient.
    double best = 0.0;
    for (int d = 0; d < 8; ++d) {
      const index_t j = g.neighbour(i, d);
      if (!g.in_domain(j)) continue;
      const auto v = static_cast<std::size_t>(j);
      const double drop = static_cast<double>(z[u]) - static_cast<double>(z[v]);
      if (drop <= 0.0) continue;
      const double s = drop / m.distance(i / cols, d);
      bool nearer_outlet = false;
      if (s == best && dir[u] != 0xFF && !flat.empty()) {
        const auto b = static_cast<std::size_t>(g.neighbour(i, dir[u]));
        nearer_outlet = flat[v] > 0 && z[v] == z[b] && (flat[b] <= 0 || flat[v] < flat[b]);
      }
      if (s > best || nearer_outlet) {
        best = s;
        dir[u] = static_cast<std::uint8_t>(d);
      }
    }
    if (dir[u] != 0xFF) continue;
    // 2. outlet: first out-of-domain neighbour, cardinals first.
    for (int d : {0, 2, 4, 6, 1, 3, 5, 7}) {
      if (!g.in_domain(g.neighbour(i, d))) {
        dir[u] = static_cast<std::uint8_t>(d);
        break;
      }
    }
    if (dir[u] != 0xFF || flat.empty()) continue;
    // 3. flat gradient: a positive value below the cell's own at equal elevation, steepest in
    //    (own − value) / distance.
    double steepest = 0.0;
    for (int d = 0; d < 8; ++d) {
      const index_t j = g.neighbour(i, d);
      if (!g.in_domain(j)) continue;
      const auto v = static_cast<std::size_t>(j);
      if (z[v] == z[u] && flat[v] > 0 && flat[v] < flat[u]) {
        const double s = static_cast<double>(flat[u] - flat[v]) / m.distance(i / cols, d);
        if (s > steepest) {
          steepest = s;
          dir[u] = static_cast<std::uint8_t>(d);
        }
      }
    }
  }
  return dir;
}

inline HostGraph host_graph_from_d8(index_t rows, index_t cols, const std::vector<std::uint8_t>& valid,
                                    const std::vector<std::uint8_t>& dir) {
  HostGraph g{rows, cols, valid, std::vector<std::uint8_t>(dir.size(), 0), std::vector<float>(dir.size() * 8, 0.0f)};
  for (std::size_t i = 0; i < dir.size(); ++i) {
    if (dir[i] == 0xFF) continue;
    g.mask[i] = static_cast<std::uint8_t>(1u << dir[i]);
    g.weight[i * 8 + dir[i]] = 1.0f;
  }
  return g;
}

// Donors of i in ascending direction order: (neighbour index, weight of its flow into i).
inline int donors_of(const HostGraph& g, index_t i, index_t (&who)[8], double (&w)[8]) {
  int n = 0;
  if (!g.valid[static_cast<std::size_t>(i)]) return 0;
  for (int d = 0; d < 8; ++d) {
    const index_t j = g.neighbour(i, d);
    if (!g.in_domain(j)) continue;
    const int back = (d + 4) & 7;  // direction from j to i
    const auto v = static_cast<std::size_t>(j);
    if (g.mask[v] >> back & 1u) {
      who[n] = j;
      w[n] = static_cast<double>(g.weight[v * 8 + static_cast<std::size_t>(back)]);
      ++n;
    }
  }
  return n;
}

// Visits valid cells in a topological order (Kahn's queue); calls visit(i) when all donors of i
// have been visited. Throws on a cycle.
template <class Visit>
void topological_walk(const HostGraph& g, Visit visit) {
  const index_t n = g.rows * g.cols;
  std::vector<int> pending(static_cast<std::size_t>(n), 0);
  std::deque<index_t> queue;
  index_t valid = 0;
  for (index_t i = 0; i < n; ++i) {
    index_t who[8];
    double w[8];
    pending[static_cast<std::size_t>(i)] = donors_of(g, i, who, w);
    if (g.valid[static_cast<std::size_t>(i)]) {
      ++valid;
      if (pending[static_cast<std::size_t>(i)] == 0) queue.push_back(i);
    }
  }
  index_t seen = 0;
  while (!queue.empty()) {
    const index_t i = queue.front();
    queue.pop_front();
    visit(i);
    ++seen;
    for (int d = 0; d < 8; ++d) {
      if (!(g.mask[static_cast<std::size_t>(i)] >> d & 1u)) continue;
      const index_t j = g.neighbour(i, d);
      if (g.in_domain(j) && --pending[static_cast<std::size_t>(j)] == 0) queue.push_back(j);
    }
  }
  if (seen != valid) throw std::runtime_error("reference: cycle in flow graph");
}

// x[i] = a[i] + b[i] · Σ_{donors j, ascending direction} w[j→i] · x[j]; 0 on NoData.
inline std::vector<double> reference_accumulate(const HostGraph& g, const std::vector<double>& a,
                                                const std::vector<double>& b) {
  std::vector<double> x(static_cast<std::size_t>(g.rows * g.cols), 0.0);
  topological_walk(g, [&](index_t i) {
    index_t who[8];
    double w[8];
    const int n = donors_of(g, i, who, w);
    double s = 0.0;
    for (int k = 0; k < n; ++k) s += w[k] * x[static_cast<std::size_t>(who[k])];
    const auto u = static_cast<std::size_t>(i);
    x[u] = a[u] + b[u] * s;
  });
  return x;
}

// Longest chain of donors upstream of each cell (0 for sources, -1 on NoData).
inline std::vector<std::int32_t> reference_levels(const HostGraph& g) {
  std::vector<std::int32_t> level(static_cast<std::size_t>(g.rows * g.cols), -1);
  topological_walk(g, [&](index_t i) {
    index_t who[8];
    double w[8];
    const int n = donors_of(g, i, who, w);
    std::int32_t l = 0;
    for (int k = 0; k < n; ++k) l = std::max(l, level[static_cast<std::size_t>(who[k])] + 1);
    level[static_cast<std::size_t>(i)] = l;
  });
  return level;
}

}  // namespace leachflow::reference
