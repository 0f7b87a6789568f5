// FlowGraph construction: donor mask, topological levels by frontiers, (level, index) order.
#include "model/terrain/flow_graph.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/topological_order.hpp"

namespace leachflow::model::terrain {

namespace kt = kernels::terrain;

namespace {

struct count_valid {
  kernels::grid_view g;
  LF_HD index_t operator()(index_t i) const { return g.is_valid(i) ? 1 : 0; }
};

// 1 for a cell that breaks the flow_graph.hpp invariants: a D8 code outside 0..7/0xFF, or
// multi-receiver weights that are not exactly 1 in sum, are negative, or disagree with the mask.
struct bad_cell {
  kt::flow_graph_view f;
  LF_HD index_t operator()(index_t i) const {
    if (!f.multi) return (f.code[i] < 8 || f.code[i] == kt::no_receiver) ? 0 : 1;
    const std::uint8_t m = f.code[i];
    double sum = 0.0;
    for (int d = 0; d < 8; ++d) {
      const float w = f.weight[i * 8 + d];
      if ((m >> d & 1u) ? !(w > 0.0f) : (w != 0.0f)) return 1;
      sum += static_cast<double>(w);
    }
    return (m == 0 || sum == 1.0) ? 0 : 1;
  }
};

}  // namespace

FlowGraph FlowGraph::from_d8(const kernels::grid_view& grid, exec::device_buffer<std::uint8_t> direction,
                             FlowRouter router, index_t parallel_level_min) {
  if (direction.size() != grid.cells())
    throw std::invalid_argument("FlowGraph: D8 direction array has " + std::to_string(direction.size()) +
                                " cells, the grid " + std::to_string(grid.cells()));
  FlowGraph f;
  f.grid_ = grid;
  f.router_ = router;
  f.multi_ = false;
  f.code_ = std::move(direction);
  f.build(parallel_level_min);
  return f;
}

FlowGraph FlowGraph::from_proportions(const kernels::grid_view& grid, exec::device_buffer<std::uint8_t> mask,
                                      exec::device_buffer<float> weight, FlowRouter router,
                                      index_t parallel_level_min) {
  if (mask.size() != grid.cells() || weight.size() != 8 * grid.cells())
    throw std::invalid_argument("FlowGraph: receiver mask / weight arrays do not match the grid (need cells and 8 × cells)");
  FlowGraph f;
  f.grid_ = grid;
  f.router_ = router;
  f.multi_ = true;
  f.code_ = std::move(mask);
  f.weight_ = std::move(weight);
  f.build(parallel_level_min);
  return f;
}

kt::flow_graph_view FlowGraph::view() const {
  kt::flow_graph_view v;
  v.rows = grid_.rows;
  v.cols = grid_.cols;
  v.multi = multi_;
  v.code = code_.span();
  v.weight = weight_.span();
  v.donors = donors_.span();
  return v;
}

void FlowGraph::build(index_t parallel_level_min) {
  const index_t n = grid_.cells();
  const index_t bad = exec::transform_reduce(n, bad_cell{view()}, index_t{0}, exec::plus<index_t>{});
  if (bad != 0)
    throw std::invalid_argument("FlowGraph: " + std::to_string(bad) +
                                " cells have an invalid direction code or weights that do not sum to 1");
  donors_ = exec::device_buffer<std::uint8_t>(n);
  exec::for_each_index(grid_.rows, kt::donor_mask_kernel{view(), grid_, donors_.span()});

  // The levels, the pending donor counts and then the histogram share one block of 8 B/cell
  // (plus 8 B): freed after the build, it is what the accumulation's double output asks for
  // next, so the buffer pool hands back touched pages instead of fresh ones (whose first touch
  // was the slowest part of the accumulate stage). Layout: levels in the first n int32; from
  // int64 index h = ceil(n / 2) on, the pending counts during the walks, the histogram after.
  exec::device_buffer<std::int64_t> scratch(n + 1);
  const index_t h = (n + 1) / 2;
  const auto level = exec::reinterpret_span<std::int32_t>(scratch.span(), 0, n);
  exec::device_buffer<index_t> queue(n);
  const std::int64_t finished =
      topological_levels(view(), grid_, level, exec::reinterpret_span<std::int32_t>(scratch.span(), 8 * h, n),
                         queue.span());
  const index_t valid = exec::transform_reduce(n, count_valid{grid_}, index_t{0}, exec::plus<index_t>{});
  if (finished != valid)
    throw std::invalid_argument("FlowGraph: the graph has a cycle (" + std::to_string(valid - finished) +
                                " valid cells never become free of donors)");
  const std::int64_t current =
      valid == 0 ? 0
                 : std::int64_t{1} + exec::transform_reduce(n, kt::max_level{level}, std::int32_t{-1},
                                                            exec::maximum<std::int32_t>{});

  // Valid cells in (level, index) order by a stable counting sort over fixed blocks (see
  // kernels/terrain/topological_order.hpp): two passes over the cells instead of a comparison
  // sort. The histogram has levels × blocks entries; blocks shrink when there are many levels.
  if (current > kt::level_overflow - 1)
    throw std::invalid_argument("FlowGraph: more than 2^31 - 2 levels (a single flow path of over 2^31 cells)");
  const index_t levels = current;
  const index_t budget = std::max<index_t>(n / 4, index_t{1} << 16);  // histogram ≤ 2 B/cell
  const index_t blocks = std::clamp<index_t>(std::min<index_t>((n + 65535) / 65536 * 4, budget / std::max<index_t>(levels, 1)),
                                             1, 4096);
  const index_t block_cells = (n + blocks - 1) / std::max<index_t>(blocks, 1);
  exec::device_buffer<index_t> own_position;  // only where the histogram does not fit the scratch (small grids)
  const index_t entries = levels * blocks;
  const exec::device_span<index_t> position =
      entries <= n + 1 - h ? exec::reinterpret_span<index_t>(scratch.span(), 8 * h, entries)
                           : (own_position = exec::device_buffer<index_t>(entries)).span();
  exec::fill(position, index_t{0});
  exec::for_each_index(blocks, kt::level_histogram_kernel{level, n, block_cells, blocks, position});
  exec::exclusive_scan<index_t>(position, position, 0);
  exec::device_buffer<index_t> offsets(levels + 1);
  exec::copy(std::span<const index_t>(&valid, 1), offsets.span().subspan(levels, 1));
  exec::for_each_index(levels, kt::level_offsets_kernel{position, blocks, offsets.span()});
  level_offsets_ = exec::to_host(offsets);
  order_ = std::move(queue);
  exec::for_each_index(blocks, kt::level_scatter_kernel{level, n, block_cells, blocks, position, order_.span()});

  schedule_ = make_schedule(level_offsets_, parallel_level_min);
  // The per-cell levels follow from the order and the offsets: they go with the scratch (4 B/cell
  // for the lifetime of the graph) and are rebuilt only if someone asks (level()).
}

std::int64_t topological_levels(const kt::flow_graph_view& f, const kernels::grid_view& grid,
                                exec::device_span<std::int32_t> level, exec::device_span<index_t> scratch,
                                int stack_capacity) {
  // Pending counts live only while the levels are found (4 B/cell off the route peak).
  exec::device_buffer<std::int32_t> pending(grid.cells());
  return topological_levels(f, grid, level, pending.span(), scratch, stack_capacity);
}

std::int64_t topological_levels(const kt::flow_graph_view& f, const kernels::grid_view& grid,
                                exec::device_span<std::int32_t> level, exec::device_span<std::int32_t> pending,
                                exec::device_span<index_t> scratch, int stack_capacity) {
  const index_t n = grid.cells();
  exec::for_each_index(n, kt::pending_donors_kernel{f, grid, pending, level});
  exec::device_buffer<index_t> starts;
  exec::device_buffer<std::int64_t> counters(2);  // overflow end, finished
  exec::fill(counters.span(), std::int64_t{0});
  kt::walk_levels_kernel walk{f, grid, pending, level, scratch, counters.span().subspan(0, 1),
                              counters.span().subspan(1, 1), {}, n, kt::walk_stack};
  walk.stack_capacity = std::clamp(stack_capacity, 0, kt::walk_stack);
  for (;;) {
    exec::for_each_index(kt::frontier_blocks(walk.count), walk);
    const std::vector<std::int64_t> h = exec::to_host(counters);
    if (h[0] == 0) return h[1];
    // The overflow becomes the next launch's starts; scratch takes the next overflow.
    starts = exec::device_buffer<index_t>(h[0]);
    exec::copy(exec::device_span<const index_t>(scratch.subspan(0, h[0])), starts.span());
    walk.starts = starts.span();
    walk.count = h[0];
    exec::fill(counters.span().subspan(0, 1), std::int64_t{0});
  }
}

std::vector<kt::level_segment> make_schedule(const std::vector<index_t>& level_offsets, index_t parallel_min) {
  std::vector<kt::level_segment> s;
  for (std::size_t l = 0; l + 1 < level_offsets.size(); ++l) {
    const index_t b = level_offsets[l], e = level_offsets[l + 1];
    if (e - b >= parallel_min) {
      s.push_back({b, e, true});
    } else if (!s.empty() && !s.back().parallel) {
      s.back().end = e;
    } else {
      s.push_back({b, e, false});
    }
  }
  return s;
}

exec::device_span<const std::int32_t> FlowGraph::level() const {
  const index_t n = grid_.cells();
  if (level_.size() != n) {
    level_ = exec::device_buffer<std::int32_t>(n);
    exec::fill<std::int32_t>(level_.span(), -1);
    const exec::device_buffer<index_t> offsets = exec::to_device(level_offsets_);
    exec::for_each_index(valid_cells(), kt::level_from_order_kernel{offsets.span(), order(), level_.span()});
  }
  return level_.span();
}

std::vector<std::uint8_t> FlowGraph::d8_directions() const {
  if (multi_) throw std::logic_error("FlowGraph::d8_directions: the graph has multiple receivers per cell");
  return exec::to_host(code_);
}

std::vector<std::uint8_t> FlowGraph::esri_codes() const {
  std::vector<std::uint8_t> d = d8_directions();
  for (auto& c : d) c = c == kt::no_receiver ? std::uint8_t{0} : kernels::d8_esri_code(c);
  return d;
}

std::vector<std::uint8_t> FlowGraph::receiver_masks() const {
  std::vector<std::uint8_t> m = exec::to_host(code_);
  if (!multi_)
    for (auto& c : m) c = c == kt::no_receiver ? std::uint8_t{0} : static_cast<std::uint8_t>(1u << c);
  return m;
}

std::vector<float> FlowGraph::weights() const {
  if (multi_) return exec::to_host(weight_);
  const std::vector<std::uint8_t> d = exec::to_host(code_);
  std::vector<float> w(d.size() * 8, 0.0f);
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d[i] != kt::no_receiver) w[i * 8 + d[i]] = 1.0f;
  return w;
}

std::size_t FlowGraph::device_bytes() const {
  return code_.bytes() + weight_.bytes() + donors_.bytes() + level_.bytes() + order_.bytes();
}

}  // namespace leachflow::model::terrain
