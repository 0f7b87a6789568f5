// Results independent of the thread count (DESIGN.md, Determinism; issue 4): one transport
// scenario run with 1, 2 and 8 threads inside one process (exec::set_thread_count) gives
// bitwise-identical concentration fields, stored masses and ledgers (memcmp).
// Scenario: a random unconditioned DEM (sinks, 5 % NoData) of 72k cells, so the schedule has
// both parallel levels (≥ 2048 cells, really split across threads) and serial walks, and the
// deterministic reductions use many blocks; monthly runoff crossing into the monsoon (the
// hydraulics change mid-run); 30 random point loads with random time windows on random cells and
// species, pulses; the three presets. Implicit upwind with dispersion on D8; implicit on MFD
// (weighted pulls); explicit sub-stepped on D8 (one day).
// Why it holds: accumulations pull donors in a fixed order (no floating-point atomics), sweeps
// run level by level, reductions use fixed blocks combined in a fixed order; so every double is
// the same expression whatever the number of threads. On backends whose thread count cannot
// change in-process (Kokkos, CUDA) set_thread_count is a no-op and the test checks that repeated
// runs agree.
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "kernels/exec/runtime.hpp"
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
  std::vector<double> concentration;  // [species][cell], mg/L
  std::vector<double> mass;           // [species][cell], g
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
  for (int k = 0; k < 30; ++k) {
    mx::PointLoad l;
    l.cell = pick();
    l.species = static_cast<int>(u(rng) * species);
    l.load_kg_day = 80.0 * u(rng);
    if (u(rng) < 0.7) {
      l.start_day = 8.0 * u(rng);
      l.end_day = l.start_day + 10.0 * u(rng);
    }
    l.pit_id = "pit-" + std::to_string(k);
    s.loads.push_back(l);
  }
  for (int k = 0; k < 3; ++k) {
    mx::PulseRelease p;
    p.cell = pick();
    p.species = k % species;
    p.mass_kg = 300.0 * u(rng);
    p.time_day = 12.0 * u(rng);
    s.pulses.push_back(p);
  }
  return s;
}

enum class Variant { d8_implicit_dispersion, mfd_implicit, d8_explicit };

Outcome run(int threads, Variant variant, std::uint64_t seed) {
  lf::exec::set_thread_count(threads);
  std::mt19937_64 rng(seed);
  auto t = lf::testing::random_terrain(rng, 240, 300, 0.05);
  const bool mfd = variant == Variant::mfd_implicit;
  const mt::FlowGraph g = mfd ? mt::route_mfd(t.view(), t.z.span()) : mt::route_d8(t.view(), t.z.span());
  bool parallel_level = false, serial_walk = false;
  for (const auto& s : g.schedule()) (s.parallel ? parallel_level : serial_walk) = true;
  EXPECT_TRUE(parallel_level && serial_walk);  // both launch kinds are exercised
  mh::Runoff r;
  r.kind = mh::Runoff::Kind::monthly;
  for (int m = 0; m < 12; ++m) r.monthly_mm[static_cast<std::size_t>(m)] = (m >= 4 && m <= 9) ? 400.0 : 30.0;
  mh::HydraulicsOptions ho;
  ho.start_day = lf::model::days_from_civil(2024, 4, 25);  // into May (monsoon) on day 6
  mh::Hydraulics h(g, r, ho);
  const std::vector<mx::Species> species = {*mx::preset("ammonium"), *mx::preset("sulfate"), *mx::preset("arsenic")};
  mx::TransportOptions opt;
  if (variant == Variant::d8_implicit_dispersion) {
    opt.dispersion = true;
    opt.dispersivity = 0.5;
  }
  if (variant == Variant::d8_explicit) opt.advection = mx::AdvectionScheme::explicit_upwind;
  mx::TransportModel m(g, h, species, random_sources(rng, t.grid.valid, 3), opt);
  Outcome o;
  // The explicit scheme sub-steps to the smallest residence time of the grid (hundreds of
  // sub-steps per day here), so it runs one day; the implicit runs cross the monsoon onset.
  const bool explicit_scheme = variant == Variant::d8_explicit;
  const double dt_day = 0.5, end_day = explicit_scheme ? 1.0 : 16.0;
  while (m.time_day() < end_day - 1e-9) {
    m.step(dt_day);
    o.max_error = std::max(o.max_error, m.max_relative_ledger_error());
  }
  if (explicit_scheme) {
    EXPECT_GT(m.last_substeps(), 1);
  }
  for (int s = 0; s < m.species_count(); ++s) {
    const auto c = lf::exec::to_host(m.concentration_mg_l(s));
    o.concentration.insert(o.concentration.end(), c.begin(), c.end());
    const auto ms = lf::exec::to_host(m.mass_g(s));
    o.mass.insert(o.mass.end(), ms.begin(), ms.end());
  }
  o.ledger = m.ledger();
  return o;
}

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

void expect_thread_count_independent(Variant variant, std::uint64_t seed) {
  const int before = lf::exec::thread_count();
  const bool settable = lf::exec::backend_name() == "thrust-openmp";
  std::vector<Outcome> runs;
  for (int threads : {1, 2, 8}) {
    runs.push_back(run(threads, variant, seed));
    if (settable) {
      EXPECT_EQ(lf::exec::thread_count(), threads);
    }
  }
  lf::exec::set_thread_count(before);
  const Outcome& ref = runs.front();
  EXPECT_LT(ref.max_error, 1e-9);
  ASSERT_EQ(ref.ledger.size(), 3u);
  for (const auto& l : ref.ledger) {
    EXPECT_GT(l.source_kg, 0.0);
    EXPECT_GT(l.stored_kg, 0.0);
  }
  double total_c = 0;
  for (double c : ref.concentration) total_c += c;
  EXPECT_GT(total_c, 0.0);
  static_assert(sizeof(mx::SpeciesLedger) == 6 * sizeof(double), "memcmp needs a padding-free ledger");
  const int threads[] = {1, 2, 8};
  for (std::size_t k = 1; k < runs.size(); ++k) {
    EXPECT_TRUE(same_bytes(ref.concentration, runs[k].concentration)) << threads[k] << " threads: concentration";
    EXPECT_TRUE(same_bytes(ref.mass, runs[k].mass)) << threads[k] << " threads: mass";
    EXPECT_TRUE(same_bytes(ref.ledger, runs[k].ledger)) << threads[k] << " threads: ledger";
  }
}

}  // namespace

TEST(TransportThreadCount, ImplicitWithDispersionOnD8IsBitwiseIdenticalFor1_2_8Threads) {
  for (std::uint64_t seed : {11u, 12u}) expect_thread_count_independent(Variant::d8_implicit_dispersion, seed);
}

TEST(TransportThreadCount, ImplicitOnMfdIsBitwiseIdenticalFor1_2_8Threads) {
  expect_thread_count_independent(Variant::mfd_implicit, 13);
}

TEST(TransportThreadCount, ExplicitOnD8IsBitwiseIdenticalFor1_2_8Threads) {
  expect_thread_count_independent(Variant::d8_explicit, 14);
}
