// Kernels for the topological order of a flow graph, by dependency counting with frontiers
// (Kahn 1962, level-synchronous).
//
// level[i] = length of the longest chain of donors upstream of i (cells with no donors: 0;
// NoData: -1). A cell enters frontier L+1 when its last donor, processed in frontier L, releases
// it; its last donor has the largest level, so the level is 1 + max(level of donors) whatever the
// order in which threads run: levels are deterministic for any thread count, even though the
// order of cells inside one frontier is not (model/terrain/flow_graph.cpp sorts by
// (level, index) afterwards).
#pragma once

#include <cstdint>

#include "kernels/exec/atomic.hpp"
#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/grid_view.hpp"
#include "kernels/terrain/flow_graph.hpp"
#include "kernels/terrain/frontier_queue.hpp"

namespace leachflow::kernels::terrain {

// pending[i] = number of donors; level[i] = 0 for valid cells, -1 for NoData; cells without donors
// are appended to the frontier queue through the cursor. One launch index per block of cells.
struct seed_frontier_kernel {
  flow_graph_view f;
  grid_view g;
  device_span<std::int32_t> pending;
  device_span<std::int32_t> level;
  device_span<index_t> queue;
  device_span<std::int64_t> cursor;  // one element
  LF_HD void operator()(index_t b) const {
    const index_t n = g.cells();
    const index_t lo = b * frontier_block;
    const index_t hi = lo + frontier_block < n ? lo + frontier_block : n;
    frontier_appender out(queue, cursor);
    for (index_t i = lo; i < hi; ++i) {
      const bool valid = g.is_valid(i);
      const int donors = popcount8(f.donors[i]);
      pending[i] = donors;
      level[i] = valid ? 0 : -1;
      if (valid && donors == 0) out.push(i);
    }
    out.flush();
  }
};

// Processes queue[begin, begin + n) (all at level `current`): each receiver inside the domain loses
// one pending donor; the thread that takes it to zero gives it level current + 1 and appends it.
// One launch index per block of frontier_block queue entries.
struct release_receivers_kernel {
  flow_graph_view f;
  grid_view g;
  device_span<std::int32_t> pending;
  device_span<std::int32_t> level;
  device_span<index_t> queue;
  device_span<std::int64_t> cursor;
  index_t begin = 0;
  index_t end = 0;
  std::int32_t current = 0;
  LF_HD void release(index_t i, frontier_appender& out) const {
    const std::uint8_t m = f.receiver_mask(i);
    if (m == 0) return;
    const index_t r = i / g.cols, c = i - r * g.cols;
    for (int d = 0; d < 8; ++d) {
      if (!(m >> d & 1u)) continue;
      const index_t j = domain_neighbour(g, i, r, c, d);
      if (j < 0) continue;
      if (exec::atomic_fetch_add(&pending[j], std::int32_t{-1}) == 1) {
        level[j] = current + 1;
        out.push(j);
      }
    }
  }
  LF_HD void operator()(index_t b) const {
    const index_t lo = begin + b * frontier_block;
    const index_t hi = lo + frontier_block < end ? lo + frontier_block : end;
    frontier_appender out(queue, cursor);
    for (index_t k = lo; k < hi; ++k) release(queue[k], out);
    out.flush();
  }
};

// One thread walks consecutive small frontiers (fewer than `small` cells) in order, so a long
// thin tail of levels costs one launch instead of one per level. state = {begin, end, level} of
// the current frontier in, and of the first frontier it did not process out. Alone on the
// queue, it appends directly (no atomics needed, but the same appender keeps one code path).
struct serial_frontiers_kernel {
  release_receivers_kernel release;
  device_span<std::int64_t> state;
  index_t small = 0;
  LF_HD void operator()(index_t) const {
    index_t begin = state[0], end = state[1];
    auto current = static_cast<std::int32_t>(state[2]);
    frontier_appender out(release.queue, release.cursor);
    while (begin < end && end - begin < small) {
      release_receivers_kernel k = release;
      k.current = current;
      for (index_t q = begin; q < end; ++q) k.release(release.queue[q], out);
      out.flush();
      begin = end;
      end = release.cursor[0];
      ++current;
    }
    state[0] = begin;
    state[1] = end;
    state[2] = current;
  }
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
