// `leachflow terrain` as users run it, on the hand-made valley of valley_fixture.hpp with a
// 5 m dam across it: fill raises the lake behind the dam, breach cuts the dam down to the lake
// floor, a depth limit fills the lake part way and cuts the rest, and bad limits get one line.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli_run.hpp"
#include "io/crs.hpp"
#include "io/raster.hpp"
#include "model/grid.hpp"
#include "valley_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using leachflow::test::run_cli;

constexpr int rows = leachflow::test::valley_rows, cols = leachflow::test::valley_cols,
              valley = leachflow::test::valley_col;
constexpr int dam_row = 20;
constexpr float dam_top = 185.0f;  // the valley floor there is 180 m, 181 m just upstream

struct Dammed {
  fs::path dir;
  std::string dem;
  Dammed() : dir(fs::temp_directory_path() / fmt::format("leachflow-terrain-test-{}", ::getpid())) {
    fs::create_directories(dir);
    dem = (dir / "dammed.tif").string();
    const auto grid = leachflow::model::make_grid(
        rows, cols, {500000.0, leachflow::test::valley_cell_m, 0.0, 2800000.0, 0.0, -leachflow::test::valley_cell_m},
        leachflow::io::epsg_wkt(32647), false);
    std::vector<float> z(static_cast<std::size_t>(rows * cols));
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        float v = 200.0f - static_cast<float>(r) + 2.0f * static_cast<float>(std::abs(c - valley));
        if (r == dam_row && v < dam_top) v = dam_top;
        z[static_cast<std::size_t>(r * cols + c)] = v;
      }
    leachflow::io::write_geotiff<float>(dem, grid, z, -9999.0);
  }
  ~Dammed() { fs::remove_all(dir); }
  mutable std::string printed;  // stdout of the last run

  // The conditioned DEM of `leachflow terrain` with these options.
  std::vector<float> conditioned(const std::string& name, const std::string& options) const {
    const fs::path out = dir / name;
    const auto r = run_cli(fmt::format("terrain '{}' -o '{}' {}", dem, out.string(), options));
    EXPECT_EQ(r.code, 0) << r.err;
    printed = r.out;
    return leachflow::io::read_raster((out / "conditioned_dem.tif").string()).values;
  }
};

float at(const std::vector<float>& z, int r, int c) { return z[static_cast<std::size_t>(r * cols + c)]; }

TEST(LeachflowTerrain, BreachCutsTheDamFillRaisesTheLake) {
  const Dammed d;
  const auto fill = d.conditioned("fill", "--method fill");
  const auto breach = d.conditioned("breach", "--method breach");
  ASSERT_EQ(fill.size(), static_cast<std::size_t>(rows * cols));
  EXPECT_EQ(at(fill, dam_row - 1, valley), dam_top);  // the lake floor comes up to the dam
  EXPECT_EQ(at(fill, dam_row, valley), dam_top);
  EXPECT_EQ(at(breach, dam_row - 1, valley), 181.0f);  // the lake floor stays
  EXPECT_EQ(at(breach, dam_row, valley), 181.0f);      // the dam is cut to it
  EXPECT_EQ(at(breach, dam_row, valley - 1), dam_top);  // one cell wide
  EXPECT_EQ(at(breach, dam_row + 1, valley), 179.0f);
  // A cut of at most 3 m: the lake comes up to 182 m and the dam down to it.
  const auto limited = d.conditioned("limited", "--method breach --max-breach-depth 3");
  EXPECT_EQ(at(limited, dam_row - 1, valley), 182.0f);
  EXPECT_EQ(at(limited, dam_row, valley), 182.0f);
  EXPECT_NE(d.printed.find("1 depressions (1 filled part way for the breach limits)"), std::string::npos) << d.printed;
  // No cut allowed: the fill.
  EXPECT_EQ(d.conditioned("none", "--method breach --max-breach-depth 0"), fill);
}

TEST(LeachflowTerrain, BadBreachLimitsExitTwoWithOneLine) {
  const Dammed d;
  const std::string out = (d.dir / "out").string();
  for (const std::string bad : {"--method breach --max-breach-depth -1", "--method breach --max-breach-length -2",
                                "--max-breach-depth 3"}) {
    SCOPED_TRACE(bad);
    const auto r = run_cli(fmt::format("terrain '{}' -o '{}' {}", d.dem, out, bad));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--max-breach-"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
}

}  // namespace
