// The accumulation primitive: serial oracle (bitwise), topological levels, conservation of
// area, determinism across schedules and runs, multi-column, and analytical surfaces.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/terrain/accumulate_custom.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/condition.hpp"
#include "model/terrain/routing.hpp"
#include "reference_fixtures.hpp"
#include "reference_flow.hpp"

namespace lf = leachflow;
namespace ex = leachflow::exec;
namespace mt = leachflow::model::terrain;
using ex::index_t;
using lf::testing::make_terrain;
using lf::testing::TestTerrain;
using mt::FlowGraph;

namespace {

std::vector<double> host(const ex::device_buffer<double>& d) { return ex::to_host(d); }

lf::reference::HostGraph host_graph(const FlowGraph& g, const TestTerrain& t) {
  return {t.grid.rows, t.grid.cols, t.grid.valid, g.receiver_masks(), g.weights()};
}

enum class Router { d8, dinf, mfd };
FlowGraph route(Router r, const TestTerrain& t) {
  switch (r) {
    case Router::dinf: return mt::route_dinf(t.view(), t.z.span());
    case Router::mfd: return mt::route_mfd(t.view(), t.z.span());
    default: return mt::route_d8(t.view(), t.z.span());
  }
}
const char* name(Router r) { return r == Router::d8 ? "D8" : r == Router::dinf ? "Dinf" : "MFD"; }

// Bitwise equality of two double arrays (EXPECT_EQ on doubles treats -0 == 0; this does not).
bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](double x, double y) {
           return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
         });
}

// A plane falling along the grid's south direction: z = 10 · (rows − 1 − r), 10 m cells.
TestTerrain south_plane(index_t rows, index_t cols) {
  std::vector<float> z(static_cast<std::size_t>(rows * cols));
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) z[static_cast<std::size_t>(r * cols + c)] = static_cast<float>(10 * (rows - 1 - r));
  return make_terrain(rows, cols, z);
}

// z = f(x, y) with x east and y north in metres from the centre of an n × n grid of 10 m cells.
template <class F>
TestTerrain centred_surface(index_t n, F f) {
  std::vector<float> z(static_cast<std::size_t>(n * n));
  const double mid = static_cast<double>(n - 1) / 2.0;
  for (index_t r = 0; r < n; ++r)
    for (index_t c = 0; c < n; ++c)
      z[static_cast<std::size_t>(r * n + c)] =
          static_cast<float>(f(10.0 * (static_cast<double>(c) - mid), 10.0 * (mid - static_cast<double>(r))));
  return make_terrain(n, n, z);
}

}  // namespace

// ---- oracle ---------------------------------------------------------------------------------

// The parallel accumulation against the serial queue-based reference, on 240 random DEMs with
// NoData holes, ties and sinks, for D8, D-infinity and MFD, with random a and b: bitwise equal.
// Levels equal the reference's longest upstream chains; the order is sorted by (level, index).
TEST(Accumulation, OracleBitwiseOnRandomDems) {
  std::mt19937_64 rng(4242);
  std::uniform_int_distribution<int> size(1, 48);
  std::uniform_real_distribution<double> ua(0.0, 100.0), ub(0.0, 1.5);
  for (int trial = 0; trial < 240; ++trial) {
    const Router router = static_cast<Router>(trial % 3);
    const index_t rows = size(rng), cols = size(rng), n = rows * cols;
    const TestTerrain t = lf::testing::random_terrain(rng, rows, cols, 0.12, trial % 5 == 0);
    // Small parallel_level_min so small grids exercise parallel launches and serial walks.
    const FlowGraph routed = route(router, t);
    const FlowGraph g = routed.multi()
                            ? FlowGraph::from_proportions(t.view(), ex::to_device(routed.receiver_masks()),
                                                          ex::to_device(routed.weights()), mt::FlowRouter::custom, 3)
                            : FlowGraph::from_d8(t.view(), ex::to_device(routed.d8_directions()), mt::FlowRouter::d8, 3);
    const auto h = host_graph(g, t);
    std::vector<double> a(static_cast<std::size_t>(n)), b(static_cast<std::size_t>(n));
    for (auto& v : a) v = ua(rng);
    for (auto& v : b) v = ub(rng);
    const auto a_d = ex::to_device(a), b_d = ex::to_device(b);
    ex::device_buffer<double> x(n);
    mt::accumulate(g, a_d.span(), b_d.span(), x.span());
    ASSERT_TRUE(bitwise_equal(host(x), lf::reference::reference_accumulate(h, a, b)))
        << name(router) << " trial " << trial << " (" << rows << "×" << cols << ")";

    // Contributing cells (b = 1) and levels.
    const std::vector<double> ones(static_cast<std::size_t>(n), 1.0);
    ASSERT_TRUE(bitwise_equal(host(mt::contributing_cells(g)), lf::reference::reference_accumulate(h, ones, ones)));
    const auto level = ex::to_host(g.level());
    ASSERT_EQ(level, lf::reference::reference_levels(h)) << name(router) << " trial " << trial;
    const auto order = ex::to_host(g.order());
    ASSERT_EQ(static_cast<index_t>(order.size()), t.grid.valid_cells());
    for (std::size_t k = 1; k < order.size(); ++k) {
      const auto l0 = level[static_cast<std::size_t>(order[k - 1])], l1 = level[static_cast<std::size_t>(order[k])];
      ASSERT_TRUE(l0 < l1 || (l0 == l1 && order[k - 1] < order[k]));
    }
    ASSERT_EQ(g.level_offsets().back(), t.grid.valid_cells());
  }
}

// Multi-receiver cells release several receivers at once; those beyond a walker's stack go to
// the overflow queue and are walked by later launches. With no stack at all (and one cell)
// every extra receiver takes that path (hundreds of overflow launches over these trials): the
// levels still equal the reference's and every valid cell is finished.
TEST(Accumulation, LevelWalkOverflowPathEqualsReference) {
  std::mt19937_64 rng(777);
  std::uniform_int_distribution<int> size(2, 40);
  for (int trial = 0; trial < 60; ++trial) {
    const Router router = trial % 2 == 0 ? Router::mfd : Router::dinf;
    const index_t rows = size(rng), cols = size(rng), n = rows * cols;
    const TestTerrain t = lf::testing::random_terrain(rng, rows, cols, 0.1, trial % 4 == 0);
    const FlowGraph g = route(router, t);
    const auto expected = lf::reference::reference_levels(host_graph(g, t));
    for (int capacity : {0, 1}) {
      ex::device_buffer<std::int32_t> level(n);
      ex::device_buffer<index_t> scratch(n);
      const std::int64_t finished = mt::topological_levels(g.view(), t.view(), level.span(), scratch.span(), capacity);
      ASSERT_EQ(finished, t.grid.valid_cells()) << name(router) << " trial " << trial;
      ASSERT_EQ(ex::to_host(level), expected) << name(router) << " trial " << trial << " stack " << capacity;
    }
  }
}

// ---- conservation ---------------------------------------------------------------------------

// Σ cell areas of valid cells = outflow (grid edge and NoData) + what sits in sinks, to 1e-9
// relative (actual error is rounding, ~1e-15), for every router, projected and geographic.
TEST(Accumulation, AreaIsConserved) {
  std::mt19937_64 rng(99);
  for (int trial = 0; trial < 60; ++trial) {
    const Router router = static_cast<Router>(trial % 3);
    const TestTerrain t = lf::testing::random_terrain(rng, 5 + trial, 60 - trial / 2, 0.1, trial % 2 == 1);
    const FlowGraph g = route(router, t);
    const auto area = mt::contributing_area_m2(g);
    const mt::FlowBudget b = mt::area_budget(g, area.span());
    double expected = 0.0;
    for (index_t i = 0; i < t.grid.cells(); ++i)
      if (t.grid.valid[static_cast<std::size_t>(i)]) expected += t.grid.cell_area_m2[static_cast<std::size_t>(i / t.grid.cols)];
    EXPECT_NEAR(b.source_total, expected, 1e-12 * expected);
    EXPECT_NEAR(b.outflow_total + b.sink_total, b.source_total, 1e-9 * b.source_total) << name(router) << " " << trial;
    EXPECT_GT(b.outlet_cells, 0);
    // The per-cell outflow sums to the budget's total.
    const auto out = host(mt::outflow_per_cell(g, area.span()));
    double s = 0.0;
    for (double v : out) s += v;
    EXPECT_NEAR(s, b.outflow_total, 1e-12 * b.source_total);
  }
}

// ---- determinism ----------------------------------------------------------------------------

// Same graph, three schedules (every level parallel, every level serial, default) and two runs:
// bitwise identical, for D8 and MFD on a 300 × 300 DEM. (The suite also reruns at 8 threads.)
TEST(Accumulation, DeterministicAcrossSchedulesAndRuns) {
  std::mt19937_64 rng(7);
  const TestTerrain t = lf::testing::random_terrain(rng, 300, 300, 0.02);
  for (Router r : {Router::d8, Router::mfd}) {
    const FlowGraph routed = route(r, t);
    std::vector<std::vector<double>> results;
    for (index_t min_level : {index_t{1}, index_t{1} << 40, mt::default_parallel_level_min}) {
      const FlowGraph g = routed.multi()
                              ? FlowGraph::from_proportions(t.view(), ex::to_device(routed.receiver_masks()),
                                                            ex::to_device(routed.weights()), mt::FlowRouter::mfd, min_level)
                              : FlowGraph::from_d8(t.view(), ex::to_device(routed.d8_directions()), mt::FlowRouter::d8, min_level);
      EXPECT_EQ(ex::to_host(g.order()), ex::to_host(routed.order()));
      results.push_back(host(mt::contributing_area_m2(g)));
      results.push_back(host(mt::contributing_area_m2(g)));
    }
    for (const auto& x : results) EXPECT_TRUE(bitwise_equal(x, results.front())) << name(r);
  }
}

// ---- multi-column ---------------------------------------------------------------------------

namespace {
struct column_a {
  ex::device_span<const double> a;  // [field][cell]
  index_t cells;
  LF_HD double operator()(index_t f, index_t i) const { return a[f * cells + i]; }
};
struct column_b {
  ex::device_span<const double> b;  // per cell, scaled per field
  LF_HD double operator()(index_t f, index_t i) const { return b[i] * (1.0 - 0.25 * static_cast<double>(f)); }
};
struct scaled_b {
  ex::device_span<const double> b;
  double scale;
  LF_HD double operator()(index_t i) const { return b[i] * scale; }
};
}  // namespace

// k fields advanced in one sweep equal k single sweeps, bitwise.
TEST(Accumulation, ColumnsEqualSingleFields) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (Router r : {Router::d8, Router::mfd}) {
    const TestTerrain t = lf::testing::random_terrain(rng, 40, 57, 0.1);
    const FlowGraph g = route(r, t);
    const index_t n = g.cells(), k = 3;
    std::vector<double> a(static_cast<std::size_t>(n * k)), b(static_cast<std::size_t>(n));
    for (auto& v : a) v = u(rng);
    for (auto& v : b) v = u(rng);
    const auto a_d = ex::to_device(a), b_d = ex::to_device(b);
    ex::device_buffer<double> x(n * k);
    mt::accumulate_columns_with(g, k, column_a{a_d.span(), n}, column_b{b_d.span()}, x.span());
    const auto all = host(x);
    for (index_t f = 0; f < k; ++f) {
      ex::device_buffer<double> single(n);
      mt::accumulate_with(g, lf::kernels::terrain::coeff_per_cell{a_d.span().subspan(f * n, n)},
                          scaled_b{b_d.span(), 1.0 - 0.25 * static_cast<double>(f)}, single.span());
      const std::vector<double> part(all.begin() + f * n, all.begin() + (f + 1) * n);
      EXPECT_TRUE(bitwise_equal(part, host(single))) << name(r) << " field " << f;
    }
  }
}

// ---- instances by hand ----------------------------------------------------------------------

// A 1 × 4 strip falling east: loads 1, 2, 3, 4 and transmission 0.5 per cell:
// x0 = 1, x1 = 2 + 0.5, x2 = 3 + 0.5 · 2.5, x3 = 4 + 0.5 · 4.25; weighted accumulation with b = 1.
TEST(Accumulation, DecayAndWeightedByHand) {
  const TestTerrain t = make_terrain(1, 4, {4, 3, 2, 1});
  const FlowGraph g = mt::route_d8(t.view(), t.z.span());
  EXPECT_EQ(g.esri_codes(), (std::vector<std::uint8_t>{1, 1, 1, 1}));
  const auto load = ex::to_device(std::vector<double>{1, 2, 3, 4});
  const auto tr = ex::to_device(std::vector<double>{0.5, 0.5, 0.5, 0.5});
  EXPECT_EQ(host(mt::decay_accumulation(g, load.span(), tr.span())), (std::vector<double>{1, 2.5, 4.25, 6.125}));
  EXPECT_EQ(host(mt::weighted_accumulation(g, load.span())), (std::vector<double>{1, 3, 6, 10}));
  const auto budget = mt::flow_budget(g, load.span(), mt::weighted_accumulation(g, load.span()).span());
  EXPECT_EQ(budget.outflow_total, 10.0);
  EXPECT_EQ(budget.sink_total, 0.0);
  EXPECT_EQ(budget.outlet_cells, 1);
}

TEST(FlowGraph, RejectsCyclesAndBadCodes) {
  const TestTerrain t = make_terrain(1, 3, {0, 0, 0});
  // 0 → E, 1 → W: a two-cell cycle.
  EXPECT_THROW(FlowGraph::from_d8(t.view(), ex::to_device(std::vector<std::uint8_t>{0, 4, 0xFF})), std::invalid_argument);
  EXPECT_THROW(FlowGraph::from_d8(t.view(), ex::to_device(std::vector<std::uint8_t>{9, 0xFF, 0xFF})), std::invalid_argument);
  EXPECT_THROW(FlowGraph::from_d8(t.view(), ex::to_device(std::vector<std::uint8_t>{0, 0})), std::invalid_argument);
  std::vector<float> w(24, 0.0f);
  w[0] = 0.5f;  // sums to 0.5
  EXPECT_THROW(FlowGraph::from_proportions(t.view(), ex::to_device(std::vector<std::uint8_t>{1, 0, 0}), ex::to_device(w)),
               std::invalid_argument);
  EXPECT_NO_THROW(FlowGraph::from_d8(t.view(), ex::to_device(std::vector<std::uint8_t>{0, 0, 0})));
}

// ---- analytical surfaces --------------------------------------------------------------------

// Plane falling south, aligned with the grid: D8 and D-infinity send everything S, so the area at
// (r, c) is exactly (r + 1) cells. MFD also sends shares SE and SW; where a cell's whole domain of
// dependence is inside the grid (r + 1 <= c <= cols − 2 − r) the lateral exchanges cancel and the
// area is (r + 1) cells to rounding (1e-12). Everything leaves through the south edge.
TEST(AccumulationAnalytical, InclinedPlaneAlignedWithGrid) {
  const index_t rows = 12, cols = 40;
  const TestTerrain t = south_plane(rows, cols);
  for (Router r : {Router::d8, Router::dinf, Router::mfd}) {
    const FlowGraph g = route(r, t);
    const auto area = host(mt::contributing_area_m2(g));
    for (index_t row = 0; row < rows; ++row)
      for (index_t c = 0; c < cols; ++c) {
        const double expected = 100.0 * static_cast<double>(row + 1);
        const double got = area[static_cast<std::size_t>(row * cols + c)];
        if (r != Router::mfd) {
          ASSERT_EQ(got, expected) << name(r) << " " << row << "," << c;
        } else if (c >= row + 1 && c <= cols - 2 - row) {
          ASSERT_NEAR(got, expected, 1e-12 * expected) << row << "," << c;
        }
      }
    const auto b = mt::area_budget(g, ex::to_device(area).span());
    EXPECT_NEAR(b.outflow_total, 100.0 * rows * cols, 1e-9 * 100.0 * rows * cols) << name(r);
    EXPECT_EQ(b.sink_cells, 0);
  }
}

// D-infinity on a plane whose fall line is atan(1/4) below east (z falls 1 m per column and
// 0.25 m per row: exact in float, so every interior cell has the same split p). The upslope
// region of the cell in column c is a parallelogram c + 1 cells long, so the exact contributing
// area is (c + 1) cells wherever that parallelogram does not reach the north edge; for
// Tarboton's split A(r,c) = 1 + (1 − p) A(r, c−1) + p A(r−1, c−1) this holds exactly for r > c
// (the north edge influences only r <= c). Equivalently the specific catchment area
// A / (10 m · cos α) equals the upslope fall-line length (c + 1) · 10 m / cos α.
// Tolerance: rounding only (1e-12).
TEST(AccumulationAnalytical, DinfObliquePlaneSpecificCatchmentArea) {
  const index_t n = 40;
  std::vector<float> z(static_cast<std::size_t>(n * n));
  for (index_t r = 0; r < n; ++r)
    for (index_t c = 0; c < n; ++c)
      z[static_cast<std::size_t>(r * n + c)] = static_cast<float>(500.0 - 1.0 * c - 0.25 * r);
  const TestTerrain t = make_terrain(n, n, z);
  const FlowGraph g = mt::route_dinf(t.view(), t.z.span());
  const auto w = g.weights();
  // p = angle / (π/4) with angle = atan(0.25), to the 2^-24 weight quantum.
  EXPECT_NEAR(w[static_cast<std::size_t>((5 * n + 5) * 8 + 1)], std::atan(0.25) / (std::numbers::pi / 4), 1e-7);
  const auto area = host(mt::contributing_area_m2(g));
  int checked = 0;
  for (index_t r = 0; r + 1 < n; ++r)
    for (index_t c = 0; c + 1 < n; ++c) {
      if (r <= c) continue;
      const double expected = 100.0 * static_cast<double>(c + 1);
      ASSERT_NEAR(area[static_cast<std::size_t>(r * n + c)], expected, 1e-12 * expected) << r << "," << c;
      ++checked;
    }
  EXPECT_GT(checked, 600);
}

// A cone (peak at the centre, slope 0.5): the specific catchment area at radius ρ is ρ/2.
// Estimate SCA = A / Δx (Tarboton 1997's convention: contour width = cell size) over
// 15 <= ρ/Δx <= 45. D-infinity's grid error on divergent terrain is direction dependent (on this
// cone about +30 % on the cardinal axes and −20 % on the diagonals at ρ = 20Δx; mean |error|
// 10.7 %, max 31.5 %, matched by an independent Python re-implementation of the facet rules).
// We hold it to those figures with a small margin (mean 12 %, max 35 %) and require D8, which
// concentrates flow on 8 lines, to be at least twice as wrong on average.
TEST(AccumulationAnalytical, DinfConeSpecificCatchmentArea) {
  const index_t n = 101;
  const TestTerrain t = centred_surface(n, [](double x, double y) { return 1000.0 - 0.5 * std::hypot(x, y); });
  double mean_err[2] = {0, 0}, max_err[2] = {0, 0};
  for (int k = 0; k < 2; ++k) {
    const FlowGraph g = k == 0 ? mt::route_dinf(t.view(), t.z.span()) : mt::route_d8(t.view(), t.z.span());
    const auto area = host(mt::contributing_area_m2(g));
    int count = 0;
    const double mid = 50.0;
    for (index_t r = 0; r < n; ++r)
      for (index_t c = 0; c < n; ++c) {
        const double rho = std::hypot(10.0 * (c - mid), 10.0 * (mid - r));
        if (rho < 150.0 || rho > 450.0) continue;
        const double err = std::abs(area[static_cast<std::size_t>(r * n + c)] / 10.0 - rho / 2.0) / (rho / 2.0);
        mean_err[k] += err;
        max_err[k] = std::max(max_err[k], err);
        ++count;
      }
    mean_err[k] /= count;
  }
  std::printf("cone SCA relative error: Dinf mean %.4f max %.4f; D8 mean %.4f max %.4f\n", mean_err[0], max_err[0],
              mean_err[1], max_err[1]);
  EXPECT_LT(mean_err[0], 0.12);
  EXPECT_LT(max_err[0], 0.35);
  EXPECT_GT(mean_err[1], 2.0 * mean_err[0]);
}

// An inverted cone (bowl): everything drains to the centre, which is a sink holding the whole
// area; nothing leaves. Exact for D8 (integer sums of 100 m²); 1e-9 for the weighted routers.
TEST(AccumulationAnalytical, BowlDrainsToCentre) {
  const index_t n = 41;
  const TestTerrain t = centred_surface(n, [](double x, double y) { return std::hypot(x, y); });
  const double total = 100.0 * n * n;
  for (Router r : {Router::d8, Router::dinf, Router::mfd}) {
    const FlowGraph g = route(r, t);
    const auto area = host(mt::contributing_area_m2(g));
    const std::size_t centre = static_cast<std::size_t>((n / 2) * n + n / 2);
    EXPECT_NEAR(area[centre], total, 1e-9 * total) << name(r);
    const auto b = mt::area_budget(g, ex::to_device(area).span());
    EXPECT_EQ(b.sink_cells, 1) << name(r);
    EXPECT_EQ(b.outflow_total, 0.0) << name(r);
    EXPECT_NEAR(b.sink_total, total, 1e-9 * total) << name(r);
  }
}

// Saddle z = x² − y² (centre at the saddle point): water runs out through the north and south
// edges only. D8: cells north of the centre row never step south (for y >= 1 the W/E step toward
// x = 0 always beats the diagonal one), so the north edge gets exactly the 25 northern rows; the
// centre row ties N/S toward S. MFD is mirror-symmetric: north = south up to the 2^-24 weight
// quantum (tolerance 1e-6 relative).
TEST(AccumulationAnalytical, SaddleSplitsNorthSouth) {
  const index_t n = 51;
  const TestTerrain t = centred_surface(n, [](double x, double y) { return (x * x - y * y) / 100.0; });
  for (Router r : {Router::d8, Router::mfd}) {
    const FlowGraph g = route(r, t);
    const auto area = mt::contributing_area_m2(g);
    const auto out = host(mt::outflow_per_cell(g, area.span()));
    double north = 0.0, south = 0.0, other = 0.0;
    for (index_t row = 0; row < n; ++row)
      for (index_t c = 0; c < n; ++c) {
        const double v = out[static_cast<std::size_t>(row * n + c)];
        (row == 0 ? north : row == n - 1 ? south : other) += v;
      }
    const double total = 100.0 * n * n;
    EXPECT_EQ(other, 0.0) << name(r);
    EXPECT_NEAR(north + south, total, 1e-9 * total) << name(r);
    if (r == Router::d8) {
      EXPECT_EQ(north, 100.0 * 25 * n);
      EXPECT_EQ(south, 100.0 * 26 * n);
    } else {
      EXPECT_NEAR(north, south, 1e-6 * total);
    }
  }
}

// Throughput on a 4096² DEM (run by hand: --gtest_also_run_disabled_tests). Prints Mcells/s.
TEST(AccumulationSpeed, DISABLED_D8Throughput4096) {
  const index_t n = 4096;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<float> z(static_cast<std::size_t>(n * n));
  // Random-ish: a tilted surface with several octaves of smooth bumps and noise.
  for (index_t r = 0; r < n; ++r)
    for (index_t c = 0; c < n; ++c) {
      const double x = static_cast<double>(c) / n, y = static_cast<double>(r) / n;
      double v = 200.0 * (1.0 - y) + 100.0 * x;
      for (int o = 1; o <= 6; ++o)
        v += 60.0 / o * std::sin(7.3 * o * x + 1.7 * o) * std::cos(5.1 * o * y + 0.3 * o * o);
      z[static_cast<std::size_t>(r * n + c)] = static_cast<float>(v + 2.0 * u(rng));
    }
  const TestTerrain t = make_terrain(n, n, z);
  // Conditioned (Priority-Flood fill + Barnes flats), so the graph has realistic depth.
  auto t0 = std::chrono::steady_clock::now();
  const mt::Conditioned cond = mt::condition(t.view(), t.z.span(), mt::DepressionMethod::fill);
  const double cond_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  const FlowGraph g = mt::route_d8(t.view(), cond.elevation.span(), cond.flat_gradient.span());
  const double route_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto dirs = ex::to_device(g.d8_directions());
  t0 = std::chrono::steady_clock::now();
  const FlowGraph again = FlowGraph::from_d8(t.view(), std::move(dirs));
  const double order_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(again.levels(), g.levels());
  ex::device_buffer<double> x(n * n);
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    t0 = std::chrono::steady_clock::now();
    mt::accumulate_with(g, lf::kernels::terrain::coeff_per_row{t.view().area_m2, lf::kernels::terrain::row_of(n)},
                        lf::kernels::terrain::coeff_one{}, x.span());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const auto b = mt::area_budget(g, x.span());
  EXPECT_EQ(b.sink_cells, 0);
  std::printf("D8 4096²: condition %.3f s, route+order %.3f s (order alone %.3f s), %lld levels, %zu segments; accumulate best of 5 %.4f s = %.1f Mcells/s\n",
              cond_s, route_s, order_s, static_cast<long long>(g.levels()), g.schedule().size(), best, n * n / best / 1e6);
  EXPECT_NEAR(b.outflow_total + b.sink_total, b.source_total, 1e-9 * b.source_total);
}
