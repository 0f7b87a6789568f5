// DEM conditioning on hand-made grids with expected arrays (fill, flats, breach), checked on
// whichever backend this build uses. Parallel results are also compared with the serial
// references of reference_conditioning.hpp on the same grids.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "model/terrain/condition.hpp"
#include "reference_conditioning.hpp"

namespace lt = leachflow::model::terrain;
namespace rt = leachflow::test::terrain;
using leachflow::exec::index_t;

namespace {

constexpr float N = std::numeric_limits<float>::quiet_NaN();

rt::HostDem dem(index_t rows, index_t cols, std::vector<float> z) {
  rt::HostDem d;
  d.rows = rows;
  d.cols = cols;
  d.valid.resize(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) d.valid[i] = std::isnan(z[i]) ? 0 : 1;
  d.z = std::move(z);
  return d;
}

struct Result {
  std::vector<float> z;
  std::vector<std::int32_t> gradient;
  lt::ConditionStats stats;
};

Result run(const rt::HostDem& h, lt::DepressionMethod m, const lt::ConditionOptions& o = {}) {
  const rt::DeviceDem d(h);
  const lt::Conditioned c = lt::condition(d.view(), d.z.span(), m, o);
  return {leachflow::exec::to_host(c.elevation), leachflow::exec::to_host(c.flat_gradient), c.stats};
}

// Equal as arrays, NaN == NaN.
void expect_same(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "cell " << i;
    } else {
      EXPECT_EQ(got[i], want[i]) << "cell " << i;
    }
  }
}

TEST(ConditionFill, SingleCellPitIsRaisedToItsLowestRim) {
  const rt::HostDem h = dem(5, 5, {5, 5, 5, 5, 5,
                                   5, 6, 6, 6, 5,
                                   5, 6, 1, 6, 5,
                                   5, 6, 6, 6, 5,
                                   5, 5, 5, 5, 5});
  const Result r = run(h, lt::DepressionMethod::fill);
  std::vector<float> want = h.z;
  want[12] = 6;
  expect_same(r.z, want);
  EXPECT_EQ(r.gradient, (std::vector<std::int32_t>{0, 0, 0, 0, 0,
                                                    0, 2, 2, 2, 0,
                                                    0, 2, 4, 2, 0,
                                                    0, 2, 2, 2, 0,
                                                    0, 0, 0, 0, 0}));
  EXPECT_EQ(r.stats.pits, 1);
  EXPECT_EQ(r.stats.depressions, 1);
  EXPECT_EQ(r.stats.cells_raised, 1);
  EXPECT_EQ(r.stats.flats, 1);
  EXPECT_EQ(r.stats.flat_cells, 9);
}

TEST(ConditionFill, NestedDepressionsFillToTheOuterSpillLevel) {
  // Pits 2 and 1 sit inside one depression spilling at 6; pit 3 spills at 5 to the outlet 0.
  const rt::HostDem h = dem(3, 8, {9, 9, 9, 9, 9, 9, 9, 9,
                                   9, 2, 4, 1, 6, 3, 5, 0,
                                   9, 9, 9, 9, 9, 9, 9, 9});
  const Result r = run(h, lt::DepressionMethod::fill);
  expect_same(r.z, {9, 9, 9, 9, 9, 9, 9, 9,
                    9, 6, 6, 6, 6, 5, 5, 0,
                    9, 9, 9, 9, 9, 9, 9, 9});
  // Flat 6: t = 4,3,2,1 from the low edge at column 4; every NO_FLOW cell touches the 9s
  // (a = 1 = H), so the mask is 2t. Flat 5: NO_FLOW cell t = 2, a = 1 = H; low edge 2.
  EXPECT_EQ(r.gradient, (std::vector<std::int32_t>{0, 0, 0, 0, 0, 0, 0, 0,
                                                    0, 8, 6, 4, 2, 4, 2, 0,
                                                    0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(r.stats.pits, 3);
  EXPECT_EQ(r.stats.depressions, 3);
  EXPECT_EQ(r.stats.cells_raised, 4);
  EXPECT_EQ(r.stats.flats, 2);
}

TEST(ConditionFill, DepressionDrainsThroughANoDataHole) {
  // The cell at 3 touches NoData, so it is an outlet: the pit at 2 only fills to the 5 between.
  const rt::HostDem h = dem(3, 6, {9, 9, 9, 9, 9, 9,
                                   9, 2, 5, 3, N, 9,
                                   9, 9, 9, 9, 9, 9});
  const Result r = run(h, lt::DepressionMethod::fill);
  expect_same(r.z, {9, 9, 9, 9, 9, 9,
                    9, 5, 5, 3, N, 9,
                    9, 9, 9, 9, 9, 9});
  EXPECT_EQ(r.stats.cells_raised, 1);
  // Without the hole the whole row fills to the wall.
  rt::HostDem closed = h;
  closed.z[10] = 9;
  closed.valid[10] = 1;
  expect_same(run(closed, lt::DepressionMethod::fill).z, {9, 9, 9, 9, 9, 9,
                                                          9, 9, 9, 9, 9, 9,
                                                          9, 9, 9, 9, 9, 9});
}

TEST(ConditionFlats, PlateauDrainsTowardItsOutletAndAwayFromTheWalls) {
  const rt::HostDem h = dem(5, 5, {9, 9, 9, 9, 9,
                                   9, 5, 5, 5, 9,
                                   9, 5, 5, 5, 1,
                                   9, 5, 5, 5, 9,
                                   9, 9, 9, 9, 9});
  for (const auto m : {lt::DepressionMethod::none, lt::DepressionMethod::fill}) {
    const Result r = run(h, m);
    expect_same(r.z, h.z);
    // t: column 3 = 1, column 2 = 2, column 1 = 3; a = 1 next to the 9s, 2 at the centre; H = 2.
    EXPECT_EQ(r.gradient, (std::vector<std::int32_t>{0, 0, 0, 0, 0,
                                                      0, 7, 5, 2, 0,
                                                      0, 7, 4, 2, 0,
                                                      0, 7, 5, 2, 0,
                                                      0, 0, 0, 0, 0}));
    EXPECT_EQ(r.stats.unresolved_flat_cells, 0);
    EXPECT_EQ(rt::first_undrained(h, r.z, r.gradient), -1);
  }
}

TEST(ConditionFlats, UndrainedFlatGetsNoGradientWithoutConditioning) {
  const rt::HostDem h = dem(4, 4, {9, 9, 9, 9,
                                   9, 3, 3, 9,
                                   9, 3, 3, 9,
                                   9, 9, 9, 9});
  const Result r = run(h, lt::DepressionMethod::none);
  EXPECT_EQ(r.gradient, std::vector<std::int32_t>(16, 0));
  EXPECT_EQ(r.stats.unresolved_flat_cells, 4);
  EXPECT_EQ(r.stats.flats, 0);
}

TEST(ConditionBreach, OneCellDamIsCarvedToThePit) {
  const rt::HostDem h = dem(3, 4, {9, 9, 9, 9,
                                   9, 2, 6, 1,
                                   9, 9, 9, 9});
  const Result b = run(h, lt::DepressionMethod::breach);
  expect_same(b.z, {9, 9, 9, 9,
                    9, 2, 2, 1,
                    9, 9, 9, 9});
  EXPECT_EQ(b.gradient, (std::vector<std::int32_t>{0, 0, 0, 0, 0, 4, 2, 0, 0, 0, 0, 0}));
  EXPECT_EQ(b.stats.cells_carved, 1);
  EXPECT_EQ(b.stats.cells_raised, 0);
  EXPECT_EQ(b.stats.depressions, 1);
  EXPECT_EQ(b.stats.depressions_raised, 0);
  // Hybrid: a cut of 4 m is refused at 3 m; the pit is filled to 3 m, the dam cut to 3 m.
  lt::ConditionOptions o;
  o.max_breach_depth_m = 3.0f;
  const Result f = run(h, lt::DepressionMethod::breach, o);
  expect_same(f.z, {9, 9, 9, 9,
                    9, 3, 3, 1,
                    9, 9, 9, 9});
  EXPECT_EQ(f.stats.cells_raised, 1);
  EXPECT_EQ(f.stats.cells_carved, 1);
  EXPECT_EQ(f.stats.depressions_raised, 1);
  // No cut at all: the fill.
  o.max_breach_depth_m = 0.0f;
  expect_same(run(h, lt::DepressionMethod::breach, o).z, run(h, lt::DepressionMethod::fill).z);
}

TEST(ConditionBreach, LongerCarveGoesDownToThePitLevel) {
  const rt::HostDem h = dem(3, 5, {9, 9, 9, 9, 9,
                                   9, 2, 3, 6, 1,
                                   9, 9, 9, 9, 9});
  expect_same(run(h, lt::DepressionMethod::breach).z, {9, 9, 9, 9, 9,
                                                       9, 2, 2, 2, 1,
                                                       9, 9, 9, 9, 9});
  lt::ConditionOptions o;
  o.max_breach_length_cells = 1;  // two cells to cut at 2 m; at 3 m only the 6
  expect_same(run(h, lt::DepressionMethod::breach, o).z, {9, 9, 9, 9, 9,
                                                          9, 3, 3, 3, 1,
                                                          9, 9, 9, 9, 9});
}

// Pit A (3 m) spills over 5 m into pit B (2 m), which spills over 8 m to the outlet (1 m).
TEST(ConditionBreach, CutsRunThroughTheNextDepression) {
  const rt::HostDem h = dem(3, 6, {9, 9, 9, 9, 9, 9,
                                   9, 3, 5, 2, 8, 1,
                                   9, 9, 9, 9, 9, 9});
  // Complete: A cuts its dam down to 3 m and stops at B's floor; B cuts the 8 m dam to 2 m.
  expect_same(run(h, lt::DepressionMethod::breach).z, {9, 9, 9, 9, 9, 9,
                                                       9, 3, 3, 2, 2, 1,
                                                       9, 9, 9, 9, 9, 9});
  // At most 3 m deep: B's 6 m cut does not fit, so B is filled (to 8 m). A's 2 m cut fitted
  // while B was open, but now runs through B's lake at 8 m, 5 m deep: A is filled in the second
  // round. Each then comes down to the lowest level whose cut fits with the other full: 5 m.
  lt::ConditionOptions o;
  o.max_breach_depth_m = 3.0f;
  const Result r = run(h, lt::DepressionMethod::breach, o);
  expect_same(r.z, {9, 9, 9, 9, 9, 9,
                    9, 5, 5, 5, 5, 1,
                    9, 9, 9, 9, 9, 9});
  EXPECT_EQ(r.stats.depressions_raised, 2);
  EXPECT_EQ(r.stats.cells_carved, 1);
  EXPECT_EQ(r.stats.cells_raised, 2);
}

TEST(Condition, DegenerateGrids) {
  for (const auto m : {lt::DepressionMethod::fill, lt::DepressionMethod::breach, lt::DepressionMethod::none}) {
    EXPECT_TRUE(run(dem(0, 0, {}), m).z.empty());
    expect_same(run(dem(1, 1, {4}), m).z, {4});
    expect_same(run(dem(1, 1, {N}), m).z, {N});
    expect_same(run(dem(1, 3, {5, 1, 5}), m).z, {5, 1, 5});  // every cell is on the edge
    expect_same(run(dem(3, 3, {N, N, N, N, 2, N, N, N, N}), m).z, {N, N, N, N, 2, N, N, N, N});
  }
}

}  // namespace
