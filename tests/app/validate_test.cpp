// `leachflow validate` end to end on the valley (tests/app/valley_fixture.hpp): one pit loads
// sulfate and a tracer at row 8; below it the steady concentration is load/(Q·86.4) with
// Q = runoff × contributing area. Samples equal to the run's own NetCDF values give bias 0,
// RMSE 0 and all within a factor of 2; samples at twice those give bias log10(1/2); stations
// off the streams are listed in unsnapped.csv; a censored sample agrees; unknown species and
// samples outside the run's period are counted, not dropped.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
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

constexpr int cols = leachflow::test::valley_cols, valley = leachflow::test::valley_col;
constexpr double sulfate_kg_day = 10.0, tracer_kg_day = 2.0, runoff_mm_yr = 1000.0;

struct Case {
  fs::path dir;
  Case() {
    dir = fs::temp_directory_path() / fmt::format("leachflow-validate-test-{}-{}", ::getpid(), std::rand());
    fs::create_directories(dir);
    leachflow::test::write_valley(dir, sulfate_kg_day, tracer_kg_day);
  }
  ~Case() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string scenario(double tracer_guideline) const {
    const fs::path p = dir / "s.toml";
    std::ofstream(p) << fmt::format(R"(title = "valley validation"
[dem]
path = "valley.tif"
[terrain]
stream_threshold_km2 = 0.05
[runoff]
kind = "constant"
constant_mm_yr = {}
[[species]]
name = "sulfate"
[[species]]
name = "tracer"
guideline_mg_l = {}
[pits]
path = "pits.csv"
snap_distance_m = 300
[time]
start = "2025-01-01"
end = "2025-01-31"
step_days = 1
[output]
every_days = 1
netcdf = "run.nc"
map_png = false
)",
                                    runoff_mm_yr, tracer_guideline);
    return p.string();
  }
  // lon, lat of the centre of valley cell (row, col).
  std::pair<double, double> lonlat(int row, int col) const {
    std::vector<double> x{500000.0 + (col + 0.5) * 100.0}, y{2800000.0 - (row + 0.5) * 100.0};
    leachflow::io::to_lonlat(leachflow::io::epsg_wkt(32647), x, y);
    return {x[0], y[0]};
  }
};

std::string iso(double day) {
  const double d0 = std::floor(day);
  const long s = std::lround((day - d0) * 86400.0);
  return leachflow::model::format_iso8601_date(d0) + fmt::format("T{:02}:{:02}:{:02}Z", s / 3600, (s / 60) % 60, s % 60);
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream f(p);
  return nlohmann::json::parse(f);
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream f(p);
  std::vector<std::string> v;
  for (std::string l; std::getline(f, l);) v.push_back(l);
  return v;
}

bool has_matplotlib() { return std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") == 0; }

}  // namespace

TEST(ValidateCommand, SamplesEqualToTheModelAgreeAndTwiceThemGiveBiasLog10Half) {
  const Case c;
  const int stations[3] = {15, 25, 35};
  // Tracer guideline between the steady tracer at rows 15 and 25 (it falls as area grows).
  // First a plain run to read the model values the samples are made of.
  const std::string run = (c.dir / "run").string();
  {
    const std::string sc = c.scenario(1e9);
    const auto r = run_cli("run '" + sc + "' -o '" + run + "'");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const leachflow::io::NetcdfReader nc((fs::path(run) / "run.nc").string());
  const auto& t = nc.times_day();
  ASSERT_GE(t.size(), 25u);
  const auto area_km2 = nc.read_static("contributing_area");
  std::vector<std::vector<double>> so4, tracer;
  for (int row : stations) {
    so4.push_back(nc.read_cell_series("sulfate", row, valley));
    tracer.push_back(nc.read_cell_series("tracer", row, valley));
    // Steady state at the end: C = load / (Q · 86.4), Q = runoff × area.
    const double q_m3s = runoff_mm_yr / 1000.0 / (365.25 * 86400.0) * area_km2[static_cast<std::size_t>(row * cols + valley)] * 1e6;
    EXPECT_NEAR(so4.back().back(), sulfate_kg_day / (q_m3s * 86.4), 1e-5 * so4.back().back()) << "row " << row;
  }
  const double guideline = std::sqrt(tracer[0].back() * tracer[1].back());
  const std::string sc = c.scenario(guideline);

  // Samples: sulfate at the three stations on day index 24 (station B in ug/L), a series of
  // four tracer and sulfate values at station C (rising front included), a censored sulfate
  // at C, an unknown species, one before the run, and two stations that cannot snap.
  const std::size_t k = 24;
  const std::size_t series_k[4] = {0, 1, 3, 20};
  const auto write_samples = [&](const fs::path& p, double factor, bool extras) {
    std::ofstream f(p);
    f << "lab,Station_ID,LON,lat,time,species,value,unit,censored,detection_limit\n";
    const char* names[3] = {"A", "B", "C"};
    for (int s = 0; s < 3; ++s) {
      const auto [lon, lat] = c.lonlat(stations[s], valley);
      const double v = so4[static_cast<std::size_t>(s)][k] * factor;
      if (s == 1) f << fmt::format("x,{},{:.10f},{:.10f},{},sulfate,{:.17g},ug/L,,\n", names[s], lon, lat, iso(t[k]), v * 1000);
      else f << fmt::format("x,{},{:.10f},{:.10f},{},Sulfate,{:.17g},mg/L,,\n", names[s], lon, lat, iso(t[k]), v);
      f << fmt::format("x,{},{:.10f},{:.10f},{},tracer,{:.17g},mg/L,,\n", names[s], lon, lat, iso(t[k]),
                       tracer[static_cast<std::size_t>(s)][k] * factor);
    }
    const auto [lon, lat] = c.lonlat(35, valley);
    for (std::size_t j : series_k)
      f << fmt::format("x,C,{:.10f},{:.10f},{},tracer,{:.17g},mg/L,,\n", lon, lat, iso(t[j]), tracer[2][j] * factor);
    if (!extras) return;
    f << fmt::format("x,C,{:.10f},{:.10f},{},sulfate,<{:.17g},mg/L,,\n", lon, lat, iso(t[k]), so4[2][k] * 10);
    f << fmt::format("x,C,{:.10f},{:.10f},{},arsenic,1,ug/L,,\n", lon, lat, iso(t[k]));
    f << fmt::format("x,C,{:.10f},{:.10f},2024-06-01,sulfate,1,mg/L,,\n", lon, lat);
    const auto [lon_far, lat_far] = c.lonlat(20, valley + 50);  // 5 km east of the valley, off the grid
    f << fmt::format("x,FAR,{:.10f},{:.10f},{},sulfate,1,mg/L,,\n", lon_far, lat_far, iso(t[k]));
    const auto [lon_side, lat_side] = c.lonlat(20, 0);  // 1 km west of the valley, on a hillslope
    f << fmt::format("x,SIDE,{:.10f},{:.10f},{},sulfate,1,mg/L,,\n", lon_side, lat_side, iso(t[k]));
  };

  // 1. Samples equal to the model.
  write_samples(c.dir / "same.csv", 1.0, true);
  const fs::path v1 = c.dir / "v1";
  auto r = run_cli(fmt::format("validate '{}' '{}' -o '{}' --run '{}' --snap-distance 300", sc, (c.dir / "same.csv").string(),
                               v1.string(), run));
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.err.find("station FAR not snapped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'arsenic'"), std::string::npos) << r.err;
  const auto j = read_json(v1 / "metrics.json");
  // Paired: 3 sulfate + 3 tracer + 4 tracer series + 1 censored = 11.
  EXPECT_EQ(j["overall"]["n"].get<int>(), 11);
  EXPECT_EQ(j["overall"]["censored"].get<int>(), 1);
  EXPECT_NEAR(j["overall"]["bias_log10"].get<double>(), 0.0, 1e-9);
  EXPECT_NEAR(j["overall"]["rmse_log10"].get<double>(), 0.0, 1e-9);
  EXPECT_EQ(j["overall"]["within_factor_2"].get<double>(), 1.0);
  EXPECT_EQ(j["species"]["sulfate"]["n"].get<int>(), 4);
  EXPECT_EQ(j["species"]["tracer"]["n"].get<int>(), 7);
  EXPECT_NEAR(j["species"]["tracer"]["spearman"].get<double>(), 1.0, 1e-12);
  // Tracer against its guideline: station A above in both, B and C (and C's series) below.
  const auto& cf = j["species"]["tracer"]["guideline_confusion"];
  EXPECT_EQ(cf["observed_above_model_above"].get<int>() + cf["observed_below_model_below"].get<int>(), 7);
  EXPECT_GE(cf["observed_above_model_above"].get<int>(), 1);
  EXPECT_EQ(cf["hit_rate"].get<double>(), 1.0);
  // Sulfate's preset guideline (250 mg/L) is far above the valley's few mg/L: all four below.
  EXPECT_EQ(j["species"]["sulfate"]["guideline_confusion"]["observed_below_model_below"].get<int>(), 4);
  EXPECT_EQ(j["counts"]["unsnapped_stations"].get<int>(), 2);
  EXPECT_EQ(j["counts"]["unknown_species"]["arsenic"].get<int>(), 1);
  EXPECT_EQ(j["counts"]["unpaired"].get<int>(), 1 + 1 + 2);  // before the run, arsenic, FAR, SIDE
  EXPECT_TRUE(j.contains("censored_policy"));
  // Station C's tracer series (5 values incl. day 24): NSE = KGE = 1.
  bool found = false;
  for (const auto& s : j["stations"])
    if (s["station_id"] == "C" && s["species"] == "tracer") {
      found = true;
      EXPECT_EQ(s["n"].get<int>(), 5);
      EXPECT_NEAR(s["nse"].get<double>(), 1.0, 1e-9);
      EXPECT_NEAR(s["kge"].get<double>(), 1.0, 1e-9);
    }
  EXPECT_TRUE(found) << j["stations"].dump();
  EXPECT_EQ(lines_of(v1 / "pairs.csv").size(), 1u + 11u);
  const auto unsnapped = lines_of(v1 / "unsnapped.csv");
  ASSERT_EQ(unsnapped.size(), 3u);
  EXPECT_EQ(unsnapped[1].rfind("FAR,", 0), 0u);
  EXPECT_EQ(unsnapped[2].rfind("SIDE,", 0), 0u);
  EXPECT_NE(unsnapped[2].find("no stream cell within 300 m"), std::string::npos) << unsnapped[2];
  const auto unpaired = lines_of(v1 / "unpaired.csv");
  ASSERT_EQ(unpaired.size(), 5u);
  std::string all_unpaired;
  for (const auto& l : unpaired) all_unpaired += l + "\n";
  EXPECT_NE(all_unpaired.find("outside the run's period"), std::string::npos) << all_unpaired;
  EXPECT_NE(all_unpaired.find("species not in the scenario"), std::string::npos) << all_unpaired;
  EXPECT_FALSE(fs::exists(v1 / "pairs.csv.part"));

  // 2. Twice the model, the scenario run by validate itself into DIR/run.
  write_samples(c.dir / "twice.csv", 2.0, false);
  const fs::path v2 = c.dir / "v2";
  r = run_cli(fmt::format("validate '{}' '{}' -o '{}'", sc, (c.dir / "twice.csv").string(), v2.string()));
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_TRUE(fs::exists(v2 / "run" / "run.nc"));
  const auto j2 = read_json(v2 / "metrics.json");
  EXPECT_EQ(j2["overall"]["n"].get<int>(), 10);
  EXPECT_NEAR(j2["overall"]["bias_log10"].get<double>(), std::log10(0.5), 1e-9);
  EXPECT_NEAR(j2["overall"]["rmse_log10"].get<double>(), std::log10(2.0), 1e-9);
  EXPECT_EQ(j2["overall"]["within_factor_2"].get<double>(), 1.0);  // exactly a factor of 2: on the line
  EXPECT_EQ(j2["overall"]["within_factor_10"].get<double>(), 1.0);
  EXPECT_EQ(j2["counts"]["unsnapped_stations"].get<int>(), 0);
  EXPECT_NE(r.out.find("bias_log10"), std::string::npos) << r.out;

  // Existing outputs are not replaced without --overwrite.
  r = run_cli(fmt::format("validate '{}' '{}' -o '{}' --run '{}'", sc, (c.dir / "twice.csv").string(), v2.string(), run));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--overwrite"), std::string::npos) << r.err;

  // Plots, when Debian's python3 has matplotlib.
  if (has_matplotlib()) {
    for (const char* png : {"scatter_sulfate.png", "scatter_tracer.png", "residual_map.png"}) {
      ASSERT_TRUE(fs::exists(v1 / png)) << png;
      EXPECT_GT(fs::file_size(v1 / png), 1000u) << png;
    }
  } else {
    GTEST_LOG_(INFO) << "matplotlib missing for /usr/bin/python3: plots not checked";
  }
}

TEST(ValidateCommand, BadSamplesGiveOneLinePerRowAndExitCode2) {
  const Case c;
  const std::string sc = c.scenario(1.0);
  std::ofstream(c.dir / "bad.csv") << "station_id,lon,lat,time,species,value,unit\n"
                                      "a,97,20,2025-01-05,sulfate,1,mg/L\n"
                                      "a,97,20,2025-13-05,sulfate,1,mg/L\n"
                                      "a,97,20,2025-01-05,sulfate,1,furlong\n";
  const auto r = run_cli(fmt::format("validate '{}' '{}' -o '{}'", sc, (c.dir / "bad.csv").string(), (c.dir / "v").string()));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad.csv (line 3, column time)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.csv (line 4, column unit)"), std::string::npos) << r.err;
  EXPECT_EQ(leachflow::test::count_lines(r.err), 2u) << r.err;
  EXPECT_FALSE(fs::exists(c.dir / "v" / "run"));  // nothing run for bad input
}
