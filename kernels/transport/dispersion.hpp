// Implicit longitudinal dispersion on a single-receiver (D8) flow tree, solved exactly by the
// tree version of the Thomas algorithm (two sweeps over the topological order).
//
// Backward Euler on the links i → r(i) of the tree, with link conductance g_i = D_i·A_i/L_i
// (m³/s; D_i dispersion coefficient, A_i cross-section, L_i flow length of the upstream cell;
// g_i = 0 when the flow leaves the domain, i.e. a zero-gradient outflow boundary, and for sinks):
//     R·V_i·(C_i' − C_i)/Δt = g_i·(C_r' − C_i') + Σ_{j: r(j)=i} g_j·(C_j' − C_i')
// Each cell couples to its receiver and its donors: a tree-shaped (generalised tridiagonal)
// system, symmetric and diagonally dominant. Eliminating upstream → downstream leaves
//     C_i' = e_i + f_i·C_r',   denom_i = R·V_i/Δt + g_i + Σ_j g_j·(1 − f_j),
//     f_i = g_i/denom_i,        e_i = (M_i/Δt + Σ_j g_j·e_j)/denom_i,
// and back-substitution downstream → upstream gives C_i' (roots: f = 0, C' = e). O(n) work, no
// pivoting needed (0 ≤ f < 1), exact up to rounding. Dispersive fluxes are antisymmetric, so
// Σ R·V·C is conserved: the ledger is untouched. Unconditionally stable, first order in Δt.
// Coefficient: D_i = α·v_i·L_i (dispersivity α as a multiple of the flow length, the
// Taylor–Fischer scaling D ∝ v·L) or a given D (m²/s).
#pragma once

#include <cstdint>

#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/terrain/flow_graph.hpp"

namespace leachflow::kernels::transport {

using exec::device_span;
using exec::index_t;

// g_i per cell (m³/s): D·A/L on links inside the domain, 0 elsewhere. fixed_m2s < 0 → α·v·L.
struct dispersion_conductance {
  terrain::flow_graph_view f;
  grid_view g;
  device_span<const double> cross_section_m2, flow_length_m, velocity_ms;
  double dispersivity = 0.0;  // α (dimensionless multiple of L)
  double fixed_m2s = -1.0;
  device_span<double> conductance;
  LF_HD void operator()(index_t i) const {
    double out = 0.0;
    if (g.is_valid(i) && f.code[i] != terrain::no_receiver) {
      const int d = f.code[i];
      if (terrain::receiver_in_domain(g, i, d) >= 0) {
        const double len = flow_length_m[i];
        const double dcoef = fixed_m2s >= 0.0 ? fixed_m2s : dispersivity * velocity_ms[i] * len;
        out = dcoef * cross_section_m2[i] / len;
      }
    }
    conductance[i] = out;
  }
};

// Forward elimination for one species (upstream first). mass_g, volume: the species raster and V.
struct dispersion_eliminate {
  terrain::flow_graph_view f;
  device_span<const double> conductance, volume_m3, mass_g;
  device_span<double> e, fcoef;
  double retardation = 1.0;
  double dt_s = 0.0;
  index_t offset[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  LF_HD void operator()(index_t i) const {
    const std::uint8_t m = f.donors[i];
    double diag = retardation * volume_m3[i] / dt_s + conductance[i];
    double rhs = mass_g[i] / dt_s;
    for (int d = 0; d < 8; ++d) {
      if (!(m >> d & 1u)) continue;
      const index_t j = i + offset[d];
      diag += conductance[j] * (1.0 - fcoef[j]);
      rhs += conductance[j] * e[j];
    }
    fcoef[i] = conductance[i] / diag;
    e[i] = rhs / diag;
  }
};

// Back-substitution (receivers first): e becomes C', and mass_g = R·V·C'.
struct dispersion_substitute {
  terrain::flow_graph_view f;
  device_span<const double> volume_m3, fcoef;
  device_span<double> e, mass_g;
  double retardation = 1.0;
  index_t offset[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  LF_HD void operator()(index_t i) const {
    double c = e[i];
    if (fcoef[i] != 0.0) c += fcoef[i] * e[i + offset[f.code[i]]];
    e[i] = c;
    mass_g[i] = retardation * volume_m3[i] * c;
  }
};

}  // namespace leachflow::kernels::transport
