// Parallel depression filling by drainage basins and their spill graph (after Barnes 2016,
// "Parallel priority-flood depression filling for trillion cell digital elevation models",
// which reduces tiles to a small perimeter graph; here the "tiles" are drainage basins).
//
//   a) drain_pointer: every valid cell points to its lowest valid neighbour in the total order
//      (z, index) when that is below itself; outlets (edge / next to NoData) and pits point to
//      themselves.
//   b) every cell finds the root its pointer chain reaches: each round follows the previous
//      round's pointers up to root_hops steps (double-buffered, no atomics), so a round
//      multiplies the reach by root_hops (pointer jumping, log depth); basins rooted at an
//      outlet form the "ocean" (dense id 0), every other basin gets a dense id 1..K.
//   c) spill edges: every 8-adjacent valid pair (a, b) in different basins gives an edge of
//      weight max(z_a, z_b).
//   d) the host computes per basin the water level W = the minimax path weight to the ocean
//      (Kruskal order: the weight at which the basin joins the ocean's component).
//   e) raise_to_level: z' = max(z, W[basin]).
//
// Claim: z' equals Priority-Flood (Barnes, Lehman & Mulla 2014) exactly. Priority-Flood gives
// F(i) = min over cell paths P from i to an outlet of max_{p in P} z(p) (path includes i and
// the outlet). Every cell has a non-increasing chain to its basin root, so inside one basin
// any cell j is reachable from i at cost max(z_i, z_j) (down to the root, up j's chain); an
// ocean cell reaches an outlet at cost z itself. (<=) Follow the basins of W's minimax path,
// crossing each basin boundary at the pair realising that edge weight: every cell on the
// path is <= max(z_i, W). (>=) Any cell path from i to an outlet crosses basin boundaries at
// pairs whose weights it pays, and ends in the ocean basin; so its cost >= max(z_i, W).
// Hence F(i) = max(z_i, W(basin(i))); max only copies elevations, so the floats are identical
// bit for bit. The oracle test (tests/model/terrain/condition_oracle_test.cpp) checks this.
#pragma once

#include <cstdint>

#include "kernels/exec/atomic.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/terrain/condition_common.hpp"

namespace leachflow::kernels::terrain {

// Lowest valid neighbour in the (z, index) order if below the cell, else the cell itself.
LF_HD inline index_t drain_pointer(const grid_view& g, exec::device_span<const float> z, index_t i) {
  if (g.valid[i] == 0 || is_outlet(g, i)) return i;
  const index_t r = i / g.cols;
  const index_t c = i % g.cols;
  index_t best = i;
  float bz = z[i];
  for (int d = 0; d < 8; ++d) {
    const index_t j = valid_neighbour(g, r, c, d);
    if (j >= 0 && (z[j] < bz || (z[j] == bz && j < best))) {
      best = j;
      bz = z[j];
    }
  }
  return best;
}

// parent[i] = drain_pointer(i).
struct store_drain_pointer {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<std::int64_t> parent;
  LF_HD void operator()(index_t i) const { parent[i] = drain_pointer(g, z, i); }
};

// to[i] = the cell reached from i by following `from` at most root_hops times; counts (once
// per block) the cells that did not reach a root.
inline constexpr int root_hops = 64;
inline constexpr index_t root_block = 1024;
struct follow_pointers {
  exec::device_span<const std::int64_t> from;
  exec::device_span<std::int64_t> to;
  exec::device_span<std::int64_t> unfinished;  // one counter
  LF_HD void operator()(index_t b) const {
    const index_t n = from.size();
    const index_t lo = b * root_block;
    const index_t hi = lo + root_block < n ? lo + root_block : n;
    std::int64_t open = 0;
    for (index_t i = lo; i < hi; ++i) {
      index_t p = from[i];
      for (int h = 1; h < root_hops && from[p] != p; ++h) p = from[p];
      to[i] = p;
      if (from[p] != p) ++open;
    }
    if (open != 0) exec::atomic_add(&unfinished[0], open);
  }
};

// flag[i] = 1 for the root of a basin not drained by an outlet, else 0.
struct mark_pit_basins {
  grid_view g;
  exec::device_span<const std::int64_t> label;
  exec::device_span<std::int32_t> flag;
  LF_HD void operator()(index_t i) const { flag[i] = (g.valid[i] != 0 && label[i] == i) ? 1 : 0; }
};
struct unmark_ocean_basins {
  grid_view g;
  exec::device_span<const std::int64_t> label;
  exec::device_span<std::int32_t> flag;
  // Each tree has one root; an outlet is always a root, so one writer per component.
  LF_HD void operator()(index_t i) const {
    if (g.valid[i] != 0 && is_outlet(g, i)) flag[label[i]] = 0;
  }
};

// label[i] (a component root) -> dense basin id: 0 ocean, 1..K pits, -1 NoData.
// slot is the exclusive scan of the pit flags; total its sum.
struct assign_dense_basin {
  grid_view g;
  exec::device_span<const std::int32_t> slot;
  std::int32_t total;
  exec::device_span<std::int64_t> label;
  LF_HD void operator()(index_t i) const {
    if (g.valid[i] == 0) {
      label[i] = -1;
      return;
    }
    const index_t root = label[i];
    const std::int32_t next = root + 1 < g.cells() ? slot[root + 1] : total;
    label[i] = next != slot[root] ? 1 + static_cast<std::int64_t>(slot[root]) : 0;
  }
};

// Spill edges, emitted per block of cells so the offsets need one int64 per block only.
inline constexpr index_t spill_block = 256;

struct count_spill_edges {
  grid_view g;
  exec::device_span<const std::int64_t> basin;
  exec::device_span<std::int64_t> count;
  LF_HD void operator()(index_t b) const {
    const index_t n = g.cells();
    const index_t lo = b * spill_block;
    const index_t hi = lo + spill_block < n ? lo + spill_block : n;
    std::int64_t k = 0;
    for (index_t i = lo; i < hi; ++i) {
      if (g.valid[i] == 0) continue;
      const index_t r = i / g.cols, c = i % g.cols;
      for (int d = 0; d < 4; ++d) {  // E, SE, S, SW: every 8-adjacent pair once
        const index_t j = valid_neighbour(g, r, c, d);
        if (j >= 0 && basin[j] != basin[i]) ++k;
      }
    }
    count[b] = k;
  }
};

struct emit_spill_edges {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<const std::int64_t> basin;
  exec::device_span<const std::int64_t> offset;  // exclusive scan of count_spill_edges
  exec::device_span<std::uint32_t> weight_key;   // ordered_key(max(z_a, z_b))
  exec::device_span<std::uint64_t> pair;         // basin_a << 32 | basin_b
  LF_HD void operator()(index_t b) const {
    const index_t n = g.cells();
    const index_t lo = b * spill_block;
    const index_t hi = lo + spill_block < n ? lo + spill_block : n;
    index_t k = offset[b];
    for (index_t i = lo; i < hi; ++i) {
      if (g.valid[i] == 0) continue;
      const index_t r = i / g.cols, c = i % g.cols;
      for (int d = 0; d < 4; ++d) {
        const index_t j = valid_neighbour(g, r, c, d);
        if (j < 0 || basin[j] == basin[i]) continue;
        weight_key[k] = ordered_key(z[i] < z[j] ? z[j] : z[i]);
        pair[k] = static_cast<std::uint64_t>(basin[i]) << 32 | static_cast<std::uint64_t>(basin[j]);
        ++k;
      }
    }
  }
};

// z_out = max(z_in, level[basin]) on valid cells; NoData cells are copied unchanged.
struct raise_to_level {
  grid_view g;
  exec::device_span<const float> z_in;
  exec::device_span<const std::int64_t> basin;
  exec::device_span<const float> level;
  exec::device_span<float> z_out;
  LF_HD void operator()(index_t i) const {
    float v = z_in[i];
    if (g.valid[i] != 0) {
      const float w = level[basin[i]];
      if (v < w) v = w;
    }
    z_out[i] = v;
  }
};

// 1 for a pit (a non-outlet basin root) that the fill raised: one per filled depression.
struct raised_pit {
  grid_view g;
  exec::device_span<const float> z_in;
  exec::device_span<const float> z_out;
  LF_HD std::int64_t operator()(index_t i) const {
    if (g.valid[i] == 0 || is_outlet(g, i) || drain_pointer(g, z_in, i) != i) return 0;
    return z_out[i] > z_in[i] ? 1 : 0;
  }
};

struct raised_cell {
  grid_view g;
  exec::device_span<const float> z_in;
  exec::device_span<const float> z_out;
  LF_HD std::int64_t operator()(index_t i) const { return g.valid[i] != 0 && z_out[i] > z_in[i] ? 1 : 0; }
};
struct lowered_cell {
  grid_view g;
  exec::device_span<const float> z_in;
  exec::device_span<const float> z_out;
  LF_HD std::int64_t operator()(index_t i) const { return g.valid[i] != 0 && z_out[i] < z_in[i] ? 1 : 0; }
};

struct read_int32_flag {
  exec::device_span<const std::int32_t> flag;
  LF_HD std::int64_t operator()(index_t i) const { return flag[i]; }
};

}  // namespace leachflow::kernels::terrain
