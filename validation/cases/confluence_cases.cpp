// Confluence mixing: two branches with discharges Q_a = 1, Q_b = 3 m³/s and concentrations
// C_a = 2, C_b = 5 mg/L meet; below the junction the concentration is the discharge-weighted
// mix (Q_a C_a + Q_b C_b)/(Q_a + Q_b) = 4.25 mg/L (mass balance of the junction). For a decaying
// species each branch's flux is attenuated by its own cell's transmission exp(−k·τ) before the
// mix and the junction by its own (Chapra 1997, ch. 5).
// Grid (3 × 3, 50 m cells): (0,0) → SE → (1,1) ← NE ← (2,0); (1,1) → E → (1,2) → out.
//  - steady solver (steady_concentration_mg_l): sulfate exact to one rounding (limit 1e-15
//    relative), ammonium to 1e-14;
//  - transient implicit model, sulfate, run to steady state (2 days, Δt = 0.01 day ≫ τ):
//    the same mix to 1e-9 and the ledger closed to 1e-9.
#include <cmath>
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

mx::PointLoad load(index_t cell, int species, double kg_day) {
  mx::PointLoad l;
  l.cell = cell;
  l.species = species;
  l.load_kg_day = kg_day;
  return l;
}
}  // namespace

std::vector<CaseResult> confluence_cases() {
  const std::uint8_t none = 0xFF;
  const std::vector<std::uint8_t> dir = {1, none, none, none, 0, 0, 7, none, none};
  const std::vector<std::uint8_t> valid = {1, 0, 0, 0, 1, 1, 1, 0, 0};
  auto h = testing::hand_graph(3, 3, 50.0, dir, valid);
  const double qa = 1.0, qb = 3.0, ca = 2.0, cb = 5.0;
  const std::vector<double> q = {qa, 0, 0, 0, qa + qb, qa + qb, qb, 0, 0};
  const std::vector<double> area(9, 2.0), len(9, 50.0), depth(9, 1.0);
  const auto state = testing::prescribed_state(h->grid.valid, q, area, len, depth);
  const std::vector<mx::Species> species = {*mx::preset("sulfate"), *mx::preset("ammonium")};
  mx::Sources src;
  for (int s = 0; s < 2; ++s) {
    src.loads.push_back(load(0, s, qa * ca * 86.4));
    src.loads.push_back(load(6, s, qb * cb * 86.4));
  }
  const auto c = exec::to_host(mx::steady_concentration_mg_l(*h->graph, state, species, src));
  const double mix = (qa * ca + qb * cb) / (qa + qb);
  const double k = 0.2 / 86400.0;
  const auto t = [&](std::size_t i) { return std::exp(-k * area[i] * len[i] / q[i]); };
  const double decayed = (qa * ca * t(0) + qb * cb * t(6)) * t(4) / (qa + qb);

  std::vector<CaseResult> out;
  {
    CaseResult r;
    r.family = "confluence";
    r.name = "confluence.sulfate.steady";
    r.quantity = "steady C at the branch cells, the junction and below it, pointwise relative";
    r.reference = "discharge-weighted mix (Qa Ca + Qb Cb)/(Qa + Qb) = 4.25 mg/L";
    const std::vector<double> got = {c[0], c[6], c[4], c[5]}, exp = {ca, cb, mix, mix};
    r.norms = norms_relative(got, exp);
    r.checks = {{"linf", r.norms.linf, 1e-15, true}};
    r.note = "one rounding";
    out.push_back(std::move(r));
  }
  {
    CaseResult r;
    r.family = "confluence";
    r.name = "confluence.ammonium.steady";
    r.quantity = "steady C at the junction and below it, pointwise relative";
    r.reference = "(Qa Ca e^{-k tau_a} + Qb Cb e^{-k tau_b}) e^{-k tau_j}/(Qa + Qb)";
    const std::vector<double> got = {c[9 + 4], c[9 + 5]}, exp = {decayed, decayed * t(5)};
    r.norms = norms_relative(got, exp);
    r.checks = {{"linf", r.norms.linf, 1e-14, true}};
    r.note = "a few roundings";
    out.push_back(std::move(r));
  }
  {
    auto hyd = model::hydraulics::Hydraulics::prescribed(*h->graph, testing::prescribed_state(h->grid.valid, q, area, len, depth));
    mx::Sources one;
    one.loads = {src.loads[0], src.loads[1]};
    mx::TransportModel m(*h->graph, hyd, {species.front()}, one);
    m.run_until(2.0, 0.01);
    const auto got_all = exec::to_host(m.concentration_mg_l(0));
    CaseResult r;
    r.family = "confluence";
    r.name = "confluence.sulfate.transient_to_steady";
    r.quantity = "transient implicit C after 2 days at the four channel cells, pointwise relative";
    r.reference = "discharge-weighted mix";
    const std::vector<double> got = {got_all[0], got_all[6], got_all[4], got_all[5]}, exp = {ca, cb, mix, mix};
    r.norms = norms_relative(got, exp);
    r.figures = {{"ledger_rel_error", m.max_relative_ledger_error()}};
    r.checks = {{"linf", r.norms.linf, 1e-9, true}, {"ledger_rel_error", m.max_relative_ledger_error(), 1e-9, true}};
    r.note = "conservative: the implicit step's fixed point is the mix";
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace leachflow::validation
