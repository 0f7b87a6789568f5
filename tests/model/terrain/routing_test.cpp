// Flow routers: hand-checked grids (ESRI codes), the D8 oracle, the flow-graph invariants
// (weights sum to exactly 1, acyclic, NoData has no receivers), and analytical surfaces.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/routing.hpp"
#include "reference_fixtures.hpp"
#include "reference_flow.hpp"

namespace lf = leachflow;
namespace ex = leachflow::exec;
using lf::model::terrain::FlowGraph;
using lf::testing::make_terrain;
using lf::testing::TestTerrain;
using ex::index_t;

namespace {

std::vector<double> host(const ex::device_buffer<double>& d) { return ex::to_host(d); }

// Every cell's receivers: NoData has none; weights positive exactly on the mask and summing to
// exactly 1 in double; every receiver in the domain is strictly lower, or equal and lower in
// flat gradient (so the graph is acyclic).
void expect_graph_invariants(const FlowGraph& g, const TestTerrain& t, const std::vector<std::int32_t>& flat = {}) {
  const auto mask = g.receiver_masks();
  const auto w = g.weights();
  const lf::reference::HostGraph h{t.grid.rows, t.grid.cols, t.grid.valid, mask, w};
  for (index_t i = 0; i < g.cells(); ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (!t.grid.valid[u]) {
      ASSERT_EQ(mask[u], 0) << "NoData cell " << i << " has receivers";
      continue;
    }
    double sum = 0.0;
    for (int d = 0; d < 8; ++d) {
      const float wd = w[u * 8 + static_cast<std::size_t>(d)];
      if (mask[u] >> d & 1u) {
        ASSERT_GT(wd, 0.0f);
        const index_t j = h.neighbour(i, d);
        if (h.in_domain(j)) {
          const auto v = static_cast<std::size_t>(j);
          const bool lower = t.z_host[v] < t.z_host[u];
          const bool flat_step = t.z_host[v] == t.z_host[u] && !flat.empty() && flat[v] > 0 && flat[v] < flat[u];
          ASSERT_TRUE(lower || flat_step) << "cell " << i << " sends to " << j << " which is not lower";
        }
      } else {
        ASSERT_EQ(wd, 0.0f);
      }
      sum += static_cast<double>(wd);
    }
    if (mask[u] != 0) {
      ASSERT_EQ(sum, 1.0) << "weights of cell " << i << " do not sum to 1";
    }
  }
}

std::vector<std::uint8_t> all_valid(index_t n) { return std::vector<std::uint8_t>(static_cast<std::size_t>(n), 1); }

}  // namespace

// 3×3 by hand (10 m cells). Drops/distance: the centre (5) ties E (4) and S (4) at 0.1 → E;
// (2,2) ties W and N at 0.5 → W; (1,2) and (2,1) have no lower neighbour and touch the edge →
// outlets pointing out E and S; others: steepest, e.g. (0,1): S 0.4 beats SE 0.354.
TEST(RoutingD8, HandChecked3x3WithTiesAndOutlets) {
  const TestTerrain t = make_terrain(3, 3, {9, 9, 9, 9, 5, 4, 9, 4, 9});
  const FlowGraph g = lf::model::terrain::route_d8(t.view(), t.z.span());
  EXPECT_EQ(g.esri_codes(), (std::vector<std::uint8_t>{2, 4, 4, 1, 1, 1, 1, 4, 16}));
  // (1,1) gets (0,0), (0,1), (1,0); (1,2) gets (0,2) and (1,1); (2,1) gets (2,0) and (2,2).
  EXPECT_EQ(host(lf::model::terrain::contributing_cells(g)), (std::vector<double>{1, 1, 1, 1, 4, 6, 1, 3, 1}));
  EXPECT_EQ(host(lf::model::terrain::contributing_area_m2(g)),
            (std::vector<double>{100, 100, 100, 100, 400, 600, 100, 300, 100}));
  EXPECT_EQ(g.levels(), 3);  // (0,0) → (1,1) → (1,2)
}

// 4 rows × 5 columns, plane dipping south (10 m per row), NoData at (1,1)–(1,3). Off-domain
// neighbours are never candidates, so (0,1) and (0,3) go round the hole (SW, SE); (0,2) has no
// lower valid neighbour and is an outlet into the hole (S, outflow). The bottom row are outlets
// out of the south edge, except the corner (3,4), whose first outward direction is E.
TEST(RoutingD8, HandChecked4x5PlaneWithNoDataHole) {
  std::vector<float> z(20);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 5; ++c) z[static_cast<std::size_t>(r * 5 + c)] = static_cast<float>(10 * (3 - r));
  auto valid = all_valid(20);
  for (int i : {6, 7, 8}) {
    valid[static_cast<std::size_t>(i)] = 0;
    z[static_cast<std::size_t>(i)] = -9999.0f;
  }
  const TestTerrain t = make_terrain(4, 5, z, valid);
  const FlowGraph g = lf::model::terrain::route_d8(t.view(), t.z.span());
  const std::vector<std::uint8_t> esri{4, 8, 4, 2, 4,  //
                                       4, 0, 0, 0, 4,  //
                                       4, 4, 4, 4, 4,  //
                                       4, 4, 4, 4, 1};
  EXPECT_EQ(g.esri_codes(), esri);
  const std::vector<double> cells = host(lf::model::terrain::contributing_cells(g));
  const std::vector<double> expected{1, 1, 1, 1, 1,  //
                                     3, 0, 0, 0, 3,  //
                                     4, 1, 1, 1, 4,  //
                                     5, 2, 2, 2, 5};
  EXPECT_EQ(cells, expected);
  const auto out = host(lf::model::terrain::outflow_per_cell(g, ex::to_device(cells).span()));
  const std::vector<double> expected_out{0, 0, 1, 0, 0,  //
                                         0, 0, 0, 0, 0,  //
                                         0, 0, 0, 0, 0,  //
                                         5, 2, 2, 2, 5};
  EXPECT_EQ(out, expected_out);
}

// 5×5: a ring at 9, an interior 3×3 flat at 5 and an exit (2,4) at 1. With a Barnes-style flat
// gradient (2 at the low edge (2,3), growing away from it) the flat drains cell by cell to the
// smallest positive gradient below its own; without it, the flat cells that see no lower cell are sinks.
TEST(RoutingD8, FlatGradientAndRing) {
  std::vector<float> z(25, 9.0f);
  for (int r = 1; r <= 3; ++r)
    for (int c = 1; c <= 3; ++c) z[static_cast<std::size_t>(r * 5 + c)] = 5.0f;
  z[14] = 1.0f;
  std::vector<std::int32_t> flat(25, 0);
  const int grad[3][3] = {{5, 4, 3}, {4, 3, 2}, {5, 4, 3}};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) flat[static_cast<std::size_t>((r + 1) * 5 + c + 1)] = grad[r][c];
  const TestTerrain t = make_terrain(5, 5, z);
  const auto flat_d = ex::to_device(flat);
  const FlowGraph g = lf::model::terrain::route_d8(t.view(), t.z.span(), flat_d.span());
  // (1,3) and (3,3) see the exit (2,4) diagonally: rule 1 (lower neighbour) before the flat.
  const std::vector<std::uint8_t> expected{2,   4,   4,   4,   8,   //
                                           1,   2,   2,   2,   4,   //
                                           1,   1,   1,   1,   1,   //
                                           1,   128, 128, 128, 64,  //
                                           128, 64,  64,  64,  32};
  EXPECT_EQ(g.esri_codes(), expected);
  expect_graph_invariants(g, t, flat);
  const auto cells = host(lf::model::terrain::contributing_cells(g));
  EXPECT_EQ(cells[14], 25.0);  // everything leaves through (2,4)
  // (2,3) = itself + (2,2) [11: (1,1) 4, (2,1) 2, (3,1) 4] + (1,2) [2] + (3,2) [2].
  EXPECT_EQ(cells[13], 16.0);
  EXPECT_EQ(cells[12], 11.0);
  const FlowGraph no_flat = lf::model::terrain::route_d8(t.view(), t.z.span());
  const auto codes = no_flat.esri_codes();
  for (int i : {6, 7, 11, 12, 16, 17}) EXPECT_EQ(codes[static_cast<std::size_t>(i)], 0) << i;
  EXPECT_EQ(codes[13], 1);
  EXPECT_EQ(codes[8], 2);
}

// Geographic cells at 60° N are about half as wide as they are tall: a drop of 1 m to the east
// is steeper than 1.5 m to the south. Treating degrees as metres would pick south.
TEST(RoutingD8, GeographicDistancesPerRow) {
  // 3×3 at 0.01°, top edge 60.015° N; centre (1,1) = 10, E = 9, S = 8.5, others 20.
  std::vector<float> z(9, 20.0f);
  z[4] = 10.0f;
  z[5] = 9.0f;
  z[7] = 8.5f;
  const TestTerrain t = make_terrain(3, 3, z, {}, 0.01, true, 60.015);
  ASSERT_LT(t.grid.cell_width_m[1], 0.6 * t.grid.dy_m[1]);
  const FlowGraph g = lf::model::terrain::route_d8(t.view(), t.z.span());
  EXPECT_EQ(g.esri_codes()[4], 1);
  // Contributing area uses each row's own cell area.
  const auto area = host(lf::model::terrain::contributing_area_m2(g));
  double total = 0.0;
  for (std::size_t i = 0; i < 9; ++i) total += t.grid.cell_area_m2[i / 3];
  const auto budget = lf::model::terrain::area_budget(g, ex::to_device(area).span());
  EXPECT_NEAR(budget.outflow_total + budget.sink_total, total, 1e-9 * total);
  EXPECT_EQ(budget.source_total, total);
}

namespace {

// Routes t by D8, with random flat gradients in [0, max_gradient] (none when max_gradient < 0),
// and compares every direction with the serial reference.
::testing::AssertionResult d8_matches_reference(std::mt19937_64& rng, const TestTerrain& t, std::int32_t max_gradient) {
  const index_t rows = t.grid.rows, cols = t.grid.cols;
  std::vector<std::int32_t> flat;
  if (max_gradient >= 0) {
    std::uniform_int_distribution<std::int32_t> fg(0, max_gradient);
    flat.resize(static_cast<std::size_t>(rows * cols));
    for (auto& f : flat) f = fg(rng);
  }
  const auto flat_d = ex::to_device(flat);
  const FlowGraph g = lf::model::terrain::route_d8(t.view(), t.z.span(), flat_d.span());
  const auto expected = lf::reference::reference_d8(rows, cols, t.grid.valid, t.z_host, flat, t.metrics());
  const auto got = g.d8_directions();
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i] != expected[i])
      return ::testing::AssertionFailure() << rows << "×" << cols << ": cell " << i << " has direction " << int{got[i]}
                                           << ", the reference " << int{expected[i]};
  return ::testing::AssertionSuccess();
}

}  // namespace

// D8 router against the serial reference on random DEMs with NoData, ties, flats with random
// gradients, projected and geographic.
TEST(RoutingD8, OracleOnRandomDems) {
  std::mt19937_64 rng(20260415);
  std::uniform_int_distribution<int> size(1, 33);
  for (int trial = 0; trial < 200; ++trial) {
    const index_t rows = size(rng), cols = size(rng);
    const TestTerrain t = lf::testing::random_terrain(rng, rows, cols, 0.1, trial % 3 == 0);
    ASSERT_TRUE(d8_matches_reference(rng, t, trial % 2 == 0 ? 6 : -1)) << "trial " << trial;
  }
}

// The same oracle where whole rows are valid, so that most cells take the router's fast path for
// open neighbourhoods (no NoData in the 3 × 3): exact ties of the 0.5 m quantised drops, the tie
// rule toward a flat's outlet, and flat gradients with equal steps. Some trials punch a few
// holes, so open and general rows alternate in one grid.
TEST(RoutingD8, OracleOnOpenRandomDems) {
  std::mt19937_64 rng(20261204);
  std::uniform_int_distribution<int> size(3, 48);
  for (int trial = 0; trial < 200; ++trial) {
    const index_t rows = size(rng), cols = size(rng);
    const TestTerrain t = lf::testing::random_terrain(rng, rows, cols, trial % 3 == 0 ? 0.01 : 0.0, trial % 5 == 4);
    ASSERT_TRUE(d8_matches_reference(rng, t, trial % 4 != 3 ? 4 : -1)) << "trial " << trial;
  }
}

// Near ties in float: the router screens slopes in float lanes (route_d8_rows.hpp) and must hand
// every slope within a relative 2^-18 of the best to the exact path. Unquantised planes at
// 1000 m (a float ulp there is 6e-5 m) where east, south and the diagonals descend almost
// equally, perturbed by 0 to 1e-3 of a drop (down to below float precision), on square,
// rectangular and geographic cells, with and without flat gradients.
TEST(RoutingD8, OracleOnNearTiesInFloat) {
  std::mt19937_64 rng(20261205);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::uniform_int_distribution<int> size(3, 80);
  const double scales[] = {0.0, 1e-8, 1e-7, 1e-6, 4e-6, 1e-5, 1e-4, 1e-3};
  for (int trial = 0; trial < 160; ++trial) {
    const index_t rows = size(rng), cols = size(rng);
    // Slopes along x and y (per cell) equal, or in the ratio of a diagonal to a side.
    const double sx = 0.5 + u(rng), sy = trial % 3 == 0 ? sx : trial % 3 == 1 ? sx * std::sqrt(2.0) : sx * (1 + 1e-6);
    const double noise = scales[trial % 8] * sx;
    std::vector<float> z(static_cast<std::size_t>(rows * cols));
    for (index_t r = 0; r < rows; ++r)
      for (index_t c = 0; c < cols; ++c)
        z[static_cast<std::size_t>(r * cols + c)] =
            static_cast<float>(1000.0 - sx * static_cast<double>(c) - sy * static_cast<double>(r) + noise * u(rng));
    const TestTerrain t = trial % 4 == 3 ? make_terrain(rows, cols, z, {}, 0.01, true, 26.0)
                                         : make_terrain(rows, cols, z, {}, trial % 4 == 2 ? 7.0 : 30.0);
    ASSERT_TRUE(d8_matches_reference(rng, t, trial % 2 == 0 ? 5 : -1)) << "trial " << trial;
  }
}

// Adversarial near ties: a cell whose only lower neighbours are S and SE, with the SE drop set to
// √2 (the ratio of the distances) times the S drop times 1 + δ, |δ| from 2^-19 down to 0, at
// elevations near 1 m where a float carries the drop to 2^-24. Float slopes cannot order these;
// the exact path must, so narrowing the screening's margin fails here.
TEST(RoutingD8, OracleOnSlopesTiedBelowFloatPrecision) {
  std::mt19937_64 rng(20261206);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const index_t cols = 3 * 100;
  for (int trial = 0; trial < 40; ++trial) {
    const bool geographic = trial % 2 == 1;
    std::vector<float> z(static_cast<std::size_t>(3 * cols), 3.0f);  // walls everywhere else
    TestTerrain t = geographic ? make_terrain(3, cols, z, {}, 0.01, true, 26.0) : make_terrain(3, cols, z, {}, 30.0);
    const double ratio = t.grid.diagonal_m[1] / t.grid.dy_m[1];  // SE over S distance
    for (index_t m = 0; m < cols / 3; ++m) {
      const index_t c = 3 * m + 1;
      const double drop = 0.1 + 0.4 * u(rng);
      const double delta = (u(rng) < 0.5 ? -1 : 1) * std::ldexp(u(rng), -19 - static_cast<int>(m % 8));
      t.z_host[static_cast<std::size_t>(cols + c)] = 1.0f;
      t.z_host[static_cast<std::size_t>(2 * cols + c)] = static_cast<float>(1.0 - drop);
      t.z_host[static_cast<std::size_t>(2 * cols + c + 1)] = static_cast<float>(1.0 - drop * ratio * (1 + delta));
    }
    t.z = ex::to_device(t.z_host);
    ASSERT_TRUE(d8_matches_reference(rng, t, trial % 4 < 2 ? 3 : -1)) << "trial " << trial;
  }
}

// Equal slopes from different distances: cells 20 m wide and 10 m tall, a drop of 2 m east and
// 1 m south are both 0.1. The division-free screening cannot tell such a tie from a near tie and
// must leave it to the divisions: east, the lower direction index, as the rules say.
TEST(RoutingD8, EqualSlopesOverDifferentDistancesTieTowardTheLowerIndex) {
  TestTerrain t;
  t.grid = lf::model::make_grid(3, 3, {0.0, 20.0, 0.0, 0.0, 0.0, -10.0}, "", false);
  t.device = std::make_unique<lf::model::DeviceGrid>(t.grid);
  t.z_host = {20, 20, 20, 20, 10, 8, 20, 9, 20};
  t.z = ex::to_device(t.z_host);
  ASSERT_EQ(t.grid.cell_width_m[1], 20.0);
  ASSERT_EQ(t.grid.dy_m[1], 10.0);
  const FlowGraph g = lf::model::terrain::route_d8(t.view(), t.z.span());
  EXPECT_EQ(g.d8_directions()[4], 0);  // E, not S
  t.z_host[7] = 8.99999f;  // now S is steeper by a hair
  t.z = ex::to_device(t.z_host);
  EXPECT_EQ(lf::model::terrain::route_d8(t.view(), t.z.span()).d8_directions()[4], 2);
}

// Invariants of all three routers on random DEMs.
TEST(Routing, GraphInvariantsOnRandomDems) {
  std::mt19937_64 rng(77);
  for (int trial = 0; trial < 60; ++trial) {
    const index_t rows = 1 + trial % 17, cols = 1 + (trial * 7) % 23;
    const TestTerrain t = lf::testing::random_terrain(rng, rows, cols, 0.15, trial % 4 == 1);
    expect_graph_invariants(lf::model::terrain::route_d8(t.view(), t.z.span()), t);
    expect_graph_invariants(lf::model::terrain::route_dinf(t.view(), t.z.span()), t);
    expect_graph_invariants(lf::model::terrain::route_mfd(t.view(), t.z.span()), t);
    expect_graph_invariants(lf::model::terrain::route_mfd(t.view(), t.z.span(), {}, {1.0, false}), t);
  }
}

// D-infinity on a plane whose fall line is at angle α below east (inside facet E–SE):
// every cell sends α/(π/4) to SE and the rest to E, exactly up to the 2^-24 weight quantum.
TEST(RoutingDinf, PlaneDirectionIsExact) {
  const index_t rows = 8, cols = 8;
  const double alpha = 0.3;  // radians below east
  std::vector<float> z(static_cast<std::size_t>(rows * cols));
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c)
      // x east, y north (row 0 at the top), 10 m cells; the surface falls along (cos α, −sin α).
      z[static_cast<std::size_t>(r * cols + c)] =
          static_cast<float>(100.0 - 0.1 * (std::cos(alpha) * 10.0 * c + std::sin(alpha) * 10.0 * r));
  const TestTerrain t = make_terrain(rows, cols, z);
  const FlowGraph g = lf::model::terrain::route_dinf(t.view(), t.z.span());
  const auto w = g.weights();
  const auto mask = g.receiver_masks();
  for (index_t r = 0; r + 1 < rows; ++r)
    for (index_t c = 0; c + 1 < cols; ++c) {
      const auto u = static_cast<std::size_t>(r * cols + c);
      ASSERT_EQ(mask[u], 0b11) << r << "," << c;
      // float elevations limit the angle to ~1e-5 relative.
      EXPECT_NEAR(w[u * 8 + 1], alpha / (std::numbers::pi / 4), 2e-5);
    }
}
