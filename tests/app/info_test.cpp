// `leachflow` as users run it: info on the real DEM, exit codes, one-line errors on stderr.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "cli_run.hpp"
#include "shared_data.hpp"

namespace {
using leachflow::test::CliRun;
CliRun run(const std::string& args) { return leachflow::test::run_cli(args); }
std::size_t lines(const std::string& s) { return leachflow::test::count_lines(s); }
}  // namespace

TEST(LeachflowInfo, RealDemReportsSizeCrsResolutionAndRange) {
  const auto dem = leachflow::test::shared_data("bigtujunga_srtm30m_utm11n.tif");
  LEACHFLOW_REQUIRE_SHARED_DATA(dem);
  const CliRun r = run("info '" + dem.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("1197 x 643 (cols x rows) = 769671 cells"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("EPSG:32611"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("resolution:  30 x 30 m"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("elevation:   315 to 2295"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nodata:      0.00 %"), std::string::npos) << r.out;
  // 24 B/cell × 769,671 cells = 17.6 MiB.
  EXPECT_NE(r.out.find("terrain pipeline 17.6 MiB (24 B/cell)"), std::string::npos) << r.out;
  // Extent: the DEM lies around 118.1 W, 34.3 N (gdalinfo's corners).
  EXPECT_NE(r.out.find("lon -118.3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lat 34.2"), std::string::npos) << r.out;

  const CliRun j = run("info --json '" + dem.string() + "'");
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_NE(j.out.find("\"epsg\": 32611"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"cells\": 769671"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"min\": 315.0"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"max\": 2295.0"), std::string::npos) << j.out;
}

TEST(LeachflowInfo, BadInputsExitTwoWithOneLineNamingTheFile) {
  const std::string missing = "/nonexistent/leachflow/dem.tif";
  CliRun r = run("info '" + missing + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("leachflow: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());

  const auto garbage = std::filesystem::temp_directory_path() / ("leachflow-garbage-" + std::to_string(::getpid()) + ".tif");
  std::ofstream(garbage) << "not a raster\n";
  r = run("info '" + garbage.string() + "'");
  std::filesystem::remove(garbage);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find(garbage.string()), std::string::npos) << r.err;

  r = run("info");   // missing argument: usage error
  EXPECT_EQ(r.code, 2);
  r = run("frobnicate");
  EXPECT_EQ(r.code, 2);
}

TEST(Leachflow, VersionAndHelp) {
  CliRun r = run("--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("leachflow 0.", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(" ("), std::string::npos) << r.out;   // backend name
  r = run("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("info"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("128=NE"), std::string::npos) << r.out;   // conventions in the footer
}
