// Multiple flow direction routing: Freeman (1991, Computers & Geosciences 17(3):413–422) and
// Quinn et al. (1991, Hydrological Processes 5:59–79).
//
// Every strictly lower valid neighbour d receives a share
//   f_d = L_d · (tan β_d)^p / Σ_k L_k · (tan β_k)^p,   tan β_d = drop_d / distance_d,
// with exponent p (Freeman: 1.1, the default; Quinn: 1) and, when contour weighting is on
// (Quinn), the contour length L_d = 0.5 · cell size for cardinal directions (the cell side
// across the flow: N–S height for E/W flow, E–W width for N/S flow) and 0.354 · cell size for
// diagonals (cell size = √(width · height) of the cell's row); L_d = 1 without it (Freeman).
// Distances and cell sizes come per row from the grid, so geographic grids need no z-factor.
//
// A cell with no lower valid neighbour falls back to the D8 rules 2–4 (outlet, flat gradient,
// sink) of route_d8.hpp. Invariants (tests): weights sum to exactly 1; every receiver is
// strictly lower (acyclic); on a grid-aligned plane all flow goes to the one downslope cardinal
// plus symmetric diagonal shares.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/grid_view.hpp"
#include "kernels/terrain/flow_graph.hpp"
#include "kernels/terrain/proportions.hpp"
#include "kernels/terrain/route_d8.hpp"

namespace leachflow::kernels::terrain {

struct mfd_router {
  grid_view g;
  device_span<const float> elevation;
  device_span<const std::int32_t> flat_gradient;  // may be empty
  double exponent = 1.1;
  bool contour_weights = true;
  device_span<std::uint8_t> mask;  // out: receiver mask
  device_span<float> weight;       // out: [cell * 8 + d]

  LF_HD double contour_length(index_t r, int d) const {
    if (!contour_weights) return 1.0;
    const double width = g.dx_m[r];
    const double height = g.dy_m[r];  // centre spacing to the next row (own height on the last)
    switch (d) {
      case 0: case 4: return 0.5 * height;
      case 2: case 6: return 0.5 * width;
      default: return 0.354 * std::sqrt(width * height);
    }
  }

  LF_HD void operator()(index_t i) const {
    float* w = &weight[i * 8];
    if (!g.is_valid(i)) {
      mask[i] = store_single(no_receiver, w);
      return;
    }
    const domain_neighbours nb(g, i);
    const index_t r = nb.row;
    const double zi = elevation[i];
    double share[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    double total = 0.0;
    std::uint8_t lower = 0;
    for (int d = 0; d < 8; ++d) {
      const index_t j = nb.j[d];
      if (j < 0) continue;
      const double drop = zi - static_cast<double>(elevation[j]);
      if (drop > 0.0) {
        const double tan_beta = drop / g.distance_m(r, d);
        share[d] = contour_length(r, d) * (exponent == 1.0 ? tan_beta : std::pow(tan_beta, exponent));
        total += share[d];
        lower = static_cast<std::uint8_t>(lower | (1u << d));
      }
    }
    if (lower == 0 || !(total > 0.0)) {
      mask[i] = store_single(d8_no_descent_direction(g, nb, elevation, flat_gradient, i), w);
      return;
    }
    mask[i] = store_proportions(share, lower, total, w);
  }
};

}  // namespace leachflow::kernels::terrain
