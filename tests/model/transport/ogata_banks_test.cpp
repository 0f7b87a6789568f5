// Transport against the analytical 1D advection–dispersion–decay solution on a straight
// 1-cell-wide channel (1 × n grid, D8 all east, uniform Q and V), for the three presets:
// sulfate (conservative), ammonium (decay 0.2/day), arsenic (R = 2, settling 0.5 m/day).
//
// What is compared: the dissolved concentration of every cell centre x_i = (i + ½)Δx at time T
// with the flux-inlet solution (transport_fixtures.hpp: the channel is fed by a load Q·C0 into
// its first cell, i.e. a third-type inlet; Ogata–Banks' Dirichlet inlet differs from it by a
// resolution-independent ~6 % at this Péclet number, so it cannot show convergence), with the
// physical D given as a fixed dispersion coefficient (implicit tree-Thomas step).
// The scheme is first order: upwind adds numerical dispersion v·Δx/2·(1 + Cr) (implicit) and
// operator splitting and backward Euler add O(Δt). Refining Δx and Δt together at fixed Courant
// number Cr = v·Δt/(R·Δx) = 0.5 must show an observed order ≥ 0.7 in L1 and L∞ over three
// refinements (the numerical/physical dispersion ratio goes 0.4 → 0.05, close to asymptotic).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"
#include "transport_fixtures.hpp"
#include "validation/analytical/ogata_banks.hpp"

namespace lf = leachflow;
namespace mx = leachflow::model::transport;
using lf::exec::index_t;

namespace {

constexpr double velocity_ms = 0.5;  // water velocity
constexpr double discharge_m3s = 1.0;
constexpr double depth_m = 1.0;
constexpr double dispersion_m2s = 200.0;
constexpr double length_m = 30000.0;
constexpr double end_s = 20000.0;

struct Errors {
  double l1 = 0, linf = 0;
};

std::vector<double> simulate(const mx::Species& sp, double dx_m, double dt_s, mx::AdvectionScheme scheme,
                             bool dispersion = true, index_t* substeps = nullptr) {
  const auto n = static_cast<index_t>(std::llround(length_m / dx_m));
  auto ch = lf::testing::straight_channel(n, dx_m, discharge_m3s, discharge_m3s / velocity_ms, depth_m);
  mx::Sources src;
  // C0 = 1 g/m³ at Q = 1 m³/s: 1 g/s = 86.4 kg/day into the first cell.
  mx::PointLoad load;
  load.cell = 0;
  load.load_kg_day = discharge_m3s * 1.0 * 86400.0 / 1000.0;
  src.loads.push_back(load);
  mx::TransportOptions opt;
  opt.advection = scheme;
  opt.dispersion = dispersion;
  opt.dispersion_m2s = dispersion_m2s;
  mx::TransportModel m(*ch->graph, *ch->hydraulics, {sp}, src, opt);
  m.run_until(end_s / 86400.0, dt_s / 86400.0);
  EXPECT_NEAR(m.time_day(), end_s / 86400.0, 1e-12);
  EXPECT_LT(m.max_relative_ledger_error(), 1e-9);
  if (substeps) *substeps = m.last_substeps();
  return lf::exec::to_host(m.concentration_mg_l(0));
}

Errors errors(const mx::Species& sp, double dx_m, const std::vector<double>& c) {
  const double r = sp.retardation;
  const double k = sp.decay_per_day / 86400.0 + sp.settling_m_day / 86400.0 / depth_m;
  Errors e;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double x = (static_cast<double>(i) + 0.5) * dx_m;
    const double exact = lf::testing::flux_inlet_ade(x, end_s, velocity_ms / r, dispersion_m2s / r, k);
    const double err = std::abs(c[i] - exact);
    e.l1 += err / static_cast<double>(c.size());
    e.linf = std::max(e.linf, err);
  }
  return e;
}

class AnalyticalChannel : public ::testing::TestWithParam<const char*> {};

}  // namespace

TEST(FluxInletSolution, SatisfiesInletConditionAndTendsToOgataBanksDownstream) {
  // The reference itself: v·C − D·∂C/∂x = v at x = 0 (central difference), and with and without
  // decay it is close to Ogata–Banks far from the inlet at high Péclet (D small).
  for (double k : {0.0, 1e-4}) {
    const double v = 0.5, d = 50.0, t = 5000.0, h = 1e-2;
    const double c0 = lf::testing::flux_inlet_ade(h, t, v, d, k);
    const double dc = (lf::testing::flux_inlet_ade(2 * h, t, v, d, k) - lf::testing::flux_inlet_ade(0.0, t, v, d, k)) / (2 * h);
    EXPECT_NEAR(v * c0 - d * dc, v, 1e-5) << "k = " << k;
    EXPECT_NEAR(lf::testing::flux_inlet_ade(2000.0, t, v, 1.0, k), lf::validation::ogata_banks(2000.0, t, v, 1.0, k), 2e-3);
  }
}

TEST_P(AnalyticalChannel, ImplicitUpwindWithDispersionConvergesAtFirstOrder) {
  const mx::Species sp = *mx::preset(GetParam());
  std::vector<Errors> e;
  for (double dx : {200.0, 100.0, 50.0, 25.0}) {
    const double dt = 0.5 * dx * sp.retardation / velocity_ms;  // Courant 0.5
    e.push_back(errors(sp, dx, simulate(sp, dx, dt, mx::AdvectionScheme::implicit_upwind)));
  }
  for (std::size_t k = 1; k < e.size(); ++k) {
    const double p1 = std::log2(e[k - 1].l1 / e[k].l1), pinf = std::log2(e[k - 1].linf / e[k].linf);
    std::printf("%s dx=%g: L1 %.3e  Linf %.3e  order L1 %.2f  Linf %.2f\n", GetParam(), 200.0 / std::pow(2.0, static_cast<double>(k)),
                e[k].l1, e[k].linf, p1, pinf);
    EXPECT_GE(p1, 0.7);
    EXPECT_GE(pinf, 0.7);
  }
  // Finest: the numerical dispersion v·Δx/2·1.5 is ~5 % of D; errors of a few 1e-3 of C0.
  EXPECT_LT(e.back().linf, 0.01);
}

TEST_P(AnalyticalChannel, ImplicitAndExplicitConvergeToEachOtherAsTimeStepShrinks) {
  // Same Δx; the schemes' numerical dispersions differ by v·Δx·Cr ∝ Δt, so the difference halves
  // with Δt (first order).
  const mx::Species sp = *mx::preset(GetParam());
  const double dx = 100.0;
  std::vector<double> diff;
  for (double cr : {0.8, 0.4, 0.2, 0.1}) {
    const double dt = cr * dx * sp.retardation / velocity_ms;
    const auto ci = simulate(sp, dx, dt, mx::AdvectionScheme::implicit_upwind);
    const auto ce = simulate(sp, dx, dt, mx::AdvectionScheme::explicit_upwind);
    double d = 0;
    for (std::size_t i = 0; i < ci.size(); ++i) d = std::max(d, std::abs(ci[i] - ce[i]));
    diff.push_back(d);
  }
  for (std::size_t k = 1; k < diff.size(); ++k) EXPECT_GE(std::log2(diff[k - 1] / diff[k]), 0.8) << k;
  EXPECT_LT(diff.back(), 5e-3);
}

TEST(ExplicitUpwind, SubStepsToTheCourantLimit) {
  // Δt four times the limit R·V/Q = Δx/v: four sub-steps, and the result stays bounded by C0.
  const mx::Species sp = *mx::preset("sulfate");
  index_t substeps = 0;
  const auto c = simulate(sp, 100.0, 4.0 * 100.0 / velocity_ms, mx::AdvectionScheme::explicit_upwind, false, &substeps);
  EXPECT_EQ(substeps, 4);
  for (double v : c) {
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 1.0 + 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, AnalyticalChannel, ::testing::Values("sulfate", "ammonium", "arsenic"));
