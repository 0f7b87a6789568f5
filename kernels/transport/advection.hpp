// Upwind advection of solutes along a flow graph: implicit (one accumulation per step), explicit
// (CFL sub-stepped, for comparison) and the steady state. Functors for the exec API.
//
// State per species s and cell i (layout [species][cell], rasters of cells() entries):
//   M_i  stored mass (dissolved + sorbed), g;  C_i = M_i / (R·V_i) dissolved concentration,
//   g/m³ = mg/L;  F_i = Q_i·C_i mass flux leaving cell i, g/s;  S_i source rate, g/s.
//
// Implicit upwind (backward Euler in time, first-order upwind in space; unconditionally stable,
// positive and conservative). The cell balance
//     (M_i' − M_i)/Δt = S_i + Σ_{j→i} w_ji·F_j' − F_i',   M_i' = R·V_i·F_i'/Q_i
// solved for F_i' is
//     F_i' = b_i·(M_i/Δt + S_i + Σ_j w_ji·F_j'),   b_i = Q_i / (R·V_i/Δt + Q_i),
// i.e. ONE accumulation x = F with a_i = b_i·(M_i/Δt + S_i) (all species as columns). Truncation
// error O(Δx + Δt): numerical dispersion v·Δx/2·(1 + Cr), Cr = v·Δt/(R·Δx) (tests check order 1).
//
// Explicit upwind (forward Euler): M_i += Δt·(S_i + Σ_j w_ji·F_j − F_i) with F = Q·M/(R·V); stable
// and positive for Δt ≤ min_i R·V_i/Q_i (the model sub-steps to that), numerical dispersion
// v·Δx/2·(1 − Cr).
//
// Steady state (constant Q, V, loads): F_i = T_i·(S_i + Σ_j w_ji·F_j), T_i = exp(−λ_i·R·V_i/Q_i),
// λ_i = k + v_s/depth_i: the exact first-order loss over the cell's residence time R·V/Q. Along a
// channel C = C0·exp(−Σ λ τ); at a confluence F adds, so C is the discharge-weighted mix.
//
// Mass leaving the domain: F_i·out_share_i, where out_share_i is the share of i's flow going off
// the grid or into NoData, plus 1 for sinks (cells with no receivers: what reaches a sink stops
// there and is booked as outflow to the sink). The ledger counts it.
#pragma once

#include <cmath>

#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/terrain/flow_graph.hpp"

namespace leachflow::kernels::transport {

using exec::device_span;
using exec::index_t;

// Reaction and sorption parameters of one species, SI units.
struct species_params {
  double retardation = 1.0;   // R ≥ 1
  double decay_per_s = 0.0;   // k
  double settling_ms = 0.0;   // v_s
};

// Hydraulic fields the transport kernels read (per cell, 0 on NoData).
struct channel_fields {
  device_span<const double> discharge_m3s;  // Q ≥ 0; transport uses q(i) = max(Q, Q_min)
  device_span<const double> volume_m3;      // V > 0 on valid cells
  device_span<const double> depth_m;        // > 0 on valid cells
  device_span<const std::uint8_t> valid;
  double min_discharge_m3s = 0.0;           // Q_min > 0 (kernels/hydraulics/channel.hpp)
  LF_HD double q(index_t i) const {
    const double x = discharge_m3s[i];
    return x > min_discharge_m3s ? x : min_discharge_m3s;
  }
};

// b_i of the implicit step, for species s: Q·Δt / (R·V + Q·Δt) (= Q / (R·V/Δt + Q), one division).
struct implicit_b {
  channel_fields ch;
  device_span<const species_params> sp;
  double dt_s = 0.0;
  LF_HD double operator()(index_t s, index_t i) const {
    const double qdt = ch.q(i) * dt_s;
    return qdt / (sp[s].retardation * ch.volume_m3[i] + qdt);
  }
};

// a_i of the implicit step: b_i·(M_i/Δt + S_i), evaluated as Q·(M_i + S_i·Δt) / (R·V + Q·Δt).
struct implicit_a {
  implicit_b b;
  device_span<const double> mass_g;      // [s][cell], before the step
  device_span<const double> source_g_s;  // [s][cell]
  index_t cells = 0;
  LF_HD double operator()(index_t s, index_t i) const {
    const index_t k = s * cells + i;
    const double q = b.ch.q(i);
    return q * (mass_g[k] + source_g_s[k] * b.dt_s) / (b.sp[s].retardation * b.ch.volume_m3[i] + q * b.dt_s);
  }
};

// After the implicit sweep: M_i = R·V_i·F_i/Q_i, over index s·cells + i (0 on NoData).
struct mass_from_flux {
  channel_fields ch;
  device_span<const species_params> sp;
  device_span<const double> flux_g_s;
  device_span<double> mass_g;
  index_t cells = 0;
  LF_HD void operator()(index_t k) const {
    const index_t s = k / cells, i = k - s * cells;
    mass_g[k] = ch.valid[i] ? sp[s].retardation * ch.volume_m3[i] * flux_g_s[k] / ch.q(i) : 0.0;
  }
};

// Mass leaving the domain over Δt from cell i of species s, g (summand of the ledger's outflow).
struct outflow_mass {
  device_span<const double> flux_g_s;  // [s][cell]
  device_span<const double> out_share;  // per cell
  index_t offset = 0;                   // s·cells
  double dt_s = 0.0;
  LF_HD double operator()(index_t i) const { return dt_s * flux_g_s[offset + i] * out_share[i]; }
};

// Per-cell budgets: mass each cell sent downstream over a (sub)step, sent += F·Δt, over index
// s·cells + i (the flux goes to the receivers by the graph's weights, or leaves the domain).
struct accumulate_sent {
  device_span<const double> flux_g_s;
  device_span<double> sent_g;
  double dt_s = 0.0;
  LF_HD void operator()(index_t k) const { sent_g[k] += dt_s * flux_g_s[k]; }
};

// Flux of the current state, F = Q·M/(R·V), over index s·cells + i (explicit scheme).
struct flux_from_mass {
  channel_fields ch;
  device_span<const species_params> sp;
  device_span<const double> mass_g;
  device_span<double> flux_g_s;
  index_t cells = 0;
  LF_HD void operator()(index_t k) const {
    const index_t s = k / cells, i = k - s * cells;
    flux_g_s[k] = ch.valid[i] ? ch.q(i) * mass_g[k] / (sp[s].retardation * ch.volume_m3[i]) : 0.0;
  }
};

// One explicit upwind step for all species: mass_out = mass_in + Δt·(S + Σ w F_donor − F), over
// index s·cells + i. Donors are pulled in ascending direction order.
struct explicit_upwind_step {
  terrain::flow_graph_view f;
  device_span<const std::uint8_t> valid;
  device_span<const double> mass_in;
  device_span<const double> flux_g_s;
  device_span<const double> source_g_s;
  device_span<double> mass_out;
  index_t cells = 0;
  double dt_s = 0.0;
  index_t offset[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  LF_HD void operator()(index_t k) const {
    const index_t s = k / cells, i = k - s * cells;
    if (!valid[i]) {
      mass_out[k] = 0.0;
      return;
    }
    const std::uint8_t m = f.donors[i];
    const double* fs = &flux_g_s[s * cells];
    double in = 0.0;
    for (int d = 0; d < 8; ++d) {
      if (!(m >> d & 1u)) continue;
      const index_t j = i + offset[d];
      in += (f.multi ? static_cast<double>(f.weight[j * 8 + d8_opposite(d)]) : 1.0) * fs[j];
    }
    mass_out[k] = mass_in[k] + dt_s * (source_g_s[k] + in - flux_g_s[k]);
  }
};

// Smallest R·V/Q over valid cells for species parameters with retardation r (explicit limit).
struct residence_time_s {
  channel_fields ch;
  double retardation = 1.0;
  LF_HD double operator()(index_t i) const {
    return ch.valid[i] ? retardation * ch.volume_m3[i] / ch.q(i) : 1e300;
  }
};

// First-order loss rate of species s in cell i, 1/s: λ = k + v_s/depth.
LF_HD inline double loss_rate_per_s(const species_params& p, double depth_m) {
  return p.decay_per_s + p.settling_ms / depth_m;
}

// Steady state: T_i = exp(−λ_i·R·V_i/Q_i) and a_i = T_i·S_i (the load enters at the top of its cell).
struct steady_b {
  channel_fields ch;
  device_span<const species_params> sp;
  LF_HD double operator()(index_t s, index_t i) const {
    const species_params p = sp[s];
    return exp(-loss_rate_per_s(p, ch.depth_m[i]) * p.retardation * ch.volume_m3[i] / ch.q(i));
  }
};
struct steady_a {
  steady_b b;
  device_span<const double> source_g_s;
  index_t cells = 0;
  LF_HD double operator()(index_t s, index_t i) const { return b(s, i) * source_g_s[s * cells + i]; }
};

// C = F/Q in g/m³ (mg/L), over index s·cells + i; 0 on NoData.
struct concentration_from_flux {
  channel_fields ch;
  device_span<const double> flux_g_s;
  device_span<double> c_mg_l;
  index_t cells = 0;
  LF_HD void operator()(index_t k) const {
    const index_t i = k % cells;
    c_mg_l[k] = ch.valid[i] ? flux_g_s[k] / ch.q(i) : 0.0;
  }
};

// Share of cell i's flow that leaves the domain, plus 1 for a sink (see the header comment).
struct out_share_kernel {
  terrain::flow_graph_view f;
  grid_view g;
  device_span<double> share;
  LF_HD void operator()(index_t i) const {
    if (!g.is_valid(i)) {
      share[i] = 0.0;
      return;
    }
    share[i] = f.receiver_mask(i) == 0 ? 1.0 : terrain::exit_fraction(f, g, i);
  }
};

}  // namespace leachflow::kernels::transport
