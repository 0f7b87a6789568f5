// The drainage network on a flow graph: streams, Strahler order, links, basins, watersheds.
//
// Every cell follows its *dominant* receiver: the D8 receiver, or for multi-receiver graphs
// the one with the largest weight (ties toward the lower direction index). Networks, basins
// and watersheds are trees, so a divergent router still gives one answer per cell.
//
//   streams   valid cells whose contributing area ≥ threshold (m²)
//   Strahler  (Strahler 1957) sources 1; a cell takes the largest order among its stream donors,
//             plus one where two or more donors share it. Pulled from donors in topological
//             order, as the accumulation primitive does, so it is deterministic.
//   links     a link starts at a source or a confluence (≥ 2 stream donors) and runs down to
//             the cell before the next confluence or the outlet; its length sums the D8 step
//             distances (per row, metres) including the step out of its tail.
//   basins    every valid cell carries the outlet its path ends in (a sink or a cell whose flow
//             leaves the domain), found by pointer jumping: O(log path length) rounds.
// Invariants (tests): Strahler and links equal serial recursive references; basin areas sum to
// the valid area; a pour point's watershed is exactly the cells whose path walks through it.
#pragma once

#include <cstdint>

#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/grid_view.hpp"
#include "kernels/terrain/flow_graph.hpp"

namespace leachflow::kernels::terrain {

// Direction of the dominant receiver of cell i (0..7), or no_receiver.
LF_HD inline std::uint8_t dominant_direction(const flow_graph_view& f, index_t i) {
  if (!f.multi) return f.code[i];
  const std::uint8_t m = f.code[i];
  std::uint8_t best = no_receiver;
  float w = 0.0f;
  for (int d = 0; d < 8; ++d)
    if ((m >> d & 1u) && f.weight[i * 8 + d] > w) {
      w = f.weight[i * 8 + d];
      best = static_cast<std::uint8_t>(d);
    }
  return best;
}

// next[i] = the dominant receiver inside the domain, or -1 (outlet, sink, NoData).
struct dominant_next_kernel {
  flow_graph_view f;
  grid_view g;
  device_span<index_t> next;
  LF_HD void operator()(index_t i) const {
    const std::uint8_t d = g.is_valid(i) ? dominant_direction(f, i) : no_receiver;
    next[i] = d == no_receiver ? index_t{-1} : receiver_in_domain(g, i, d);
  }
};

struct stream_mask_kernel {
  grid_view g;
  device_span<const double> area_m2;
  double threshold_m2 = 0;
  device_span<std::uint8_t> stream;
  LF_HD void operator()(index_t i) const { stream[i] = (g.is_valid(i) && area_m2[i] >= threshold_m2) ? 1 : 0; }
};

// Pointer jumping toward the root of each tree: root[i] starts as next[i] (or i at a root) and
// becomes root[root[i]] every round (double-buffered, so rounds are deterministic). `stop` makes
// a cell a root regardless of its receiver (pour points). changed[0] counts cells that moved.
struct root_init_kernel {
  device_span<const index_t> next;
  index_t stop = -1;
  device_span<index_t> root;
  LF_HD void operator()(index_t i) const { root[i] = (next[i] < 0 || i == stop) ? i : next[i]; }
};
struct root_jump_kernel {
  device_span<const index_t> in;
  device_span<index_t> out;
  LF_HD void operator()(index_t i) const { out[i] = in[in[i]]; }
};
struct root_changed {
  device_span<const index_t> a, b;
  LF_HD index_t operator()(index_t i) const { return a[i] != b[i] ? 1 : 0; }
};

// Strahler order, stream donors and link heads, pulled from donors in topological order (the
// launch of accumulate.hpp: a struct with update(i) and the order/segment fields).
struct network_pull {
  flow_graph_view f;
  grid_view g;
  device_span<const index_t> order;
  device_span<const std::uint8_t> stream;
  device_span<std::int32_t> strahler;   // 0 off streams
  device_span<index_t> link_head;       // head cell of the link a stream cell belongs to, else -1
  device_span<double> from_head_m;      // path length from the link head down to the cell
  index_t begin = 0;
  index_t end = 0;
  index_t offset[8] = {0, 0, 0, 0, 0, 0, 0, 0};

  LF_HD void update(index_t i) const {
    if (!stream[i]) {
      strahler[i] = 0;
      link_head[i] = -1;
      from_head_m[i] = 0.0;
      return;
    }
    const std::uint8_t m = f.donors[i];
    std::int32_t top = 0;
    int at_top = 0, stream_donors = 0;
    index_t single = -1;
    int single_d = 0;
    for (int d = 0; d < 8; ++d) {
      if (!(m >> d & 1u)) continue;
      const index_t j = i + offset[d];
      // A donor belongs to this cell's network branch only through its dominant receiver.
      if (!stream[j] || dominant_direction(f, j) != d8_opposite(d)) continue;
      ++stream_donors;
      single = j;
      single_d = d;
      if (strahler[j] > top) {
        top = strahler[j];
        at_top = 1;
      } else if (strahler[j] == top) {
        ++at_top;
      }
    }
    strahler[i] = stream_donors == 0 ? 1 : (at_top >= 2 ? top + 1 : top);
    if (stream_donors == 1) {
      link_head[i] = link_head[single];
      from_head_m[i] = from_head_m[single] + g.distance_m(g.row(single), d8_opposite(single_d));
    } else {
      link_head[i] = i;  // a source or a confluence starts a link
      from_head_m[i] = 0.0;
    }
  }
  LF_HD void operator()(index_t k) const { update(order[begin + k]); }
};

// A link's tail: a stream cell whose dominant receiver is not the next cell of the same link.
struct link_tail_kernel {
  flow_graph_view f;
  grid_view g;
  device_span<const std::uint8_t> stream;
  device_span<const index_t> next;
  device_span<const index_t> link_head;
  device_span<std::uint8_t> tail;
  LF_HD void operator()(index_t i) const {
    std::uint8_t t = 0;
    if (stream[i]) {
      const index_t j = next[i];
      t = (j < 0 || !stream[j] || link_head[j] != link_head[i]) ? 1 : 0;
    }
    tail[i] = t;
  }
};

}  // namespace leachflow::kernels::terrain
