// D-infinity flow directions (Tarboton 1997, Water Resources Research 33(2):309–319).
//
// The 3×3 neighbourhood is split into 8 triangular facets, each bounded by one cardinal and one
// diagonal neighbour (in our direction order facet f spans directions f and f+1 mod 8). On
// facet (e0 = centre, e1 = cardinal at distance d1, e2 = diagonal, d2 = side e1–e2):
//   s1 = (e0 − e1)/d1,  s2 = (e1 − e2)/d2,  r = atan2(s2, s1),  r_max = atan2(d2, d1);
//   r < 0      → r = 0,      s = s1;
//   r > r_max  → r = r_max,  s = (e0 − e2)/√(d1² + d2²);
//   otherwise  s = √(s1² + s2²).
// The facet with the largest s > 0 wins (ties: lower facet index). Its flow angle is split
// between the two bounding neighbours in proportion to angle: diagonal r/r_max, cardinal
// 1 − r/r_max. Tarboton's r_max = π/4 is the square-cell case; here d1, d2 come per row from the
// grid (E–W cardinal: d2 = N–S spacing; N–S cardinal: d2 = E–W spacing of the cardinal's row), so
// rectangular and geographic cells are handled in the local tangent plane.
//
// A facet with an off-grid or NoData corner is skipped (unknown elevation). A cell with no
// descending facet falls back to the D8 rules 2–4 (outlet, flat gradient, sink) of route_d8.hpp.
// Invariants (tests): weights sum to 1; on a plane the direction is exact (a grid-aligned plane
// sends everything to one cardinal; an oblique plane gives the exact specific catchment area).
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

// Length of the facet side from the cardinal neighbour to the diagonal one, metres.
LF_HD inline double dinf_side_m(const grid_view& g, index_t r, int cardinal, int diagonal) {
  switch (cardinal) {
    case 0:
    case 4: return (diagonal == 1 || diagonal == 3) ? g.dy_m[r] : g.dy_m[r - 1];
    case 2: return g.dx_m[r + 1];
    default: return g.dx_m[r - 1];  // 6 = N
  }
}

struct dinf_router {
  grid_view g;
  device_span<const float> elevation;
  device_span<const std::int32_t> flat_gradient;  // may be empty
  device_span<std::uint8_t> mask;                 // out: receiver mask
  device_span<float> weight;                      // out: [cell * 8 + d]

  LF_HD void operator()(index_t i) const {
    float* w = &weight[i * 8];
    if (!g.is_valid(i)) {
      mask[i] = store_single(no_receiver, w);
      return;
    }
    const domain_neighbours nb(g, i);
    const index_t r = nb.row;
    const double e0 = elevation[i];
    double best_s = 0.0, best_r = 0.0, best_rmax = 1.0;
    int best_card = -1, best_diag = -1;
    for (int f = 0; f < 8; ++f) {
      const int card = (f & 1) ? ((f + 1) & 7) : f;
      const int diag = (f & 1) ? f : f + 1;
      const index_t j1 = nb.j[card];
      const index_t j2 = nb.j[diag];
      if (j1 < 0 || j2 < 0) continue;
      const double d1 = g.distance_m(r, card);
      const double d2 = dinf_side_m(g, r, card, diag);
      const double e1 = elevation[j1], e2 = elevation[j2];
      const double s1 = (e0 - e1) / d1;
      const double s2 = (e1 - e2) / d2;
      const double rmax = std::atan2(d2, d1);
      double angle = std::atan2(s2, s1);
      double s;
      if (angle < 0.0) {
        angle = 0.0;
        s = s1;
      } else if (angle > rmax) {
        angle = rmax;
        s = (e0 - e2) / std::sqrt(d1 * d1 + d2 * d2);
      } else {
        s = std::sqrt(s1 * s1 + s2 * s2);
      }
      if (s > best_s) {
        best_s = s;
        best_r = angle;
        best_rmax = rmax;
        best_card = card;
        best_diag = diag;
      }
    }
    if (best_card < 0) {
      mask[i] = store_single(d8_no_descent_direction(g, nb, elevation, flat_gradient, i), w);
      return;
    }
    double share[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    share[best_diag] = best_r / best_rmax;
    share[best_card] = 1.0 - share[best_diag];
    const auto both = static_cast<std::uint8_t>((1u << best_card) | (1u << best_diag));
    mask[i] = store_proportions(share, both, 1.0, w);
  }
};

}  // namespace leachflow::kernels::terrain
