// FlowGraph: the one flow-graph representation every router produces (kernels/terrain/
// flow_graph.hpp), plus what is derived from it once and reused by every accumulation and every
// transport step: the donor mask and the topological order.
//
// Topological order: level[i] = length of the longest donor chain upstream of i (sources 0,
// NoData −1), computed in parallel by dependency counting, walking down from the sources
// (topological_levels); then the valid cells sorted by (level, index) with a stable counting
// sort, the level offsets (host), and a launch
// schedule over it (one parallel launch per level of at least `parallel_level_min` cells, one
// serial walk per run of smaller levels). All of it is deterministic for any thread count.
//
// Host-safe header (no backend include): io/ and app/ may hold a FlowGraph.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/exec/memory.hpp"
#include "kernels/grid_view.hpp"
#include "kernels/terrain/flow_graph.hpp"

namespace leachflow::model::terrain {

using exec::index_t;

enum class FlowRouter : std::uint8_t { d8, dinf, mfd, custom };

// Levels smaller than this are walked by one thread together with their small neighbours.
inline constexpr index_t default_parallel_level_min = 2048;

class FlowGraph {
 public:
  // A D8 graph from direction indices (0..7 in grid_view order, 0xFF = none), one per cell.
  // Throws std::invalid_argument on a wrong size or a cycle. The grid's buffers (DeviceGrid)
  // must outlive the graph: it keeps the grid_view.
  static FlowGraph from_d8(const kernels::grid_view& grid, exec::device_buffer<std::uint8_t> direction,
                           FlowRouter router = FlowRouter::d8,
                           index_t parallel_level_min = default_parallel_level_min);
  // A multi-receiver graph from receiver masks and weights [cell * 8 + d] that obey the
  // invariants of kernels/terrain/flow_graph.hpp. Throws std::invalid_argument as above.
  static FlowGraph from_proportions(const kernels::grid_view& grid, exec::device_buffer<std::uint8_t> mask,
                                    exec::device_buffer<float> weight, FlowRouter router = FlowRouter::custom,
                                    index_t parallel_level_min = default_parallel_level_min);

  FlowRouter router() const { return router_; }
  bool multi() const { return multi_; }
  index_t rows() const { return grid_.rows; }
  index_t cols() const { return grid_.cols; }
  index_t cells() const { return grid_.cells(); }
  const kernels::grid_view& grid() const { return grid_; }
  kernels::terrain::flow_graph_view view() const;

  // Topological order (see the header comment).
  exec::device_span<const index_t> order() const { return order_.span().subspan(0, valid_cells()); }
  // Per cell (NoData −1); not kept with the graph: rebuilt from order() on the first call.
  exec::device_span<const std::int32_t> level() const;
  const std::vector<index_t>& level_offsets() const { return level_offsets_; }   // levels() + 1
  index_t levels() const { return static_cast<index_t>(level_offsets_.size()) - 1; }
  const std::vector<kernels::terrain::level_segment>& schedule() const { return schedule_; }
  index_t valid_cells() const { return level_offsets_.back(); }

  // Host copies for output. D8 graphs only (std::logic_error otherwise):
  std::vector<std::uint8_t> d8_directions() const;  // 0..7, 0xFF = none
  std::vector<std::uint8_t> esri_codes() const;     // 1 = E ... 128 = NE; 0 = sink / NoData
  // Any graph:
  std::vector<std::uint8_t> receiver_masks() const;
  std::vector<float> weights() const;  // [cell * 8 + d]; D8 graphs give weight 1 on the receiver

  // Device bytes held by this graph (for bytes-per-cell reports).
  std::size_t device_bytes() const;

 private:
  FlowGraph() = default;
  void build(index_t parallel_level_min);

  kernels::grid_view grid_;
  FlowRouter router_ = FlowRouter::d8;
  bool multi_ = false;
  exec::device_buffer<std::uint8_t> code_;
  exec::device_buffer<float> weight_;
  exec::device_buffer<std::uint8_t> donors_;
  mutable exec::device_buffer<std::int32_t> level_;  // empty unless level() was called
  exec::device_buffer<index_t> order_;
  std::vector<index_t> level_offsets_{0};
  std::vector<kernels::terrain::level_segment> schedule_;
};

// level[i] for every cell of f (see the header comment), by walks from the sources
// (kernels/terrain/topological_order.hpp). scratch (one index per cell) holds the cells that
// did not fit on a walker's stack of stack_capacity cells (at most kernels::terrain::walk_stack;
// tests lower it to exercise that path). Returns the number of cells finished: fewer than the
// valid cells when the graph has a cycle (their levels are then undefined).
std::int64_t topological_levels(const kernels::terrain::flow_graph_view& f, const kernels::grid_view& grid,
                                exec::device_span<std::int32_t> level, exec::device_span<index_t> scratch,
                                int stack_capacity = kernels::terrain::walk_stack);
// The same with the pending donor counts (one int32 per cell) in memory the caller provides.
std::int64_t topological_levels(const kernels::terrain::flow_graph_view& f, const kernels::grid_view& grid,
                                exec::device_span<std::int32_t> level, exec::device_span<std::int32_t> pending,
                                exec::device_span<index_t> scratch, int stack_capacity = kernels::terrain::walk_stack);

// The launch plan over level offsets: levels of at least `parallel_min` cells get their own
// parallel segment; runs of smaller levels are merged into serial segments.
std::vector<kernels::terrain::level_segment> make_schedule(const std::vector<index_t>& level_offsets,
                                                           index_t parallel_min);

}  // namespace leachflow::model::terrain
