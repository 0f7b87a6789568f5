// cells_within (model/regions/proximity.hpp) against brute force: every valid cell's distance
// to every marked cell, on projected and geographic grids with random marks and NoData.
// The two-pass propagation may disagree with brute force only where the nearest distance is
// within a hair of the threshold; the test allows no disagreement beyond 1 % of a cell.
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "model/grid.hpp"
#include "model/regions/proximity.hpp"
#include "model/transport/pits.hpp"

namespace mr = leachflow::model::regions;
using leachflow::exec::index_t;

namespace {

void compare_with_brute_force(const leachflow::model::Grid& g, double radius_m, std::uint64_t seed, double share) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto n = static_cast<std::size_t>(g.cells());
  std::vector<std::uint8_t> marked(n);
  for (auto& m : marked) m = u(rng) < share ? 1 : 0;
  const std::vector<std::uint8_t> got = mr::cells_within(g, marked, radius_m);
  const double cell_m = g.cell_height_m[0];
  int strict_mismatch = 0, within = 0;
  for (index_t r = 0; r < g.rows; ++r) {
    for (index_t c = 0; c < g.cols; ++c) {
      const auto i = static_cast<std::size_t>(g.index(r, c));
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t m = 0; m < n; ++m)
        if (marked[m])
          best = std::min(best, leachflow::model::transport::grid_distance_m(
                                    g, static_cast<double>(static_cast<index_t>(m) / g.cols) + 0.5,
                                    static_cast<double>(static_cast<index_t>(m) % g.cols) + 0.5, r, c));
      const bool valid = g.valid.empty() || g.valid[i];
      const int expect = valid && best <= radius_m ? 1 : 0;
      within += expect;
      if (got[i] != expect && std::abs(best - radius_m) > 0.01 * cell_m) ++strict_mismatch;
      if (!valid) {
        EXPECT_EQ(got[i], 0);
      }
    }
  }
  EXPECT_EQ(strict_mismatch, 0);
  EXPECT_GT(within, 0);
  EXPECT_LT(within, static_cast<int>(n));  // the test distinguishes something
}

}  // namespace

TEST(CellsWithin, ProjectedGridEqualsBruteForce) {
  auto g = leachflow::model::make_grid(40, 55, {500000.0, 30.0, 0.0, 2800000.0, 0.0, -30.0}, "", false);
  g.valid.assign(static_cast<std::size_t>(g.cells()), 1);
  for (std::size_t i = 0; i < g.valid.size(); i += 7) g.valid[i] = 0;
  for (std::uint64_t seed : {1u, 2u, 3u}) compare_with_brute_force(g, 100.0, seed, 0.01);
  compare_with_brute_force(g, 250.0, 4, 0.002);
}

TEST(CellsWithin, GeographicGridEqualsBruteForce) {
  // 0.001° cells at 60° N: about 55 m wide and 111 m tall, so a circle in metres is an ellipse in cells.
  const auto g = leachflow::model::make_grid(40, 60, {10.0, 0.001, 0.0, 60.02, 0.0, -0.001}, "", true);
  for (std::uint64_t seed : {5u, 6u}) compare_with_brute_force(g, 400.0, seed, 0.005);
}

TEST(CellsWithin, HandCase) {
  // One marked cell in a 5 × 5 grid of 10 m cells, radius 10 m: the cell and its 4 edge neighbours.
  const auto g = leachflow::model::make_grid(5, 5, {0.0, 10.0, 0.0, 50.0, 0.0, -10.0}, "", false);
  std::vector<std::uint8_t> marked(25, 0);
  marked[12] = 1;
  const auto w = mr::cells_within(g, marked, 10.0);
  const std::vector<std::uint8_t> expect = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(w, expect);
  EXPECT_EQ(mr::cells_within(g, marked, 15.0)[6], 1);  // the diagonal, √200 ≈ 14.1 m
  EXPECT_THROW(mr::cells_within(g, marked, -1.0), std::invalid_argument);
  EXPECT_THROW(mr::cells_within(g, std::vector<std::uint8_t>(3, 0), 1.0), std::invalid_argument);
}
