// `leachflow calibrate` end to end: a twin experiment on the valley (tests/app/valley_fixture.hpp).
// Samples are the run's own sulfate values at three stations scaled by a known factor of 2.5;
// sulfate is conservative, so the concentration is linear in the load and the only thing the
// samples can tell is the load multiplier: calibration must recover 2.5 and say it is
// identifiable, report the scenario's own multiplier (1) with a worse objective, and write the
// members. Bad --param values are one error line each.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "io/crs.hpp"
#include "io/netcdf_reader.hpp"
#include "model/iso_time.hpp"
#include "valley_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using leachflow::test::run_cli;

constexpr int valley = leachflow::test::valley_col;

struct Twin {
  fs::path dir;
  Twin() {
    dir = fs::temp_directory_path() / fmt::format("leachflow-calibrate-test-{}-{}", ::getpid(), std::rand());
    fs::create_directories(dir);
    leachflow::test::write_valley(dir, 10.0, 2.0);
    std::ofstream(dir / "s.toml") << R"(title = "valley calibration"
[dem]
path = "valley.tif"
[terrain]
stream_threshold_km2 = 0.05
[runoff]
kind = "constant"
constant_mm_yr = 1000
[[species]]
name = "sulfate"
[[species]]
name = "tracer"
[pits]
path = "pits.csv"
snap_distance_m = 300
[time]
start = "2025-01-01"
end = "2025-01-21"
step_days = 1
[output]
every_days = 1
netcdf = "run.nc"
map_png = false
)";
  }
  ~Twin() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string scenario() const { return (dir / "s.toml").string(); }
};

}  // namespace

TEST(CalibrateCommand, TwinExperimentRecoversTheLoadMultiplier) {
  const Twin t;
  const std::string run = (t.dir / "run").string();
  ASSERT_EQ(run_cli("run '" + t.scenario() + "' -o '" + run + "'").code, 0);
  const leachflow::io::NetcdfReader nc((fs::path(run) / "run.nc").string());
  const auto& times = nc.times_day();
  ASSERT_GE(times.size(), 20u);
  constexpr double truth = 2.5;
  {
    std::ofstream f(t.dir / "samples.csv");
    f << "station_id,lon,lat,time,species,value,unit\n";
    for (int row : {12, 20, 30}) {
      std::vector<double> x{500000.0 + (valley + 0.5) * 100.0}, y{2800000.0 - (row + 0.5) * 100.0};
      leachflow::io::to_lonlat(leachflow::io::epsg_wkt(32647), x, y);
      const std::vector<double> so4 = nc.read_cell_series("sulfate", row, valley);
      for (std::size_t k : {4u, 9u, 14u, 19u})  // days 5, 10, 15, 20: the step ends the samples fall on
        f << fmt::format("S{},{:.10f},{:.10f},{},sulfate,{:.10g},mg/L\n", row, x[0], y[0],
                         leachflow::model::format_iso8601_date(times[k]), truth * so4[k]);
    }
  }
  const std::string out = (t.dir / "cal").string();
  const auto r = run_cli("calibrate '" + t.scenario() + "' '" + (t.dir / "samples.csv").string() + "' -o '" + out +
                         "' --param 'multiplier:*=0.1..10' --members 16 --rounds 6 --seed 2");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  std::ifstream jf(fs::path(out) / "calibration.json");
  const nlohmann::json j = nlohmann::json::parse(jf);
  ASSERT_EQ(j["parameters"].size(), 1u);
  const auto& p = j["parameters"][0];
  EXPECT_NEAR(p["best"].get<double>(), truth, 0.03 * truth) << j.dump(1).substr(0, 2000);
  EXPECT_TRUE(p["identifiable"].get<bool>());
  EXPECT_DOUBLE_EQ(p["scenario_value"].get<double>(), 1.0);
  EXPECT_LT(j["best_rmse_log10"].get<double>(), 0.02);
  // The scenario's own loads are 2.5× too small: log10(2.5) ≈ 0.398 at every sample.
  EXPECT_NEAR(j["scenario_parameters_rmse_log10"].get<double>(), std::log10(truth), 0.01);
  EXPECT_LT(j["max_ledger_relative_error"].get<double>(), 1e-9);
  EXPECT_EQ(j["members"].size(), 16u * 6u);
  std::ifstream csv(fs::path(out) / "calibration.csv");
  int lines = 0;
  for (std::string l; std::getline(csv, l);) ++lines;
  EXPECT_EQ(lines, 1 + 16 * 6);
}

TEST(CalibrateCommand, BadParametersAreOneErrorLineEach) {
  const Twin t;
  std::ofstream(t.dir / "samples.csv") << "station_id,lon,lat,time,species,value,unit\n";
  for (const char* bad : {"multiplier:*=5..1", "decay:nitrate=0.1..1", "multiplier:nowhere=0.1..10", "speed:*=1..2"}) {
    const auto r = run_cli("calibrate '" + t.scenario() + "' '" + (t.dir / "samples.csv").string() + "' -o '" +
                           (t.dir / "cal").string() + "' --param '" + bad + "'");
    EXPECT_EQ(r.code, 2) << bad << "\n" << r.err;
    EXPECT_NE(r.err.find("leachflow: error:"), std::string::npos) << bad << "\n" << r.err;
    EXPECT_FALSE(fs::exists(t.dir / "cal" / "calibration.json")) << bad;
  }
}
