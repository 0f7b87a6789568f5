// Border crossings on hand-made two-country grids: a river from A into B, a meander A → B → A
// → B (only the last A → B crossing is final), two tributaries crossing into the same basin
// (two finals), separate basins in separate groups, cells off streams and outside every region
// ignored, bad input refused; and the finals against a walk-to-the-outlet oracle on random
// terrain.
#include "model/regions/crossings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/grid_view.hpp"

namespace mr = leachflow::model::regions;
using leachflow::exec::index_t;

namespace {

constexpr std::uint8_t E = 0, SE = 1, S = 2, W = 4, N = 6, NE = 7, none = 0xFF;
constexpr double cell_m2 = 100.0;

// A hand-made grid: directions, regions and streams per cell; areas and basins derived by
// walking every cell to the end of its path.
struct Case {
  index_t rows, cols;
  std::vector<std::uint8_t> dir;
  std::vector<std::int32_t> region;
  std::vector<std::uint8_t> stream;
  std::vector<std::int64_t> basin;
  std::vector<double> area;

  Case(index_t r, index_t c)
      : rows(r), cols(c), dir(static_cast<std::size_t>(r * c), none), region(static_cast<std::size_t>(r * c), -1),
        stream(static_cast<std::size_t>(r * c), 0) {}
  index_t at(index_t r, index_t c) const { return r * cols + c; }
  index_t receiver(index_t i) const {
    const std::uint8_t d = dir[static_cast<std::size_t>(i)];
    if (d == none) return -1;
    const index_t r = i / cols + leachflow::kernels::d8_drow[d], c = i % cols + leachflow::kernels::d8_dcol[d];
    return (r >= 0 && r < rows && c >= 0 && c < cols) ? r * cols + c : -1;
  }
  // Regions from one character per cell: 'A' → 0, 'B' → 1, 'C' → 2, '.' → -1.
  void regions(const std::vector<std::string>& map) {
    for (index_t r = 0; r < rows; ++r)
      for (index_t c = 0; c < cols; ++c) {
        const char ch = map[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
        region[static_cast<std::size_t>(at(r, c))] = ch == '.' ? -1 : ch - 'A';
      }
  }
  // A river: a stream through the given cells, each pointing at the next; the last gets `last`.
  void river(const std::vector<std::pair<index_t, index_t>>& cells, std::uint8_t last = none) {
    for (std::size_t k = 0; k < cells.size(); ++k) {
      const auto [r, c] = cells[k];
      std::uint8_t d = last;
      if (k + 1 < cells.size()) {
        const auto [r2, c2] = cells[k + 1];
        for (std::uint8_t q = 0; q < 8; ++q)
          if (leachflow::kernels::d8_drow[q] == r2 - r && leachflow::kernels::d8_dcol[q] == c2 - c) d = q;
      }
      dir[static_cast<std::size_t>(at(r, c))] = d;
      stream[static_cast<std::size_t>(at(r, c))] = 1;
    }
  }
  void derive() {
    const index_t n = rows * cols;
    area.assign(static_cast<std::size_t>(n), 0.0);
    basin.assign(static_cast<std::size_t>(n), -1);
    for (index_t i = 0; i < n; ++i) {
      index_t c = i, end = i;
      for (; c >= 0; c = receiver(c)) {
        area[static_cast<std::size_t>(c)] += cell_m2;
        end = c;
      }
      basin[static_cast<std::size_t>(i)] = end;
    }
  }
  mr::Crossings run() {
    derive();
    return mr::find_crossings(rows, cols, dir, region, stream, basin, area);
  }
};

const mr::Crossing& crossing_at(const mr::Crossings& x, index_t cell) {
  for (const auto& c : x.crossings)
    if (c.cell == cell) return c;
  throw std::logic_error("no crossing at cell " + std::to_string(cell));
}

}  // namespace

TEST(Crossings, RiverFromAIntoBCrossesOnce) {
  Case t(3, 6);
  t.regions({"AAABBB", "AAABBB", "AAABBB"});
  t.river({{1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}}, E);   // leaves the grid at the east edge
  const auto x = t.run();
  ASSERT_EQ(x.crossings.size(), 1u);
  const auto& c = x.crossings[0];
  EXPECT_EQ(c.cell, t.at(1, 2));
  EXPECT_EQ(c.receiver, t.at(1, 3));
  EXPECT_EQ(c.from, 0);
  EXPECT_EQ(c.to, 1);
  EXPECT_EQ(c.basin, t.basin[static_cast<std::size_t>(t.at(1, 5))]);
  EXPECT_DOUBLE_EQ(c.area_m2, 3 * cell_m2);
  EXPECT_TRUE(c.final);
  ASSERT_EQ(x.groups.size(), 1u);
  const auto& g = x.groups[0];
  EXPECT_EQ(g.from, 0);
  EXPECT_EQ(g.to, 1);
  EXPECT_EQ(g.basin, c.basin);
  EXPECT_EQ(g.members, std::vector<std::size_t>{0});
  EXPECT_EQ(g.finals, std::vector<std::size_t>{0});
  EXPECT_EQ(g.main, 0u);
}

TEST(Crossings, MeanderCountsOnlyTheLastCrossingOfEachDirection) {
  // The border runs between columns 2 and 3. The river crosses A → B in row 0, comes back
  // B → A in row 1 and crosses A → B again in row 2.
  Case t(4, 6);
  t.regions({"AAABBB", "AAABBB", "AAABBB", "AAABBB"});
  t.river({{0, 0}, {0, 1}, {0, 2}, {0, 3}, {1, 3}, {1, 2}, {2, 2}, {2, 3}, {2, 4}, {3, 5}});
  const auto x = t.run();
  ASSERT_EQ(x.crossings.size(), 3u);
  const auto& first = crossing_at(x, t.at(0, 2));
  const auto& back = crossing_at(x, t.at(1, 3));
  const auto& last = crossing_at(x, t.at(2, 2));
  EXPECT_EQ(first.from, 0);
  EXPECT_EQ(first.to, 1);
  EXPECT_FALSE(first.final);   // the last A → B crossing lies downstream
  EXPECT_EQ(back.from, 1);
  EXPECT_EQ(back.to, 0);
  EXPECT_TRUE(back.final);
  EXPECT_EQ(last.from, 0);
  EXPECT_EQ(last.to, 1);
  EXPECT_TRUE(last.final);
  EXPECT_DOUBLE_EQ(last.area_m2, 7 * cell_m2);

  ASSERT_EQ(x.groups.size(), 2u);
  const auto& ab = x.groups[0];   // main area 7 cells before B → A's 4
  EXPECT_EQ(ab.from, 0);
  EXPECT_EQ(ab.to, 1);
  ASSERT_EQ(ab.members.size(), 2u);
  ASSERT_EQ(ab.finals.size(), 1u);
  EXPECT_EQ(x.crossings[ab.finals[0]].cell, t.at(2, 2));
  EXPECT_EQ(x.crossings[ab.main].cell, t.at(2, 2));
  const auto& ba = x.groups[1];
  EXPECT_EQ(ba.from, 1);
  EXPECT_EQ(ba.to, 0);
  EXPECT_EQ(ba.members.size(), 1u);
  EXPECT_EQ(ba.finals, ba.members);
  EXPECT_EQ(ab.basin, ba.basin);
}

TEST(Crossings, TwoTributariesIntoTheSameBasinAreTwoFinals) {
  // A above row 2, B from row 2 down; both tributaries cross south and join in B.
  Case t(5, 6);
  t.regions({"AAAAAA", "AAAAAA", "BBBBBB", "BBBBBB", "BBBBBB"});
  t.river({{0, 1}, {1, 1}, {2, 1}, {3, 1}, {3, 2}, {3, 3}, {3, 4}, {4, 5}});
  t.river({{0, 4}, {1, 4}, {2, 4}, {3, 4}});
  t.dir[static_cast<std::size_t>(t.at(3, 4))] = SE;   // the joint river, reset by the second call
  const auto x = t.run();
  ASSERT_EQ(x.crossings.size(), 2u);
  ASSERT_EQ(x.groups.size(), 1u);
  const auto& g = x.groups[0];
  EXPECT_EQ(g.members.size(), 2u);
  EXPECT_EQ(g.finals, g.members);
  // Equal areas (2 cells each): the main member is the smaller cell index.
  EXPECT_DOUBLE_EQ(x.crossings[0].area_m2, x.crossings[1].area_m2);
  EXPECT_EQ(x.crossings[g.main].cell, t.at(1, 1));
}

TEST(Crossings, SeparateBasinsAreSeparateGroupsByDescendingArea) {
  Case t(4, 6);
  t.regions({"AAABBB", "AAABBB", "AAABBB", "AAABBB"});
  t.river({{0, 2}, {0, 3}, {0, 4}}, N);                               // small river, off the north edge
  t.river({{3, 0}, {2, 0}, {2, 1}, {2, 2}, {2, 3}, {3, 4}}, S);       // larger one, off the south edge
  const auto x = t.run();
  ASSERT_EQ(x.crossings.size(), 2u);
  ASSERT_EQ(x.groups.size(), 2u);
  EXPECT_NE(x.groups[0].basin, x.groups[1].basin);
  EXPECT_EQ(x.crossings[x.groups[0].main].cell, t.at(2, 2));
  EXPECT_EQ(x.crossings[x.groups[1].main].cell, t.at(0, 2));
  EXPECT_TRUE(x.crossings[0].final);
  EXPECT_TRUE(x.crossings[1].final);
}

TEST(Crossings, CellsOffStreamsAndOutsideRegionsAreIgnored) {
  Case t(4, 6);
  t.regions({"AAABBB", "AA.BBB", "AAA.BB", "AAABBB"});
  t.dir[static_cast<std::size_t>(t.at(0, 2))] = E;       // hillslope A → B, not a stream
  t.river({{1, 0}, {1, 1}, {1, 2}, {1, 3}}, E);          // A → unlabelled (-1) → B
  t.river({{2, 2}, {2, 3}, {2, 4}}, E);                  // A → unlabelled → B
  t.river({{3, 2}}, E);                                  // a stream cell into B: the only crossing
  const auto x = t.run();
  ASSERT_EQ(x.crossings.size(), 1u);
  EXPECT_EQ(x.crossings[0].cell, t.at(3, 2));
  EXPECT_EQ(x.crossings[0].receiver, t.at(3, 3));

  // No regions at all: no crossings.
  std::fill(t.region.begin(), t.region.end(), -1);
  EXPECT_TRUE(mr::find_crossings(t.rows, t.cols, t.dir, t.region, t.stream, t.basin, t.area).crossings.empty());
}

TEST(Crossings, RefusesBadInput) {
  Case t(2, 3);
  t.regions({"AAB", "AAB"});
  t.river({{0, 0}, {0, 1}, {0, 2}});
  t.derive();
  std::vector<double> short_area(5, 1.0);
  EXPECT_THROW(mr::find_crossings(t.rows, t.cols, t.dir, t.region, t.stream, t.basin, short_area), std::invalid_argument);
  auto bad = t.dir;
  bad[1] = 9;
  EXPECT_THROW(mr::find_crossings(t.rows, t.cols, bad, t.region, t.stream, t.basin, t.area), std::invalid_argument);
  // A loop below the crossing (0,1) → (0,2): (0,2) → (1,2) → (1,1) → (0,2) is refused, not walked forever.
  auto loop = t.dir;
  loop[static_cast<std::size_t>(t.at(0, 2))] = S;
  loop[static_cast<std::size_t>(t.at(1, 2))] = W;
  loop[static_cast<std::size_t>(t.at(1, 1))] = NE;
  EXPECT_THROW(mr::find_crossings(t.rows, t.cols, loop, t.region, t.stream, t.basin, t.area), std::invalid_argument);
}

TEST(Crossings, FinalsMatchAWalkToTheOutletOnRandomTerrain) {
  std::mt19937_64 rng(20240611);
  std::size_t total = 0, not_final = 0, multi_final_groups = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const index_t rows = 40 + trial, cols = 55 - trial;
    Case t(rows, cols);
    // Steepest descent on a rough tilted plane: no loops, long rivers towards the south-east.
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> z(static_cast<std::size_t>(rows * cols));
    for (index_t r = 0; r < rows; ++r)
      for (index_t c = 0; c < cols; ++c) z[static_cast<std::size_t>(t.at(r, c))] = u(rng) * 0.5 + 0.1 * static_cast<double>(r + c);
    for (index_t i = 0; i < rows * cols; ++i) {
      double best = z[static_cast<std::size_t>(i)];
      for (std::uint8_t d = 0; d < 8; ++d) {
        const index_t r = i / cols + leachflow::kernels::d8_drow[d], c = i % cols + leachflow::kernels::d8_dcol[d];
        if (r < 0 || r >= rows || c < 0 || c >= cols) continue;
        if (z[static_cast<std::size_t>(r * cols + c)] < best) {
          best = z[static_cast<std::size_t>(r * cols + c)];
          t.dir[static_cast<std::size_t>(i)] = d;
        }
      }
    }
    // Regions: nearest of six seeds (two per region) with ragged borders, so rivers cross back
    // and forth; a few holes (-1); streams: area ≥ 3 cells.
    std::vector<std::pair<double, double>> seeds;
    for (int s = 0; s < 6; ++s) seeds.push_back({u(rng) * static_cast<double>(rows), u(rng) * static_cast<double>(cols)});
    for (index_t r = 0; r < rows; ++r)
      for (index_t c = 0; c < cols; ++c) {
        std::int32_t best = 0;
        double bd = 1e300;
        for (std::int32_t s = 0; s < 6; ++s) {
          const double dr = static_cast<double>(r) - seeds[static_cast<std::size_t>(s)].first;
          const double dc = static_cast<double>(c) - seeds[static_cast<std::size_t>(s)].second;
          const double d = std::sqrt(dr * dr + dc * dc) + 4.0 * u(rng);
          if (d < bd) {
            bd = d;
            best = s % 3;
          }
        }
        t.region[static_cast<std::size_t>(t.at(r, c))] = u(rng) < 0.02 ? -1 : best;
      }
    t.derive();
    for (std::size_t i = 0; i < t.area.size(); ++i) t.stream[i] = t.area[i] >= 3 * cell_m2 ? 1 : 0;
    const auto x = mr::find_crossings(rows, cols, t.dir, t.region, t.stream, t.basin, t.area);

    // Oracle: every stream link between two different regions, and for each a walk to the end.
    std::size_t expected = 0;
    for (index_t i = 0; i < rows * cols; ++i) {
      const index_t j = t.receiver(i);
      const auto si = static_cast<std::size_t>(i);
      if (t.stream[si] && j >= 0 && t.region[si] >= 0 && t.region[static_cast<std::size_t>(j)] >= 0 &&
          t.region[si] != t.region[static_cast<std::size_t>(j)])
        ++expected;
    }
    ASSERT_EQ(x.crossings.size(), expected);
    std::size_t members = 0;
    for (std::size_t gi = 0; gi < x.groups.size(); ++gi) {
      const auto& g = x.groups[gi];
      members += g.members.size();
      if (gi > 0) {
        EXPECT_GE(x.crossings[x.groups[gi - 1].main].area_m2, x.crossings[g.main].area_m2);
      }
      std::vector<index_t> cells;
      for (const auto k : g.members) {
        const auto& c = x.crossings[k];
        EXPECT_EQ(c.from, g.from);
        EXPECT_EQ(c.to, g.to);
        EXPECT_EQ(c.basin, g.basin);
        EXPECT_LE(c.area_m2, x.crossings[g.main].area_m2);
        cells.push_back(c.cell);
      }
      std::vector<std::size_t> finals;
      for (const auto k : g.members) {
        bool final = true;
        for (index_t c = x.crossings[k].receiver; c >= 0; c = t.receiver(c))
          if (std::find(cells.begin(), cells.end(), c) != cells.end()) final = false;
        EXPECT_EQ(x.crossings[k].final, final);
        if (final) finals.push_back(k);
      }
      EXPECT_EQ(g.finals, finals);
      not_final += g.members.size() - g.finals.size();
      multi_final_groups += g.finals.size() > 1 ? 1 : 0;
      EXPECT_FALSE(g.finals.empty());   // the most downstream member is always final
    }
    EXPECT_EQ(members, x.crossings.size());
    total += x.crossings.size();
  }
  // The terrain must exercise every case: many crossings, some not final, branches.
  EXPECT_GT(total, 200u);
  EXPECT_GT(not_final, 5u);
  EXPECT_GT(multi_final_groups, 5u);
  std::printf("random terrain: %zu crossings, %zu not final, %zu groups with several finals\n", total, not_final,
              multi_final_groups);
}
