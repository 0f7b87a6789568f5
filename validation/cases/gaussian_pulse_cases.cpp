// Instantaneous release: mass M (1 kg) released at t = 0 into one cell (centre x0, 100 cells
// from the upstream end) of a long straight channel (1 × 600 cells of Δx = 50 m, Q = 1 m³/s, A = 2 m², v = 0.5 m/s, D = 50 m²/s
// fixed) becomes a Gaussian pulse: mass M·exp(−kT), mean x0 + v·T, variance 2·D·T (e.g.
// Fischer et al. 1979, ch. 2), peak M·exp(−kT) / (A·√(2π·variance)). Compared at T = 20 000 s
// (Δt = 50 s, Courant Cr = v·Δt/Δx = 0.5), by the moments of the cell masses and by the profile.
//
// Numerical dispersion, accounted for in the expected variance (exactly, on an infinite line:
// each step's operators are translation-invariant convolutions, so means and variances add):
//  - implicit upwind: each step shifts the mean by Cr·Δx and adds Δx²·Cr·(1 + Cr) to the variance,
//    i.e. D_num = v·Δx/2·(1 + Cr);
//  - explicit upwind: each sub-step shifts by Cr·Δx and adds Δx²·Cr·(1 − Cr), i.e.
//    D_num = v·Δx/2·(1 − Cr); the source enters at the end of the first sub-step (flux from the
//    mass at its start), so the pulse is advected for T − Δt_sub.
//  - the implicit dispersion step (backward Euler) adds exactly 2·D·Δt per step.
// So mean and variance must match to rounding (limits 1e-9 Δx and 1e-9 relative; measured
// ~1e-13 and ~1e-16). The release is 100 cells from the upstream end because the zero-flux end
// reflects the exponential tails of the backward-Euler dispersion kernel: 40 cells away it
// already shifted the mean by 1e-6 Δx. The downstream end is > 7σ away. The peak and the
// profile differ from the Gaussian because the sum of 400 skewed step kernels is only
// asymptotically Gaussian (Edgeworth: O(1/N) at the mode; measured 0.07 % on the peak, 0.4 %
// of the peak on L∞): limits 0.5 % on the peak, 1 % of the peak on L∞.
// Mass: exact decay exp(−k·Δt) per step, so Σ mass = M·exp(−kT) to rounding (1e-12).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "kernels/exec/memory.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"
#include "tests/model/transport/transport_fixtures.hpp"
#include "validation/cases/case_result.hpp"

namespace leachflow::validation {
namespace {
namespace mx = model::transport;
using exec::index_t;
}  // namespace

std::vector<CaseResult> gaussian_pulse_cases() {
  constexpr double v = 0.5, q = 1.0, area = 2.0, depth = 1.0, d = 50.0, dx = 50.0, end_s = 20000.0, mass_kg = 1.0;
  constexpr index_t n = 600, release_cell = 100;
  const double dt_s = 0.5 * dx / v;
  std::vector<CaseResult> out;
  for (const char* species : {"sulfate", "ammonium"}) {
    const mx::Species sp = *mx::preset(species);
    for (auto scheme : {mx::AdvectionScheme::implicit_upwind, mx::AdvectionScheme::explicit_upwind}) {
      const bool implicit = scheme == mx::AdvectionScheme::implicit_upwind;
      auto ch = testing::straight_channel(n, dx, q, area, depth);
      mx::Sources src;
      src.pulses.push_back({release_cell, 0, mass_kg, 0.0, "pulse"});
      mx::TransportOptions opt;
      opt.advection = scheme;
      opt.dispersion = true;
      opt.dispersion_m2s = d;
      mx::TransportModel m(*ch->graph, *ch->hydraulics, {sp}, src, opt);
      m.run_until(end_s / 86400.0, dt_s / 86400.0);
      const auto mass = exec::to_host(m.mass_g(0));
      const auto conc = exec::to_host(m.concentration_mg_l(0));

      // Moments of the cell masses (cell centres).
      double total = 0, first = 0, second = 0;
      for (index_t i = 0; i < n; ++i) {
        const double x = (static_cast<double>(i) + 0.5) * dx;
        total += mass[static_cast<std::size_t>(i)];
        first += mass[static_cast<std::size_t>(i)] * x;
      }
      const double mean = first / total;
      for (index_t i = 0; i < n; ++i) {
        const double x = (static_cast<double>(i) + 0.5) * dx;
        second += mass[static_cast<std::size_t>(i)] * (x - mean) * (x - mean);
      }
      const double variance = second / total;

      // Expected, with the scheme's numerical dispersion.
      const double steps = std::round(end_s / dt_s) * static_cast<double>(m.last_substeps());
      const double h = end_s / steps, cr = v * h / dx;
      const double advected = implicit ? steps : steps - 1.0;
      const double x0 = (static_cast<double>(release_cell) + 0.5) * dx;
      const double mean_exact = x0 + advected * cr * dx;
      const double var_num = advected * dx * dx * cr * (implicit ? 1.0 + cr : 1.0 - cr);
      const double var_exact = 2.0 * d * end_s + var_num;
      const double k = sp.decay_per_day / 86400.0;
      const double remaining_g = mass_kg * 1000.0 * std::exp(-k * end_s);
      const double peak_exact = remaining_g / (area * std::sqrt(2.0 * std::numbers::pi * var_exact));
      std::vector<double> gauss(static_cast<std::size_t>(n));
      for (index_t i = 0; i < n; ++i) {
        const double x = (static_cast<double>(i) + 0.5) * dx;
        gauss[static_cast<std::size_t>(i)] = peak_exact * std::exp(-(x - mean_exact) * (x - mean_exact) / (2.0 * var_exact));
      }
      const double peak = *std::max_element(conc.begin(), conc.end());

      CaseResult c;
      c.family = "gaussian_pulse";
      c.name = std::string("gaussian_pulse.") + species + (implicit ? ".implicit" : ".explicit");
      c.quantity = "C(x, T = 20000 s) profile relative to the analytical peak; dx 50 m, Courant 0.5, D = 50 m2/s";
      c.reference = std::string("Gaussian: mean x0 + v t, variance 2 (D + D_num) t, D_num = v dx/2 (1 ") +
                    (implicit ? "+" : "-") + " Cr)";
      c.norms = norms_scaled(conc, gauss, peak_exact);
      const double mean_err = std::abs(mean - mean_exact) / dx;
      const double var_err = std::abs(variance - var_exact) / var_exact;
      const double peak_err = std::abs(peak - peak_exact) / peak_exact;
      const double mass_err = std::abs(total - remaining_g) / remaining_g;
      const double ledger = m.max_relative_ledger_error();
      c.figures = {{"mean_m", mean},
                   {"mean_expected_m", mean_exact},
                   {"variance_m2", variance},
                   {"variance_expected_m2", var_exact},
                   {"variance_physical_only_m2", 2.0 * d * end_s},
                   {"numerical_share_of_variance", var_num / var_exact},
                   {"peak_mg_l", peak},
                   {"peak_expected_mg_l", peak_exact},
                   {"mean_error_dx", mean_err},
                   {"variance_rel_error", var_err},
                   {"peak_rel_error", peak_err},
                   {"mass_rel_error", mass_err},
                   {"ledger_rel_error", ledger}};
      c.checks = {{"mean_error_dx", mean_err, 1e-9, true},
                  {"variance_rel_error", var_err, 1e-9, true},
                  {"peak_rel_error", peak_err, 0.005, true},
                  {"linf", c.norms.linf, 0.01, true},
                  {"mass_rel_error", mass_err, 1e-12, true},
                  {"ledger_rel_error", ledger, 1e-9, true}};
      c.note = "moments exact for the discrete scheme (numerical dispersion included); peak/profile: finite-N "
               "departure from the Gaussian";
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace leachflow::validation
