// Pairing in time and station snapping on small hand-made cases.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/grid.hpp"
#include "model/validation/pairing.hpp"
#include "model/validation/snap_stations.hpp"

namespace v = leachflow::model::validation;

TEST(ValidationPairing, MeanInWindowNearestOtherwiseAndOutsideThePeriod) {
  const std::vector<double> t = {0, 0.5, 1, 1.5, 2, 5};
  const std::vector<double> c = {1, 2, 3, 4, 5, 9};
  // Window 1 around 1.0: outputs 0.5, 1, 1.5 → (2 + 3 + 4) / 3.
  auto m = v::model_value_at(t, c, 1.0, 1.0);
  ASSERT_TRUE(m.paired);
  EXPECT_DOUBLE_EQ(m.model_mg_l, 3.0);
  EXPECT_EQ(m.outputs_used, 3);
  // Window 0.2 around 3.4: nothing inside; nearest is 2 (distance 1.4 < 1.6).
  m = v::model_value_at(t, c, 3.4, 0.2);
  ASSERT_TRUE(m.paired);
  EXPECT_DOUBLE_EQ(m.model_mg_l, 5.0);
  EXPECT_EQ(m.outputs_used, 1);
  // Before the first output by more than half the window, after the last: not paired.
  EXPECT_FALSE(v::model_value_at(t, c, -0.6, 1.0).paired);
  EXPECT_TRUE(v::model_value_at(t, c, -0.4, 1.0).paired);
  EXPECT_FALSE(v::model_value_at(t, c, 5.6, 1.0).paired);
  EXPECT_NE(v::model_value_at(t, c, 5.6, 1.0).reason.find("outside the run's period"), std::string::npos);
  // A cell without model values.
  const std::vector<double> nan(6, std::nan(""));
  EXPECT_FALSE(v::model_value_at(t, nan, 1.0, 1.0).paired);
}

TEST(ValidationSnap, NearestStreamOrClosestAreaOrListed) {
  // 10 × 10 cells of 100 m; streams: column 3 (area 1 km²) and column 6 (area 4 km²).
  auto g = leachflow::model::make_grid(10, 10, {0, 100, 0, 1000, 0, -100}, "", false);
  g.valid.assign(100, 1);
  std::vector<double> area(100, 1e4);
  std::vector<std::uint8_t> mask(100, 0);
  for (int r = 0; r < 10; ++r) {
    area[static_cast<std::size_t>(r * 10 + 3)] = 1e6, mask[static_cast<std::size_t>(r * 10 + 3)] = 1;
    area[static_cast<std::size_t>(r * 10 + 6)] = 4e6, mask[static_cast<std::size_t>(r * 10 + 6)] = 1;
  }
  leachflow::model::transport::StreamCells streams{area, mask, 0};
  // Station at the centre of (5, 5): column 6 is 100 m away, column 3 200 m.
  std::vector<v::Station> st(4);
  st[0].x = 550, st[0].y = 450;                                // nearest: (5, 6)
  st[1].x = 550, st[1].y = 450, st[1].upstream_area_km2 = 1.1;  // area → (5, 3)
  st[2].x = 550, st[2].y = 450, st[2].upstream_area_km2 = 20;   // no area within ±50 %
  st[3].x = 5550, st[3].y = 450;                               // 5 km east of the grid
  const auto s = v::snap_stations(g, streams, st, {300, 0.5});
  EXPECT_EQ(s[0].cell, 56);
  EXPECT_NEAR(s[0].distance_m, 100, 1e-9);
  EXPECT_EQ(s[1].cell, 53);
  EXPECT_NEAR(s[1].area_km2, 1.0, 1e-12);
  EXPECT_EQ(s[2].cell, -1);
  EXPECT_NE(s[2].reason.find("upstream area"), std::string::npos) << s[2].reason;
  EXPECT_EQ(s[3].cell, -1);
  EXPECT_FALSE(s[3].reason.empty());
  // With a 150 m reach column 3 is out of reach; the area match fails rather than taking column 6.
  const auto s2 = v::snap_stations(g, streams, std::span(st).subspan(1, 1), {150, 0.5});
  EXPECT_EQ(s2[0].cell, -1);
}
