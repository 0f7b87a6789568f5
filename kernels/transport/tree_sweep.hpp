// Sweeps over a flow graph's topological order with a caller's per-cell update, in either
// direction:
//   sweep_downstream: cells upstream first (the order of kernels/terrain/accumulate.hpp); an
//     update of cell i may read anything already written for its donors.
//   sweep_upstream:   the reverse order (receivers first); an update of cell i may read anything
//     already written for its receivers.
// Used where the accumulation primitive's linear form x = a + b·Σ w x does not fit: the
// minimum-flow discharge (max(·, q_min)) and the two sweeps of the tree Thomas algorithm for
// implicit dispersion (kernels/transport/dispersion.hpp).
//
// Schedule and determinism as in accumulate.hpp: a parallel segment is one level (cells in one
// level never depend on each other, in either direction); a serial segment is walked by one
// thread in order (or in reverse order). Every update is a pure function of values finished in
// earlier levels, so results do not depend on the thread count.
#pragma once

#include <span>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/flow_graph.hpp"

namespace leachflow::kernels::transport {

using exec::device_span;
using exec::index_t;

namespace detail {

template <class U>
struct sweep_level {
  U u;
  device_span<const index_t> order;
  index_t begin = 0;
  LF_HD void operator()(index_t k) const { u(order[begin + k]); }
};

template <class U>
struct sweep_walk {
  U u;
  device_span<const index_t> order;
  index_t begin = 0;
  index_t end = 0;
  bool reverse = false;
  LF_HD void operator()(index_t) const {
    if (reverse) {
      for (index_t k = end; k > begin; --k) u(order[k - 1]);
    } else {
      for (index_t k = begin; k < end; ++k) u(order[k]);
    }
  }
};

template <class U>
void run_segment(const terrain::level_segment& s, device_span<const index_t> order, U u, bool reverse) {
  if (s.end <= s.begin) return;
  if (s.parallel) {
    exec::for_each_index(s.end - s.begin, sweep_level<U>{u, order, s.begin});
  } else {
    exec::for_each_index(1, sweep_walk<U>{u, order, s.begin, s.end, reverse});
  }
}

}  // namespace detail

template <class U>
void sweep_downstream(device_span<const index_t> order, std::span<const terrain::level_segment> schedule, U u) {
  for (const terrain::level_segment& s : schedule) detail::run_segment(s, order, u, false);
}

template <class U>
void sweep_upstream(device_span<const index_t> order, std::span<const terrain::level_segment> schedule, U u) {
  for (auto it = schedule.rbegin(); it != schedule.rend(); ++it) detail::run_segment(*it, order, u, true);
}

// Donor offsets of a graph, for updates that pull from donors in ascending direction order.
struct donor_offsets {
  index_t offset[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  donor_offsets() = default;
  explicit donor_offsets(const terrain::flow_graph_view& f) {
    for (int d = 0; d < 8; ++d) offset[d] = f.offset(d);
  }
};

}  // namespace leachflow::kernels::transport
