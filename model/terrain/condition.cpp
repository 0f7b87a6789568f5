// DEM conditioning driver: depression handling, then flat resolution. See condition.hpp.
#include "model/terrain/condition.hpp"

#include <utility>

#include "kernels/exec/exec.hpp"

namespace leachflow::model::terrain {

namespace {

// Flat resolution on the depression-free DEM (the gradient buffer is allocated only now, after
// the depression step's temporaries are gone, to keep the peak low).
void resolve(const kernels::grid_view& g, Conditioned& out, const ConditionOptions& options) {
  out.flat_gradient = exec::device_buffer<std::int32_t>(g.cells());
  if (options.resolve_flats) {
    const FlatStats f = resolve_flats(g, out.elevation.span(), out.flat_gradient.span());
    out.stats.flats = f.flats;
    out.stats.flat_cells = f.flat_cells;
    out.stats.unresolved_flat_cells = f.unresolved_cells;
  } else {
    exec::fill<std::int32_t>(out.flat_gradient.span(), 0);
  }
}

void record(ConditionStats& st, const FillStats& s) {
  st.cells_raised = s.cells_raised;
  st.pits = s.pits;
  st.depressions = s.depressions;
  st.spill_edges = s.spill_edges;
}

}  // namespace

Conditioned condition(const kernels::grid_view& g, exec::device_buffer<float>&& elevation, DepressionMethod m,
                      const ConditionOptions& options) {
  Conditioned out;
  switch (m) {
    case DepressionMethod::fill:
      record(out.stats, fill_depressions_in_place(g, elevation.span()));
      out.elevation = std::move(elevation);
      break;
    case DepressionMethod::breach: {
      out.elevation = exec::device_buffer<float>(g.cells());
      const BreachStats s = breach_depressions(g, elevation.span(), out.elevation.span(), options);
      elevation = exec::device_buffer<float>();
      out.stats.cells_raised = s.cells_raised;
      out.stats.cells_carved = s.cells_carved;
      out.stats.pits = s.pits;
      out.stats.depressions = s.depressions;
      out.stats.depressions_raised = s.depressions_raised;
      break;
    }
    case DepressionMethod::none:
      out.elevation = std::move(elevation);
      break;
  }
  resolve(g, out, options);
  return out;
}

Conditioned condition(const kernels::grid_view& g, exec::device_span<const float> elevation, DepressionMethod m,
                      const ConditionOptions& options) {
  exec::device_buffer<float> copy(g.cells());
  exec::copy(elevation, copy.span());
  return condition(g, std::move(copy), m, options);
}

}  // namespace leachflow::model::terrain
