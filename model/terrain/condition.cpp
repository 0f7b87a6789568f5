// DEM conditioning driver: depression handling, then flat resolution. See condition.hpp.
#include "model/terrain/condition.hpp"

#include "kernels/exec/exec.hpp"

namespace leachflow::model::terrain {

Conditioned condition(const kernels::grid_view& g, exec::device_span<const float> elevation,
                      DepressionMethod m, const ConditionOptions& options) {
  const index_t n = g.cells();
  // The gradient buffer is allocated after the depression step to keep the peak memory low.
  Conditioned out{exec::device_buffer<float>(n), {}, {}};
  switch (m) {
    case DepressionMethod::fill: {
      const FillStats s = fill_depressions(g, elevation, out.elevation.span());
      out.stats.cells_raised = s.cells_raised;
      out.stats.pits = s.pits;
      out.stats.depressions = s.depressions;
      out.stats.spill_edges = s.spill_edges;
      break;
    }
    case DepressionMethod::breach: {
      const BreachStats s = breach_depressions(g, elevation, out.elevation.span(), options);
      out.stats.cells_raised = s.cells_raised;
      out.stats.cells_carved = s.cells_carved;
      break;
    }
    case DepressionMethod::none:
      exec::copy(elevation, out.elevation.span());
      break;
  }
  out.flat_gradient = exec::device_buffer<std::int32_t>(n);
  if (options.resolve_flats) {
    const FlatStats f = resolve_flats(g, out.elevation.span(), out.flat_gradient.span());
    out.stats.flats = f.flats;
    out.stats.flat_cells = f.flat_cells;
    out.stats.unresolved_flat_cells = f.unresolved_cells;
  } else {
    exec::fill<std::int32_t>(out.flat_gradient.span(), 0);
  }
  return out;
}

}  // namespace leachflow::model::terrain
