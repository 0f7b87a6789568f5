// Parallel flat resolution reproducing Barnes, Lehman & Mulla 2014, "An efficient assignment
// of drainage direction over flat surfaces in raster digital elevation models", exactly.
//
// Definitions (all on valid cells; see condition_common.hpp for outlets and NO_FLOW):
//   low edge  = a cell with flow (outlet or strictly lower neighbour) next to an
//               equal-elevation NO_FLOW cell;
//   flat      = an 8-connected equal-elevation component that contains a low edge (the paper's
//               label); its NO_FLOW cells are exactly those reached by the towards-BFS below;
//   high edge = a NO_FLOW cell of a flat with a strictly higher valid neighbour.
//   t = 1 + BFS distance from the low edges, a = 1 + BFS distance from the high edges, both
//       stepping only onto equal-elevation NO_FLOW cells; H = max a over the flat.
//   flat_gradient = 2 t + (H - a) where a > 0, 2 t where a = 0 and t > 0, 0 elsewhere.
// This is the paper's combined mask (2 x towards lower + away from higher). Every NO_FLOW cell
// of a flat then has an equal-elevation neighbour with a strictly smaller positive value: its
// towards-BFS parent has t - 1 and an a differing by at most one (or is a low edge, value 2).
//
// Parallel scheme (on CPUs with few threads the two BFSs instead run at once, one per thread:
// serial_flat_bfs_pair): level-synchronous frontier BFS (a queue holding all frontiers one after
// another; a cell is claimed by the first atomic increment from zero and its distance written
// when its level is expanded; small levels run in one launch on one thread), connected
// components for the flats (tile by tile, then across tile borders: condition_components.hpp), and H
// reduced onto each component root with atomic_fetch_min on negated values. Distances are BFS
// distances, so the result does not depend on the thread count or the backend.
#pragma once

#include <cstdint>

#include "kernels/exec/atomic.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/terrain/condition_common.hpp"
#include "kernels/terrain/frontier_queue.hpp"

namespace leachflow::kernels::terrain {

// Per-cell flags, computed once (one pass over the 8 neighbours) so that the BFSs and the
// labelling below read one byte instead of re-deriving NO_FLOW from 9 x 8 elevation loads.
inline constexpr std::uint8_t flag_noflow = 1;   // is_noflow
inline constexpr std::uint8_t flag_higher = 2;   // valid with a strictly higher valid neighbour
inline constexpr std::uint8_t flag_equal = 4;    // valid with an equal-elevation valid neighbour
inline constexpr std::uint8_t flag_low_edge = 8; // is_low_edge (mark_low_edges, a second pass)

// One launch index per grid row (row and column without a division per cell). Interior rows go
// by stretches of flag_lanes cells with the loop over the cells innermost (vectorised) where
// the stretch and its neighbours are all valid, cell by cell elsewhere.
inline constexpr int flag_lanes = 32;
struct compute_cell_flags {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<std::uint8_t> flags;
  LF_HD void operator()(index_t r) const {
    const index_t row = r * g.cols;
    if (r == 0 || r + 1 >= g.rows || g.cols < 3) {
      for (index_t c = 0; c < g.cols; ++c) cell(row + c, r, c);
      return;
    }
    cell(row, r, 0);
    for (index_t c0 = 1; c0 + 1 < g.cols; c0 += flag_lanes) {
      const int count = static_cast<int>(g.cols - 1 - c0 < flag_lanes ? g.cols - 1 - c0 : flag_lanes);
      if (!open_stretch(row + c0, count))
        for (index_t c = c0; c < c0 + count; ++c) cell(row + c, r, c);
    }
    cell(row + g.cols - 1, r, g.cols - 1);
  }
  // Cells i0 .. i0 + count − 1 of an interior row when their 3 × 3 neighbourhoods are all valid
  // (no outlet among them); false, with nothing written, otherwise.
  LF_HD bool open_stretch(index_t i0, int count) const {
    if (!window_all_valid(g, i0, count)) return false;
    // One loop over the cells reading all eight neighbours (GCC's unroll-and-jam fuses a loop
    // over directions around it into scalar code), through local pointers (a byte store through
    // a member could change the member: nothing would vectorise).
    const float* zc = z.data() + i0;
    const float *up = zc - g.cols, *down = zc + g.cols;
    std::uint8_t* out = flags.data() + i0;
    for (int k = 0; k < count; ++k) {
      const float zi = zc[k];
      const float n[8] = {zc[k + 1], down[k + 1], down[k], down[k - 1], zc[k - 1], up[k - 1], up[k], up[k + 1]};
      std::int32_t lo = 0, hi = 0, eq = 0;
      for (int d = 0; d < 8; ++d) {
        lo |= -static_cast<std::int32_t>(n[d] < zi);
        hi |= -static_cast<std::int32_t>(n[d] > zi);
        eq |= -static_cast<std::int32_t>(n[d] == zi);
      }
      // lo, hi, eq are all ones or zero: NO_FLOW is "no lower neighbour" (no outlet here)
      out[k] = static_cast<std::uint8_t>((~lo & flag_noflow) | (hi & flag_higher) | (eq & flag_equal));
    }
    return true;
  }
  LF_HD void cell(index_t i, index_t r, index_t c) const {
    if (g.valid[i] == 0) {
      flags[i] = 0;
      return;
    }
    const float zi = z[i];
    bool lower = false, higher = false, equal = false, outlet = true;
    if (is_interior(g, r, c)) {
      const d8_offsets n8(g.cols);
      unsigned nodata = 0, lo = 0, hi = 0, eq = 0;  // branch-free: plain ors of compares
      for (int d = 0; d < 8; ++d) {
        const index_t j = i + n8.o[d];
        const float zj = z[j];
        nodata |= g.valid[j] == 0 ? 1u : 0u;
        lo |= zj < zi ? 1u : 0u;
        hi |= zj > zi ? 1u : 0u;
        eq |= zj == zi ? 1u : 0u;
      }
      outlet = nodata != 0;
      lower = lo != 0;
      higher = hi != 0;
      equal = eq != 0;
    }
    if (outlet) {  // grid edge or next to NoData: compare with the valid neighbours only
      lower = higher = equal = false;
      for (int d = 0; d < 8; ++d) {
        const index_t j = valid_neighbour(g, r, c, d);
        if (j < 0) continue;
        const float zj = z[j];
        lower = lower || zj < zi;
        higher = higher || zj > zi;
        equal = equal || zj == zi;
      }
    }
    std::uint8_t f = 0;
    if (!outlet && !lower) f |= flag_noflow;  // a missing neighbour = edge or NoData = outlet
    if (higher) f |= flag_higher;
    if (equal) f |= flag_equal;
    flags[i] = f;
  }
};

// Has flow and an equal-elevation NO_FLOW neighbour.
LF_HD inline bool is_low_edge(const grid_view& g, exec::device_span<const float> z,
                              exec::device_span<const std::uint8_t> flags, index_t i) {
  const std::uint8_t f = flags[i];
  if (g.valid[i] == 0 || (f & flag_noflow) != 0 || (f & flag_equal) == 0) return false;
  const index_t r = i / g.cols, c = i % g.cols;
  for (int d = 0; d < 8; ++d) {
    const index_t j = valid_neighbour(g, r, c, d);
    if (j >= 0 && z[j] == z[i] && (flags[j] & flag_noflow) != 0) return true;
  }
  return false;
}

// flag_low_edge, from the NO_FLOW flags of the first pass: once, instead of in every pass
// that needs it (queue capacity and seeds). The bit is set only on cells with flow, while
// neighbours read only the NO_FLOW bit; a byte store never tears (x86-64, CUDA, every Kokkos
// backend), so they read that bit unchanged whether or not the store has landed.
struct mark_low_edges {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<std::uint8_t> flags;
  LF_HD void operator()(index_t i) const {
    if (is_low_edge(g, z, flags, i)) flags[i] = static_cast<std::uint8_t>(flags[i] | flag_low_edge);
  }
};

// Cells that can enter a BFS queue: NO_FLOW cells and low edges.
struct flat_candidate {
  exec::device_span<const std::uint8_t> flags;
  LF_HD std::int64_t operator()(index_t i) const { return (flags[i] & (flag_noflow | flag_low_edge)) != 0 ? 1 : 0; }
};

// The BFSs' sources: low edges (towards lower terrain) and NO_FLOW cells next to higher
// terrain (away from it; see seed_high_edges).
LF_HD inline bool towards_source(std::uint8_t f) { return (f & flag_low_edge) != 0; }
LF_HD inline bool away_source(std::uint8_t f) {
  return (f & (flag_noflow | flag_higher)) == (flag_noflow | flag_higher);
}

// Seeds: one launch index per frontier_block cells (appends batched, frontier_queue.hpp).
struct seed_low_edges {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<const std::uint8_t> flags;
  exec::device_span<std::int32_t> dist;
  exec::device_span<std::int64_t> queue;
  exec::device_span<std::int64_t> tail;  // one counter
  LF_HD void operator()(index_t b) const {
    const index_t n = g.cells();
    const index_t lo = b * frontier_block, hi = lo + frontier_block < n ? lo + frontier_block : n;
    frontier_appender out(queue, tail);
    for (index_t i = lo; i < hi; ++i) {
      if (!towards_source(flags[i])) continue;
      dist[i] = 1;
      out.push(i);
    }
    out.flush();
  }
};

// NO_FLOW cells next to higher terrain. Those of undrained flats (no low edge: towards = 0)
// seed too: the away-BFS never leaves a flat (NO_FLOW neighbours share its elevation), and
// their distances are never read (H and the gradient skip cells with towards = 0), so the result
// is the paper's, and this BFS needs nothing from the other one (both can run at once).
struct seed_high_edges {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<const std::uint8_t> flags;
  exec::device_span<std::int32_t> dist;
  exec::device_span<std::int64_t> queue;
  exec::device_span<std::int64_t> tail;
  LF_HD void operator()(index_t b) const {
    const index_t n = g.cells();
    const index_t lo = b * frontier_block, hi = lo + frontier_block < n ? lo + frontier_block : n;
    frontier_appender out(queue, tail);
    for (index_t i = lo; i < hi; ++i) {
      if (!away_source(flags[i])) continue;
      dist[i] = 1;
      out.push(i);
    }
    out.flush();
  }
};

// Where a flat BFS steps from cell c: to the candidates visit() is called with, of which it
// takes the unclaimed NO_FLOW ones. From a NO_FLOW cell every neighbour is a candidate: it is not
// an outlet (8 valid neighbours, off the grid edge), and a NO_FLOW neighbour lies at its
// elevation (neither is lower than the other), so no row, column or elevation test. From a low
// edge, which may lie on the grid edge or next to NoData and, on a raw DEM, next to a lower
// NO_FLOW pit, only the valid neighbours at its elevation.
template <class Visit>
LF_HD void noflow_step(const d8_offsets& n8, index_t c, Visit&& visit) {
  for (int d = 0; d < 8; ++d) visit(c + n8.o[d]);
}
template <class Visit>
LF_HD void low_edge_step(const grid_view& g, exec::device_span<const float> z, index_t r, index_t col,
                         Visit&& visit) {
  const index_t c = r * g.cols + col;
  for (int d = 0; d < 8; ++d) {
    const index_t j = valid_neighbour(g, r, col, d);
    if (j >= 0 && z[j] == z[c]) visit(j);
  }
}

// One BFS level: frontier queue[begin, end) gets its final distance `level` (it holds some
// value >= 1 since it was claimed) and claims its unvisited equal-elevation NO_FLOW
// neighbours, appending them at tail. Only "is it zero" is ever tested on a claimed cell, and
// nobody else writes a frontier cell's distance during its level, so the update cannot race.
// One launch index per frontier_block queue entries.
struct expand_frontier {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<const std::uint8_t> flags;
  exec::device_span<std::int32_t> dist;
  exec::device_span<std::int64_t> queue;
  exec::device_span<std::int64_t> tail;
  index_t begin;
  index_t end;
  std::int32_t level;
  LF_HD void expand(index_t c, frontier_appender& out) const {
    // Nobody else writes a claimed cell, and readers only test it against zero: a plain
    // (volatile, untorn) store is enough.
    *static_cast<volatile std::int32_t*>(&dist[c]) = level;
    const auto take = [&](index_t j) { claim(j, out); };
    if ((flags[c] & flag_noflow) != 0) {  // nearly every expanded cell
      noflow_step(d8_offsets(g.cols), c, take);
    } else {  // a low edge (a seed)
      low_edge_step(g, z, c / g.cols, c % g.cols, take);
    }
  }
  // Claims j for the next level if it is an unclaimed NO_FLOW cell.
  LF_HD void claim(index_t j, frontier_appender& out) const {
    if ((flags[j] & flag_noflow) == 0 || atomic_read(&dist[j]) != 0) return;
    if (exec::atomic_fetch_add(&dist[j], std::int32_t{1}) == 0) out.push(j);
  }
  // The rows above, at and below a frontier cell, a few cells ahead in the queue (frontier
  // cells lie scattered: without it nearly every flags and dist read of a neighbour misses).
  LF_HD void prefetch_around(index_t c) const {
    const index_t n = g.cells();
    const index_t up = c >= g.cols ? c - g.cols : c, down = c + g.cols < n ? c + g.cols : c;
    exec::prefetch(&flags[up]);
    exec::prefetch(&flags[c]);
    exec::prefetch(&flags[down]);
    exec::prefetch(&dist[up]);
    exec::prefetch(&dist[c]);
    exec::prefetch(&dist[down]);
  }
  LF_HD void operator()(index_t b) const {
    constexpr index_t ahead = 6;
    const index_t lo = begin + b * frontier_block, hi = lo + frontier_block < end ? lo + frontier_block : end;
    frontier_appender out(queue, tail);
    for (index_t k = lo; k < hi; ++k) {
      if (k + ahead < hi) prefetch_around(queue[k + ahead]);
      expand(queue[k], out);
    }
    out.flush();
  }
};

// Runs of small levels walked by one thread in one launch: the tail of a BFS is hundreds of
// levels of a few cells each, where a launch and a host round trip per level would dominate.
// Level by level it does exactly what the parallel launches do. state = {begin, end, level}.
struct serial_frontier_levels {
  expand_frontier expand;
  exec::device_span<std::int64_t> state;
  index_t small;
  LF_HD void operator()(index_t) const {
    index_t begin = state[0], end = state[1];
    auto level = static_cast<std::int32_t>(state[2]);
    frontier_appender out(expand.queue, expand.tail);
    while (begin < end && end - begin < small) {
      expand_frontier e = expand;
      e.level = level;
      for (index_t k = begin; k < end; ++k) e.expand(expand.queue[k], out);
      out.flush();
      begin = end;
      end = expand.tail[0];
      ++level;
    }
    state[0] = begin;
    state[1] = end;
    state[2] = level;
  }
};

// Both BFSs of a grid at once on a CPU: launch index 0 walks the towards-BFS, index 1 the
// away-BFS, each alone from its seeds to its last level with a plain FIFO (no atomics: nobody
// else touches its distances). Same distances as the level-synchronous launches: a BFS is a BFS.
// On two cores this beats sharing each level between threads, where a scattered frontier cost
// three times the thread time per cell of one thread (claims by atomics, lines bouncing between
// cores). Q: the queue entry, int32 below 2^31 cells (two queues in the memory of one int64 one).
template <class Q>
struct serial_flat_bfs_pair {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<const std::uint8_t> flags;
  exec::device_span<std::int32_t> towards;
  exec::device_span<std::int32_t> away;
  exec::device_span<Q> towards_queue;  // NO_FLOW cells only (low edges are expanded by the scan)
  exec::device_span<Q> away_queue;

  LF_HD void operator()(index_t which) const {
    const exec::device_span<std::int32_t> dist = which == 0 ? towards : away;
    const exec::device_span<Q> queue = which == 0 ? towards_queue : away_queue;
    index_t end = which == 0 ? seed_towards() : seed_away();
    const d8_offsets n8(g.cols);
    for (index_t head = 0; head < end; ++head) {  // every queued cell is NO_FLOW
      const index_t c = queue[head];
      const std::int32_t next = dist[c] + 1;
      noflow_step(n8, c, [&](index_t j) {
        if ((flags[j] & flag_noflow) != 0 && dist[j] == 0) {
          dist[j] = next;
          queue[end++] = static_cast<Q>(j);
        }
      });
    }
  }

  // Low edges (distance 1) are expanded as the scan finds them, in index order as a FIFO would
  // take them: only the NO_FLOW cells of level 2 on enter the queue, in the FIFO's order (a
  // low edge never claims another low edge), and the scan knows row and column, where the FIFO
  // would divide. Returns the queue's length.
  LF_HD index_t seed_towards() const {
    index_t tail = 0;
    for (index_t r = 0; r < g.rows; ++r) {
      for (index_t c = 0; c < g.cols; ++c) {
        const index_t i = r * g.cols + c;
        if (!towards_source(flags[i])) continue;
        towards[i] = 1;
        low_edge_step(g, z, r, c, [&](index_t j) {
          if ((flags[j] & flag_noflow) != 0 && towards[j] == 0) {
            towards[j] = 2;
            towards_queue[tail++] = static_cast<Q>(j);
          }
        });
      }
    }
    return tail;
  }

  LF_HD index_t seed_away() const {
    index_t tail = 0;
    for (index_t i = 0; i < g.cells(); ++i) {
      if (!away_source(flags[i])) continue;
      away[i] = 1;
      away_queue[tail++] = static_cast<Q>(i);
    }
    return tail;
  }
};

// After equal_elevation_components (condition_components.hpp): roots hold -1, other cells
// their root's index. Label: the labels' width (int32 or int64), here and below.
template <class Label>
struct mark_roots {
  exec::device_span<Label> label;
  LF_HD void operator()(index_t i) const {
    if (label[i] == i) label[i] = -1;
  }
};

// Each flat cell (towards > 0) lowers its root's entry to -2 - a, so roots of flats hold
// -2 - H and roots of other components stay -1.
template <class Label>
struct reduce_flat_height {
  exec::device_span<const std::int32_t> towards;
  exec::device_span<const std::int32_t> away;
  exec::device_span<Label> label;
  // One launch index per flat_block cells: neighbours in a row mostly share a root, so the
  // block keeps a running minimum per root and sends one atomic per run, not one per cell.
  static constexpr index_t flat_block = 256;
  LF_HD void operator()(index_t b) const {
    const index_t n = towards.size();
    const index_t lo = b * flat_block, hi = lo + flat_block < n ? lo + flat_block : n;
    index_t current = -1;
    Label low = 0;
    for (index_t i = lo; i < hi; ++i) {
      if (towards[i] == 0) continue;
      const Label l = atomic_read(&label[i]);  // a root's entry changes meanwhile; others never
      const index_t root = l < 0 ? i : l;
      const auto v = static_cast<Label>(-2 - static_cast<std::int64_t>(away[i]));
      if (root != current) {
        if (current >= 0) exec::atomic_fetch_min(&label[current], low);
        current = root;
        low = v;
      } else {
        low = v < low ? v : low;
      }
    }
    if (current >= 0) exec::atomic_fetch_min(&label[current], low);
  }
  static index_t blocks(index_t n) { return (n + flat_block - 1) / flat_block; }
};

// gradient holds t on entry and the combined mask on exit.
template <class Label>
struct combine_gradients {
  exec::device_span<const std::int32_t> away;
  exec::device_span<const Label> label;
  exec::device_span<std::int32_t> gradient;
  LF_HD void operator()(index_t i) const {
    const std::int32_t t = gradient[i];
    if (t == 0) return;
    const std::int32_t a = away[i];
    if (a == 0) {
      gradient[i] = 2 * t;
      return;
    }
    const index_t root = label[i] < 0 ? i : label[i];
    const auto h = static_cast<std::int32_t>(-2 - label[root]);
    gradient[i] = 2 * t + h - a;
  }
};

template <class Label>
struct flat_root {
  exec::device_span<const Label> label;
  LF_HD std::int64_t operator()(index_t i) const { return label[i] <= -2 ? 1 : 0; }
};
struct positive_gradient {
  exec::device_span<const std::int32_t> gradient;
  LF_HD std::int64_t operator()(index_t i) const { return gradient[i] > 0 ? 1 : 0; }
};
struct unresolved_noflow {
  exec::device_span<const std::uint8_t> flags;
  exec::device_span<const std::int32_t> gradient;
  LF_HD std::int64_t operator()(index_t i) const {
    return gradient[i] == 0 && (flags[i] & flag_noflow) != 0 ? 1 : 0;
  }
};

}  // namespace leachflow::kernels::terrain
