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

#include <cmath>
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
// does not exist (never read: no neighbour there), and their reciprocals. Row kernels compute
// them once per row.
struct d8_row_distances {
  double m[8];
  double inverse[8];
  LF_HD d8_row_distances(const grid_view& g, index_t r) {
    constexpr int dr[8] = {0, 1, 1, 1, 0, -1, -1, -1};  // local: usable in device code
    for (int d = 0; d < 8; ++d) {
      const index_t rr = r + dr[d];
      m[d] = (rr >= 0 && rr < g.rows) ? g.distance_m(r, d) : 1.0;
      inverse[d] = 1.0 / m[d];
    }
  }
};

// max(x, 0) without a data-dependent branch (compilers turn the plain select into a jump, and
// whether a neighbour lies lower is a coin toss on rough terrain): x + |x| is 2x or 0 exactly.
LF_HD inline double positive_part(double x) { return (x + fabs(x)) * 0.5; }

// The steepest of eight slopes fl(x[d] / m[d]) (x[d] > 0 for a candidate, else 0), found
// without a division, as the sequential scan "first strict maximum" would find it.
// A product x · (1/m) lies within 3 ulp of the true quotient, and so of the division: where
// every other product is below the best by a relative 2^-40 (thousands of ulp), the divisions
// keep that order strictly. Candidates closer than that to the best are `tied`; when they all
// share the best's x and m bit for bit their divisions are equal, an exact tie, which the
// caller breaks by its rule. Anything else (a near tie, or equal slopes from different
// distances) is `undecided`: the caller divides.
struct d8_steepest {
  static constexpr int none = -1;       // no candidate
  static constexpr int undecided = -2;  // divide to decide
  int best = none;
  unsigned tied = 0;  // bit d: candidate d ties the best exactly (the best's bit included)
};
LF_HD inline d8_steepest d8_screen(const double (&x)[8], const d8_row_distances& dist) {
  double p[8];
  for (int d = 0; d < 8; ++d) p[d] = x[d] * dist.inverse[d];
  d8_steepest s;
  double top = 0.0;
  for (int d = 0; d < 8; ++d) {
    const bool take = p[d] > top;
    s.best = take ? d : s.best;
    top = take ? p[d] : top;
  }
  if (s.best < 0) return s;
  const double near = top * (1.0 - 0x1p-40);
  const double xb = x[s.best], mb = dist.m[s.best];
  bool exact = true;
  for (int d = 0; d < 8; ++d) {
    const bool close = p[d] >= near;
    s.tied |= close ? 1u << d : 0u;
    exact = exact & ((!close) | ((x[d] == xb) & (dist.m[d] == mb)));
  }
  if (!exact) s.best = d8_steepest::undecided;
  return s;
}

// Rule 1 as a plain sequential scan with divisions: the definition, and the path for the
// undecided screenings.
LF_HD inline int d8_steepest_scan(const domain_neighbours& nb, const d8_row_distances& dist, device_span<const float> z,
                                  device_span<const std::int32_t> flat_gradient, index_t i) {
  const float zi = z[i];
  int best = -1;
  double best_slope = 0.0;
  for (int d = 0; d < 8; ++d) {
    const index_t j = nb.j[d];
    if (j < 0) continue;
    const double drop = static_cast<double>(zi) - static_cast<double>(z[j]);
    if (!(drop > 0.0)) continue;
    const double slope = drop / dist.m[d];
    // An exact tie into a flat goes toward the flat's outlet (the smaller positive flat
    // gradient): it is where the flat drains anyway, and it is what any surface that resolves
    // the flat by a small tilt would give (validation/peers compares on such a surface).
    bool tie_toward_outlet = false;
    if (!flat_gradient.empty() && best >= 0 && slope == best_slope) {
      const index_t b = nb.j[best];
      tie_toward_outlet = flat_gradient[j] > 0 && z[j] == z[b] && (flat_gradient[b] <= 0 || flat_gradient[j] < flat_gradient[b]);
    }
    if (slope > best_slope || tie_toward_outlet) {
      best = d;
      best_slope = slope;
    }
  }
  return best;
}

// The scan's tie rule on an exact tie of rule 1 (tied neighbours share their elevation): the
// first of the tied with the smallest positive flat gradient, else the first.
LF_HD inline int d8_break_tie(const d8_steepest& s, const std::int32_t (&gradient)[8]) {
  int best = s.best;
  for (int d = best + 1; d < 8; ++d)
    if ((s.tied >> d & 1u) && gradient[d] > 0 && (gradient[best] <= 0 || gradient[d] < gradient[best])) best = d;
  return best;
}

// Rule 3 from the neighbours' elevations and flat gradients (invalid neighbours: z_ok false).
// Ties (equal gradient steps at equal distances) go to the lower index: the scan takes only a
// strictly steeper candidate. Returns no_receiver, a direction, or d8_steepest::undecided.
LF_HD inline int d8_flat_step(float zi, std::int32_t own, const float (&zn)[8], const std::int32_t (&gn)[8],
                              unsigned valid_mask, const d8_row_distances& dist) {
  double x[8];  // own − g_j for candidates, else 0
  for (int d = 0; d < 8; ++d) {
    const bool candidate = ((valid_mask >> d & 1u) != 0) & (zn[d] == zi) & (gn[d] > 0) & (gn[d] < own);
    x[d] = static_cast<double>(candidate ? own - gn[d] : 0);
  }
  const d8_steepest s = d8_screen(x, dist);
  if (s.best != d8_steepest::undecided) return s.best == d8_steepest::none ? no_receiver : s.best;
  int best = -1;  // divide: first strict maximum
  double best_slope = 0.0;
  for (int d = 0; d < 8; ++d) {
    const double slope = x[d] / dist.m[d];
    const bool take = slope > best_slope;
    best = take ? d : best;
    best_slope = take ? slope : best_slope;
  }
  return best;
}

// Rule 3: equal-elevation neighbour with the smallest positive flat gradient below the cell's own.
// Among those, the steepest descent of the gradient itself, (g_i − g_j) / distance, as on a
// surface tilted by the gradient: at equal gradient values a cardinal neighbour beats a diagonal.
LF_HD inline std::uint8_t d8_flat_direction(const domain_neighbours& nb, const d8_row_distances& dist,
                                            device_span<const float> z, device_span<const std::int32_t> flat_gradient,
                                            index_t i) {
  if (flat_gradient.empty()) return no_receiver;
  float zn[8];
  std::int32_t gn[8];
  unsigned valid_mask = 0;
  for (int d = 0; d < 8; ++d) {
    const index_t j = nb.j[d];
    const index_t jj = j >= 0 ? j : i;  // read something harmless for missing neighbours
    zn[d] = z[jj];
    gn[d] = flat_gradient[jj];
    valid_mask |= j >= 0 ? 1u << d : 0u;
  }
  return static_cast<std::uint8_t>(d8_flat_step(z[i], flat_gradient[i], zn, gn, valid_mask, dist));
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

// Rule 1 screened without divisions (d8_screen), then rules 2–4. Bit for bit the direction of
// the sequential scan with divisions, which runs only for undecided screenings.
LF_HD inline std::uint8_t d8_direction(const domain_neighbours& nb, const d8_row_distances& dist,
                                       device_span<const float> z, device_span<const std::int32_t> flat_gradient,
                                       index_t i) {
  const float zi = z[i];
  double drop[8];  // positive drops of valid neighbours, else 0
  for (int d = 0; d < 8; ++d) {
    const index_t j = nb.j[d];
    const index_t jj = j >= 0 ? j : i;  // read something harmless for missing neighbours
    drop[d] = positive_part(static_cast<double>(zi) - static_cast<double>(z[jj]));  // 0 for jj = i
  }
  const d8_steepest s = d8_screen(drop, dist);
  if (s.best == d8_steepest::undecided) return static_cast<std::uint8_t>(d8_steepest_scan(nb, dist, z, flat_gradient, i));
  if (s.best >= 0) {
    if ((s.tied & (s.tied - 1)) == 0 || flat_gradient.empty()) return static_cast<std::uint8_t>(s.best);
    std::int32_t gn[8];
    for (int d = 0; d < 8; ++d) gn[d] = (s.tied >> d & 1u) ? flat_gradient[nb.j[d]] : 0;
    return static_cast<std::uint8_t>(d8_break_tie(s, gn));
  }
  const std::uint8_t out = d8_outlet_direction(nb);  // rules 2-4 (d8_no_descent_direction)
  return out != no_receiver ? out : d8_flat_direction(nb, dist, z, flat_gradient, i);
}

LF_HD inline std::uint8_t d8_direction(const grid_view& g, device_span<const float> z,
                                       device_span<const std::int32_t> flat_gradient, index_t i) {
  if (!g.is_valid(i)) return no_receiver;
  const domain_neighbours nb(g, i);
  return d8_direction(nb, d8_row_distances(g, nb.row), z, flat_gradient, i);
}

// A cell away from the grid edge whose eight neighbours are all valid (most cells of any DEM):
// the same rules with the neighbours read straight from row pointers (up, mid, down: rows
// r − 1, r, r + 1 of the elevations and of the flat gradients, which may be null), and no
// outlet (rule 2). Returns d8_steepest::undecided where the sequential scan must decide.
LF_HD inline int d8_open_direction(const float* up, const float* mid, const float* down, const std::int32_t* gup,
                                   const std::int32_t* gmid, const std::int32_t* gdown, const d8_row_distances& dist,
                                   index_t c) {
  const float zi = mid[c];
  const float zn[8] = {mid[c + 1], down[c + 1], down[c], down[c - 1], mid[c - 1], up[c - 1], up[c], up[c + 1]};
  double drop[8];
  for (int d = 0; d < 8; ++d) {
    drop[d] = positive_part(static_cast<double>(zi) - static_cast<double>(zn[d]));
  }
  const d8_steepest s = d8_screen(drop, dist);
  if (s.best == d8_steepest::undecided) return s.best;
  if (s.best >= 0 && ((s.tied & (s.tied - 1)) == 0 || gmid == nullptr)) return s.best;
  if (gmid == nullptr) return no_receiver;  // rule 4: a sink
  const std::int32_t gn[8] = {gmid[c + 1], gdown[c + 1], gdown[c], gdown[c - 1], gmid[c - 1], gup[c - 1], gup[c], gup[c + 1]};
  if (s.best >= 0) return d8_break_tie(s, gn);
  return d8_flat_step(zi, gmid[c], zn, gn, 0xFFu, dist);
}

}  // namespace leachflow::kernels::terrain
