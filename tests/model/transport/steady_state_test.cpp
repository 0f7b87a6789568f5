// Steady-state transport: one accumulation with the exact transmission exp(−λ·R·V/Q).
//  - Single channel with uneven cells: C_n = C0·exp(−Σ_{i≤n} λ_i·R·τ_i), τ = V/Q, to 1e-12
//    relative (the sweep multiplies n exponentials, the reference exponentiates one sum: the
//    two differ by n rounding errors, ~1e-15 for 40 cells).
//  - Confluence: two branches with different Q and C meet; a conservative species gives the
//    discharge-weighted mix exactly (to one rounding), a decaying one the mix of the two
//    attenuated fluxes times the junction's own transmission.
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"
#include "transport_fixtures.hpp"

namespace lf = leachflow;
namespace mx = leachflow::model::transport;
using lf::exec::index_t;

namespace {
mx::PointLoad load(index_t cell, int species, double kg_day) {
  mx::PointLoad l;
  l.cell = cell;
  l.species = species;
  l.load_kg_day = kg_day;
  return l;
}
}  // namespace

TEST(SteadyState, SingleChannelDecaysAsExpOfSummedTravelTime) {
  const index_t n = 40;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.5, 2.0);
  auto h = lf::testing::hand_graph(1, n, 100.0, std::vector<std::uint8_t>(n, 0));
  const double q = 2.0;
  std::vector<double> qv(n, q), area(n), len(n), depth(n);
  for (index_t i = 0; i < n; ++i) {
    area[i] = 3.0 * u(rng);
    len[i] = 100.0 * u(rng);
    depth[i] = 0.5 * u(rng);
  }
  const auto state = lf::testing::prescribed_state(h->grid.valid, qv, area, len, depth);
  const std::vector<mx::Species> species = {*mx::preset("sulfate"), *mx::preset("ammonium"), *mx::preset("arsenic")};
  mx::Sources src;
  const double load_kg_day = 172.8;  // 2 g/s → C0 = 1 mg/L at Q = 2 m³/s
  for (int s = 0; s < 3; ++s) src.loads.push_back(load(0, s, load_kg_day));
  const auto c = lf::exec::to_host(mx::steady_concentration_mg_l(*h->graph, state, species, src));
  for (int s = 0; s < 3; ++s) {
    const mx::Species& sp = species[static_cast<std::size_t>(s)];
    double sum = 0.0;
    for (index_t i = 0; i < n; ++i) {
      const double lambda = sp.decay_per_day / 86400.0 + sp.settling_m_day / 86400.0 / depth[i];
      sum += lambda * sp.retardation * area[i] * len[i] / q;
      const double expected = load_kg_day * 1000.0 / 86400.0 / q * std::exp(-sum);
      EXPECT_NEAR(c[static_cast<std::size_t>(s * n + i)], expected, 1e-12 * expected) << sp.name << " cell " << i;
    }
    if (s == 0) {
      EXPECT_DOUBLE_EQ(c[static_cast<std::size_t>(n - 1)], 1.0);  // conservative: C0 to rounding
    }
  }
}

TEST(SteadyState, ConfluenceGivesTheDischargeWeightedMix) {
  // 3 × 3 grid: (0,0) → SE → (1,1) ← NE ← (2,0); (1,1) → E → (1,2) → E out of the grid.
  const std::uint8_t none = 0xFF;
  std::vector<std::uint8_t> dir = {1, none, none, none, 0, 0, 7, none, none};
  std::vector<std::uint8_t> valid = {1, 0, 0, 0, 1, 1, 1, 0, 0};
  auto h = lf::testing::hand_graph(3, 3, 50.0, dir, valid);
  const double qa = 1.0, qb = 3.0;
  std::vector<double> q = {qa, 0, 0, 0, qa + qb, qa + qb, qb, 0, 0};
  std::vector<double> area(9, 2.0), len(9, 50.0), depth(9, 1.0);
  const auto state = lf::testing::prescribed_state(h->grid.valid, q, area, len, depth);
  const std::vector<mx::Species> species = {*mx::preset("sulfate"), *mx::preset("ammonium")};
  mx::Sources src;
  const double ca = 2.0, cb = 5.0;  // mg/L in each branch: loads Q·C g/s
  for (int s = 0; s < 2; ++s) {
    src.loads.push_back(load(0, s, qa * ca * 86.4));
    src.loads.push_back(load(6, s, qb * cb * 86.4));
  }
  const auto c = lf::exec::to_host(mx::steady_concentration_mg_l(*h->graph, state, species, src));
  const double mix = (qa * ca + qb * cb) / (qa + qb);  // 4.25, exact in binary
  EXPECT_DOUBLE_EQ(c[4], mix);
  EXPECT_DOUBLE_EQ(c[5], mix);
  EXPECT_DOUBLE_EQ(c[0], ca);
  EXPECT_DOUBLE_EQ(c[6], cb);
  // Ammonium: each branch attenuated by its own cell, the junction by its own.
  const double k = 0.2 / 86400.0;
  const auto t = [&](std::size_t i) { return std::exp(-k * area[i] * len[i] / q[i]); };
  const double fa = qa * ca * t(0), fb = qb * cb * t(6);
  const double expected = (fa + fb) * t(4) / (qa + qb);
  EXPECT_NEAR(c[9 + 4], expected, 1e-14 * expected);
  EXPECT_NEAR(c[9 + 5], expected * t(5), 1e-14 * expected);
  EXPECT_EQ(c[9 + 1], 0.0);  // NoData
}

TEST(TransportDriver, RunUntilLandsOnOutputTimesAndReachesTheInletConcentration) {
  // 1 × 30 channel, Q = 1 m³/s, V = 100 m³ per cell (τ = 100 s), sulfate fed 1 g/s at the top.
  auto ch = lf::testing::straight_channel(30, 50.0, 1.0, 2.0, 1.0);
  mx::Sources src;
  src.loads.push_back(load(0, 0, 86.4));
  mx::TransportModel m(*ch->graph, *ch->hydraulics, {*mx::preset("sulfate")}, src);
  std::vector<double> seen;
  const std::vector<double> outputs = {0.01, 0.025, 0.1};
  m.run_until(0.1, 0.004, outputs, [&](double t, const mx::TransportModel& model) {
    seen.push_back(t);
    EXPECT_EQ(model.time_day(), t);
  });
  ASSERT_EQ(seen.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(seen[k], outputs[k]);
  EXPECT_EQ(m.time_day(), 0.1);
  EXPECT_EQ(m.steps(), 3 + 4 + 19);  // ⌈0.01/0.004⌉, ⌈0.015/0.004⌉, ⌈0.075/0.004⌉
  // After 8640 s ≈ 2.9 Στ (Στ = 3000 s) a conservative tracer is close to C0 = 1 mg/L everywhere;
  // steps of ~330 s ≈ 3.3 τ make the implicit front diffusive: 7.5e-5 short at the outlet.
  const auto c = lf::exec::to_host(m.concentration_mg_l(0));
  for (double v : c) EXPECT_NEAR(v, 1.0, 2e-4);
  EXPECT_LT(m.max_relative_ledger_error(), 1e-12);
}
