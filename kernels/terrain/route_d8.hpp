// D8 flow directions (O'Callaghan & Mark 1984): each cell drains to the one neighbour of
// steepest descent, drop / centre-to-centre distance, with distances from grid_view.distance_m
// (per row, so geographic grids are right without a z-factor).
//
// Rules, in this order, for a valid cell (NoData cells get no_receiver):
//   1. steepest strictly lower valid neighbour; ties break toward the lower direction index
//      (E, SE, S, SW, W, NW, N, NE), except that between two equally steep neighbours on the
//      same flat the one with the smaller positive flat gradient (nearer the flat's outlet) wins;
//   2. otherwise, if the cell touches the grid edge or NoData, it is an outlet: it drains out of
//      the domain, toward the first such neighbour in the order E, S, W, N, SE, SW, NW, NE
//      (cardinals first, so a south-edge cell points S, not SE);
//   3. otherwise, with a flat gradient (Barnes et al. 2014 flat resolution, int32 per cell;
//      may be empty; 0 = not on a flat): to an equal-elevation valid neighbour whose gradient
//      value is positive and below the cell's own (the contract of model/terrain/condition.hpp),
//      the one of steepest gradient descent (g_i − g_j) / distance; ties toward the lower
//      direction index;
//   4. otherwise no_receiver (a sink).
// Off-grid and NoData neighbours are never candidates in rules 1 and 3: their elevation is
// unknown. Invariant (tests): every receiver is strictly lower in (elevation, flat gradient), so
// the graph is acyclic.
#pragma once

#include <cstdint>

#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/grid_view.hpp"
#include "kernels/terrain/flow_graph.hpp"

namespace leachflow::kernels::terrain {

// Direction out of the domain for an outlet cell (rule 2), or no_receiver if it has none.
LF_HD inline std::uint8_t d8_outlet_direction(const domain_neighbours& nb) {
  constexpr int order[8] = {0, 2, 4, 6, 1, 3, 5, 7};
  for (int k = 0; k < 8; ++k)
    if (nb.j[order[k]] < 0) return static_cast<std::uint8_t>(order[k]);
  return no_receiver;
}

// The 8 centre-to-centre distances of row r (grid_view::distance_m), 1 where the neighbour row
// does not exist (never read: no neighbour there). Row kernels compute them once per row.
struct d8_row_distances {
  double m[8];
  LF_HD d8_row_distances(const grid_view& g, index_t r) {
    constexpr int dr[8] = {0, 1, 1, 1, 0, -1, -1, -1};  // local: usable in device code
    for (int d = 0; d < 8; ++d) {
      const index_t rr = r + dr[d];
      m[d] = (rr >= 0 && rr < g.rows) ? g.distance_m(r, d) : 1.0;
    }
  }
};

// Rule 3: equal-elevation neighbour with the smallest positive flat gradient below the cell's own.
// Among those, the steepest descent of the gradient itself, (g_i − g_j) / distance, as on a
// surface tilted by the gradient: at equal gradient values a cardinal neighbour beats a diagonal.
// Branch-free over the neighbours (half the cells of a filled DEM can lie on flats).
LF_HD inline std::uint8_t d8_flat_direction(const domain_neighbours& nb, const d8_row_distances& dist,
                                            device_span<const float> z, device_span<const std::int32_t> flat_gradient,
                                            index_t i) {
  if (flat_gradient.empty()) return no_receiver;
  int best = -1;
  double best_slope = 0.0;
  const std::int32_t own = flat_gradient[i];
  const float zi = z[i];
  for (int d = 0; d < 8; ++d) {
    const index_t j = nb.j[d];
    const index_t jj = j >= 0 ? j : i;
    const std::int32_t gj = flat_gradient[jj];
    const bool candidate = j >= 0 && z[jj] == zi && gj > 0 && gj < own;
    const double slope = static_cast<double>(own - gj) / dist.m[d];
    const bool take = candidate && slope > best_slope;
    best = take ? d : best;
    best_slope = take ? slope : best_slope;
  }
  return best >= 0 ? static_cast<std::uint8_t>(best) : no_receiver;
}
LF_HD inline std::uint8_t d8_flat_direction(const grid_view& g, const domain_neighbours& nb, device_span<const float> z,
                                            device_span<const std::int32_t> flat_gradient, index_t i) {
  return d8_flat_direction(nb, d8_row_distances(g, nb.row), z, flat_gradient, i);
}

// Rules 2–4, shared by every router as the fallback for cells with no lower neighbour.
LF_HD inline std::uint8_t d8_no_descent_direction(const grid_view& g, const domain_neighbours& nb,
                                                  device_span<const float> z,
                                                  device_span<const std::int32_t> flat_gradient, index_t i) {
  const std::uint8_t out = d8_outlet_direction(nb);
  return out != no_receiver ? out : d8_flat_direction(g, nb, z, flat_gradient, i);
}

// Rule 1 without data-dependent branches in the common case: every neighbour's slope is
// computed (the division costs less than a mispredicted branch), the best kept with selects.
// Same doubles, same order of comparison as a loop that skips non-descending neighbours, so the
// same direction bit for bit. The tie toward a flat's outlet is rare and stays a branch.
LF_HD inline std::uint8_t d8_direction(const domain_neighbours& nb, const d8_row_distances& dist,
                                       device_span<const float> z, device_span<const std::int32_t> flat_gradient,
                                       index_t i) {
  const float zi = z[i];
  int best = -1;
  double best_slope = 0.0;
  const bool has_flat = !flat_gradient.empty();
  for (int d = 0; d < 8; ++d) {
    const index_t j = nb.j[d];
    const index_t jj = j >= 0 ? j : i;  // read something harmless for missing neighbours
    const double drop = static_cast<double>(zi) - static_cast<double>(z[jj]);
    const bool descends = j >= 0 && drop > 0.0;
    const double slope = drop / dist.m[d];
    // An exact tie into a flat goes toward the flat's outlet (the smaller positive flat
    // gradient): it is where the flat drains anyway, and it is what any surface that resolves
    // the flat by a small tilt would give (validation/peers compares on such a surface).
    bool tie_toward_outlet = false;
    if (descends && has_flat && best >= 0 && slope == best_slope) {
      const index_t b = nb.j[best];
      tie_toward_outlet = flat_gradient[j] > 0 && z[j] == z[b] && (flat_gradient[b] <= 0 || flat_gradient[j] < flat_gradient[b]);
    }
    const bool take = descends && (slope > best_slope || tie_toward_outlet);
    best = take ? d : best;
    best_slope = take ? slope : best_slope;
  }
  if (best >= 0) return static_cast<std::uint8_t>(best);
  const std::uint8_t out = d8_outlet_direction(nb);  // rules 2-4 (d8_no_descent_direction)
  return out != no_receiver ? out : d8_flat_direction(nb, dist, z, flat_gradient, i);
}

LF_HD inline std::uint8_t d8_direction(const grid_view& g, device_span<const float> z,
                                       device_span<const std::int32_t> flat_gradient, index_t i) {
  if (!g.is_valid(i)) return no_receiver;
  const domain_neighbours nb(g, i);
  return d8_direction(nb, d8_row_distances(g, nb.row), z, flat_gradient, i);
}

// One launch index per grid row (row and column come without a division per cell).
struct d8_router {
  grid_view g;
  device_span<const float> elevation;
  device_span<const std::int32_t> flat_gradient;  // may be empty
  device_span<std::uint8_t> direction;            // out: 0..7 or no_receiver
  LF_HD void operator()(index_t r) const {
    const d8_row_distances dist(g, r);
    for (index_t c = 0, i = r * g.cols; c < g.cols; ++c, ++i)
      direction[i] = g.is_valid(i) ? d8_direction(domain_neighbours(g, i, r, c), dist, elevation, flat_gradient, i)
                                   : no_receiver;
  }
};

}  // namespace leachflow::kernels::terrain
