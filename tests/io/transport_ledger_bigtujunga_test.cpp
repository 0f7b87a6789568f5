// The transport mass ledger on a real DEM: Big Tujunga, SRTM 30 m, UTM 11N (1197 × 643 cells,
// ../shared/data), routed by D8 on the UNconditioned DEM (its natural pits are sinks that
// swallow flow), constant runoff, 40 random point loads with time windows on the three presets,
// two pulses, implicit upwind with dispersion. Ledger relative error < 1e-9 every step (rounding
// only: deterministic sums of ~8e5 terms), and a second run is bitwise identical.
// Lives under tests/io because reading the GeoTIFF needs io (test_model does not link it); it
// calls only host-safe model APIs.
#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "io/raster.hpp"
#include "kernels/exec/memory.hpp"
#include "model/grid.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/routing.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"
#include "shared_data.hpp"

namespace lf = leachflow;
namespace mh = leachflow::model::hydraulics;
namespace mt = leachflow::model::terrain;
namespace mx = leachflow::model::transport;
using lf::exec::index_t;

namespace {

struct Result {
  std::vector<double> mass;
  std::vector<mx::SpeciesLedger> ledger;
  double max_error = 0;
};

Result run(const lf::io::Raster& dem) {
  const lf::model::DeviceGrid grid(dem.grid);
  const auto z = lf::exec::to_device(dem.values);
  const mt::FlowGraph g = mt::route_d8(grid.view(), z.span());
  mh::Runoff r;
  r.constant_mm_yr = 400.0;
  mh::Hydraulics h(g, r);
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<index_t> cells;
  for (std::size_t i = 0; i < dem.grid.valid.size(); ++i)
    if (dem.grid.valid[i]) cells.push_back(static_cast<index_t>(i));
  const auto pick = [&] { return cells[static_cast<std::size_t>(u(rng) * static_cast<double>(cells.size()))]; };
  mx::Sources s;
  for (int k = 0; k < 40; ++k) {
    mx::PointLoad l;
    l.cell = pick();
    l.species = k % 3;
    l.load_kg_day = 100.0 * u(rng);
    l.start_day = 5.0 * u(rng);
    l.end_day = l.start_day + 5.0 * u(rng);
    s.loads.push_back(l);
  }
  for (int k = 0; k < 2; ++k) {
    mx::PulseRelease p;
    p.cell = pick();
    p.species = k;
    p.mass_kg = 1000.0;
    p.time_day = 2.5 + k;
    s.pulses.push_back(p);
  }
  mx::TransportOptions opt;
  opt.dispersion = true;
  opt.dispersivity = 0.5;
  mx::TransportModel m(g, h, {*mx::preset("ammonium"), *mx::preset("sulfate"), *mx::preset("arsenic")}, s, opt);
  Result res;
  for (int step = 0; step < 8; ++step) {
    m.step(1.0);
    res.max_error = std::max(res.max_error, m.max_relative_ledger_error());
  }
  for (int k = 0; k < 3; ++k) {
    const auto mk = lf::exec::to_host(m.mass_g(k));
    res.mass.insert(res.mass.end(), mk.begin(), mk.end());
  }
  res.ledger = m.ledger();
  return res;
}

}  // namespace

TEST(TransportLedgerRealDem, BigTujungaClosesAndIsReproducible) {
  const auto path = lf::test::shared_data("bigtujunga_srtm30m_utm11n.tif");
  LEACHFLOW_REQUIRE_SHARED_DATA(path);
  const lf::io::Raster dem = lf::io::read_raster(path.string());
  const Result a = run(dem);
  EXPECT_LT(a.max_error, 1e-9);
  for (const auto& l : a.ledger) {
    EXPECT_GT(l.source_kg, 0.0);
    EXPECT_GT(l.stored_kg, 0.0);
  }
  const Result b = run(dem);
  ASSERT_EQ(a.mass.size(), b.mass.size());
  bool same = true;
  for (std::size_t i = 0; i < a.mass.size(); ++i)
    same = same && std::bit_cast<std::uint64_t>(a.mass[i]) == std::bit_cast<std::uint64_t>(b.mass[i]);
  EXPECT_TRUE(same);
  for (std::size_t k = 0; k < a.ledger.size(); ++k) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(a.ledger[k].outflow_kg), std::bit_cast<std::uint64_t>(b.ledger[k].outflow_kg));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(a.ledger[k].decayed_kg), std::bit_cast<std::uint64_t>(b.ledger[k].decayed_kg));
  }
  std::printf("Big Tujunga ledger: max relative error %.2e; ammonium in %.1f kg, out %.1f, stored %.1f, decayed %.1f\n",
              a.max_error, a.ledger[0].source_kg, a.ledger[0].outflow_kg, a.ledger[0].stored_kg, a.ledger[0].decayed_kg);
}
