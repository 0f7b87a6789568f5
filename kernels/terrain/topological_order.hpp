// Kernels for the topological order of a flow graph, by dependency counting (Kahn 1962) with
// walks instead of frontiers.
//
// level[i] = length of the longest chain of donors upstream of i (cells with no donors: 0;
// NoData: -1), pulled from the donors once all of them are finished: deterministic for any
// thread count and any interleaving. The (level, index) order then comes from a counting sort.
#pragma once

#include <cstdint>

#include "kernels/exec/atomic.hpp"
#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/grid_view.hpp"
#include "kernels/terrain/flow_graph.hpp"
#include "kernels/terrain/frontier_queue.hpp"

namespace leachflow::kernels::terrain {

// pending[i] = number of donors; level[i] = -1 for NoData (valid cells get theirs in the walk).
struct pending_donors_kernel {
  flow_graph_view f;
  grid_view g;
  device_span<std::int32_t> pending;
  device_span<std::int32_t> level;
  LF_HD void operator()(index_t i) const {
    pending[i] = popcount8(f.donors[i]);
    if (!g.is_valid(i)) level[i] = -1;
  }
};

// Levels by walking down from the sources with dependency counting (no frontiers, no
// barriers): a cell whose last donor is finished is finished by the thread that finished that
// donor, which then walks on from it. Every valid cell of an acyclic graph is finished exactly
// once, by one thread, after all of its donors, so its level is pulled from theirs:
// level = 1 + max(level of donors). The walk is O(cells) in all; its critical path is the
// longest chain, which one thread walks without waiting for anybody.
//
// Handoff: a donor writes its level before its atomic decrement, and the thread that takes the
// count to zero reads the donors' levels after it. The host atomics are full barriers
// (acq_rel); GPU atomics are relaxed, hence the fences (exec::fence_for_handoff).
//
// Cells with several receivers released at once (D-infinity, MFD) wait on a small per-thread
// stack (walk_stack, kernels/terrain/flow_graph.hpp); when it is full they go to the overflow
// queue, walked by a later launch. D8 never needs either. finished counts the cells finished (a cycle leaves some unfinished).
inline constexpr std::int32_t level_overflow = 2147483647;

struct walk_levels_kernel {
  flow_graph_view f;
  grid_view g;
  device_span<std::int32_t> pending;
  device_span<std::int32_t> level;
  device_span<index_t> overflow;           // queue of finished-but-unwalked cells
  device_span<std::int64_t> overflow_end;  // one counter
  device_span<std::int64_t> finished;      // one counter
  // Launch index b walks from the sources in cells [b * frontier_block, ...) when starts is
  // empty, else from starts[b * frontier_block, ...) (overflow of the previous launch).
  device_span<const index_t> starts;
  index_t count = 0;  // cells or starts
  int stack_capacity = walk_stack;

  LF_HD std::int32_t pulled_level(index_t i) const {
    const std::uint8_t m = f.donors[i];
    std::int32_t l = -1;
    for (int d = 0; d < 8; ++d)
      if (m >> d & 1u) {
        const std::int32_t v = level[i + f.offset(d)];
        l = v > l ? v : l;
      }
    // 0 for a source; saturates at level_overflow (chains of 2^31 cells, only on grids beyond
    // 2^31 cells), which FlowGraph::build reports instead of wrapping.
    return l >= level_overflow - 1 ? level_overflow : l + 1;
  }

  LF_HD index_t walk(index_t c, frontier_appender& out) const {
    index_t stack[walk_stack];
    int top = 0;
    index_t done = 0;
    for (;;) {
      level[c] = pulled_level(c);
      ++done;
      const std::uint8_t m = f.receiver_mask(c);
      index_t next = -1;
      if (m != 0) {
        exec::fence_for_handoff();
        for (int d = 0; d < 8; ++d) {
          if (!(m >> d & 1u)) continue;
          // j is a receiver inside the domain exactly when it lists c as a donor (this needs no
          // row and column: a step off the grid edge lands on a cell that does not).
          const index_t j = c + f.offset(d);
          if (j < 0 || j >= g.cells() || !(f.donors[j] >> d8_opposite(d) & 1u)) continue;
          // c is j's last donor to finish: j's only donor, or the one that takes the count to 0.
          if (popcount8(f.donors[j]) != 1 && exec::atomic_fetch_add(&pending[j], std::int32_t{-1}) != 1) continue;
          if (next < 0) next = j;
          else if (top < stack_capacity) stack[top++] = j;
          else out.push(j);
        }
        if (next >= 0) exec::fence_for_handoff();
      }
      if (next < 0) {
        if (top == 0) return done;
        next = stack[--top];
        exec::fence_for_handoff();
      }
      c = next;
    }
  }

  // D8 (one receiver per cell): a walk is one path and needs no stack, and a cell with one
  // donor (most cells) takes its level from the walk's register instead of its donors' memory.
  // (Interleaving several walks per thread to overlap their latencies measured slower.)
  LF_HD index_t walk_d8(index_t c) const {
    index_t done = 0;
    std::int32_t l = 0;  // c is a source
    for (;;) {
      level[c] = l;
      ++done;
      const std::uint8_t d = f.code[c];
      if (d == no_receiver) return done;
      exec::fence_for_handoff();
      const index_t j = c + f.offset(d);  // a receiver in the domain lists c as a donor
      const std::uint8_t dj = j >= 0 && j < g.cells() ? f.donors[j] : std::uint8_t{0};
      if (((dj >> d8_opposite(d)) & 1u) == 0) return done;
      const bool only = (dj & (dj - 1)) == 0;  // c is j's only donor
      if (!only && exec::atomic_fetch_add(&pending[j], std::int32_t{-1}) != 1) return done;
      exec::fence_for_handoff();
      l = !only ? pulled_level(j) : l >= level_overflow - 1 ? level_overflow : l + 1;
      c = j;
    }
  }

  LF_HD void operator()(index_t b) const {
    const index_t lo = b * frontier_block, hi = lo + frontier_block < count ? lo + frontier_block : count;
    if (!f.multi && starts.empty()) {
      index_t done = 0;
      for (index_t k = lo; k < hi; ++k)
        if (g.is_valid(k) && f.donors[k] == 0) done += walk_d8(k);
      if (done != 0) exec::atomic_add(&finished[0], static_cast<std::int64_t>(done));
      return;
    }
    frontier_appender out(overflow, overflow_end);
    index_t done = 0;
    for (index_t k = lo; k < hi; ++k) {
      if (starts.empty()) {
        if (g.is_valid(k) && f.donors[k] == 0) done += walk(k, out);
      } else {
        done += walk(starts[k], out);
      }
    }
    out.flush();
    if (done != 0) exec::atomic_add(&finished[0], static_cast<std::int64_t>(done));
  }
};

struct max_level {
  device_span<const std::int32_t> level;
  LF_HD std::int32_t operator()(index_t i) const { return level[i]; }
};

// Level offsets from the levels sorted ascending (levels are contiguous: a cell at level L + 1
// has a donor at level L): offsets[key[k]] = k where a new level starts.
struct level_starts_kernel {
  device_span<const std::int32_t> sorted_level;
  device_span<index_t> offsets;
  LF_HD void operator()(index_t k) const {
    if (k == 0 || sorted_level[k] != sorted_level[k - 1]) offsets[sorted_level[k]] = k;
  }
};

// Stable counting sort of the valid cells by level, in two passes over fixed blocks of cells
// (a parallel radix sort with one digit): block b counts its cells per level into
// count[level * blocks + b]; an exclusive scan in (level, block) order turns the counts into
// output positions; block b then writes its cells in index order. The result is the
// (level, index) order, deterministic for any thread count, in O(cells + levels × blocks).
struct level_histogram_kernel {
  device_span<const std::int32_t> level;
  index_t cells = 0;
  index_t block_cells = 0;
  index_t blocks = 0;
  device_span<index_t> count;  // [level * blocks + block], zeroed
  LF_HD void operator()(index_t b) const {
    const index_t lo = b * block_cells;
    const index_t hi = lo + block_cells < cells ? lo + block_cells : cells;
    for (index_t i = lo; i < hi; ++i)
      if (level[i] >= 0) ++count[static_cast<index_t>(level[i]) * blocks + b];
  }
};

struct level_scatter_kernel {
  device_span<const std::int32_t> level;
  index_t cells = 0;
  index_t block_cells = 0;
  index_t blocks = 0;
  device_span<index_t> position;  // exclusive scan of the histogram; advanced as cells are written
  device_span<index_t> order;
  LF_HD void operator()(index_t b) const {
    const index_t lo = b * block_cells;
    const index_t hi = lo + block_cells < cells ? lo + block_cells : cells;
    for (index_t i = lo; i < hi; ++i)
      if (level[i] >= 0) order[position[static_cast<index_t>(level[i]) * blocks + b]++] = i;
  }
};

// offsets[L] = first position of level L: the scanned histogram at (L, block 0).
struct level_offsets_kernel {
  device_span<const index_t> position;  // scanned histogram, before scattering
  index_t blocks = 0;
  device_span<index_t> offsets;
  LF_HD void operator()(index_t l) const { offsets[l] = position[l * blocks]; }
};

// level[order[k]] = the level whose range [offsets[l], offsets[l + 1]) holds k (binary search).
struct level_from_order_kernel {
  device_span<const index_t> offsets;  // levels + 1
  device_span<const index_t> order;
  device_span<std::int32_t> level;
  LF_HD void operator()(index_t k) const {
    index_t lo = 0, hi = offsets.size() - 1;  // offsets[lo] <= k < offsets[hi]
    while (hi - lo > 1) {
      const index_t mid = lo + (hi - lo) / 2;
      if (offsets[mid] <= k) lo = mid;
      else hi = mid;
    }
    level[order[k]] = static_cast<std::int32_t>(lo);
  }
};

// Sort keys for the (level, index) order: the level, with NoData placed after every level.
struct order_key_kernel {
  device_span<const std::int32_t> level;
  std::int32_t nodata_key = 0;
  device_span<std::int32_t> key;
  LF_HD void operator()(index_t i) const { key[i] = level[i] < 0 ? nodata_key : level[i]; }
};

}  // namespace leachflow::kernels::terrain
