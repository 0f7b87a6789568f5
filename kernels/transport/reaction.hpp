// First-order reactions applied exactly after transport (Lie operator splitting: transport over
// Δt, then reactions over Δt; first order in Δt overall, exact for reactions alone):
//     M ← M·exp(−λ·Δt),   λ = k + v_s/depth   (decay of the total, settling of the total)
// The mass lost, M·(1 − exp(−λΔt)), is split exactly between the two parallel first-order
// processes: decayed = lost·k/λ, settled = lost − decayed. The ledger sums these with a
// deterministic reduction (reaction_terms is a pure function of the state; reaction_apply writes
// the same expression), so booked losses equal the applied ones bitwise.
#pragma once

#include <cmath>

#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/transport/advection.hpp"

namespace leachflow::kernels::transport {

// Reduction value: what remains stored and what was lost, g.
struct reaction_sums {
  double stored = 0.0;
  double decayed = 0.0;
  double settled = 0.0;
};
struct reaction_sums_plus {
  LF_HD reaction_sums operator()(const reaction_sums& a, const reaction_sums& b) const {
    return {a.stored + b.stored, a.decayed + b.decayed, a.settled + b.settled};
  }
};

LF_HD inline reaction_sums react(double mass_g, const species_params& p, double depth_m, double dt_s) {
  reaction_sums r;
  const double lambda = loss_rate_per_s(p, depth_m);
  if (!(lambda > 0.0) || mass_g == 0.0) {
    r.stored = mass_g;
    return r;
  }
  r.stored = mass_g * exp(-lambda * dt_s);
  const double lost = mass_g - r.stored;
  r.decayed = lost * (p.decay_per_s / lambda);
  r.settled = lost - r.decayed;
  return r;
}

// For species s: the reaction outcome of cell i (0 on NoData). Summed by exec::transform_reduce.
struct reaction_terms {
  channel_fields ch;
  species_params p;
  device_span<const double> mass_g;  // species s's raster
  double dt_s = 0.0;
  LF_HD reaction_sums operator()(index_t i) const {
    if (!ch.valid[i]) return {};
    return react(mass_g[i], p, ch.depth_m[i], dt_s);
  }
};

// Applies the reaction to species s's raster in place; with lost_g (per-cell budgets), also adds
// each cell's loss to it (the same expression as the ledger's, so the two agree bitwise).
struct reaction_apply {
  channel_fields ch;
  species_params p;
  device_span<double> mass_g;
  double dt_s = 0.0;
  device_span<double> lost_g = {};  // optional, species s's raster
  LF_HD void operator()(index_t i) const {
    if (!ch.valid[i]) return;
    const double before = mass_g[i];
    mass_g[i] = react(before, p, ch.depth_m[i], dt_s).stored;
    if (!lost_g.empty()) lost_g[i] += before - mass_g[i];
  }
};

// Stored mass of one species raster, g (0 on NoData).
struct stored_mass {
  device_span<const std::uint8_t> valid;
  device_span<const double> mass_g;
  LF_HD double operator()(index_t i) const { return valid[i] ? mass_g[i] : 0.0; }
};

}  // namespace leachflow::kernels::transport
