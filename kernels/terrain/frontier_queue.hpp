// Appending to a shared frontier queue from a parallel kernel, one atomic per batch.
//
// The level-synchronous BFSs of the terrain kernels (topological levels, Kahn 1962; flat
// distances, Barnes et al. 2014) append the cells they release or claim to one queue through
// one shared cursor. With one atomic increment of the cursor per cell, every append moved the
// cursor's cache line between cores (measured at 4096²: 1.8 s of the 3.7 s route stage went to
// the topological levels). Here each launch index collects up to frontier_batch cells in a
// local buffer and reserves room for them with one atomic. The order inside a frontier is
// then arbitrary, which the callers never depended on (levels and distances are set per level;
// the topological order is sorted by (level, index) afterwards).
#pragma once

#include <cstdint>

#include "kernels/exec/atomic.hpp"
#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"

namespace leachflow::kernels::terrain {

using exec::device_span;
using exec::index_t;

inline constexpr int frontier_batch = 128;
// Queue entries (or cells) per launch index of the frontier kernels.
inline constexpr index_t frontier_block = 256;

struct frontier_appender {
  device_span<index_t> queue;
  device_span<std::int64_t> cursor;  // one element: the queue's end
  index_t buffer[frontier_batch];
  int count = 0;
  LF_HD frontier_appender(device_span<index_t> q, device_span<std::int64_t> c) : queue(q), cursor(c) {}
  LF_HD void push(index_t i) {
    buffer[count++] = i;
    if (count == frontier_batch) flush();
  }
  // Must be called before the launch index returns (and before a serial walk reads the cursor).
  LF_HD void flush() {
    if (count == 0) return;
    const std::int64_t at = exec::atomic_fetch_add(&cursor[0], static_cast<std::int64_t>(count));
    for (int k = 0; k < count; ++k) queue[at + k] = buffer[k];
    count = 0;
  }
};

// Launch indices covering [0, n) in blocks of frontier_block.
LF_HD inline index_t frontier_blocks(index_t n) { return (n + frontier_block - 1) / frontier_block; }

}  // namespace leachflow::kernels::terrain
