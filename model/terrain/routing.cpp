// Launches the router kernels and wraps their output in a FlowGraph.
#include "model/terrain/routing.hpp"

#include <stdexcept>
#include <utility>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/route_d8_rows.hpp"
#include "kernels/terrain/route_dinf.hpp"
#include "kernels/terrain/route_mfd.hpp"

namespace leachflow::model::terrain {

namespace kt = kernels::terrain;

namespace {
void check_inputs(const kernels::grid_view& g, exec::device_span<const float> z,
                  exec::device_span<const std::int32_t> flat_gradient) {
  if (z.size() != g.cells()) throw std::invalid_argument("routing: elevation size differs from rows × cols");
  if (!flat_gradient.empty() && flat_gradient.size() != g.cells())
    throw std::invalid_argument("routing: flat gradient size differs from rows × cols");
}
}  // namespace

CellReceivers route_cells(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                          exec::device_span<const std::int32_t> flat_gradient, FlowRouter router,
                          MfdOptions options) {
  check_inputs(grid, elevation, flat_gradient);
  CellReceivers r;
  r.router = router;
  r.code = exec::device_buffer<std::uint8_t>(grid.cells());
  switch (router) {
    case FlowRouter::dinf:
      r.weight = exec::device_buffer<float>(8 * grid.cells());
      exec::for_each_index(grid.cells(), kt::dinf_router{grid, elevation, flat_gradient, r.code.span(), r.weight.span()});
      break;
    case FlowRouter::mfd:
      if (!(options.exponent > 0.0)) throw std::invalid_argument("route_mfd: exponent must be positive");
      r.weight = exec::device_buffer<float>(8 * grid.cells());
      exec::for_each_index(grid.cells(), kt::mfd_router{grid, elevation, flat_gradient, options.exponent,
                                                        options.contour_weights, r.code.span(), r.weight.span()});
      break;
    case FlowRouter::d8:
      exec::for_each_index(grid.rows, kt::d8_router{grid, elevation, flat_gradient, r.code.span()});
      break;
    case FlowRouter::custom:
      throw std::invalid_argument("route_cells: 'custom' is not a router");
  }
  return r;
}

FlowGraph build_graph(const kernels::grid_view& grid, CellReceivers&& r) {
  if (r.router == FlowRouter::d8) return FlowGraph::from_d8(grid, std::move(r.code), FlowRouter::d8);
  return FlowGraph::from_proportions(grid, std::move(r.code), std::move(r.weight), r.router);
}

FlowGraph route_d8(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                   exec::device_span<const std::int32_t> flat_gradient) {
  return build_graph(grid, route_cells(grid, elevation, flat_gradient, FlowRouter::d8));
}

FlowGraph route_dinf(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                     exec::device_span<const std::int32_t> flat_gradient) {
  return build_graph(grid, route_cells(grid, elevation, flat_gradient, FlowRouter::dinf));
}

FlowGraph route_mfd(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                    exec::device_span<const std::int32_t> flat_gradient, MfdOptions options) {
  return build_graph(grid, route_cells(grid, elevation, flat_gradient, FlowRouter::mfd, options));
}

}  // namespace leachflow::model::terrain
