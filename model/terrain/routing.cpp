// Launches the router kernels and wraps their output in a FlowGraph.
#include "model/terrain/routing.hpp"

#include <stdexcept>
#include <utility>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/route_d8.hpp"
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

FlowGraph route_d8(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                   exec::device_span<const std::int32_t> flat_gradient) {
  check_inputs(grid, elevation, flat_gradient);
  exec::device_buffer<std::uint8_t> dir(grid.cells());
  exec::for_each_index(grid.rows, kt::d8_router{grid, elevation, flat_gradient, dir.span()});
  return FlowGraph::from_d8(grid, std::move(dir), FlowRouter::d8);
}

FlowGraph route_dinf(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                     exec::device_span<const std::int32_t> flat_gradient) {
  check_inputs(grid, elevation, flat_gradient);
  exec::device_buffer<std::uint8_t> mask(grid.cells());
  exec::device_buffer<float> weight(8 * grid.cells());
  exec::for_each_index(grid.cells(), kt::dinf_router{grid, elevation, flat_gradient, mask.span(), weight.span()});
  return FlowGraph::from_proportions(grid, std::move(mask), std::move(weight), FlowRouter::dinf);
}

FlowGraph route_mfd(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                    exec::device_span<const std::int32_t> flat_gradient, MfdOptions options) {
  check_inputs(grid, elevation, flat_gradient);
  if (!(options.exponent > 0.0)) throw std::invalid_argument("route_mfd: exponent must be positive");
  exec::device_buffer<std::uint8_t> mask(grid.cells());
  exec::device_buffer<float> weight(8 * grid.cells());
  exec::for_each_index(grid.cells(), kt::mfd_router{grid, elevation, flat_gradient, options.exponent,
                                                    options.contour_weights, mask.span(), weight.span()});
  return FlowGraph::from_proportions(grid, std::move(mask), std::move(weight), FlowRouter::mfd);
}

}  // namespace leachflow::model::terrain
