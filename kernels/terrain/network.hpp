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
//             leaves the domain), found by pointer jumping: O(log path length) rounds; basin
//             areas and cell counts pulled down the dominant tree in topological order.
// Dense ids (links by head cell, basins by outlet cell) come from an exclusive scan of per-cell
// flags; everything runs on the device and only the per-link and per-basin tables come back.
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

// Dense ids from a 0/1 flag per cell: after an exclusive scan of the flags, rank[i] is the id of
// flagged cell i (ids ascend with the cell index).
struct link_head_flag {
  device_span<const std::uint8_t> stream;
  device_span<const index_t> link_head;
  device_span<index_t> flag;
  LF_HD void operator()(index_t i) const { flag[i] = (stream[i] && link_head[i] == i) ? 1 : 0; }
};
struct basin_outlet_flag {
  grid_view g;
  device_span<const index_t> root;
  device_span<index_t> flag;
  LF_HD void operator()(index_t i) const { flag[i] = (g.is_valid(i) && root[i] == i) ? 1 : 0; }
};
// id[i] = rank[key[i]] where key[i] ≥ 0 (the cell's link head or basin outlet), else -1; the
// flagged cells also write their own cell index into cell_of[id].
struct dense_id_kernel {
  device_span<const index_t> key;     // per cell, -1 for none
  device_span<const index_t> flag;
  device_span<const index_t> rank;
  device_span<std::int64_t> id;
  device_span<index_t> cell_of;
  LF_HD void operator()(index_t i) const {
    const index_t k = key[i];
    id[i] = k < 0 ? std::int64_t{-1} : static_cast<std::int64_t>(rank[k]);
    if (flag[i]) cell_of[rank[i]] = i;
  }
};
struct stream_key {  // link head of stream cells, -1 elsewhere
  device_span<const std::uint8_t> stream;
  device_span<const index_t> link_head;
  device_span<index_t> key;
  LF_HD void operator()(index_t i) const { key[i] = stream[i] ? link_head[i] : index_t{-1}; }
};
struct valid_key {  // basin outlet of valid cells, -1 on NoData
  grid_view g;
  device_span<const index_t> root;
  device_span<index_t> key;
  LF_HD void operator()(index_t i) const { key[i] = g.is_valid(i) ? root[i] : index_t{-1}; }
};

// The link table, written by each link's tail (a stream cell whose dominant receiver is not the
// next cell of the same link; every link has exactly one, so the writes never collide). The
// length adds the step out of the tail when it stays in the domain, and the drop ends there.
struct link_table_kernel {
  flow_graph_view f;
  grid_view g;
  device_span<const std::uint8_t> stream;
  device_span<const index_t> next;
  device_span<const index_t> link_head;
  device_span<const double> from_head_m;
  device_span<const std::int32_t> strahler;
  device_span<const float> elevation;
  device_span<const std::int64_t> link;
  device_span<index_t> tail;
  device_span<std::int64_t> downstream;
  device_span<std::int32_t> order;
  device_span<double> length_m;
  device_span<double> drop_m;
  LF_HD void operator()(index_t i) const {
    if (!stream[i]) return;
    const index_t j = next[i];
    if (j >= 0 && stream[j] && link_head[j] == link_head[i]) return;  // not the tail
    const std::int64_t k = link[i];
    tail[k] = i;
    order[k] = strahler[i];
    downstream[k] = (j >= 0 && stream[j]) ? link[j] : std::int64_t{-1};
    const double step = j >= 0 ? g.distance_m(g.row(i), dominant_direction(f, i)) : 0.0;
    length_m[k] = from_head_m[i] + step;
    drop_m[k] = static_cast<double>(elevation[link_head[i]]) - static_cast<double>(elevation[j >= 0 ? j : i]);
  }
};

// Area and cell count of the dominant-receiver tree above each cell, itself included, pulled
// from donors in topological order (ascending direction, so deterministic). At an outlet they are
// its basin's area and cells; on a D8 graph the area equals the contributing area.
struct dominant_tree_pull {
  flow_graph_view f;
  grid_view g;
  device_span<const index_t> order;
  device_span<double> area_m2;
  device_span<index_t> cells;
  index_t begin = 0;
  index_t end = 0;
  index_t offset[8] = {0, 0, 0, 0, 0, 0, 0, 0};

  LF_HD void update(index_t i) const {
    double a = g.area_m2[g.row(i)];
    index_t c = 1;
    const std::uint8_t m = f.donors[i];
    for (int d = 0; d < 8; ++d) {
      if (!(m >> d & 1u)) continue;
      const index_t j = i + offset[d];
      if (dominant_direction(f, j) != d8_opposite(d)) continue;
      a += area_m2[j];
      c += cells[j];
    }
    area_m2[i] = a;
    cells[i] = c;
  }
  LF_HD void operator()(index_t k) const { update(order[begin + k]); }
};

// Gathers per-id values at their cells: out[k] = in[cell_of[k]].
template <class T>
struct gather_kernel {
  device_span<const index_t> cell_of;
  device_span<const T> in;
  device_span<T> out;
  LF_HD void operator()(index_t k) const { out[k] = in[cell_of[k]]; }
};

// Watershed: cells whose path reaches the pour cell (root == pour), and their area.
struct watershed_mask_kernel {
  grid_view g;
  device_span<const index_t> root;
  index_t pour = -1;
  device_span<std::uint8_t> mask;
  LF_HD void operator()(index_t i) const { mask[i] = (g.is_valid(i) && root[i] == pour) ? 1 : 0; }
};
struct masked_area {
  grid_view g;
  device_span<const std::uint8_t> mask;
  LF_HD double operator()(index_t i) const { return mask[i] ? g.area_m2[g.row(i)] : 0.0; }
};
struct masked_count {
  device_span<const std::uint8_t> mask;
  LF_HD index_t operator()(index_t i) const { return mask[i] ? 1 : 0; }
};

}  // namespace leachflow::kernels::terrain
