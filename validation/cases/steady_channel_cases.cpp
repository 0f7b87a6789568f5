// Steady decay along a channel: for constant flow and a constant load L (g/s) into the first
// cell of a chain, the steady concentration of cell n is
//   C_n = L/Q · exp(−Σ_{i≤n} λ_i·R·τ_i),  λ_i = k + v_s/depth_i,  τ_i = V_i/Q
// (first-order decay along the travel time, e.g. Chapra 1997, ch. 5: C = C0·exp(−k·τ)).
// 40 cells of uneven cross-section, length and depth (fixed seed), Q = 2 m³/s, C0 = 1 mg/L, for
// sulfate (k = 0), ammonium (k = 0.2 /day) and arsenic (R = 2, settling 0.5 m/day), through
// model::transport::steady_concentration_mg_l. The sweep multiplies n exponentials where the
// reference exponentiates one sum: they differ by n roundings, so the limit is 1e-12 relative.
//
// The transient model must reach the same steady state for the conservative species (for a
// decaying one, Lie splitting with Δt ≫ τ has an O(Δt) steady-state error by design): implicit
// upwind, Δt = 0.01 day, 2 days (≥ 60 residence times of the whole chain): 1e-9 relative,
// and the ledger must close to 1e-9.
#include <algorithm>
#include <cmath>
#include <random>
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

std::vector<CaseResult> steady_channel_cases() {
  constexpr index_t n = 40;
  constexpr double q = 2.0, load_kg_day = 172.8;  // 2 g/s → C0 = 1 mg/L
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.5, 2.0);
  auto h = testing::hand_graph(1, n, 100.0, std::vector<std::uint8_t>(n, 0));
  std::vector<double> qv(n, q), area(n), len(n), depth(n);
  for (index_t i = 0; i < n; ++i) {
    area[static_cast<std::size_t>(i)] = 3.0 * u(rng);
    len[static_cast<std::size_t>(i)] = 100.0 * u(rng);
    depth[static_cast<std::size_t>(i)] = 0.5 * u(rng);
  }
  const auto state = testing::prescribed_state(h->grid.valid, qv, area, len, depth);
  const std::vector<mx::Species> species = {*mx::preset("sulfate"), *mx::preset("ammonium"), *mx::preset("arsenic")};
  mx::Sources src;
  for (int s = 0; s < 3; ++s) {
    mx::PointLoad l;
    l.cell = 0;
    l.species = s;
    l.load_kg_day = load_kg_day;
    src.loads.push_back(l);
  }
  const auto c = exec::to_host(mx::steady_concentration_mg_l(*h->graph, state, species, src));

  std::vector<CaseResult> out;
  for (int s = 0; s < 3; ++s) {
    const mx::Species& sp = species[static_cast<std::size_t>(s)];
    std::vector<double> got(c.begin() + s * n, c.begin() + (s + 1) * n), expected(static_cast<std::size_t>(n));
    double sum = 0.0;
    for (index_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      const double lambda = sp.decay_per_day / 86400.0 + sp.settling_m_day / 86400.0 / depth[k];
      sum += lambda * sp.retardation * area[k] * len[k] / q;
      expected[k] = load_kg_day * 1000.0 / 86400.0 / q * std::exp(-sum);
    }
    CaseResult r;
    r.family = "steady_channel";
    r.name = "steady_channel." + sp.name;
    r.quantity = "steady C along 40 uneven cells, pointwise relative";
    r.reference = "C0 exp(-sum lambda R tau)";
    r.norms = norms_relative(got, expected);
    r.figures = {{"outlet_attenuation", expected.back() / expected.front()}};
    r.checks = {{"linf", r.norms.linf, 1e-12, true}};
    r.note = "exact transmission per cell; n roundings";
    out.push_back(std::move(r));
  }

  // Transient model to steady state, conservative species.
  {
    auto hyd = model::hydraulics::Hydraulics::prescribed(*h->graph, testing::prescribed_state(h->grid.valid, qv, area, len, depth));
    mx::Sources one;
    one.loads.push_back(src.loads.front());
    mx::TransportModel m(*h->graph, hyd, {species.front()}, one);
    m.run_until(2.0, 0.01);
    const auto got = exec::to_host(m.concentration_mg_l(0));
    const std::vector<double> expected(c.begin(), c.begin() + n);
    CaseResult r;
    r.family = "steady_channel";
    r.name = "steady_channel.sulfate.transient_to_steady";
    r.quantity = "transient implicit C after 2 days vs steady solver, pointwise relative";
    r.reference = "steady_concentration_mg_l (same loads)";
    r.norms = norms_relative(got, expected);
    r.figures = {{"ledger_rel_error", m.max_relative_ledger_error()}};
    r.checks = {{"linf", r.norms.linf, 1e-9, true}, {"ledger_rel_error", m.max_relative_ledger_error(), 1e-9, true}};
    r.note = "conservative: the implicit step's fixed point is the steady state";
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace leachflow::validation
