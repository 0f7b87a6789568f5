// `leachflow run` as users run it, on a hand-made valley: the steady flux downstream of a pit
// equals its load (mass conservation of the implicit upwind scheme at steady state), the ledger
// closes, and the command's contracts hold: --check writes nothing, outputs are not replaced
// without --overwrite, every scenario problem gets its own line, Ctrl-C leaves a partial NetCDF.
#include <gdal_priv.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "valley_fixture.hpp"
#include "io/crs.hpp"
#include "io/raster.hpp"
#include "model/grid.hpp"

namespace {

namespace fs = std::filesystem;
using leachflow::test::CliRun;
using leachflow::test::run_cli;

constexpr int rows = leachflow::test::valley_rows, cols = leachflow::test::valley_cols,
              valley = leachflow::test::valley_col, pit_row = leachflow::test::valley_pit_row;
constexpr double load_kg_day = 10.0;            // sulfate at the pit
constexpr double runoff_mm_yr = 1000.0;

// A valley along column 10 draining south off the grid: z = 200 − r + 2·|c − 10| (m).
struct Valley {
  fs::path dir;
  Valley() {
    dir = fs::temp_directory_path() / fmt::format("leachflow-run-test-{}-{}", ::getpid(), std::rand());
    fs::create_directories(dir);
    leachflow::test::write_valley(dir, load_kg_day, 2.0);
  }
  ~Valley() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string scenario(const std::string& name, const std::string& end = "2025-01-31", const std::string& extra = "",
                       double tracer_guideline = 0) const {
    const fs::path p = dir / name;
    std::ofstream(p) << fmt::format(R"(title = "valley test"
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
end = "{}"
step_days = 1
[output]
every_days = 1
netcdf = "run.nc"
map_png = false
{})",
                                    runoff_mm_yr, tracer_guideline, end, extra);
    return p.string();
  }
};

// Band t+1 of NETCDF:"file":var as doubles.
std::vector<double> read_nc(const std::string& file, const std::string& var, int band) {
  GDALAllRegister();
  const std::string name = "NETCDF:\"" + file + "\":" + var;
  auto* ds = static_cast<GDALDataset*>(GDALOpen(name.c_str(), GA_ReadOnly));
  if (!ds) return {};
  std::vector<double> v(static_cast<std::size_t>(rows * cols));
  if (band < 0) band = ds->GetRasterCount();
  const CPLErr e = ds->GetRasterBand(band)->RasterIO(GF_Read, 0, 0, cols, rows, v.data(), cols, rows, GDT_Float64, 0, 0);
  int has = 0;
  const double fill = ds->GetRasterBand(band)->GetNoDataValue(&has);
  GDALClose(ds);
  if (e != CE_None) return {};
  for (auto& x : v)
    if (has && x == fill) x = std::nan("");
  return v;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream f(p);
  return nlohmann::json::parse(f);
}

}  // namespace

TEST(RunCommand, SteadyFluxBelowAPitEqualsItsLoadAndTheLedgerCloses) {
  const Valley v;
  const std::string out = (v.dir / "out").string();
  const CliRun r = run_cli("run '" + v.scenario("s.toml") + "' -o '" + out + "'");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("mass balance relative error"), std::string::npos) << r.out;

  const nlohmann::json j = read_json(fs::path(out) / "summary.json");
  EXPECT_TRUE(j["complete"].get<bool>());
  EXPECT_LT(j["mass_balance"]["relative_error"].get<double>(), 1e-9);
  EXPECT_EQ(j["time"]["steps_done"].get<int>(), 30);
  ASSERT_EQ(j["species"].size(), 2u);
  ASSERT_EQ(j["pits"].size(), 1u);
  EXPECT_LT(j["pits"][0]["snap_distance_m"].get<double>(), 1.0);  // the pit lies on the valley cell
  // 30 days of 10 kg/day went in; at steady state the stored mass is tiny and the rest left.
  const auto& led = j["species"][0]["ledger_kg"];
  EXPECT_NEAR(led["sources"].get<double>(), 30 * load_kg_day, 1e-9);
  EXPECT_GT(led["outflow"].get<double>(), 0.9 * 30 * load_kg_day);

  // Peak: at the pit, flux/discharge there.
  const std::string nc = (fs::path(out) / "run.nc").string();
  ASSERT_TRUE(fs::exists(nc));
  EXPECT_FALSE(fs::exists(nc + ".part"));
  const std::vector<double> c = read_nc(nc, "sulfate", -1);
  const std::vector<double> tracer = read_nc(nc, "tracer", -1);
  const std::vector<double> q = read_nc(nc, "discharge", 1);
  ASSERT_EQ(c.size(), q.size());
  // Downstream of the pit along the valley: C·Q = load (kg/day = g/m³ · m³/s · 86.4); upstream 0.
  for (int row = 0; row < rows; ++row) {
    const std::size_t i = static_cast<std::size_t>(row * cols + valley);
    if (row < pit_row) {
      EXPECT_TRUE(std::isnan(c[i]) || c[i] == 0.0) << "row " << row;  // upstream: clean or not a stream
      continue;
    }
    ASSERT_FALSE(std::isnan(c[i])) << "valley cell " << row << " is not written (not a stream?)";
    EXPECT_NEAR(c[i] * q[i] * 86.4, load_kg_day, 1e-5 * load_kg_day) << "row " << row;
    EXPECT_NEAR(tracer[i] * q[i] * 86.4, 2.0, 1e-5 * 2.0) << "row " << row;
  }
  // Discharge = runoff × contributing area, at the pit and at the last valley cell.
  const std::vector<double> area_km2 = read_nc(nc, "contributing_area", 1);
  for (int row : {pit_row, rows - 1}) {
    const std::size_t i = static_cast<std::size_t>(row * cols + valley);
    const double expect = runoff_mm_yr / 1000.0 / (365.25 * 86400.0) * area_km2[i] * 1e6;
    EXPECT_NEAR(q[i], expect, 1e-6 * expect) << "row " << row;
  }
  EXPECT_NEAR(j["species"][0]["peak"]["value"].get<double>(), c[static_cast<std::size_t>(pit_row * cols + valley)],
              1e-6 * c[static_cast<std::size_t>(pit_row * cols + valley)]);
  EXPECT_TRUE(fs::exists(fs::path(out) / "peak_sulfate.tif"));

  // links.csv: the valley is stream links with a positive travel time, constant runoff: min = mean = max.
  std::ifstream links(fs::path(out) / "links.csv");
  std::string header, row;
  std::getline(links, header);
  EXPECT_EQ(header.rfind("link_id,", 0), 0u) << header;
  EXPECT_NE(header.find("travel_time_h_mean,travel_time_h_min,travel_time_h_max"), std::string::npos) << header;
  int n_links = 0;
  while (std::getline(links, row)) {
    ++n_links;
    std::vector<double> f;
    std::stringstream ss(row);
    for (std::string cellv; std::getline(ss, cellv, ',');) f.push_back(std::stod(cellv));
    ASSERT_EQ(f.size(), 12u) << row;
    EXPECT_GT(f[9], 0.0) << row;
    EXPECT_DOUBLE_EQ(f[10], f[11]) << row;
  }
  EXPECT_GE(n_links, 1);
}

TEST(RunCommand, CheckPrintsThePlanAndWritesNothing) {
  const Valley v;
  const std::string out = (v.dir / "out").string();
  const CliRun r = run_cli("run '" + v.scenario("s.toml") + "' --check -o '" + out + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("21 x 40 = 840 cells"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("30 steps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("memory needed"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
}

TEST(RunCommand, RefusesToReplaceOutputsWithoutOverwrite) {
  const Valley v;
  const std::string out = (v.dir / "out").string();
  const std::string s = v.scenario("s.toml", "2025-01-03");
  ASSERT_EQ(run_cli("run '" + s + "' -o '" + out + "'").code, 0);
  const auto before = fs::last_write_time(fs::path(out) / "run.nc");
  const CliRun again = run_cli("run '" + s + "' -o '" + out + "'");
  EXPECT_EQ(again.code, 2);
  EXPECT_EQ(leachflow::test::count_lines(again.err), 1u) << again.err;
  EXPECT_NE(again.err.find("--overwrite"), std::string::npos) << again.err;
  EXPECT_EQ(fs::last_write_time(fs::path(out) / "run.nc"), before);
  EXPECT_EQ(run_cli("run '" + s + "' -o '" + out + "' --overwrite").code, 0);
}

TEST(RunCommand, EveryScenarioProblemGetsALineWithFileAndLine) {
  const Valley v;
  // Line 6: a misspelt key; line 10: a negative runoff; the pit file is missing.
  const std::string s = (v.dir / "bad.toml").string();
  std::ofstream(s) << "title = \"bad\"\n"
                      "[dem]\n"
                      "path = \"valley.tif\"\n"
                      "[terrain]\n"
                      "router = \"d8\"\n"
                      "stream_treshold_km2 = 1\n"
                      "[runoff]\n"
                      "kind = \"constant\"\n"
                      "# comment\n"
                      "constant_mm_yr = -5\n"
                      "[[species]]\n"
                      "name = \"sulfate\"\n"
                      "[pits]\n"
                      "path = \"missing.csv\"\n"
                      "[time]\n"
                      "start = \"2025-01-01\"\n"
                      "end = \"2025-02-01\"\n";
  const CliRun r = run_cli("run '" + s + "' -o '" + (v.dir / "out").string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(leachflow::test::count_lines(r.err), 3u) << r.err;
  EXPECT_NE(r.err.find(s + " (line 6)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stream_threshold_km2"), std::string::npos) << r.err;  // the suggested fix
  EXPECT_NE(r.err.find(s + " (line 10)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing.csv"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(v.dir / "out"));
}

TEST(RunCommand, PitOutsideTheDemIsOneErrorLine) {
  const Valley v;
  std::ofstream(v.dir / "pits.csv") << "id,lon,lat,sulfate_kg_day\nfar,10.0,10.0,1\n";
  const CliRun r = run_cli("run '" + v.scenario("s.toml") + "' -o '" + (v.dir / "out").string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(leachflow::test::count_lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("pits.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("feature 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("outside the DEM"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(v.dir / "out" / "run.nc"));
}

TEST(RunCommand, InterruptKeepsTheStepsDoneAsAPartialNetcdf) {
  const Valley v;
  const std::string out = (v.dir / "out").string();
  // 200 years of daily steps: far longer than the wait before the interrupt.
  const std::string s = v.scenario("long.toml", "2225-01-01", "");
  // An earlier run's outputs, replaced with --overwrite: none may survive beside the partial file.
  fs::create_directories(out);
  for (const char* old : {"run.nc", "summary.json", "budgets.csv"}) std::ofstream(fs::path(out) / old) << "from an earlier run";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::freopen("/dev/null", "w", stdout);
    ::execl(LEACHFLOW_EXE, LEACHFLOW_EXE, "run", s.c_str(), "-o", out.c_str(), "--overwrite", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Interrupt once the time loop is writing (the .part file exists), however slow the machine.
  for (int k = 0; k < 600 && !fs::exists(fs::path(out) / "run.nc.part"); ++k)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_FALSE(fs::exists(fs::path(out) / "run.nc"));
  EXPECT_FALSE(fs::exists(fs::path(out) / "run.nc.part"));
  const std::string partial = (fs::path(out) / "run.partial.nc").string();
  ASSERT_TRUE(fs::exists(partial));
  GDALAllRegister();
  auto* ds = static_cast<GDALDataset*>(GDALOpen(("NETCDF:\"" + partial + "\":sulfate").c_str(), GA_ReadOnly));
  ASSERT_NE(ds, nullptr);
  const char* flag = ds->GetMetadataItem("NC_GLOBAL#leachflow_partial");
  EXPECT_STREQ(flag ? flag : "", "true");
  EXPECT_GE(ds->GetRasterCount(), 1);
  GDALClose(ds);
  const nlohmann::json j = read_json(fs::path(out) / "summary.json");  // this run's, not the old text
  EXPECT_FALSE(j["complete"].get<bool>());
  EXPECT_LT(j["mass_balance"]["relative_error"].get<double>(), 1e-9);
}

TEST(RunCommand, BorderCrossingCarriesThePitsLoadAtSteadyState) {
  const Valley v;
  leachflow::test::write_two_regions(v.dir);  // split between rows 19 and 20
  const std::string out = (v.dir / "out").string();
  const std::string s = v.scenario("s.toml", "2025-01-31", "[regions]\npath = \"regions.geojson\"\nname_field = \"name\"\n");
  const CliRun r = run_cli("run '" + s + "' -o '" + out + "'");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("Upland -> Lowland"), std::string::npos) << r.out;

  std::ifstream csv(fs::path(out) / "crossings.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("crossing_id,from_region,to_region,lon,lat,river_basin,species,mean_flux_kg_day,"
                         "peak_flux_kg_day,peak_concentration,unit",
                         0),
            0u)
      << header;
  std::vector<std::string> csv_rows;
  while (std::getline(csv, line)) csv_rows.push_back(line);
  // Only the valley crosses (hillslope cells are not streams): one crossing, two species.
  ASSERT_EQ(csv_rows.size(), 2u) << header;
  const nlohmann::json j = read_json(fs::path(out) / "summary.json");
  ASSERT_EQ(j["crossings"].size(), 2u);
  for (const auto& c : j["crossings"]) {
    EXPECT_EQ(c["from_region"], "Upland");
    EXPECT_EQ(c["to_region"], "Lowland");
    const double load = c["species"] == "sulfate" ? load_kg_day : 2.0;
    // Steady within the first day (residence time of hours): the peak flux is the load.
    EXPECT_NEAR(c["peak_flux_kg_day"].get<double>(), load, 1e-5 * load) << c.dump();
    EXPECT_LE(c["mean_flux_kg_day"].get<double>(), load * (1 + 1e-9)) << c.dump();
    EXPECT_GT(c["mean_flux_kg_day"].get<double>(), 0.95 * load) << c.dump();
  }
  // Attribution: the one pit sends all the crossing's flux; conservative sulfate arrives whole.
  std::ifstream att(fs::path(out) / "attribution.csv");
  std::getline(att, header);
  EXPECT_EQ(header.rfind("crossing_id,from_region,to_region,species,source,load_kg_day,flux_kg_day,transmission,share", 0), 0u)
      << header;
  int att_rows = 0;
  while (std::getline(att, line)) {
    ++att_rows;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_GE(f.size(), 9u) << line;
    EXPECT_EQ(f[4], "p1") << line;
    const double load = f[3] == "sulfate" ? load_kg_day : 2.0;
    EXPECT_NEAR(std::stod(f[5]), load, 1e-12) << line;
    EXPECT_NEAR(std::stod(f[6]), load, 1e-5 * load) << line;
    EXPECT_NEAR(std::stod(f[7]), 1.0, 1e-5) << line;
    EXPECT_DOUBLE_EQ(std::stod(f[8]), 1.0) << line;
  }
  EXPECT_EQ(att_rows, 2);

  // Budgets: all load enters in Upland and crosses to Lowland; what Upland sends is what Lowland
  // receives and what crossed at the crossing (the implicit scheme's outflux is the end-of-step
  // flux the crossing series records, so 30 daily values × 1 day sum to it); what leaves the
  // domain is the ledger's outflow; sulfate and the tracer do not react.
  std::ifstream bud(fs::path(out) / "budgets.csv");
  std::getline(bud, header);
  EXPECT_EQ(header, "kind,id,name,species,cells,load_in_kg,inflow_kg,load_out_kg,left_domain_kg,reacted_kg,"
                    "stored_change_kg,imbalance_kg");
  std::map<std::string, std::vector<std::string>> budget;  // "kind/name/species" → fields
  while (std::getline(bud, line)) {
    std::vector<std::string> f(1);  // RFC 4180 fields: basin names are quoted (they hold commas)
    bool quoted = false;
    for (char ch : line) {
      if (ch == '"') quoted = !quoted;
      else if (ch == ',' && !quoted) f.emplace_back();
      else f.back() += ch;
    }
    ASSERT_EQ(f.size(), 12u) << line;
    budget[f[0] + "/" + (f[0] == "basin" ? std::string("basin") : f[2]) + "/" + f[3]] = f;
  }
  ASSERT_EQ(budget.size(), 6u);  // 2 regions + 1 loaded basin, × 2 species
  for (const auto& c : j["crossings"]) {
    const std::string sp = c["species"];
    const double load = sp == "sulfate" ? load_kg_day : 2.0;
    const auto& up = budget.at("region/Upland/" + sp);
    const auto& low = budget.at("region/Lowland/" + sp);
    const auto& basin = budget.at("basin/basin/" + sp);
    const auto num = [](const std::vector<std::string>& f, int k) { return std::stod(f[static_cast<std::size_t>(k)]); };
    EXPECT_NEAR(num(up, 5), 30.0 * load, 1e-9 * load);
    EXPECT_EQ(num(low, 5), 0.0);
    EXPECT_NEAR(num(low, 6), num(up, 7), 1e-8 * load) << "Upland sends what Lowland receives";
    EXPECT_EQ(num(up, 8), 0.0);
    EXPECT_NEAR(num(up, 7), 30.0 * c["mean_flux_kg_day"].get<double>(), 1e-5 * load) << "the crossing's flux over 30 days";
    EXPECT_EQ(num(up, 9), 0.0);
    for (const auto* f : {&up, &low, &basin}) EXPECT_LE(std::abs(num(*f, 11)), 1e-8 * load) << (*f)[2];
    const double ledger_out = j["species"][sp == "sulfate" ? 0 : 1]["ledger_kg"]["outflow"].get<double>();
    EXPECT_NEAR(num(low, 8), ledger_out, 1e-8 * load);
    EXPECT_NEAR(num(basin, 5), 30.0 * load, 1e-9 * load);
    EXPECT_NEAR(num(basin, 7), ledger_out, 1e-8 * load);
  }

  // The series in the NetCDF: the last step's flux is the load.
  GDALAllRegister();
  const std::string nc = (fs::path(out) / "run.nc").string();
  auto* ds = static_cast<GDALDataset*>(GDALOpenEx(nc.c_str(), GDAL_OF_MULTIDIM_RASTER, nullptr, nullptr, nullptr));
  ASSERT_NE(ds, nullptr);
  auto group = ds->GetRootGroup();
  auto flux = group->OpenMDArray("crossing_flux_sulfate");
  ASSERT_TRUE(flux);
  const auto dims = flux->GetDimensions();
  ASSERT_EQ(dims.size(), 2u);
  EXPECT_EQ(dims[0]->GetSize(), 30u);
  EXPECT_EQ(dims[1]->GetSize(), 1u);
  double last = 0;
  const GUInt64 start[2] = {29, 0};
  const size_t count[2] = {1, 1};
  ASSERT_TRUE(flux->Read(start, count, nullptr, nullptr, GDALExtendedDataType::Create(GDT_Float64), &last));
  EXPECT_NEAR(last, load_kg_day, 1e-5 * load_kg_day);
  GDALClose(ds);
}

// Band `band` (1-based) of a single-band GeoTIFF as doubles.
static std::vector<double> read_tif(const std::string& path) {
  auto* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
  if (!ds) return {};
  std::vector<double> v(static_cast<std::size_t>(rows * cols));
  const CPLErr e = ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, cols, rows, v.data(), cols, rows, GDT_Float64, 0, 0);
  GDALClose(ds);
  return e == CE_None ? v : std::vector<double>{};
}

TEST(RunCommand, ExposureMapsEqualStatisticsTakenFromTheNetcdf) {
  const Valley v;
  // First run: the tracer's concentrations along the valley, to set a guideline between them.
  const std::string out0 = (v.dir / "out0").string();
  ASSERT_EQ(run_cli("run '" + v.scenario("s0.toml", "2025-01-11") + "' -o '" + out0 + "'").code, 0);
  const std::vector<double> c0 = read_nc((fs::path(out0) / "run.nc").string(), "tracer", -1);
  const double guideline = 0.5 * (c0[static_cast<std::size_t>(pit_row * cols + valley)] +
                                  c0[static_cast<std::size_t>((rows - 1) * cols + valley)]);
  ASSERT_GT(guideline, 0.0);

  const std::string out = (v.dir / "out").string();
  const CliRun r = run_cli("run '" + v.scenario("s.toml", "2025-01-11", "", guideline) + "' -o '" + out + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string nc = (fs::path(out) / "run.nc").string();
  std::vector<std::vector<double>> series;
  for (int b = 1; b <= 10; ++b) series.push_back(read_nc(nc, "tracer", b));
  const std::vector<double> mean = read_tif((fs::path(out) / "mean_tracer.tif").string());
  const std::vector<double> p95 = read_tif((fs::path(out) / "p95_tracer.tif").string());
  const std::vector<double> days = read_tif((fs::path(out) / "days_above_tracer.tif").string());
  ASSERT_EQ(mean.size(), series[0].size());
  ASSERT_EQ(days.size(), series[0].size());
  int above_somewhere = 0, below_somewhere = 0;
  for (std::size_t i = 0; i < mean.size(); ++i) {
    if (std::isnan(series[0][i])) {
      EXPECT_EQ(mean[i], -9999.0) << i;  // not an output cell
      continue;
    }
    std::vector<double> x;
    double sum = 0, count = 0;
    for (const auto& s : series) {
      x.push_back(s[i]);
      sum += s[i];
      count += s[i] > guideline ? 1.0 : 0.0;  // daily outputs: one day each
    }
    EXPECT_NEAR(mean[i], sum / 10.0, 1e-6 * (1.0 + sum / 10.0)) << i;
    std::sort(x.begin(), x.end());
    EXPECT_EQ(static_cast<float>(p95[i]), static_cast<float>(x[9])) << i;  // nearest rank: ceil(0.95·10) = 10th
    EXPECT_EQ(days[i], count) << i;
    above_somewhere += count > 0;
    below_somewhere += count == 0;
  }
  EXPECT_GT(above_somewhere, 0);
  EXPECT_GT(below_somewhere, 0);
  std::ifstream csv(fs::path(out) / "exposure.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("species,guideline_mg_l,cells_above,area_above_km2,max_days_above", 0), 0u) << header;
}

// People downstream: settlements on the valley and a population raster at twice the DEM's
// resolution (0.25 people per 50 m cell = 1 per DEM cell after sum resampling). The tracer's
// guideline (0.2 mg/L) is exceeded from the pit (row 8, ~0.39 mg/L) down to where the growing
// discharge dilutes it below 0.2 (C ∝ 1/contributing area, about row 16). Expected values are
// taken independently from the run's peak GeoTIFF and stream mask, by brute force.
TEST(RunCommand, SettlementsAndPopulationAboveGuidelinesMatchThePeakMap) {
  const Valley v;
  leachflow::test::write_two_regions(v.dir);
  const auto lonlat = [](int r, double c) {  // c: fractional column of the cell's centre
    std::vector<double> x{500000.0 + (c + 0.5) * 100.0}, y{2800000.0 - (r + 0.5) * 100.0};
    leachflow::io::to_lonlat(leachflow::io::epsg_wkt(32647), x, y);
    return std::pair{x[0], y[0]};
  };
  {
    std::ofstream f(v.dir / "places.csv");
    f << "name,lon,lat,population\n";
    // Ban Na sits 40 m east of the valley's centre line (the tributary cell to its east is 60 m away).
    const struct { const char* name; int r; double c; int people; } places[] = {
        {"Ban Na", 12, 10.4, 500}, {"Ban Tai", 30, 10, 300}, {"Ban Nuea", 3, 10, 200}, {"Far Hamlet", 20, 0, 50}};
    for (const auto& p : places) {
      const auto [lon, lat] = lonlat(p.r, p.c);
      f << fmt::format("{},{:.10f},{:.10f},{}\n", p.name, lon, lat, p.people);
    }
  }
  const auto fine = leachflow::model::make_grid(80, 42, {500000.0, 50.0, 0.0, 2800000.0, 0.0, -50.0},
                                                leachflow::io::epsg_wkt(32647), false);
  leachflow::io::write_geotiff<float>((v.dir / "people.tif").string(), fine, std::vector<float>(80 * 42, 0.25f), -1.0);

  const std::string out = (v.dir / "out").string();
  const std::string s = v.scenario("s.toml", "2025-01-11",
                                   "[regions]\npath = \"regions.geojson\"\n"
                                   "[exposure]\nsettlements = \"places.csv\"\nsettlement_snap_m = 300\n"
                                   "population = \"people.tif\"\nnear_stream_m = 150\n",
                                   0.2);
  const CliRun r = run_cli("run '" + s + "' -o '" + out + "'");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("people downstream"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 of 4 settlements have no stream within 300 m"), std::string::npos) << r.out;

  const std::vector<double> peak = read_tif((fs::path(out) / "peak_tracer.tif").string());
  const std::vector<double> stream = read_nc((fs::path(out) / "run.nc").string(), "stream", 1);
  ASSERT_EQ(peak.size(), static_cast<std::size_t>(rows * cols));
  ASSERT_EQ(stream.size(), peak.size());
  std::vector<int> hot;
  for (int i = 0; i < rows * cols; ++i)
    if (stream[static_cast<std::size_t>(i)] == 1 && peak[static_cast<std::size_t>(i)] > 0.2) hot.push_back(i);
  ASSERT_GE(hot.size(), 5u);
  ASSERT_LT(hot.size(), 32u);  // the guideline is exceeded on part of the valley only
  int exposed = 0, exposed_lowland = 0;
  for (int i = 0; i < rows * cols; ++i) {
    bool near = false;
    for (int h : hot) near = near || std::hypot((i / cols - h / cols) * 100.0, (i % cols - h % cols) * 100.0) <= 150.0;
    exposed += near;
    exposed_lowland += near && i / cols >= 20;
  }

  const nlohmann::json j = read_json(fs::path(out) / "summary.json");
  ASSERT_EQ(j["people"].size(), 2u);
  const auto& tracer = j["people"][1];
  ASSERT_EQ(tracer["species"], "tracer");
  EXPECT_EQ(tracer["settlements"].get<int>(), 4);
  EXPECT_EQ(tracer["settlements_above"].get<int>(), 1);  // Ban Na only: Ban Tai is diluted, Ban Nuea upstream
  EXPECT_DOUBLE_EQ(tracer["settlement_people_above"].get<double>(), 500.0);
  EXPECT_NEAR(tracer["population"].get<double>(), 840.0, 1e-6);  // 40 × 21 cells, one person each
  EXPECT_NEAR(tracer["population_exposed"].get<double>(), exposed, 1e-6);
  EXPECT_EQ(j["people"][0]["settlements_above"].get<int>(), 0);  // sulfate stays far below 250 mg/L

  // settlements.csv: one row per place and species; Ban Na's peak is the peak map's at its stream cell.
  std::ifstream csv(fs::path(out) / "settlements.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("name,population,lon,lat,stream_row,stream_col,distance_m,species,guideline_mg_l,peak_mg_l", 0), 0u);
  int n = 0;
  while (std::getline(csv, line)) {
    ++n;
    if (line.rfind("Ban Na,", 0) == 0 && line.find(",tracer,") != std::string::npos) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
      ASSERT_GE(f.size(), 13u) << line;
      EXPECT_EQ(f[4], "12");
      EXPECT_EQ(f[5], "10");
      EXPECT_NEAR(std::stod(f[6]), 40.0, 0.1);
      EXPECT_NEAR(std::stod(f[9]), peak[12 * cols + 10], 1e-5 * peak[12 * cols + 10]);
      EXPECT_EQ(f[12], "yes");
    }
    if (line.rfind("Far Hamlet,", 0) == 0) {
      EXPECT_NE(line.find("no stream within 300 m"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(n, 8);

  // exposed_population.csv: per region and for the whole grid.
  std::ifstream pop(fs::path(out) / "exposed_population.csv");
  std::getline(pop, line);
  EXPECT_EQ(line, "region,species,guideline_mg_l,near_stream_m,population,population_exposed,share_exposed");
  std::map<std::string, double> by_region;
  while (std::getline(pop, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 7u) << line;
    if (f[1] == "tracer") by_region[f[0]] = std::stod(f[5]);
  }
  EXPECT_NEAR(by_region.at("(whole grid)"), exposed, 1e-6);
  EXPECT_NEAR(by_region.at("Lowland"), exposed_lowland, 1e-6);
  EXPECT_NEAR(by_region.at("Upland"), exposed - exposed_lowland, 1e-6);

  // Attribution at the places (named points): the one pit sends Ban Na and Ban Tai, downstream,
  // its whole conservative load; Ban Nuea, upstream, gets nothing and no row.
  std::ifstream att(fs::path(out) / "settlement_attribution.csv");
  std::getline(att, line);
  EXPECT_EQ(line, "place,species,source,load_kg_day,flux_kg_day,transmission,share,steady_state_of");
  std::map<std::string, std::vector<std::string>> att_rows;
  while (std::getline(att, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 8u) << line;
    att_rows[f[0] + "/" + f[1]] = f;
  }
  EXPECT_EQ(att_rows.size(), 4u);  // Ban Na and Ban Tai × sulfate and tracer
  for (const char* place : {"Ban Na", "Ban Tai"}) {
    const auto& f = att_rows.at(std::string(place) + "/tracer");
    EXPECT_EQ(f[2], "p1");
    EXPECT_NEAR(std::stod(f[4]), 2.0, 1e-4) << place;
    EXPECT_NEAR(std::stod(f[5]), 1.0, 1e-4) << place;
    EXPECT_DOUBLE_EQ(std::stod(f[6]), 1.0) << place;
  }

  // The report carries both: the people table and Ban Na among the places above.
  const CliRun rep = run_cli("report '" + out + "'");
  ASSERT_EQ(rep.code, 0) << rep.err;
  std::ifstream md_file(fs::path(out) / "report.md");
  const std::string md((std::istreambuf_iterator<char>(md_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(md.find("People downstream"), std::string::npos) << md;
  EXPECT_NE(md.find("| tracer | 0.2 | 1 of 4 | 500 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Ban Na | tracer |"), std::string::npos) << md;
  EXPECT_EQ(md.find("| Ban Tai | tracer |"), std::string::npos) << md;
}

TEST(RunCommand, BadPopulationRasterFailsBeforeTheRun) {
  const Valley v;
  std::ofstream(v.dir / "people.tif") << "not a raster";
  const std::string s = v.scenario("s.toml", "2025-01-03", "[exposure]\npopulation = \"people.tif\"\n");
  const CliRun r = run_cli("run '" + s + "' -o '" + (v.dir / "out").string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("people.tif"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(v.dir / "out" / "run.nc"));
}

// Two pits in Upland on the valley (p1 at row 8, p2 at row 14, both above the border at row 20):
// for conservative sulfate the shares at the crossing are the loads' shares (10 : 30), they sum
// to one, and each pit's attributed flux equals the crossing flux of a run with that pit alone.
TEST(RunCommand, AttributionSharesAreTheLoadsAndEqualSinglePitRuns) {
  const Valley v;
  leachflow::test::write_two_regions(v.dir);
  const auto pit_line = [](const char* id, int r, double sulfate, double tracer) {
    std::vector<double> x{500000.0 + (valley + 0.5) * 100.0}, y{2800000.0 - (r + 0.5) * 100.0};
    leachflow::io::to_lonlat(leachflow::io::epsg_wkt(32647), x, y);
    return fmt::format("{},{:.10f},{:.10f},{},{}\n", id, x[0], y[0], sulfate, tracer);
  };
  const std::string header = "id,lon,lat,sulfate_kg_day,tracer_kg_day\n";
  const std::string p1 = pit_line("p1", pit_row, 10.0, 1.0), p2 = pit_line("p2", 14, 30.0, 3.0);
  const auto run_with = [&](const std::string& pits, const std::string& name) {
    std::ofstream(v.dir / "pits.csv") << header << pits;
    const std::string out = (v.dir / name).string();
    const CliRun r = run_cli("run '" + v.scenario("s.toml", "2025-01-11", "[regions]\npath = \"regions.geojson\"\n") +
                             "' -o '" + out + "'");
    EXPECT_EQ(r.code, 0) << r.err << r.out;
    return out;
  };
  // Crossing flux of the last step, per species, from crossings.csv's peak (steady after a day).
  const auto crossing_flux = [](const std::string& out) {
    std::map<std::string, double> flux;
    const nlohmann::json j = read_json(fs::path(out) / "summary.json");  // alive for the loop
    for (const auto& c : j["crossings"])
      flux[c["species"].get<std::string>()] = c["peak_flux_kg_day"].get<double>();
    return flux;
  };
  const std::string both = run_with(p1 + p2, "both");
  const auto alone1 = crossing_flux(run_with(p1, "p1"));
  const auto alone2 = crossing_flux(run_with(p2, "p2"));
  ASSERT_EQ(alone1.size(), 2u);
  ASSERT_EQ(alone2.size(), 2u);

  std::ifstream att(fs::path(both) / "attribution.csv");
  std::string line;
  std::getline(att, line);
  std::map<std::string, double> share_sum;
  int rows_seen = 0;
  while (std::getline(att, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_GE(f.size(), 9u) << line;
    ++rows_seen;
    const std::string& sp = f[3];
    const double flux = std::stod(f[6]), share = std::stod(f[8]);
    share_sum[sp] += share;
    const double alone = (f[4] == "p1" ? alone1 : alone2).at(sp);
    EXPECT_NEAR(flux, alone, 1e-4 * alone) << line;  // attribution = the single-pit run
    if (sp == "sulfate") {
      EXPECT_NEAR(share, f[4] == "p1" ? 0.25 : 0.75, 1e-4) << line;
    }
  }
  EXPECT_EQ(rows_seen, 4);  // 2 pits × 2 species
  for (const auto& [sp, sum] : share_sum) EXPECT_NEAR(sum, 1.0, 1e-12) << sp;
}
