// The fill's drain pointers computed by lanes (drain_directions, a row stretch at a time) equal
// the per-cell scan (drain_direction) cell for cell, on the device: ties between equal
// neighbours (lower index wins, and a lower-index neighbour beats the cell itself), NoData in
// and around the stretch, NaN elevations on valid cells, stretches shorter and longer than a
// chunk. The fill oracle cannot see a wrong tie rule: the water levels do not depend on it.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/condition_drain.hpp"
#include "reference_fixtures.hpp"

namespace ex = leachflow::exec;
namespace kt = leachflow::kernels::terrain;
using leachflow::exec::index_t;
using leachflow::testing::make_terrain;
using leachflow::testing::TestTerrain;

namespace {

// Per row: the interior stretch [1, cols − 1) in chunks of drain_lanes; counts the cells where
// the lanes and the scan disagree.
struct lanes_disagree {
  leachflow::kernels::grid_view g;
  ex::device_span<const float> z;
  LF_HD std::int64_t operator()(index_t r) const {
    if (r == 0 || r + 1 >= g.rows || g.cols < 3) return 0;
    std::int64_t wrong = 0;
    std::int32_t lane[kt::drain_lanes];
    for (index_t c0 = 1; c0 + 1 < g.cols; c0 += kt::drain_lanes) {
      const int count = static_cast<int>(g.cols - 1 - c0 < kt::drain_lanes ? g.cols - 1 - c0 : kt::drain_lanes);
      kt::drain_directions(g, z, r, c0, count, lane);
      for (int k = 0; k < count; ++k) wrong += lane[k] != kt::drain_direction(g, z, r, c0 + k) ? 1 : 0;
    }
    return wrong;
  }
};

}  // namespace

TEST(DrainDirections, LanesEqualThePerCellScan) {
  std::mt19937_64 rng(20261207);
  std::uniform_int_distribution<int> rows_of(3, 12), cols_of(3, 90), level(0, 3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::int64_t checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const index_t rows = rows_of(rng), cols = cols_of(rng);
    std::vector<float> z(static_cast<std::size_t>(rows * cols));
    std::vector<std::uint8_t> valid(z.size(), 1);
    for (auto& v : z) v = static_cast<float>(level(rng));  // four levels: ties everywhere
    const double holes = trial % 3 == 0 ? 0.05 : 0.0, nans = trial % 5 == 0 ? 0.03 : 0.0;
    for (std::size_t i = 0; i < z.size(); ++i) {
      if (u(rng) < holes) valid[i] = 0;
      else if (u(rng) < nans) z[i] = std::numeric_limits<float>::quiet_NaN();  // valid, but NaN
    }
    const TestTerrain t = make_terrain(rows, cols, z, valid);
    const std::int64_t wrong = ex::transform_reduce(rows, lanes_disagree{t.view(), t.z.span()}, std::int64_t{0},
                                                    ex::plus<std::int64_t>{});
    ASSERT_EQ(wrong, 0) << "trial " << trial << ": " << rows << " x " << cols;
    checked += (rows - 2) * (cols - 2);
  }
  EXPECT_GT(checked, 20000);
}
