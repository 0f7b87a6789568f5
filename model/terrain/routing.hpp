// Flow routers: each fills the one FlowGraph representation (kernels/terrain/flow_graph.hpp)
// and builds its topological order.
//   route_d8   — O'Callaghan & Mark (1984), steepest descent; kernels/terrain/route_d8.hpp
//   route_dinf — Tarboton (1997), D-infinity facets;          kernels/terrain/route_dinf.hpp
//   route_mfd  — Freeman (1991) / Quinn et al. (1991);        kernels/terrain/route_mfd.hpp
// elevation: float per cell (row-major), values on NoData cells are ignored. flat_gradient: the
// int32 flat-resolution gradient of Barnes et al. (2014) per cell, or empty. Among equal
// neighbours on a flat a cell drains to the lowest gradient value below its own. The grid's
// buffers must outlive the returned graph. Throws std::invalid_argument on size mismatches.
#pragma once

#include <cstdint>

#include "kernels/exec/memory.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/grid_view.hpp"
#include "model/terrain/flow_graph.hpp"

namespace leachflow::model::terrain {

FlowGraph route_d8(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                   exec::device_span<const std::int32_t> flat_gradient = {});

FlowGraph route_dinf(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                     exec::device_span<const std::int32_t> flat_gradient = {});

struct MfdOptions {
  double exponent = 1.1;         // p in (tan β)^p: Freeman 1.1, Quinn 1
  bool contour_weights = true;   // Quinn's contour lengths 0.5 / 0.354 of the cell size
};

FlowGraph route_mfd(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                    exec::device_span<const std::int32_t> flat_gradient = {}, MfdOptions options = {});

// The two halves of every router above, for callers that free the DEM's buffers before the
// topological order is built (the terrain pipeline's memory peak): the receivers of each cell,
// then the graph over them.
struct CellReceivers {
  FlowRouter router = FlowRouter::d8;
  exec::device_buffer<std::uint8_t> code;  // D8 direction (0..7, no_receiver) or receiver mask
  exec::device_buffer<float> weight;       // [cell * 8 + d] for multi-receiver routers, else empty
};
CellReceivers route_cells(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                          exec::device_span<const std::int32_t> flat_gradient, FlowRouter router,
                          MfdOptions options = {});
FlowGraph build_graph(const kernels::grid_view& grid, CellReceivers&& receivers);

}  // namespace leachflow::model::terrain
