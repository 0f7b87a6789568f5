// Serial reference implementations of DEM conditioning, for tests only (host code, plain
// vectors, written for clarity after the papers' pseudocode):
//   priority_flood_fill   Barnes, Lehman & Mulla 2014, "Priority-Flood: An optimal
//                         depression-filling and watershed-labeling algorithm", Algorithm 1.
//   barnes2014_flat_mask  Barnes, Lehman & Mulla 2014, "An efficient assignment of drainage
//                         direction over flat surfaces", Algorithms 1-6 (label flats from low
//                         edges, away-from-higher BFS, towards-lower BFS, combined 2t + H - a),
//                         with queues and iteration markers as in the paper.
//   everything_drains     the postcondition of conditioning, checked cell by cell.
// Outlets (edge or next to NoData) have flow; only valid neighbours count (condition.hpp).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "kernels/exec/exec.hpp"
#include "kernels/grid_view.hpp"

namespace leachflow::test::terrain {

using exec::index_t;

struct HostDem {
  index_t rows = 0, cols = 0;
  std::vector<float> z;
  std::vector<std::uint8_t> valid;

  index_t cells() const { return rows * cols; }
  // Calls f(j) for every valid 8-neighbour j of i, in D8 order.
  template <class F>
  void for_valid_neighbours(index_t i, F&& f) const {
    constexpr int dr[8] = {0, 1, 1, 1, 0, -1, -1, -1};
    constexpr int dc[8] = {1, 1, 0, -1, -1, -1, 0, 1};
    const index_t r = i / cols, c = i % cols;
    for (int d = 0; d < 8; ++d) {
      const index_t rr = r + dr[d], cc = c + dc[d];
      if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
      const index_t j = rr * cols + cc;
      if (valid[j]) f(j);
    }
  }
  bool outlet(index_t i) const {
    const index_t r = i / cols, c = i % cols;
    if (r == 0 || c == 0 || r + 1 == rows || c + 1 == cols) return true;
    int n = 0;
    for_valid_neighbours(i, [&](index_t) { ++n; });
    return n < 8;
  }
  bool noflow(const std::vector<float>& e, index_t i) const {
    if (!valid[i] || outlet(i)) return false;
    bool lower = false;
    for_valid_neighbours(i, [&](index_t j) { lower = lower || e[j] < e[i]; });
    return !lower;
  }
};

inline std::vector<float> priority_flood_fill(const HostDem& d) {
  std::vector<float> z = d.z;
  std::vector<std::uint8_t> closed(d.z.size(), 0);
  using item = std::pair<float, index_t>;
  std::priority_queue<item, std::vector<item>, std::greater<item>> open;
  for (index_t i = 0; i < d.cells(); ++i) {
    if (d.valid[i] && d.outlet(i)) {
      closed[i] = 1;
      open.emplace(z[i], i);
    }
  }
  while (!open.empty()) {
    const index_t c = open.top().second;
    open.pop();
    d.for_valid_neighbours(c, [&](index_t n) {
      if (closed[n]) return;
      closed[n] = 1;
      if (z[n] < z[c]) z[n] = z[c];
      open.emplace(z[n], n);
    });
  }
  return z;
}

inline std::vector<std::int32_t> barnes2014_flat_mask(const HostDem& d, const std::vector<float>& z) {
  const index_t n = d.cells();
  std::vector<std::uint8_t> noflow(n, 0);
  for (index_t i = 0; i < n; ++i) noflow[i] = d.noflow(z, i);
  // Find flat edges (paper Algorithm 3).
  std::deque<index_t> low_edges, high_edges;
  for (index_t i = 0; i < n; ++i) {
    if (!d.valid[i]) continue;
    bool low = false, high = false;
    d.for_valid_neighbours(i, [&](index_t j) {
      if (!noflow[i] && noflow[j] && z[j] == z[i]) low = true;
      if (noflow[i] && z[j] > z[i]) high = true;
    });
    if (low) low_edges.push_back(i);
    else if (high) high_edges.push_back(i);
  }
  // Label flats from the low edges (Algorithm 4).
  std::vector<std::int32_t> label(n, 0);
  std::int32_t next_label = 1;
  for (index_t s : low_edges) {
    if (label[s] != 0) continue;
    const float target = z[s];
    std::queue<index_t> fill;
    fill.push(s);
    while (!fill.empty()) {
      const index_t c = fill.front();
      fill.pop();
      if (z[c] != target || label[c] != 0) continue;
      label[c] = next_label;
      d.for_valid_neighbours(c, [&](index_t j) { fill.push(j); });
    }
    ++next_label;
  }
  std::deque<index_t> labelled_high;
  for (index_t h : high_edges)
    if (label[h] != 0) labelled_high.push_back(h);
  std::vector<std::int32_t> mask(n, 0), flat_height(static_cast<std::size_t>(next_label), 0);
  // Away from higher terrain (Algorithm 5).
  {
    std::deque<index_t> q = labelled_high;
    std::int32_t loops = 1;
    q.push_back(-1);
    while (q.size() != 1) {
      const index_t c = q.front();
      q.pop_front();
      if (c == -1) {
        ++loops;
        q.push_back(-1);
        continue;
      }
      if (mask[c] > 0) continue;
      mask[c] = loops;
      flat_height[label[c]] = loops;
      d.for_valid_neighbours(c, [&](index_t j) {
        if (label[j] == label[c] && noflow[j]) q.push_back(j);
      });
    }
  }
  // Towards lower terrain, combined (Algorithm 6).
  for (auto& m : mask) m = -m;
  {
    std::deque<index_t> q = low_edges;
    std::int32_t loops = 1;
    q.push_back(-1);
    while (q.size() != 1) {
      const index_t c = q.front();
      q.pop_front();
      if (c == -1) {
        ++loops;
        q.push_back(-1);
        continue;
      }
      if (mask[c] > 0) continue;
      if (mask[c] != 0)
        mask[c] = (flat_height[label[c]] + mask[c]) + 2 * loops;
      else
        mask[c] = 2 * loops;
      d.for_valid_neighbours(c, [&](index_t j) {
        if (label[j] == label[c] && noflow[j]) q.push_back(j);
      });
    }
  }
  // Cells the away BFS reached but the towards BFS did not cannot exist (both run on labelled
  // cells only); anything still negative would be a reference bug.
  for (auto& m : mask)
    if (m < 0) m = -1000000;
  return mask;
}

// Every valid non-outlet cell has a strictly lower valid neighbour, or an equal-elevation
// neighbour with 0 < gradient < its own. Returns the first failing cell or -1.
inline index_t first_undrained(const HostDem& d, const std::vector<float>& z,
                               const std::vector<std::int32_t>& gradient) {
  for (index_t i = 0; i < d.cells(); ++i) {
    if (!d.valid[i] || d.outlet(i)) continue;
    bool ok = false;
    d.for_valid_neighbours(i, [&](index_t j) {
      ok = ok || z[j] < z[i] || (z[j] == z[i] && gradient[j] > 0 && gradient[j] < gradient[i]);
    });
    if (!ok) return i;
  }
  return -1;
}

// Device copies of a HostDem and the grid_view over them (unit metric lengths).
struct DeviceDem {
  explicit DeviceDem(const HostDem& h)
      : rows(h.rows), cols(h.cols), valid(exec::to_device(h.valid)), z(exec::to_device(h.z)),
        ones(exec::to_device(std::vector<double>(static_cast<std::size_t>(h.rows > 0 ? h.rows : 1), 1.0))) {}
  kernels::grid_view view() const {
    return kernels::grid_view{rows, cols, valid.span(), ones.span(), ones.span(), ones.span(), ones.span()};
  }
  index_t rows, cols;
  exec::device_buffer<std::uint8_t> valid;
  exec::device_buffer<float> z;
  exec::device_buffer<double> ones;
};

}  // namespace leachflow::test::terrain
