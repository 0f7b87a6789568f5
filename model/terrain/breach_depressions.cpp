// Parallel breach-fill hybrid: the definition, and why everything drains afterwards, are in
// kernels/terrain/condition_breach.hpp; this file runs its steps.
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/condition_breach.hpp"
#include "kernels/terrain/condition_breach_level.hpp"
#include "kernels/terrain/condition_fill.hpp"
#include "model/terrain/condition.hpp"
#include "model/terrain/depression_basins.hpp"
#include "model/terrain/routing.hpp"

namespace leachflow::model::terrain {

namespace kt = kernels::terrain;

namespace {

// Rounds of the filled set before giving up on the fixed point. Each round fills at least one
// more depression; real DEMs settle in a few. Short of the fixed point everything still drains
// (condition_breach.hpp); only a limit may then be exceeded, on the pits still being filled.
constexpr index_t max_level_rounds = 256;

std::int64_t tally(index_t n, const auto& f) {
  return exec::transform_reduce(n, f, std::int64_t{0}, exec::plus<std::int64_t>{});
}

}  // namespace

BreachStats breach_depressions(const kernels::grid_view& g, exec::device_span<const float> z_in,
                               exec::device_span<float> z_out, const ConditionOptions& options) {
  BreachStats st;
  const index_t n = g.cells();
  if (n == 0) return st;
  DepressionBasins b = depression_basins(g, z_in);
  const index_t pits = b.pits;
  st.pits = pits;
  st.depressions = tally(pits, kt::raised_pit{b.pit_root.span(), b.level.span(), z_in});
  if (st.depressions == 0) {
    exec::copy(z_in, z_out);
    return st;
  }

  // The filled DEM (in z_out until the carve) and its D8 receivers, across lakes by the flat
  // gradient. The basin labels leave the device meanwhile and are labelled again after: the same ids, and
  // 4 B/cell off the peak of the flats (the whole condition stage then stays below the fill's
  // route-stage peak; 0.26-0.29 s of 2.5 at 4096^2).
  (void)tally(n, kt::raise_to_level{g, z_in, b.basin.span(), b.level.span(), z_out});
  b.basin = exec::device_buffer<std::int32_t>();
  CellReceivers receivers;
  {
    exec::device_buffer<std::int32_t> gradient(n);
    (void)resolve_flats(g, z_out, gradient.span());
    receivers = route_cells(g, z_out, gradient.span(), FlowRouter::d8);
  }
  (void)label_basins(g, z_in, b.basin, b.pit_root);

  // Breach levels: every depression breached, then rounds up to the least fixed point of the
  // limits, then the filled ones down to their lowest fitting level.
  exec::device_buffer<float> level(pits + 1);
  exec::for_each_index(pits, kt::breach_level_start{b.pit_root.span(), z_in, b.level.span(), level.span()});
  const auto path = [&](const exec::device_buffer<float>& t) {
    return kt::breach_path{g, receivers.code.span(), z_in, b.basin.span(), t.span()};
  };
  const bool limited = !std::isinf(options.max_breach_depth_m) ||
                       options.max_breach_length_cells != std::numeric_limits<index_t>::max();
  if (limited) {
    exec::device_buffer<float> next(pits + 1);
    for (std::int64_t filled = 1; filled != 0 && st.level_rounds < max_level_rounds; ++st.level_rounds) {
      filled = tally(pits, kt::breach_level_round{path(level), b.pit_root.span(), b.level.span(),
                                                  options.max_breach_depth_m, options.max_breach_length_cells,
                                                  next.span()});
      std::swap(level, next);
    }
    exec::for_each_index(pits, kt::lowest_fitting_level{path(level), b.pit_root.span(), b.level.span(),
                                                        options.max_breach_depth_m, options.max_breach_length_cells,
                                                        next.span()});
    std::swap(level, next);
  }

  // Every basin up to its breach level, then the carves.
  (void)tally(n, kt::raise_to_level{g, z_in, b.basin.span(), level.span(), z_out});
  exec::for_each_index(pits, kt::carve_breach{path(level), b.pit_root.span(), b.level.span(), z_out});
  st.depressions_raised = tally(pits, kt::raised_breach_level{b.pit_root.span(), z_in, level.span()});
  st.cells_raised = tally(n, kt::raised_cell{g, z_in, z_out});
  st.cells_carved = tally(n, kt::lowered_cell{g, z_in, z_out});
  return st;
}

}  // namespace leachflow::model::terrain
