// Streams, Strahler (1957) order and stream links of model/terrain/network.hpp: hand-checked
// networks (a first-order stream joining a second-order one, a threshold that turns a confluence
// into a source, link lengths on a geographic grid whose cells narrow row by row), the serial
// reference of reference_network.hpp on random graphs (random acyclic D8, D8 and MFD routers),
// and bitwise-identical results for every launch schedule.
#include <cmath>
#include <map>
#include <numbers>
#include <random>
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

constexpr std::uint8_t E = 0, SE = 1, S = 2, SW = 3, W = 4, N = 6;

// 5 × 3 grid, 10 m cells (a, b, d sources; c, e confluences):
//   a . b     a → c (SE), b → c (SW): c is order 2.
//   . c .     d → e (E) joins c → e (S): a 1 joining a 2, so e stays 2.
//   d e .     e → f → g (S); g leaves the grid southward.
//   . f .     Every other cell leaves the grid straight away: a one-cell order-1 stream of its
//   . g .     own when the threshold is one cell.
struct StrahlerOneJoinsTwo : ::testing::Test {
  lt::TestTerrain t = lt::make_terrain(5, 3, {10, 20, 10, 20, 8, 20, 9, 6, 20, 20, 4, 20, 20, 2, 20});
  std::vector<std::uint8_t> dir = {SE, N, SW, W, S, E, E, S, E, W, S, E, S, S, S};
  mt::FlowGraph g = mt::FlowGraph::from_d8(t.view(), ex::to_device(dir));
  ex::device_buffer<double> area = mt::contributing_area_m2(g);
};

void expect_link(const mt::StreamLink& l, index_t head, index_t tail, index_t downstream, int strahler,
                 double length_m, double drop_m) {
  EXPECT_EQ(l.head, head);
  EXPECT_EQ(l.tail, tail);
  EXPECT_EQ(l.downstream, downstream);
  EXPECT_EQ(l.strahler, strahler);
  EXPECT_NEAR(l.length_m, length_m, 1e-9 * (1 + length_m));
  EXPECT_NEAR(l.drop_m, drop_m, 1e-9);
  EXPECT_NEAR(l.slope, length_m > 0 ? drop_m / length_m : 0.0, 1e-12);
}

}  // namespace

TEST_F(StrahlerOneJoinsTwo, StrahlerOrderKeepsTwoWhenAOneJoins) {
  const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 100.0);  // every cell
  EXPECT_EQ(ex::to_host(net.stream), std::vector<std::uint8_t>(15, 1));
  EXPECT_EQ(ex::to_host(net.strahler), (std::vector<std::int32_t>{1, 1, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1}));
}

TEST_F(StrahlerOneJoinsTwo, StreamLinksByHeadCell) {
  const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 100.0);
  // Heads: every cell but f (10) and g (13), whose only stream donor is the cell above.
  EXPECT_EQ(ex::to_host(net.link), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 7, 10, 11, 7, 12}));
  ASSERT_EQ(net.links.size(), 13u);
  expect_link(net.links[0], 0, 0, 4, 1, 10.0 * std::sqrt(2.0), 2.0);  // a: the diagonal step into c
  expect_link(net.links[2], 2, 2, 4, 1, 10.0 * std::sqrt(2.0), 2.0);  // b
  expect_link(net.links[4], 4, 4, 7, 2, 10.0, 2.0);                  // c: the step into e
  expect_link(net.links[6], 6, 6, 7, 1, 10.0, 3.0);                  // d
  expect_link(net.links[7], 7, 13, -1, 2, 20.0, 4.0);                // e → f → g, then off the grid
  expect_link(net.links[10], 11, 11, -1, 1, 0.0, 0.0);               // straight off the grid: no length
}

TEST_F(StrahlerOneJoinsTwo, StrahlerThresholdTurnsTheConfluenceIntoASource) {
  // ≥ 3 cells: c (3), e (5), f (6), g (7). c has no stream donors now: one order-1 link c … g.
  const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 300.0);
  EXPECT_EQ(ex::to_host(net.stream), (std::vector<std::uint8_t>{0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0}));
  EXPECT_EQ(ex::to_host(net.strahler), (std::vector<std::int32_t>{0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0}));
  EXPECT_EQ(ex::to_host(net.link), (std::vector<std::int64_t>{-1, -1, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1}));
  ASSERT_EQ(net.links.size(), 1u);
  expect_link(net.links[0], 4, 13, -1, 1, 30.0, 6.0);
}

// 4 × 4 geographic grid of 1° cells from 61° N: cells narrow northward (cos latitude), so each
// E–W and diagonal step has its own row's length. The link from cell 0 runs
//   0 →E 1 →S 5 →SE 10 →E 11 →S 15 →S off the grid.
TEST(StreamLinks, GeographicLengthsUseEachRowsMetres) {
  lt::TestTerrain t = lt::make_terrain(4, 4, {50, 40, 60, 60, 60, 30, 60, 60, 60, 60, 20, 10, 60, 60, 60, 5}, {}, 1.0,
                                       true, 61.0);
  const std::vector<std::uint8_t> dir = {E, S, N, N, W, SE, E, E, W, W, E, S, W, S, S, S};
  const mt::FlowGraph g = mt::FlowGraph::from_d8(t.view(), ex::to_device(dir));
  const ex::device_buffer<double> area = mt::contributing_area_m2(g);
  const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), 0.0);
  const auto& m = t.grid;
  // Metres, not degrees: 1° of longitude at 60.5° N is about 54.9 km; rows differ by several %.
  EXPECT_NEAR(m.cell_width_m[0], 111320.0 * std::cos(60.5 * std::numbers::pi / 180.0), 300.0);
  EXPECT_GT(m.cell_width_m[2] / m.cell_width_m[0], 1.05);
  const auto link = ex::to_host(net.link);
  for (index_t i : {0, 1, 5, 10, 11, 15}) EXPECT_EQ(link[static_cast<std::size_t>(i)], 0) << "cell " << i;
  const double length = m.cell_width_m[0] + m.dy_m[0] + m.diagonal_m[1] + m.cell_width_m[2] + m.dy_m[2];
  expect_link(net.links[0], 0, 15, -1, 1, length, 45.0);
  // One E–W step each, in rows 1 (6 → 7) and 2 (9 → 8): different lengths.
  const mt::StreamLink& row1 = net.links[static_cast<std::size_t>(link[6])];
  const mt::StreamLink& row2 = net.links[static_cast<std::size_t>(link[9])];
  EXPECT_EQ(row1.head, 6);
  EXPECT_EQ(row2.head, 9);
  EXPECT_NEAR(row1.length_m, m.cell_width_m[1], 1e-6);
  EXPECT_NEAR(row2.length_m, m.cell_width_m[2], 1e-6);
}

// Strahler order and the link table equal the serial recursive reference on random graphs:
// random acyclic D8 graphs (any lower neighbour, exits into NoData and sinks), the D8 router and
// MFD (dominant receivers), projected and geographic, random thresholds.
TEST(StreamLinks, MatchSerialReferenceOnRandomGraphs) {
  std::mt19937_64 rng(20261122);
  int checked_links = 0, confluences = 0, higher_orders = 0;
  for (int trial = 0; trial < 150; ++trial) {
    const index_t rows = 2 + static_cast<index_t>(rng() % 31), cols = 2 + static_cast<index_t>(rng() % 31);
    lt::TestTerrain t = lt::random_terrain(rng, rows, cols, 0.06, trial % 4 == 1);
    const int kind = trial % 3;
    const mt::FlowGraph g = kind == 0 ? mt::FlowGraph::from_d8(t.view(), ex::to_device(ref::random_acyclic_d8(
                                                                             rng, rows, cols, t.grid.valid)))
                            : kind == 1 ? mt::route_d8(t.view(), t.z.span())
                                        : mt::route_mfd(t.view(), t.z.span());
    const ex::device_buffer<double> area = mt::contributing_area_m2(g);
    const double threshold = (1.0 + static_cast<double>(rng() % 4)) * t.grid.cell_area_m2[0] * 0.999;
    const mt::StreamNetwork net = mt::stream_network(g, area.span(), t.z.span(), threshold);

    const ref::DominantPath p = ref::dominant_path(rows, cols, t.grid.valid, g.receiver_masks(), g.weights());
    const ref::ReferenceNetwork r =
        ref::reference_network(rows, cols, t.grid.valid, p, ex::to_host(area), t.z_host, t.metrics(), threshold);

    ASSERT_EQ(ex::to_host(net.stream), r.stream) << "trial " << trial;
    const auto order = ex::to_host(net.strahler);
    const auto link = ex::to_host(net.link);
    for (std::size_t k = 0; k < r.stream.size(); ++k) {
      ASSERT_EQ(order[k], r.strahler[k]) << "trial " << trial << " cell " << k;
      ASSERT_EQ(link[k], r.link[k]) << "trial " << trial << " cell " << k;
      higher_orders += order[k] >= 2;
    }
    ASSERT_EQ(net.links.size(), r.links.size()) << "trial " << trial;
    for (std::size_t k = 0; k < r.links.size(); ++k) {
      const mt::StreamLink& a = net.links[k];
      const ref::ReferenceLink& b = r.links[k];
      ASSERT_EQ(a.head, b.head) << "trial " << trial << " link " << k;
      ASSERT_EQ(a.tail, b.tail) << "trial " << trial << " link " << k;
      ASSERT_EQ(a.downstream, b.downstream) << "trial " << trial << " link " << k;
      ASSERT_EQ(a.strahler, b.strahler) << "trial " << trial << " link " << k;
      ASSERT_NEAR(a.length_m, b.length_m, 1e-9 * (1 + b.length_m)) << "trial " << trial << " link " << k;
      ASSERT_NEAR(a.drop_m, b.drop_m, 1e-9 * (1 + std::abs(b.drop_m))) << "trial " << trial << " link " << k;
      ASSERT_NEAR(a.slope, b.length_m > 0 ? b.drop_m / b.length_m : 0.0, 1e-9) << "trial " << trial << " link " << k;
      ++checked_links;
    }
    std::map<index_t, int> inflows;
    for (const mt::StreamLink& l : net.links)
      if (l.downstream >= 0) ++inflows[l.downstream];
    for (const auto& [id, count] : inflows) confluences += count >= 2;
  }
  // The random graphs really exercise branching networks.
  EXPECT_GT(checked_links, 5000);
  EXPECT_GT(confluences, 1000);
  EXPECT_GT(higher_orders, 1000);
}

// The same graph launched with every level parallel, the default schedule, and one serial walk
// gives bitwise-identical orders, links and lengths.
TEST(StreamLinks, IdenticalForEveryLaunchSchedule) {
  std::mt19937_64 rng(7);
  lt::TestTerrain t = lt::random_terrain(rng, 96, 80, 0.03);
  const std::vector<std::uint8_t> dir = ref::random_acyclic_d8(rng, 96, 80, t.grid.valid, 0.02);
  std::vector<mt::StreamNetwork> nets;
  for (index_t level_min : {index_t{1}, mt::default_parallel_level_min, index_t{1} << 40}) {
    const mt::FlowGraph g = mt::FlowGraph::from_d8(t.view(), ex::to_device(dir), mt::FlowRouter::d8, level_min);
    const ex::device_buffer<double> area = mt::contributing_area_m2(g);
    nets.push_back(mt::stream_network(g, area.span(), t.z.span(), 2.0 * t.grid.cell_area_m2[0]));
  }
  for (std::size_t k = 1; k < nets.size(); ++k) {
    EXPECT_EQ(ex::to_host(nets[k].strahler), ex::to_host(nets[0].strahler));
    EXPECT_EQ(ex::to_host(nets[k].link), ex::to_host(nets[0].link));
    ASSERT_EQ(nets[k].links.size(), nets[0].links.size());
    for (std::size_t l = 0; l < nets[0].links.size(); ++l) {
      EXPECT_EQ(nets[k].links[l].tail, nets[0].links[l].tail);
      EXPECT_EQ(nets[k].links[l].length_m, nets[0].links[l].length_m);  // bitwise
    }
  }
  EXPECT_GT(nets[0].links.size(), 100u);
}
