// Basins by outlet and pour-point watersheds of model/terrain/network.hpp: hand-checked grids
// (two outlets around NoData, a 400-cell serpentine path, pour-point snapping by area, distance
// and index, metric snap distances on a geographic grid), and serial path walks on random graphs
// (random acyclic D8, D8 and MFD routers): a cell's basin is the end of its path, a watershed is
// exactly the cells whose path passes through the pour cell, basin areas sum to the valid area.
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/network.hpp"
#include "model/terrain/routing.hpp"
#include "reference_fixtures.hpp"
#include "reference_network.hpp"

namespace ex = leachflow::exec;
namespace mt = leachflow::model::terrain;
namespace lt = leachflow::testing;
namespace ref = leachflow::reference;
using ex::index_t;

namespace {

constexpr std::uint8_t E = 0, SE = 1, S = 2, SW = 3, W = 4, NW = 5, N = 6, NE = 7, none = 0xFF;

mt::FlowGraph random_graph(std::mt19937_64& rng, const lt::TestTerrain& t, int kind) {
  if (kind == 0)
    return mt::FlowGraph::from_d8(t.view(), ex::to_device(ref::random_acyclic_d8(rng, t.grid.rows, t.grid.cols, t.grid.valid)));
  return kind == 1 ? mt::route_d8(t.view(), t.z.span()) : mt::route_mfd(t.view(), t.z.span());
}

}  // namespace

// 3 × 4 grid, 10 m cells, X = NoData:   a b X c    f drains north into the NoData cell (an outlet);
//                                        d e f g    h is a sink (no receiver). Basin 0 (outlet f,
//                                        h i j k    the smaller index): b c f g j k; basin 1: a d e h i.
TEST(Basins, TwoOutletsAroundNoData) {
  lt::TestTerrain t = lt::make_terrain(3, 4, std::vector<float>(12, 1.0f), {1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  const std::vector<std::uint8_t> dir = {S, SE, none, SW, S, SW, N, W, none, W, N, NW};
  const mt::FlowGraph g = mt::FlowGraph::from_d8(t.view(), ex::to_device(dir));
  const mt::Basins b = mt::basins(g, t.grid);
  EXPECT_EQ(ex::to_host(b.id), (std::vector<std::int64_t>{1, 0, -1, 0, 1, 1, 0, 0, 1, 1, 0, 0}));
  EXPECT_EQ(b.outlet, (std::vector<index_t>{6, 8}));
  EXPECT_EQ(b.cells, (std::vector<index_t>{6, 5}));
  ASSERT_EQ(b.area_m2.size(), 2u);
  EXPECT_NEAR(b.area_m2[0], 600.0, 1e-9);
  EXPECT_NEAR(b.area_m2[1], 500.0, 1e-9);
}

// A 20 × 20 serpentine (E along even rows, W along odd rows, S at the ends): one 400-cell path,
// so pointer jumping needs ⌈log2 400⌉ rounds. The watershed of the k-th cell is the first k + 1.
TEST(Basins, SerpentinePathAndItsWatersheds) {
  const index_t n = 20;
  lt::TestTerrain t = lt::make_terrain(n, n, std::vector<float>(static_cast<std::size_t>(n * n), 1.0f));
  std::vector<std::uint8_t> dir(static_cast<std::size_t>(n * n));
  std::vector<index_t> path;  // cells in path order
  for (index_t r = 0; r < n; ++r)
    for (index_t k = 0; k < n; ++k) {
      const index_t c = r % 2 == 0 ? k : n - 1 - k;
      dir[static_cast<std::size_t>(r * n + c)] = k == n - 1 ? S : (r % 2 == 0 ? E : W);
      path.push_back(r * n + c);
    }
  const mt::FlowGraph g = mt::FlowGraph::from_d8(t.view(), ex::to_device(dir));
  const mt::Basins b = mt::basins(g, t.grid);
  EXPECT_EQ(b.outlet, (std::vector<index_t>{path.back()}));  // it leaves the grid southward
  EXPECT_EQ(ex::to_host(b.id), std::vector<std::int64_t>(static_cast<std::size_t>(n * n), 0));
  EXPECT_EQ(b.cells, (std::vector<index_t>{n * n}));

  const ex::device_buffer<double> area = mt::contributing_area_m2(g);
  const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 0.0);
  for (std::size_t k : {std::size_t{0}, std::size_t{1}, std::size_t{19}, std::size_t{20}, std::size_t{257}, std::size_t{399}}) {
    const index_t cell = path[k];
    const mt::Watershed w = mt::watershed(g, t.grid, area.span(), net.stream.span(), t.grid.x(cell % n),
                                          t.grid.y(cell / n), 1.0);
    ASSERT_EQ(w.pour_cell, cell);
    EXPECT_EQ(w.snap_distance_m, 0.0);
    std::vector<std::uint8_t> expected(static_cast<std::size_t>(n * n), 0);
    for (std::size_t u = 0; u <= k; ++u) expected[static_cast<std::size_t>(path[u])] = 1;
    EXPECT_EQ(ex::to_host(w.mask), expected) << "path position " << k;
    EXPECT_EQ(w.cells, static_cast<index_t>(k + 1));
    EXPECT_NEAR(w.area_m2, 100.0 * static_cast<double>(k + 1), 1e-9);
  }
}

// Every cell's basin is the end of its serial path walk; basins are ordered by outlet cell;
// per-basin cells and areas match the walk; areas sum to the valid area.
TEST(Basins, MatchPathWalkAndAreasSumToValidAreaOnRandomGraphs) {
  std::mt19937_64 rng(1957);
  std::size_t basins_seen = 0;
  for (int trial = 0; trial < 150; ++trial) {
    const index_t rows = 2 + static_cast<index_t>(rng() % 31), cols = 2 + static_cast<index_t>(rng() % 31);
    const lt::TestTerrain t = lt::random_terrain(rng, rows, cols, 0.06, trial % 4 == 1);
    const mt::FlowGraph g = random_graph(rng, t, trial % 3);
    const mt::Basins b = mt::basins(g, t.grid);
    const ref::DominantPath p = ref::dominant_path(rows, cols, t.grid.valid, g.receiver_masks(), g.weights());
    const auto id = ex::to_host(b.id);

    std::vector<index_t> outlets;
    for (index_t i = 0; i < rows * cols; ++i)
      if (t.grid.valid[static_cast<std::size_t>(i)] && p.next[static_cast<std::size_t>(i)] < 0) outlets.push_back(i);
    ASSERT_EQ(b.outlet, outlets) << "trial " << trial;
    std::vector<double> area(outlets.size(), 0.0);
    std::vector<index_t> cells(outlets.size(), 0);
    double valid_area = 0;
    for (index_t i = 0; i < rows * cols; ++i) {
      const auto u = static_cast<std::size_t>(i);
      if (!t.grid.valid[u]) {
        ASSERT_EQ(id[u], -1) << "trial " << trial << " cell " << i;
        continue;
      }
      ASSERT_GE(id[u], 0);
      const auto k = static_cast<std::size_t>(id[u]);
      ASSERT_EQ(b.outlet[k], ref::path_end(p.next, i)) << "trial " << trial << " cell " << i;
      area[k] += t.grid.cell_area_m2[static_cast<std::size_t>(i / cols)];
      ++cells[k];
      valid_area += t.grid.cell_area_m2[static_cast<std::size_t>(i / cols)];
    }
    EXPECT_EQ(b.cells, cells) << "trial " << trial;
    double total = 0;
    for (std::size_t k = 0; k < area.size(); ++k) {
      EXPECT_NEAR(b.area_m2[k], area[k], 1e-9 * area[k]) << "trial " << trial << " basin " << k;
      total += b.area_m2[k];
    }
    EXPECT_NEAR(total, valid_area, 1e-9 * valid_area) << "trial " << trial;
    basins_seen += outlets.size();
  }
  EXPECT_GT(basins_seen, 1000u);
}

// The one-joins-two network of streams_test.cpp (a, b → c; c, d → e → f → g, 10 m cells, every
// cell a stream). Contributing areas: c 300, e 500, the others round c 100.
struct WatershedSnap : ::testing::Test {
  lt::TestTerrain t = lt::make_terrain(5, 3, {10, 20, 10, 20, 8, 20, 9, 6, 20, 20, 4, 20, 20, 2, 20});
  std::vector<std::uint8_t> dir = {SE, N, SW, W, S, E, E, S, E, W, S, E, S, S, S};
  mt::FlowGraph g = mt::FlowGraph::from_d8(t.view(), ex::to_device(dir));
  ex::device_buffer<double> area = mt::contributing_area_m2(g);
  mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 100.0);

  mt::Watershed at(double x, double y, double max_snap_m) const {
    return mt::watershed(g, t.grid, area.span(), net.stream.span(), x, y, max_snap_m);
  }
};

TEST_F(WatershedSnap, LargestAreaWithinDistanceThenSmallerIndex) {
  // At c's centre (15, -15): within 10 m also e (500 m², 10 m away), which wins.
  const mt::Watershed w = at(15.0, -15.0, 10.0);
  EXPECT_EQ(w.pour_cell, 7);
  EXPECT_NEAR(w.snap_distance_m, 10.0, 1e-12);
  EXPECT_EQ(ex::to_host(w.mask), (std::vector<std::uint8_t>{1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(w.cells, 5);
  EXPECT_NEAR(w.area_m2, 500.0, 1e-9);
  // Just short of e: c itself, with what drains through it (a, b, c).
  const mt::Watershed c = at(15.0, -15.0, 9.99);
  EXPECT_EQ(c.pour_cell, 4);
  EXPECT_EQ(c.snap_distance_m, 0.0);
  EXPECT_EQ(ex::to_host(c.mask), (std::vector<std::uint8_t>{1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  // Halfway between cells 3 and 6 (both 100 m², 5 m away): the smaller index.
  const mt::Watershed tie = at(5.0, -20.0, 6.0);
  EXPECT_EQ(tie.pour_cell, 3);
  EXPECT_NEAR(tie.snap_distance_m, 5.0, 1e-12);
  EXPECT_EQ(tie.cells, 1);
}

TEST_F(WatershedSnap, NoStreamCellInReachIsAClearError) {
  try {
    (void)at(15.0, -15.0 + 200.0, 50.0);  // 200 m north of the grid
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no stream cell within 50"), std::string::npos) << e.what();
  }
  // Only g and the cells beside it are streams above 650 m²: g is 700.
  const mt::StreamNetwork trunk = mt::stream_network(g, area.span(), t.z.span(), 650.0);
  EXPECT_THROW((void)mt::watershed(g, t.grid, area.span(), trunk.stream.span(), 15.0, -15.0, 25.0), std::invalid_argument);
  EXPECT_EQ(mt::watershed(g, t.grid, area.span(), trunk.stream.span(), 15.0, -15.0, 30.0).pour_cell, 13);
}

// On a geographic grid the snap distance is in metres from the row's cell size, not degrees:
// 3 × 3 cells of 0.01° at 26° N all drain into the centre (a sink, the only stream cell).
TEST(Watershed, GeographicSnapDistanceInMetres) {
  lt::TestTerrain t = lt::make_terrain(3, 3, std::vector<float>(9, 1.0f), {}, 0.01, true, 26.0);
  const std::vector<std::uint8_t> dir = {SE, S, SW, E, none, W, NE, N, NW};
  const mt::FlowGraph g = mt::FlowGraph::from_d8(t.view(), ex::to_device(dir));
  const ex::device_buffer<double> area = mt::contributing_area_m2(g);
  const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 2.0 * t.grid.cell_area_m2[1]);
  EXPECT_EQ(ex::to_host(net.stream), (std::vector<std::uint8_t>{0, 0, 0, 0, 1, 0, 0, 0, 0}));
  const double width_m = t.grid.cell_width_m[1], height_m = t.grid.cell_height_m[1];
  EXPECT_NEAR(width_m, 1000.0, 10.0);  // 0.01° of longitude at 26° N ≈ 1.0 km
  // A quarter cell east, then a quarter cell north of the centre cell's centre.
  const double x = t.grid.x(1) + 0.0025, y = t.grid.y(1);
  const mt::Watershed east = mt::watershed(g, t.grid, area.span(), net.stream.span(), x, y, 0.3 * width_m);
  EXPECT_EQ(east.pour_cell, 4);
  EXPECT_NEAR(east.snap_distance_m, 0.25 * width_m, 1e-6 * width_m);
  EXPECT_THROW((void)mt::watershed(g, t.grid, area.span(), net.stream.span(), x, y, 0.2 * width_m), std::invalid_argument);
  const mt::Watershed north = mt::watershed(g, t.grid, area.span(), net.stream.span(), t.grid.x(1), y + 0.0025, 0.3 * height_m);
  EXPECT_NEAR(north.snap_distance_m, 0.25 * height_m, 1e-6 * height_m);
  EXPECT_EQ(north.cells, 9);
  EXPECT_EQ(ex::to_host(north.mask), std::vector<std::uint8_t>(9, 1));
  const double rows_area = t.grid.cell_area_m2[0] + t.grid.cell_area_m2[1] + t.grid.cell_area_m2[2];
  EXPECT_NEAR(north.area_m2, 3.0 * rows_area, 1e-9 * rows_area);
}

// The watershed of random stream cells (the pour point at the cell's centre) is exactly the set
// of valid cells whose serial path walk reaches that cell.
TEST(Watershed, MatchesPathWalkOnRandomGraphs) {
  std::mt19937_64 rng(1966);
  index_t nontrivial = 0;
  for (int trial = 0; trial < 150; ++trial) {
    const index_t rows = 2 + static_cast<index_t>(rng() % 31), cols = 2 + static_cast<index_t>(rng() % 31);
    const lt::TestTerrain t = lt::random_terrain(rng, rows, cols, 0.06, trial % 4 == 1);
    const mt::FlowGraph g = random_graph(rng, t, trial % 3);
    const ex::device_buffer<double> area = mt::contributing_area_m2(g);
    const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 2.0 * t.grid.cell_area_m2[0]);
    const auto stream = ex::to_host(net.stream);
    std::vector<index_t> stream_cells;
    for (index_t i = 0; i < rows * cols; ++i)
      if (stream[static_cast<std::size_t>(i)]) stream_cells.push_back(i);
    if (stream_cells.empty()) continue;
    const ref::DominantPath p = ref::dominant_path(rows, cols, t.grid.valid, g.receiver_masks(), g.weights());
    for (int pick = 0; pick < 3; ++pick) {
      const index_t pour = stream_cells[static_cast<std::size_t>(rng() % stream_cells.size())];
      const mt::Watershed w = mt::watershed(g, t.grid, area.span(), net.stream.span(), t.grid.x(pour % cols),
                                            t.grid.y(pour / cols), 1.0);
      ASSERT_EQ(w.pour_cell, pour) << "trial " << trial;
      const auto mask = ex::to_host(w.mask);
      index_t cells = 0;
      double area_m2 = 0;
      for (index_t i = 0; i < rows * cols; ++i) {
        const auto u = static_cast<std::size_t>(i);
        const bool inside = t.grid.valid[u] && ref::path_end(p.next, i, pour) == pour;
        ASSERT_EQ(mask[u], inside ? 1 : 0) << "trial " << trial << " pour " << pour << " cell " << i;
        cells += inside;
        area_m2 += inside ? t.grid.cell_area_m2[static_cast<std::size_t>(i / cols)] : 0.0;
      }
      EXPECT_EQ(w.cells, cells);
      EXPECT_NEAR(w.area_m2, area_m2, 1e-9 * area_m2);
      nontrivial += cells > 2;
    }
  }
  EXPECT_GT(nontrivial, 100);
}
