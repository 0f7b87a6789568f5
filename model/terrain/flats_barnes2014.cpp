// Parallel flat resolution (Barnes, Lehman & Mulla 2014). Kernels, definitions and the
// invariant are in kernels/terrain/condition_flats.hpp; this file runs the two frontier BFSs,
// labels the flats and combines the gradients.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>

#include "kernels/exec/exec.hpp"
#include "kernels/exec/runtime.hpp"
#include "kernels/terrain/condition_components.hpp"
#include "kernels/terrain/condition_flats.hpp"
#include "model/terrain/condition.hpp"

namespace leachflow::model::terrain {

namespace kt = kernels::terrain;

namespace {

// Multi-source BFS: seed writes distance 1 to its sources and appends them to queue;
// afterwards dist holds 1 + the BFS distance, 0 where unreached.
template <class Seed>
void frontier_bfs(const kernels::grid_view& g, exec::device_span<const float> z,
                  exec::device_span<const std::uint8_t> flags, const Seed& seed,
                  exec::device_span<std::int32_t> dist, exec::device_span<std::int64_t> queue,
                  exec::device_span<std::int64_t> tail, index_t small) {
  exec::fill<std::int64_t>(tail, 0);
  exec::for_each_index(kt::frontier_blocks(g.cells()), seed);
  std::int64_t h[3] = {0, exec::read_one<std::int64_t>(tail, 0), 1};  // begin, end, level
  exec::device_buffer<std::int64_t> state(3);
  while (h[0] < h[1]) {
    const kt::expand_frontier expand{g, z, flags, dist, queue, tail, h[0], h[1], static_cast<std::int32_t>(h[2])};
    if (h[1] - h[0] < small) {
      exec::copy(std::span<const std::int64_t>(h), state.span());
      exec::for_each_index(1, kt::serial_frontier_levels{expand, state.span(), small});
      exec::copy(exec::device_span<const std::int64_t>(state.span()), std::span<std::int64_t>(h));
      continue;
    }
    exec::for_each_index(kt::frontier_blocks(h[1] - h[0]), expand);
    h[0] = h[1];
    h[1] = exec::read_one<std::int64_t>(tail, 0);
    ++h[2];
  }
}

// Both BFSs at once, one per thread (kt::serial_flat_bfs_pair: CPU backends with few threads).
template <class Q>
void serial_bfs_pair(const kernels::grid_view& g, exec::device_span<const float> z,
                     exec::device_span<const std::uint8_t> flags, exec::device_span<std::int32_t> towards,
                     exec::device_span<std::int32_t> away, std::int64_t capacity) {
  exec::device_buffer<Q> towards_queue(capacity), away_queue(capacity);
  exec::for_each_index(2, kt::serial_flat_bfs_pair<Q>{g, z, flags, towards, away, towards_queue.span(),
                                                      away_queue.span()});
}

// Labels the flats (Label wide: see LabelWidth), reduces H onto each flat's root and turns t in
// gradient into the combined mask; returns the number of flats.
template <class Label>
std::int64_t combine_over_flats(const kernels::grid_view& g, exec::device_span<const float> z,
                                exec::device_span<std::uint8_t> flags, exec::device_span<const std::int32_t> away,
                                exec::device_span<std::int32_t> gradient) {
  const index_t n = g.cells();
  exec::device_buffer<Label> label(n);
  kt::equal_elevation_components(g, z, flags, label.span());
  exec::for_each_index(n, kt::mark_roots<Label>{label.span()});
  exec::for_each_index(kt::reduce_flat_height<Label>::blocks(n), kt::reduce_flat_height<Label>{gradient, away, label.span()});
  exec::for_each_index(n, kt::combine_gradients<Label>{away, label.span(), gradient});
  return exec::transform_reduce(n, kt::flat_root<Label>{label.span()}, std::int64_t{0}, exec::plus<std::int64_t>{});
}

}  // namespace

FlatStats resolve_flats(const kernels::grid_view& g, exec::device_span<const float> z,
                        exec::device_span<std::int32_t> flat_gradient, LabelWidth width, index_t serial_frontier_below) {
  // CPU backends with few threads run the two BFSs at once, one whole BFS per thread
  // (kt::serial_flat_bfs_pair; BM_ResolveFlats 1.04-1.10 -> 0.86-0.90 s at 4096², side by side).
  // Otherwise level by level: frontiers below `small` are expanded by one thread, many levels per
  // launch. On CPU threads
  // a frontier of tens of thousands of scattered cells still runs faster on one of them (22 ns
  // per cell at 4096², against 63 ns/cell of thread time in parallel, which two threads do not
  // win back; interleaved runs: condition 2.19 -> 2.09 s, median of 6). Measured on 2 threads
  // only, so capped for many-core CPUs; a GPU wants its threads sooner.
  const index_t cpu_small = std::min<index_t>(index_t{16384} * exec::concurrency(), index_t{65536});
  const index_t small = serial_frontier_below >= 0 ? serial_frontier_below
                        : exec::device_is_host() && exec::concurrency() > 1 ? cpu_small
                                                                              : index_t{4096};
  FlatStats st;
  const index_t n = g.cells();
  exec::fill<std::int32_t>(flat_gradient, 0);
  if (n == 0) return st;
  exec::device_buffer<std::uint8_t> flags(n);
  exec::for_each_index(g.rows, kt::compute_cell_flags{g, z, flags.span()});
  exec::for_each_index(n, kt::mark_low_edges{g, z, flags.span()});
  const std::int64_t capacity = exec::transform_reduce(n, kt::flat_candidate{flags.span()}, std::int64_t{0},
                                                       exec::plus<std::int64_t>{});
  if (capacity == 0) return st;

  exec::device_buffer<std::int32_t> away(n);
  exec::fill<std::int32_t>(away.span(), 0);
  // Towards lower terrain from the low edges (flat_gradient holds t for now), and away from
  // higher terrain from the high edges.
  if (serial_frontier_below < 0 && exec::device_is_host() && exec::concurrency() <= 4) {
    if (n <= std::numeric_limits<std::int32_t>::max()) {
      serial_bfs_pair<std::int32_t>(g, z, flags.span(), flat_gradient, away.span(), capacity);
    } else {
      serial_bfs_pair<std::int64_t>(g, z, flags.span(), flat_gradient, away.span(), capacity);
    }
  } else {
    exec::device_buffer<std::int64_t> queue(capacity);
    exec::device_buffer<std::int64_t> tail(1);
    frontier_bfs(g, z, flags.span(), kt::seed_low_edges{g, z, flags.span(), flat_gradient, queue.span(), tail.span()},
                 flat_gradient, queue.span(), tail.span(), small);
    frontier_bfs(g, z, flags.span(), kt::seed_high_edges{g, z, flags.span(), away.span(), queue.span(), tail.span()},
                 away.span(), queue.span(), tail.span(), small);
  }

  // Flats as equal-elevation components; H = max away-distance per flat, kept at its root.
  st.flats = width == LabelWidth::automatic && n <= std::numeric_limits<std::int32_t>::max()
                 ? combine_over_flats<std::int32_t>(g, z, flags.span(), away.span(), flat_gradient)
                 : combine_over_flats<std::int64_t>(g, z, flags.span(), away.span(), flat_gradient);

  const auto count = [n](auto f) {
    return exec::transform_reduce(n, f, std::int64_t{0}, exec::plus<std::int64_t>{});
  };
  st.flat_cells = count(kt::positive_gradient{flat_gradient});
  st.unresolved_cells = count(kt::unresolved_noflow{flags.span(), flat_gradient});
  return st;
}

}  // namespace leachflow::model::terrain
