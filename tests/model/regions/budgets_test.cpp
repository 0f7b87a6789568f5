// Zone budgets (model/regions/budgets.hpp) from the transport's per-cell budgets, on random
// DEMs full of sinks with NoData holes, D8 and MFD graphs, monthly runoff, random loads and
// pulses, three presets. Zones are blocks of the grid with an unzoned stripe between them.
// Checked: every zone closes (load_in + inflow = outflow + reacted + stored_change) to 1e-9 of
// its throughput without dispersion; what one zone sends to another is what the other receives
// (Σ inflow = Σ outflow − Σ left_domain when every cell is zoned); the zone terms sum to the
// global ledger's sources, reactions, storage and outflow when every cell is zoned; with
// dispersion the zone imbalances are the dispersive exchange and sum to zero.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/iso_time.hpp"
#include "model/regions/budgets.hpp"
#include "model/terrain/reference_fixtures.hpp"
#include "model/terrain/routing.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"

namespace lf = leachflow;
namespace mh = leachflow::model::hydraulics;
namespace mr = leachflow::model::regions;
namespace mt = leachflow::model::terrain;
namespace mx = leachflow::model::transport;
using lf::exec::index_t;

namespace {

constexpr index_t rows = 60, cols = 50;

mx::Sources random_sources(std::mt19937_64& rng, const std::vector<std::uint8_t>& valid) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<index_t> cells;
  for (std::size_t i = 0; i < valid.size(); ++i)
    if (valid[i]) cells.push_back(static_cast<index_t>(i));
  const auto pick = [&] { return cells[static_cast<std::size_t>(u(rng) * static_cast<double>(cells.size()))]; };
  mx::Sources s;
  for (int k = 0; k < 30; ++k) {
    mx::PointLoad l;
    l.cell = pick();
    l.species = k % 3;
    l.load_kg_day = 50.0 * u(rng);
    if (u(rng) < 0.5) {
      l.start_day = 10.0 * u(rng);
      l.end_day = l.start_day + 20.0 * u(rng);
    }
    s.loads.push_back(l);
  }
  for (int k = 0; k < 3; ++k) {
    mx::PulseRelease p;
    p.cell = pick();
    p.species = k;
    p.mass_kg = 300.0 * u(rng);
    p.time_day = 15.0 * u(rng);
    s.pulses.push_back(p);
  }
  return s;
}

// Blocks of 20 × 17 cells; with `gaps`, row 30 and column 25 belong to no zone.
std::vector<std::int64_t> block_zones(bool gaps) {
  std::vector<std::int64_t> z(static_cast<std::size_t>(rows * cols));
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c)
      z[static_cast<std::size_t>(r * cols + c)] = (gaps && (r == 30 || c == 25)) ? -1 : (r / 20) * 3 + c / 17;
  return z;
}

struct Case {
  bool mfd = false;
  mx::TransportOptions opt;
  bool gaps = false;
};

void check_case(std::uint64_t seed, const Case& cs) {
  std::mt19937_64 rng(seed);
  auto t = lf::testing::random_terrain(rng, rows, cols, 0.05);
  const mt::FlowGraph g = cs.mfd ? mt::route_mfd(t.view(), t.z.span()) : mt::route_d8(t.view(), t.z.span());
  mh::Runoff ro;
  ro.kind = mh::Runoff::Kind::monthly;
  for (int m = 0; m < 12; ++m) ro.monthly_mm[static_cast<std::size_t>(m)] = (m >= 4 && m <= 9) ? 300.0 : 20.0;
  mh::HydraulicsOptions ho;
  ho.start_day = lf::model::days_from_civil(2024, 4, 20);
  mh::Hydraulics h(g, ro, ho);
  const std::vector<mx::Species> species = {*mx::preset("ammonium"), *mx::preset("sulfate"), *mx::preset("arsenic")};
  mx::TransportModel m(g, h, species, random_sources(rng, t.grid.valid), cs.opt);
  // Start from a non-empty state, so stored_change is not just the final mass.
  std::vector<double> m0(static_cast<std::size_t>(rows * cols));
  std::uniform_real_distribution<double> u(0.0, 100.0);
  for (double& v : m0) v = u(rng);
  m.set_mass_g(1, m0);
  m.enable_cell_budgets();
  const mx::SpeciesLedger before = m.ledger()[1];
  for (int k = 0; k < 30; ++k) m.step(1.0);

  const std::vector<std::int64_t> zone = block_zones(cs.gaps);
  const auto masks = g.receiver_masks();
  const auto weights = g.weights();
  const auto n = static_cast<std::size_t>(rows * cols);
  for (int s = 0; s < 3; ++s) {
    const auto sent = lf::exec::to_host(m.sent_g(s));
    const auto reacted = lf::exec::to_host(m.reacted_g(s));
    const auto initial = lf::exec::to_host(m.initial_mass_g(s));
    const auto final_mass = lf::exec::to_host(m.mass_g(s));
    const std::vector<double> source(m.cell_source_kg().begin() + static_cast<std::ptrdiff_t>(s * n),
                                     m.cell_source_kg().begin() + static_cast<std::ptrdiff_t>((s + 1) * n));
    const mr::CellBudgets cb{t.grid.valid, masks, weights, sent, reacted, initial, final_mass, source};
    const std::vector<mr::ZoneBudget> zb = mr::zone_budgets(rows, cols, zone, cb);
    ASSERT_EQ(zb.size(), 9u);
    double load = 0, inflow = 0, outflow = 0, left = 0, react = 0, stored = 0, imbalance = 0, scale = 0;
    for (const auto& b : zb) {
      load += b.load_in_kg;
      inflow += b.inflow_kg;
      outflow += b.outflow_kg;
      left += b.left_domain_kg;
      react += b.reacted_kg;
      stored += b.stored_change_kg;
      imbalance += b.imbalance_kg();
      const double through = b.load_in_kg + b.inflow_kg + std::abs(b.stored_change_kg);
      scale = std::max(scale, through);
      if (!cs.opt.dispersion) {
        EXPECT_LE(std::abs(b.imbalance_kg()), 1e-9 * std::max(through, 1e-3)) << "zone " << b.zone << " species " << s;
      }
      EXPECT_GE(b.outflow_kg, b.left_domain_kg);
      EXPECT_GE(b.reacted_kg, 0.0);
    }
    EXPECT_GT(inflow, 0.0);  // zones do exchange mass
    const mx::SpeciesLedger& l = m.ledger()[static_cast<std::size_t>(s)];
    if (!cs.gaps) {
      // Every cell zoned: the zones add up to the whole domain.
      EXPECT_NEAR(load, l.source_kg, 1e-12 * l.source_kg);
      EXPECT_NEAR(react, l.decayed_kg + l.settled_kg, 1e-9 * std::max(1.0, react));
      EXPECT_NEAR(left, l.outflow_kg, 1e-9 * l.outflow_kg);
      EXPECT_NEAR(outflow - left, inflow, 1e-9 * inflow);  // sent between zones = received
      EXPECT_NEAR(stored, l.stored_kg - (s == 1 ? before.stored_kg : 0.0), 1e-9 * std::max(1.0, l.stored_kg));
      EXPECT_LE(std::abs(imbalance), 1e-9 * scale);  // dispersion only moves mass between zones
    } else {
      // Sources in the unzoned stripe belong to no zone; the rest are in the zones' load_in.
      double unzoned = 0;
      for (std::size_t i = 0; i < n; ++i)
        if (zone[i] < 0) unzoned += source[i];
      EXPECT_NEAR(load + unzoned, l.source_kg, 1e-12 * l.source_kg);
    }
  }
}

}  // namespace

TEST(ZoneBudgets, ImplicitD8ZonesCloseAndSumToTheLedger) {
  for (std::uint64_t seed : {11u, 12u}) check_case(seed, {false, {}, false});
}

TEST(ZoneBudgets, ImplicitMfdZonesClose) { check_case(13, {true, {}, false}); }

TEST(ZoneBudgets, ExplicitSubStepsAreBooked) {
  Case cs;
  cs.opt.advection = mx::AdvectionScheme::explicit_upwind;
  check_case(14, cs);
}

TEST(ZoneBudgets, UnzonedCellsTakeWhatEntersThem) {
  check_case(15, {false, {}, true});
}

TEST(ZoneBudgets, WithDispersionTheImbalancesSumToZero) {
  Case cs;
  cs.opt.dispersion = true;
  cs.opt.dispersivity = 0.5;
  check_case(16, cs);
}

TEST(ZoneBudgets, RejectsWrongSizes) {
  const std::vector<std::uint8_t> one(4, 1);
  const std::vector<float> w(32, 0.0f);
  const std::vector<double> d(4, 0.0), short_d(3, 0.0);
  const std::vector<std::int64_t> z(4, 0);
  EXPECT_NO_THROW(mr::zone_budgets(2, 2, z, {one, one, w, d, d, d, d, d}));
  EXPECT_THROW(mr::zone_budgets(2, 2, z, {one, one, w, short_d, d, d, d, d}), std::invalid_argument);
  EXPECT_THROW(mr::zone_budgets(2, 2, z, {one, one, std::vector<float>(8, 0.0f), d, d, d, d, d}), std::invalid_argument);
}
