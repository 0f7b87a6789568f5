// Streams, Strahler order, links, basins and watersheds: a hand-checked Y network, and serial
// path-walking references on random DEMs (D8 and MFD), on every backend.
#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/network.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/network.hpp"
#include "model/terrain/routing.hpp"
#include "reference_fixtures.hpp"

namespace ex = leachflow::exec;
namespace mt = leachflow::model::terrain;
namespace lt = leachflow::testing;
using ex::index_t;

namespace {

// 4 × 3 grid, 10 m cells:   a . b      a, b drain to c (SE, SW); c → d → e (S); e leaves the
//                           . c .      grid southward. The other cells leave the grid straight
//                           . d .      away (N, W or E), each its own one-cell stream.
//                           . e .
struct YNetwork : ::testing::Test {
  lt::TestTerrain t = lt::make_terrain(4, 3, {10, 20, 10, 20, 8, 20, 20, 6, 20, 20, 4, 20});
  std::vector<std::uint8_t> dir = {1, 6, 3, 4, 2, 0, 4, 2, 0, 4, 2, 0};  // grid_view order: 0 E,1 SE,2 S,3 SW,4 W,6 N
  mt::FlowGraph g = mt::FlowGraph::from_d8(t.view(), ex::to_device(dir));
  ex::device_buffer<double> area = mt::contributing_area_m2(g);
};

}  // namespace

TEST_F(YNetwork, StrahlerLinksAndLengthsByHand) {
  const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 100.0);  // every cell
  const auto order = ex::to_host(net.strahler);
  EXPECT_EQ(order, (std::vector<std::int32_t>{1, 1, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1}));
  // Link ids by head cell: a=0 (cell 0), 1, b=2, 3, c=4 (cell 4: the confluence) ...
  const auto link = ex::to_host(net.link);
  EXPECT_EQ(link[0], 0);
  EXPECT_EQ(link[2], 2);
  EXPECT_EQ(link[4], 4);
  EXPECT_EQ(link[7], 4);
  EXPECT_EQ(link[10], 4);
  ASSERT_EQ(net.links.size(), 10u);
  const mt::StreamLink& la = net.links[0];
  EXPECT_EQ(la.head, 0);
  EXPECT_EQ(la.tail, 0);
  EXPECT_EQ(la.downstream, 4);
  EXPECT_NEAR(la.length_m, 10.0 * std::sqrt(2.0), 1e-12);  // the step a → c
  EXPECT_NEAR(la.slope, 2.0 / (10.0 * std::sqrt(2.0)), 1e-12);
  const mt::StreamLink& lc = net.links[4];
  EXPECT_EQ(lc.head, 4);
  EXPECT_EQ(lc.tail, 10);
  EXPECT_EQ(lc.downstream, -1);
  EXPECT_EQ(lc.strahler, 2);
  EXPECT_NEAR(lc.length_m, 20.0, 1e-12);  // c → d → e; e leaves the grid
  EXPECT_NEAR(lc.drop_m, 4.0, 1e-12);
}

TEST_F(YNetwork, ThresholdKeepsOnlyTheTrunkAndBasinsByOutlet) {
  const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 250.0);  // ≥ 2.5 cells
  EXPECT_EQ(ex::to_host(net.stream), (std::vector<std::uint8_t>{0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0}));
  EXPECT_EQ(ex::to_host(net.strahler), (std::vector<std::int32_t>{0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0}));
  ASSERT_EQ(net.links.size(), 1u);

  const mt::Basins b = mt::basins(g, t.grid);
  // Outlets: every cell but a, b, c, d ends its own path; a, b, c, d end at e (cell 10).
  const auto id = ex::to_host(b.id);
  EXPECT_EQ(id[0], id[10]);
  EXPECT_EQ(id[4], id[10]);
  EXPECT_NE(id[1], id[10]);
  ASSERT_EQ(b.outlet.size(), 8u);
  const auto k = static_cast<std::size_t>(id[10]);
  EXPECT_EQ(b.outlet[k], 10);
  EXPECT_EQ(b.cells[k], 5);
  EXPECT_NEAR(b.area_m2[k], 500.0, 1e-9);

  const mt::Watershed w = mt::watershed(g, t.grid, area.span(), net.stream.span(), 15.0, -22.0, 10.0);
  EXPECT_EQ(w.pour_cell, 7);  // d, the only stream cell within 10 m of (15, -22)
  EXPECT_NEAR(w.snap_distance_m, std::hypot(0.0, 3.0), 1e-12);
  EXPECT_EQ(ex::to_host(w.mask), (std::vector<std::uint8_t>{1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_THROW(mt::watershed(g, t.grid, area.span(), net.stream.span(), 15.0, -22.0, 1.0), std::invalid_argument);
}

// Serial references: follow dominant receivers cell by cell.
TEST(NetworkOracle, MatchesPathWalkingOnRandomDems) {
  std::mt19937_64 rng(4242);
  for (int trial = 0; trial < 120; ++trial) {
    const index_t rows = 2 + static_cast<index_t>(rng() % 30), cols = 2 + static_cast<index_t>(rng() % 30);
    lt::TestTerrain t = lt::random_terrain(rng, rows, cols, 0.05, trial % 3 == 0);
    const bool mfd = trial % 2 == 1;
    mt::FlowGraph g = mfd ? mt::route_mfd(t.view(), t.z.span()) : mt::route_d8(t.view(), t.z.span());
    const ex::device_buffer<double> area = mt::contributing_area_m2(g);
    const auto h_area = ex::to_host(area);
    const index_t n = rows * cols;
    // Dominant next, from the host copies of the graph.
    const auto masks = g.receiver_masks();
    const auto weights = g.weights();
    std::vector<index_t> next(static_cast<std::size_t>(n), -1);
    for (index_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      if (!t.grid.valid[u]) continue;
      int best = -1;
      float w = 0;
      for (int d = 0; d < 8; ++d)
        if ((masks[u] >> d & 1u) && weights[u * 8 + static_cast<std::size_t>(d)] > w) {
          w = weights[u * 8 + static_cast<std::size_t>(d)];
          best = d;
        }
      if (best < 0) continue;
      const index_t r = i / cols + leachflow::kernels::d8_drow[best], c = i % cols + leachflow::kernels::d8_dcol[best];
      if (r >= 0 && r < rows && c >= 0 && c < cols && t.grid.valid[static_cast<std::size_t>(r * cols + c)]) next[u] = r * cols + c;
    }
    auto end_of = [&](index_t i, index_t stop) {
      while (next[static_cast<std::size_t>(i)] >= 0 && i != stop) i = next[static_cast<std::size_t>(i)];
      return i;
    };
    // Basins: same partition as "end of path", areas sum to the valid area.
    const mt::Basins b = mt::basins(g, t.grid);
    const auto id = ex::to_host(b.id);
    double total = 0, valid_area = 0;
    for (double a : b.area_m2) total += a;
    for (index_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      if (!t.grid.valid[u]) {
        ASSERT_EQ(id[u], -1);
        continue;
      }
      valid_area += t.grid.cell_area_m2[static_cast<std::size_t>(i / cols)];
      ASSERT_EQ(b.outlet[static_cast<std::size_t>(id[u])], end_of(i, -1)) << "trial " << trial << " cell " << i;
    }
    EXPECT_NEAR(total, valid_area, 1e-9 * valid_area);
    // Strahler: recursive reference over stream donors (dominant receivers only).
    const double threshold = 3.0 * t.grid.cell_area_m2[0];
    const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), threshold);
    const auto order = ex::to_host(net.strahler);
    std::vector<int> ref(static_cast<std::size_t>(n), -1);
    std::function<int(index_t)> strahler = [&](index_t i) -> int {
      auto& o = ref[static_cast<std::size_t>(i)];
      if (o >= 0) return o;
      int top = 0, at_top = 0, donors = 0;
      for (index_t j = 0; j < n; ++j) {
        const auto v = static_cast<std::size_t>(j);
        if (next[v] != i || !(t.grid.valid[v] && h_area[v] >= threshold)) continue;
        ++donors;
        const int s = strahler(j);
        if (s > top) {
          top = s;
          at_top = 1;
        } else if (s == top) {
          ++at_top;
        }
      }
      return o = donors == 0 ? 1 : (at_top >= 2 ? top + 1 : top);
    };
    for (index_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      const bool on = t.grid.valid[u] && h_area[u] >= threshold;
      ASSERT_EQ(order[u], on ? strahler(i) : 0) << "trial " << trial << " cell " << i;
    }
    // Watershed of the largest stream cell: exactly the cells whose path passes through it.
    index_t pour = -1;
    for (index_t i = 0; i < n; ++i)
      if (t.grid.valid[static_cast<std::size_t>(i)] && (pour < 0 || h_area[static_cast<std::size_t>(i)] > h_area[static_cast<std::size_t>(pour)]))
        pour = i;
    if (pour < 0 || h_area[static_cast<std::size_t>(pour)] < threshold) continue;
    const double x = t.grid.x(pour % cols), y = t.grid.y(pour / cols);
    const mt::Watershed w = mt::watershed(g, t.grid, area.span(), net.stream.span(), x, y, 1.0);
    ASSERT_EQ(w.pour_cell, pour);
    const auto mask = ex::to_host(w.mask);
    for (index_t i = 0; i < n; ++i)
      ASSERT_EQ(mask[static_cast<std::size_t>(i)], t.grid.valid[static_cast<std::size_t>(i)] && end_of(i, pour) == pour ? 1 : 0)
          << "trial " << trial << " cell " << i;
  }
}
