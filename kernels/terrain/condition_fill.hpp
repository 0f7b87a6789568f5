// Parallel depression filling by drainage basins and their spill graph (after Barnes 2016,
// "Parallel priority-flood depression filling for trillion cell digital elevation models",
// which reduces tiles to a small perimeter graph; here the "tiles" are drainage basins).
//
//   a) drain_pointer: every valid cell points to its lowest valid neighbour in the total order
//      (z, index) when that is below itself; outlets (edge / next to NoData) and pits point to
//      themselves.
//   b) every cell finds the root its pointer chain reaches: first inside square tiles (one
//      thread walks a tile's trees, tile_roots), then across tiles: each round follows the previous
//      round's pointers up to root_hops steps (double-buffered, no atomics), so a round
//      multiplies the reach by root_hops (pointer jumping, log depth); basins rooted at an
//      outlet form the "ocean" (dense id 0), every other basin gets a dense id 1..K (int32).
//      The labels are cell indices: int32 below 2^31 cells, int64 beyond (the Label parameter).
//   c) spill edges: every 8-adjacent valid pair (a, b) in different basins gives an edge of
//      weight max(z_a, z_b); per tile only the lightest edge of each basin pair is kept.
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
#include "kernels/terrain/condition_drain.hpp"

namespace leachflow::kernels::terrain {

// Drainage trees inside square tiles, one thread per tile: label[i] = the root of i's tree if
// the pointer chain stays in the tile, else the first cell outside the tile on the chain.
// Directions are computed once into a local array and every cell is walked at most twice
// (find the end, then write it along the path), so a tile costs O(its cells). A later
// follow_pointers over label then only hops between tiles. Roots get label[r] = r; every
// other valid cell a different cell, so follow_pointers' root test (from[p] == p) holds.
inline constexpr index_t root_tile = 32;
template <class Label>  // int32 where the grid has fewer than 2^31 cells, else int64
struct tile_roots {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<Label> label;
  LF_HD void operator()(index_t t) const {
    const auto [r0, c0, r1, c1] = grid_tile(g, t, root_tile);
    // Local cell l = (r - r0) * root_tile + (c - c0). next[l]: local index of the drain
    // target, -1 for the cell itself, -2 - d when the target is outside the tile (step d).
    std::int16_t next[root_tile * root_tile];
    unsigned char done[root_tile * root_tile];
    static_assert(root_tile <= drain_lanes, "one chunk of lanes per tile row");
    std::int32_t lane[drain_lanes];
    for (index_t r = r0; r < r1; ++r) {
      // Interior cells of the row by lanes, the grid's first and last columns one by one.
      const index_t a = c0 > 0 ? c0 : 1, b = c1 < g.cols ? c1 : g.cols - 1;
      const bool lanes = r > 0 && r + 1 < g.rows && a < b;
      if (lanes) drain_directions(g, z, r, a, static_cast<int>(b - a), lane);
      for (index_t c = c0; c < c1; ++c) {
        const int d = lanes && c >= a && c < b ? lane[c - a] : drain_direction(g, z, r, c);
        const index_t l = (r - r0) * root_tile + (c - c0);
        std::int16_t q = -1;
        if (d >= 0) {
          const index_t rr = r + d8_row_step(d), cc = c + d8_col_step(d);
          const bool inside = rr >= r0 && rr < r1 && cc >= c0 && cc < c1;
          q = static_cast<std::int16_t>(inside ? (rr - r0) * root_tile + (cc - c0) : -2 - d);
        }
        next[l] = q;
        done[l] = 0;
      }
    }
    const auto cell = [&](index_t l) { return (r0 + l / root_tile) * g.cols + c0 + l % root_tile; };
    for (index_t r = r0; r < r1; ++r) {
      for (index_t c = c0; c < c1; ++c) {
        const index_t l = (r - r0) * root_tile + (c - c0);
        if (done[l] != 0) continue;
        // Where the chain from l ends: a root, a resolved cell, or the first cell outside.
        index_t p = l;
        Label end = -1;
        for (;;) {
          if (done[p] != 0) {
            end = label[cell(p)];
            break;
          }
          const int q = next[p];
          if (q == -1) {
            end = static_cast<Label>(cell(p));
            break;
          }
          if (q < -1) {
            end = static_cast<Label>(cell(p) + d8_offset(g.cols, -2 - q));
            break;
          }
          p = q;
        }
        // Write it along the path.
        for (p = l; done[p] == 0;) {
          label[cell(p)] = end;
          done[p] = 1;
          if (next[p] < 0) break;
          p = next[p];
        }
      }
    }
  }
};

// to[i] = the cell reached from i by following `from` at most root_hops times; counts (once
// per block) the cells that did not reach a root.
inline constexpr int root_hops = 64;
inline constexpr index_t root_block = 1024;
template <class Label>
struct follow_pointers {
  exec::device_span<const Label> from;
  exec::device_span<Label> to;
  exec::device_span<std::int64_t> unfinished;  // one counter
  LF_HD void operator()(index_t b) const {
    const index_t n = from.size();
    const index_t lo = b * root_block;
    const index_t hi = lo + root_block < n ? lo + root_block : n;
    std::int64_t open = 0;
    for (index_t i = lo; i < hi; ++i) {
      Label p = from[i];
      for (int h = 1; h < root_hops && from[p] != p; ++h) p = from[p];
      to[i] = p;
      if (from[p] != p) ++open;
    }
    if (open != 0) exec::atomic_add(&unfinished[0], open);
  }
};

// flag[i] = 1 for the root of a basin not drained by an outlet, else 0. Outlets point to
// themselves, so a basin drains to an outlet exactly when its root is one.
template <class Label>
struct mark_pit_basins {
  grid_view g;
  exec::device_span<const Label> label;
  exec::device_span<std::int32_t> flag;
  LF_HD void operator()(index_t i) const {
    flag[i] = (g.valid[i] != 0 && label[i] == i && !is_outlet(g, i)) ? 1 : 0;
  }
};

// label[i] (a component root) -> dense basin id: 0 ocean, 1..K pits, -1 NoData (int32: there
// are fewer than 2^31 pits). slot is the exclusive scan of the pit flags; total its sum.
// basin may alias label when both are int32 (each cell reads only its own label and the slots).
template <class Label>
struct assign_dense_basin {
  grid_view g;
  exec::device_span<const std::int32_t> slot;
  std::int32_t total;
  exec::device_span<const Label> label;
  exec::device_span<std::int32_t> basin;
  LF_HD void operator()(index_t i) const {
    if (g.valid[i] == 0) {
      basin[i] = -1;
      return;
    }
    const index_t root = label[i];
    const std::int32_t next = root + 1 < g.cells() ? slot[root + 1] : total;
    basin[i] = next != slot[root] ? 1 + slot[root] : 0;
  }
};

// Spill edges, deduplicated per square tile: the pairs of a tile (each cell with its E, SE,
// S and SW neighbours, which may lie in the next tile) are merged by basin pair
// (min(a, b), max(a, b)) keeping the smallest weight, in a local open-addressing table.
// Dropping a parallel edge of larger weight changes no minimax level (step d), and basins
// are a few dozen cells, so a tile holds few distinct pairs: the list to sort shrinks
// several-fold. Offsets need one int64 per tile; the table is walked in slot order, so the
// output does not depend on the thread count.
inline constexpr index_t spill_tile = 16;
inline constexpr int spill_table = 2048;  // > 4 * spill_tile^2 pairs per tile
// Most tiles border a few dozen basin pairs: a small table first (clearing and walking 2048
// slots cost more than the tile's 1024 neighbour tests), the full one when it fills up.
inline constexpr int spill_small_table = 256;
inline constexpr std::uint64_t spill_empty = ~std::uint64_t{0};

template <int Slots>
struct spill_tile_table_t {
  static_assert((Slots & (Slots - 1)) == 0, "a power of two");
  static constexpr int slots = Slots;
  std::uint64_t pair[Slots];
  std::uint32_t key[Slots];
  int distinct = 0;

  // Fills the table with tile t's pairs; returns the number of distinct basin pairs, or -1
  // once more than `limit` (the table is then incomplete; limit < Slots keeps probing short).
  // Row by row: first which cells cross a basin boundary in each direction (branch-free), then
  // only the crossings, so that the pairs inside a basin cost no mispredicted branch.
  LF_HD int build(const grid_view& g, exec::device_span<const float> z,
                  exec::device_span<const std::int32_t> basin, index_t t, int limit = Slots) {
    for (int e = 0; e < Slots; ++e) pair[e] = spill_empty;
    distinct = 0;
    const auto [r0, c0, r1, c1] = grid_tile(g, t, spill_tile);
    for (index_t r = r0; r < r1; ++r) {
      std::uint32_t cross[4];
      crossings(g, basin, r, c0, static_cast<int>(c1 - c0), cross);
      for (int d = 0; d < 4; ++d) {
        const index_t o = d8_offset(g.cols, d);
        for (std::uint32_t m = cross[d]; m != 0; m &= m - 1) {
          const index_t i = r * g.cols + c0 + std::countr_zero(m), j = i + o;
          if (!insert(basin[i], basin[j], z[i] < z[j] ? z[j] : z[i], limit)) return -1;
        }
      }
    }
    return distinct;
  }

  // Bit k of cross[d]: cell (r, c0 + k) and its neighbour in direction d (E, SE, S, SW: every
  // 8-adjacent pair once) are both valid and in different basins (NoData cells are basin -1).
  static_assert(spill_tile <= 32, "a tile row fits one 32-bit mask");
  LF_HD static void crossings(const grid_view& g, exec::device_span<const std::int32_t> basin, index_t r,
                              index_t c0, int w, std::uint32_t cross[4]) {
    for (int d = 0; d < 4; ++d) cross[d] = 0;
    const std::int32_t* b = basin.data() + r * g.cols + c0;
    if (r + 1 < g.rows && c0 > 0 && c0 + w < g.cols) {  // every neighbour on the grid
      const std::int32_t* below = b + g.cols;
      const auto differ = [](std::int32_t x, std::int32_t y) {
        return static_cast<std::uint32_t>(((x | y) >= 0) & (x != y));
      };
      for (int k = 0; k < w; ++k) {
        cross[0] |= differ(b[k], b[k + 1]) << k;
        cross[1] |= differ(b[k], below[k + 1]) << k;
        cross[2] |= differ(b[k], below[k]) << k;
        cross[3] |= differ(b[k], below[k - 1]) << k;
      }
      return;
    }
    for (int k = 0; k < w; ++k) {
      if (b[k] < 0) continue;
      for (int d = 0; d < 4; ++d) {
        const index_t j = valid_neighbour(g, r, c0 + k, d);
        if (j >= 0 && basin[j] != b[k]) cross[d] |= std::uint32_t{1} << k;
      }
    }
  }

  // Pair (a, b) with weight w: a new slot, or the smaller weight. False when a new pair would
  // exceed `limit`.
  LF_HD bool insert(std::int32_t a, std::int32_t b, float w, int limit) {
    constexpr int shift = 64 - std::countr_zero(static_cast<unsigned>(Slots));
    const std::uint64_t pr = a < b ? static_cast<std::uint64_t>(a) << 32 | static_cast<std::uint64_t>(b)
                                   : static_cast<std::uint64_t>(b) << 32 | static_cast<std::uint64_t>(a);
    const std::uint32_t k = ordered_key(w);
    auto h = static_cast<int>((pr * 0x9E3779B97F4A7C15ull) >> shift);
    while (pair[h] != spill_empty && pair[h] != pr) h = (h + 1) & (Slots - 1);
    if (pair[h] == spill_empty) {
      if (distinct == limit) return false;
      pair[h] = pr;
      key[h] = k;
      ++distinct;
    } else if (k < key[h]) {
      key[h] = k;
    }
    return true;
  }
};
using spill_tile_table = spill_tile_table_t<spill_table>;

struct emit_spill_edges {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<const std::int32_t> basin;
  exec::device_span<const std::int64_t> offset;  // exclusive scan of the tiles' counts
  exec::device_span<std::uint32_t> weight_key;   // ordered_key(max(z_a, z_b)), min per tile
  exec::device_span<std::uint64_t> pair;         // basin_a << 32 | basin_b, a < b
  LF_HD void operator()(index_t t) const {
    spill_tile_table tab;
    tab.build(g, z, basin, t);
    index_t k = offset[t];
    for (int e = 0; e < spill_table; ++e) {
      if (tab.pair[e] == spill_empty) continue;
      weight_key[k] = tab.key[e];
      pair[k] = tab.pair[e];
      ++k;
    }
  }
};

// One hash pass instead of count + emit: each tile writes its distinct pairs to its own
// spill_slots slots of a scratch list, and its count. A tile with more pairs than slots writes
// only its count and is rebuilt by emit_spill_edges when the lists are packed (rare: basins
// are a few dozen cells, so a 16 x 16 tile borders a few dozen basin pairs).
inline constexpr int spill_slots = 96;
struct collect_spill_edges {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<const std::int32_t> basin;
  exec::device_span<std::int64_t> count;               // per tile
  exec::device_span<std::uint32_t> scratch_key;        // tiles x spill_slots
  exec::device_span<std::uint64_t> scratch_pair;
  template <class Table>
  LF_HD void write(const Table& tab, index_t t) const {
    index_t k = t * spill_slots;
    for (int e = 0; e < Table::slots; ++e) {
      if (tab.pair[e] == spill_empty) continue;
      scratch_key[k] = tab.key[e];
      scratch_pair[k] = tab.pair[e];
      ++k;
    }
  }
  LF_HD void operator()(index_t t) const {
    {
      spill_tile_table_t<spill_small_table> small;
      const int distinct = small.build(g, z, basin, t, spill_small_table * 3 / 4);
      if (distinct >= 0) {
        count[t] = distinct;
        if (distinct <= spill_slots) write(small, t);
        return;
      }
    }
    spill_tile_table tab;
    const int distinct = tab.build(g, z, basin, t);
    count[t] = distinct;
    if (distinct <= spill_slots) write(tab, t);
  }
};

// Packs the tiles' lists at their offsets (exclusive scan of the counts): a copy from the
// scratch slots, or emit_spill_edges again for a tile that overflowed them. The order inside
// a tile (slot order of the table used) does not depend on the thread count; the stable sort
// by weight may order equal weights differently than another table would, which changes no
// water level (a minimax path weight is unique).
struct pack_spill_edges {
  emit_spill_edges emit;                               // offset, weight_key, pair: the output
  exec::device_span<const std::int64_t> count;
  exec::device_span<const std::uint32_t> scratch_key;
  exec::device_span<const std::uint64_t> scratch_pair;
  LF_HD void operator()(index_t t) const {
    const std::int64_t c = count[t];
    if (c > spill_slots) {
      emit(t);
      return;
    }
    const index_t from = t * spill_slots, to = emit.offset[t];
    for (index_t k = 0; k < c; ++k) {
      emit.weight_key[to + k] = scratch_key[from + k];
      emit.pair[to + k] = scratch_pair[from + k];
    }
  }
};

// z_out = max(z_in, level[basin]) on valid cells; NoData cells are copied unchanged.
// Returns 1 for a raised cell (used with transform_reduce to count them in the same pass).
struct raise_to_level {
  grid_view g;
  exec::device_span<const float> z_in;
  exec::device_span<const std::int32_t> basin;
  exec::device_span<const float> level;
  exec::device_span<float> z_out;
  LF_HD std::int64_t operator()(index_t i) const {
    float v = z_in[i];
    std::int64_t raised = 0;
    if (g.valid[i] != 0) {
      const float w = level[basin[i]];
      if (v < w) {
        v = w;
        raised = 1;
      }
    }
    z_out[i] = v;
    return raised;
  }
};

// pit_root[k] = the root cell of pit basin k + 1 (label: component roots; slot as above).
template <class Label>
struct record_pit_roots {
  grid_view g;
  exec::device_span<const std::int32_t> slot;
  std::int32_t total;
  exec::device_span<const Label> label;
  exec::device_span<std::int64_t> pit_root;
  LF_HD void operator()(index_t i) const {
    if (g.valid[i] == 0 || label[i] != i) return;
    const std::int32_t next = i + 1 < g.cells() ? slot[i + 1] : total;
    if (next != slot[i]) pit_root[slot[i]] = i;
  }
};

// 1 for a pit (a non-outlet basin root) that the fill raised: one per filled depression.
struct raised_pit {
  exec::device_span<const std::int64_t> pit_root;
  exec::device_span<const float> level;  // level[k + 1] is pit k's water level
  exec::device_span<const float> z_in;
  LF_HD std::int64_t operator()(index_t k) const { return level[k + 1] > z_in[pit_root[k]] ? 1 : 0; }
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
