// Mass ledger and reproducibility of the transport model on random DEMs: unconditioned (so
// full of sinks), 5 % NoData, D8 and MFD graphs, monthly runoff (the hydraulics change during the
// run), random point loads with random time windows and species, pulses, the three presets.
// Every step: |sources + initial − (outflow + stored + decayed + settled)| / sources < 1e-9.
// The residual is rounding only (each term is a deterministic sum of ~10⁴ doubles, relative
// error ~1e-16 each; accumulated over ≤ 120 steps that is ~1e-12 at worst), so 1e-9 is a loose
// bound that still catches any booking error (one cell-step of a 3000-cell grid is ~1e-4).
// Running the same scenario twice gives bitwise-identical masses and ledgers; the .threads8
// run repeats it with 8 threads.
#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/iso_time.hpp"
#include "model/terrain/reference_fixtures.hpp"
#include "model/terrain/routing.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"

namespace lf = leachflow;
namespace mh = leachflow::model::hydraulics;
namespace mt = leachflow::model::terrain;
namespace mx = leachflow::model::transport;
using lf::exec::index_t;

namespace {

struct Outcome {
  std::vector<double> mass;  // all species
  std::vector<mx::SpeciesLedger> ledger;
  double max_error = 0;
};

mx::Sources random_sources(std::mt19937_64& rng, const std::vector<std::uint8_t>& valid, int species) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<index_t> cells;
  for (std::size_t i = 0; i < valid.size(); ++i)
    if (valid[i]) cells.push_back(static_cast<index_t>(i));
  const auto pick = [&] { return cells[static_cast<std::size_t>(u(rng) * static_cast<double>(cells.size()))]; };
  mx::Sources s;
  for (int k = 0; k < 25; ++k) {
    mx::PointLoad l;
    l.cell = k < 3 ? cells[5] : pick();  // three duplicates on one cell: merged on the host
    l.species = static_cast<int>(u(rng) * species);
    l.load_kg_day = 50.0 * u(rng);
    if (u(rng) < 0.7) {
      l.start_day = 20.0 * u(rng);
      l.end_day = l.start_day + 25.0 * u(rng);
    }
    l.pit_id = std::to_string(k);
    s.loads.push_back(l);
  }
  for (int k = 0; k < 4; ++k) {
    mx::PulseRelease p;
    p.cell = pick();
    p.species = k % species;
    p.mass_kg = 500.0 * u(rng);
    p.time_day = 30.0 * u(rng);
    s.pulses.push_back(p);
  }
  return s;
}

Outcome run(std::uint64_t seed, bool mfd, mx::TransportOptions opt, double days, double dt_day) {
  std::mt19937_64 rng(seed);
  auto t = lf::testing::random_terrain(rng, 60, 50, 0.05);
  const mt::FlowGraph g = mfd ? mt::route_mfd(t.view(), t.z.span()) : mt::route_d8(t.view(), t.z.span());
  mh::Runoff r;
  r.kind = mh::Runoff::Kind::monthly;
  for (int m = 0; m < 12; ++m) r.monthly_mm[static_cast<std::size_t>(m)] = (m >= 4 && m <= 9) ? 300.0 : 20.0;
  mh::HydraulicsOptions ho;
  ho.start_day = lf::model::days_from_civil(2024, 4, 20);  // crosses into May (monsoon) on day 11
  mh::Hydraulics h(g, r, ho);
  const std::vector<mx::Species> species = {*mx::preset("ammonium"), *mx::preset("sulfate"), *mx::preset("arsenic")};
  mx::TransportModel m(g, h, species, random_sources(rng, t.grid.valid, 3), opt);
  Outcome o;
  const auto version0 = h.version();
  while (m.time_day() < days - 1e-9) {
    m.step(dt_day);
    o.max_error = std::max(o.max_error, m.max_relative_ledger_error());
  }
  EXPECT_GT(h.version(), version0);  // the monthly forcing changed during the run
  for (int s = 0; s < 3; ++s) {
    const auto ms = lf::exec::to_host(m.mass_g(s));
    o.mass.insert(o.mass.end(), ms.begin(), ms.end());
  }
  o.ledger = m.ledger();
  return o;
}

bool bitwise_equal(const Outcome& a, const Outcome& b) {
  if (a.mass.size() != b.mass.size()) return false;
  for (std::size_t i = 0; i < a.mass.size(); ++i)
    if (std::bit_cast<std::uint64_t>(a.mass[i]) != std::bit_cast<std::uint64_t>(b.mass[i])) return false;
  for (std::size_t s = 0; s < a.ledger.size(); ++s) {
    const auto& x = a.ledger[s];
    const auto& y = b.ledger[s];
    for (auto [p, q] : {std::pair{x.source_kg, y.source_kg}, {x.outflow_kg, y.outflow_kg}, {x.stored_kg, y.stored_kg},
                        {x.decayed_kg, y.decayed_kg}, {x.settled_kg, y.settled_kg}})
      if (std::bit_cast<std::uint64_t>(p) != std::bit_cast<std::uint64_t>(q)) return false;
  }
  return true;
}

void check(const Outcome& o) {
  EXPECT_LT(o.max_error, 1e-9);
  // Both upwind schemes are positive; the explicit one at Courant 1 up to rounding (−1e-320 g seen).
  for (double m : o.mass) ASSERT_GE(m, -1e-12);
  ASSERT_EQ(o.ledger.size(), 3u);
  for (const auto& l : o.ledger) {
    EXPECT_GT(l.source_kg, 0.0);
    EXPECT_GT(l.outflow_kg, 0.0);
    EXPECT_GT(l.stored_kg, 0.0);
  }
  EXPECT_GT(o.ledger[0].decayed_kg, 0.0);   // ammonium nitrifies
  EXPECT_EQ(o.ledger[0].settled_kg, 0.0);
  EXPECT_EQ(o.ledger[1].decayed_kg, 0.0);   // sulfate is conservative
  EXPECT_EQ(o.ledger[1].settled_kg, 0.0);
  EXPECT_GT(o.ledger[2].settled_kg, 0.0);   // arsenic settles
  EXPECT_EQ(o.ledger[2].decayed_kg, 0.0);
}

}  // namespace

TEST(TransportLedger, ImplicitWithDispersionOnD8ClosesAndIsBitwiseReproducible) {
  mx::TransportOptions opt;
  opt.dispersion = true;
  opt.dispersivity = 0.5;
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Outcome a = run(seed, false, opt, 40.0, 0.5);
    check(a);
    EXPECT_TRUE(bitwise_equal(a, run(seed, false, opt, 40.0, 0.5))) << "seed " << seed;
  }
}

TEST(TransportLedger, ImplicitOnMfdCloses) {
  mx::TransportOptions opt;
  for (std::uint64_t seed : {4u, 5u}) {
    const Outcome a = run(seed, true, opt, 40.0, 0.5);
    check(a);
    EXPECT_TRUE(bitwise_equal(a, run(seed, true, opt, 40.0, 0.5))) << "seed " << seed;
  }
  opt.dispersion = true;
  EXPECT_THROW(run(4, true, opt, 1.0, 1.0), std::invalid_argument);  // implicit dispersion needs D8
}

TEST(TransportLedger, ExplicitSubSteppedCloses) {
  mx::TransportOptions opt;
  opt.advection = mx::AdvectionScheme::explicit_upwind;
  const Outcome a = run(6, false, opt, 16.0, 1.0);
  check(a);
  EXPECT_TRUE(bitwise_equal(a, run(6, false, opt, 16.0, 1.0)));
}

TEST(TransportSources, BadSourcesAreRejected) {
  std::mt19937_64 rng(9);
  auto t = lf::testing::random_terrain(rng, 10, 10, 0.3);
  index_t nodata = 0, valid = 0;
  while (t.grid.valid[static_cast<std::size_t>(nodata)]) ++nodata;
  while (!t.grid.valid[static_cast<std::size_t>(valid)]) ++valid;
  const mt::FlowGraph g = mt::route_d8(t.view(), t.z.span());
  mh::Runoff r;
  r.constant_mm_yr = 1000;
  mh::Hydraulics h(g, r);
  const std::vector<mx::Species> sp = {*mx::preset("sulfate")};
  const auto with = [](index_t cell, int species, double kg) {
    mx::Sources s;
    mx::PointLoad l;
    l.cell = cell;
    l.species = species;
    l.load_kg_day = kg;
    s.loads.push_back(l);
    return s;
  };
  EXPECT_THROW(mx::TransportModel(g, h, sp, with(100, 0, 1.0)), std::invalid_argument);  // off the grid
  EXPECT_THROW(mx::TransportModel(g, h, sp, with(nodata, 0, 1.0)), std::invalid_argument);  // NoData
  EXPECT_THROW(mx::TransportModel(g, h, sp, with(valid, 1, 1.0)), std::invalid_argument);   // species
  EXPECT_THROW(mx::TransportModel(g, h, sp, with(valid, 0, -1.0)), std::invalid_argument);  // negative
  EXPECT_NO_THROW(mx::TransportModel(g, h, sp, with(valid, 0, 1.0)));
}
