// Scenario parsing: a full file to the expected values, defaults, and every kind of problem as
// one line "FILE (line N): problem; fix: ..." with the right line, all problems of a file at once.
#include "io/scenario.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "model/iso_time.hpp"
#include "temp_dir.hpp"

namespace leachflow::io {
namespace {

namespace fs = std::filesystem;

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// The 1-based line of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The smallest valid scenario; the DEM and pit files exist (empty: only existence is checked).
const std::string kMinimal = R"(title = "Test run"

[dem]
path = "dem.tif"

[runoff]
constant_mm_yr = 1500

[[species]]
name = "sulfate"

[pits]
path = "pits.geojson"

[time]
start = "2025-01-01"
end = "2025-03-01"
)";

class ScenarioFile : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::string folder;
  void SetUp() override {
    folder = fs::path(dir.file("x")).parent_path().string();
    for (const char* f : {"dem.tif", "pits.geojson", "countries.gpkg", "runoff.nc", "r1.tif", "r2.tif"}) write(dir.file(f), "");
  }
  io::Scenario parse(const std::string& text) { return parse_scenario_text(text, "s.toml", folder); }
  // The problem lines for `text`; fails the test if it parses.
  std::vector<std::string> problems(const std::string& text) {
    try {
      parse(text);
    } catch (const ScenarioError& e) {
      return e.lines();
    }
    ADD_FAILURE() << "no ScenarioError for:\n" << text;
    return {};
  }
  // Exactly one problem, on `line`, containing each of `parts`.
  void expect_one(const std::string& text, int line, const std::vector<std::string>& parts) {
    const auto lines = problems(text);
    ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
    const std::string prefix = "s.toml (line " + std::to_string(line) + "): ";
    EXPECT_EQ(lines[0].rfind(prefix, 0), 0u) << lines[0];
    EXPECT_TRUE(contains(lines[0], "; fix: ")) << lines[0];
    for (const auto& p : parts) EXPECT_TRUE(contains(lines[0], p)) << "missing [" << p << "] in: " << lines[0];
  }
};

TEST_F(ScenarioFile, FullFileParsesToTheGivenValues) {
  const std::string text = R"(title = "Chipwi pits, dry season"
institution = "Example NGO"

[dem]
path = "sub/../dem.tif"
band = 2
crop = [97.9, 25.6, 98.7, 26]

[terrain]
depressions = "breach"
router = "MFD"
stream_threshold_km2 = 2.5

[runoff]
kind = "rasters"
rasters = [{time = "2025-01-01", path = "r1.tif"}, {time = 2025-02-01, path = "r2.tif"}]
units = "mm/month"
source = "GRUN"

[hydraulics]
velocity = "manning"
manning_n = 0.05
min_discharge_m3s = 0.01

[[species]]
name = "ammonium"

[[species]]
name = "tracer"
decay_per_day = 0.1
retardation = 3
settling_m_day = 0.25
guideline_mg_l = 2
source = "made up"

[pits]
path = "pits.geojson"
layer = "pits"
id_field = "pit_id"
snap_distance_m = 250
keep_unsnapped = true

[pits.load_fields]
ammonium = "NH4_kg_d"

[regions]
path = "countries.gpkg"
layer = "admin0"
name_field = "NAME_EN"

[time]
start = "2025-01-01"
end = 2025-12-31T00:00:00Z
step_days = 0.5

[transport]
scheme = "explicit"
dispersion = true
dispersivity = 0.3
courant = 0.8
steady_state_start = true

[output]
every_days = 5
species = ["tracer"]
mask = "all"
netcdf = "chipwi.nc"
static_fields = false
map_png = false
)";
  write(dir.file("full.toml"), text);
  const io::Scenario s = parse_scenario(dir.file("full.toml"));
  EXPECT_EQ(s.file, dir.file("full.toml"));
  EXPECT_EQ(s.folder, folder);
  EXPECT_EQ(s.text, text);
  EXPECT_EQ(s.title, "Chipwi pits, dry season");
  EXPECT_EQ(s.institution, "Example NGO");
  EXPECT_EQ(s.dem.path, dir.file("dem.tif"));  // resolved against the file's folder, normalised
  EXPECT_EQ(s.dem.band, 2);
  ASSERT_TRUE(s.dem.crop_lonlat);
  EXPECT_EQ(*s.dem.crop_lonlat, (std::array<double, 4>{97.9, 25.6, 98.7, 26.0}));
  EXPECT_EQ(s.terrain.depressions, "breach");
  EXPECT_EQ(s.terrain.router, "mfd");  // case ignored, stored canonical
  EXPECT_EQ(s.terrain.stream_threshold_km2, 2.5);
  EXPECT_EQ(s.runoff.kind, "rasters");
  ASSERT_EQ(s.runoff.rasters.size(), 2u);
  EXPECT_EQ(s.runoff.rasters[0], std::make_pair(std::string("2025-01-01"), dir.file("r1.tif")));
  EXPECT_EQ(s.runoff.rasters[1], std::make_pair(std::string("2025-02-01"), dir.file("r2.tif")));  // bare TOML date
  EXPECT_EQ(s.runoff.units, "mm/month");
  EXPECT_EQ(s.runoff.source, "GRUN");
  EXPECT_EQ(s.hydraulics.velocity, "manning");
  EXPECT_EQ(s.hydraulics.manning_n, 0.05);
  EXPECT_EQ(s.hydraulics.min_discharge_m3s, 0.01);
  ASSERT_EQ(s.species.size(), 2u);
  EXPECT_EQ(s.species[0].name, "ammonium");
  EXPECT_TRUE(std::isnan(s.species[0].decay_per_day));  // unset: the preset's value later
  EXPECT_EQ(s.species[0].line, line_of(text, "[[species]]"));
  EXPECT_EQ(s.species[1].name, "tracer");
  EXPECT_EQ(s.species[1].decay_per_day, 0.1);
  EXPECT_EQ(s.species[1].retardation, 3.0);  // integer accepted for a number
  EXPECT_EQ(s.species[1].settling_m_day, 0.25);
  EXPECT_EQ(s.species[1].guideline_mg_l, 2.0);
  EXPECT_EQ(s.species[1].source, "made up");
  EXPECT_EQ(s.pits.path, dir.file("pits.geojson"));
  EXPECT_EQ(s.pits.layer, "pits");
  EXPECT_EQ(s.pits.id_field, "pit_id");
  EXPECT_EQ(s.pits.snap_distance_m, 250);
  EXPECT_TRUE(s.pits.keep_unsnapped);
  EXPECT_EQ(s.pits.load_fields, (std::map<std::string, std::string>{{"ammonium", "NH4_kg_d"}}));
  EXPECT_EQ(s.regions.path, dir.file("countries.gpkg"));
  EXPECT_EQ(s.regions.layer, "admin0");
  EXPECT_EQ(s.regions.name_field, "NAME_EN");
  EXPECT_EQ(s.time.start, "2025-01-01");
  EXPECT_EQ(s.time.end, "2025-12-31T00:00:00Z");
  EXPECT_EQ(s.time.start_day, model::days_from_civil(2025, 1, 1));
  EXPECT_EQ(s.time.end_day, model::days_from_civil(2025, 12, 31));
  EXPECT_EQ(s.time.step_days, 0.5);
  EXPECT_EQ(s.transport.scheme, "explicit");
  EXPECT_TRUE(s.transport.dispersion);
  EXPECT_EQ(s.transport.dispersivity, 0.3);
  EXPECT_EQ(s.transport.courant, 0.8);
  EXPECT_TRUE(s.transport.steady_state_start);
  EXPECT_EQ(s.output.every_days, 5);
  EXPECT_EQ(s.output.species, std::vector<std::string>{"tracer"});
  EXPECT_EQ(s.output.mask, "all");
  EXPECT_EQ(s.output.netcdf, "chipwi.nc");
  EXPECT_FALSE(s.output.static_fields);
  EXPECT_FALSE(s.output.map_png);
}

TEST_F(ScenarioFile, DefaultsApplied) {
  const io::Scenario s = parse(replace(kMinimal, "end = \"2025-03-01\"", "end = \"2025-03-01\"\nstep_days = 2"));
  EXPECT_EQ(s.dem.path, dir.file("dem.tif"));
  EXPECT_EQ(s.dem.band, 1);
  EXPECT_FALSE(s.dem.crop_lonlat);
  EXPECT_EQ(s.terrain.depressions, "fill");
  EXPECT_EQ(s.terrain.router, "d8");
  EXPECT_EQ(s.terrain.stream_threshold_km2, 0);
  EXPECT_EQ(s.runoff.kind, "constant");
  EXPECT_EQ(s.runoff.constant_mm_yr, 1500);
  EXPECT_EQ(s.hydraulics.velocity, "continuity");
  EXPECT_EQ(s.hydraulics.manning_n, 0.035);
  EXPECT_LT(s.hydraulics.min_discharge_m3s, 0);
  ASSERT_EQ(s.species.size(), 1u);
  EXPECT_TRUE(std::isnan(s.species[0].retardation));
  EXPECT_EQ(s.pits.id_field, "id");
  EXPECT_EQ(s.pits.snap_distance_m, 500);
  EXPECT_FALSE(s.pits.keep_unsnapped);
  EXPECT_TRUE(s.pits.load_fields.empty());
  EXPECT_TRUE(s.regions.path.empty());
  EXPECT_EQ(s.regions.name_field, "name");
  EXPECT_EQ(s.time.step_days, 2);
  EXPECT_EQ(s.transport.scheme, "implicit");
  EXPECT_FALSE(s.transport.dispersion);
  EXPECT_EQ(s.transport.courant, 1.0);
  EXPECT_EQ(s.output.every_days, 2);  // the step
  EXPECT_TRUE(s.output.species.empty());
  EXPECT_EQ(s.output.mask, "streams");
  EXPECT_EQ(s.output.netcdf, "leachflow.nc");
  EXPECT_TRUE(s.output.static_fields);
  EXPECT_TRUE(s.output.map_png);
}

TEST_F(ScenarioFile, NonPresetSpeciesWithoutParametersIsAConservativeTracer) {
  const io::Scenario s = parse(replace(kMinimal, "name = \"sulfate\"", "name = \"chloride\""));
  ASSERT_EQ(s.species.size(), 1u);
  EXPECT_EQ(s.species[0].name, "chloride");
  EXPECT_TRUE(std::isnan(s.species[0].decay_per_day));
}

TEST_F(ScenarioFile, MonthlyAndNetcdfRunoff) {
  const std::string monthly = replace(kMinimal, "constant_mm_yr = 1500",
                                      "kind = \"monthly\"\nmonthly_mm = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5]");
  const io::Scenario m = parse(monthly);
  EXPECT_EQ(m.runoff.monthly_mm[0], 1);
  EXPECT_EQ(m.runoff.monthly_mm[11], 12.5);
  const io::Scenario n = parse(replace(kMinimal, "constant_mm_yr = 1500",
                                       "kind = \"netcdf\"\npath = \"runoff.nc\"\nvariable = \"ro\""));
  EXPECT_EQ(n.runoff.path, dir.file("runoff.nc"));
  EXPECT_EQ(n.runoff.variable, "ro");
  const io::Scenario r = parse(replace(kMinimal, "constant_mm_yr = 1500",
                                       "kind = \"rasters\"\n[[runoff.rasters]]\ntime = \"2025-01-01\"\npath = \"r1.tif\"\n"
                                       "[[runoff.rasters]]\ntime = \"2025-01-02T12:00Z\"\npath = \"r2.tif\""));
  ASSERT_EQ(r.runoff.rasters.size(), 2u);
  EXPECT_EQ(r.runoff.rasters[1].first, "2025-01-02T12:00Z");
  EXPECT_EQ(r.runoff.rasters[1].second, dir.file("r2.tif"));
}

TEST_F(ScenarioFile, SyntaxErrorIsOneLineWithItsLineNumber) {
  const std::string text = replace(kMinimal, "[pits]\npath = \"pits.geojson\"", "[pits]\npath = pits.geojson");
  expect_one(text, line_of(text, "path = pits"), {"TOML syntax error", "column"});
}

TEST_F(ScenarioFile, UnknownKeySuggestsTheNearest) {
  const std::string text = kMinimal + "\n[terrain]\nstream_treshold_km2 = 5\n";
  expect_one(text, line_of(text, "stream_treshold"),
             {"unknown key \"stream_treshold_km2\" in [terrain]", "fix: did you mean \"stream_threshold_km2\"?"});
}

TEST_F(ScenarioFile, UnknownKeyFarFromAnyListsTheKnownOnes) {
  const std::string text = kMinimal + "\n[hydraulics]\nfoo = 1\n";
  expect_one(text, line_of(text, "foo"), {"unknown key \"foo\" in [hydraulics]", "\"velocity\", \"manning_n\""});
}

TEST_F(ScenarioFile, UnknownKeyThatShortensAKnownOne) {
  const std::string text = replace(kMinimal, "name = \"sulfate\"", "name = \"sulfate\"\ndecay = 0.1");
  expect_one(text, line_of(text, "decay"), {"unknown key \"decay\" in [[species]] \"sulfate\"", "did you mean \"decay_per_day\"?"});
}

TEST_F(ScenarioFile, UnknownTopLevelKeyAndTable) {
  const std::string key = replace(kMinimal, "title =", "titel =");
  expect_one(key, 1, {"unknown key \"titel\" at the top level", "did you mean \"title\"?"});
  const std::string table = kMinimal + "\n[terain]\nrouter = \"d8\"\n";
  expect_one(table, line_of(table, "[terain]"), {"unknown table [terain]", "did you mean [terrain]?"});
  // A misspelt required table or key is reported once, not also as missing.
  const std::string pits = replace(kMinimal, "[pits]", "[pit]");
  expect_one(pits, line_of(pits, "[pit]"), {"unknown table [pit]", "did you mean [pits]?"});
  const std::string sub = kMinimal + "\n[pits.load_field]\nsulfate = \"so4\"\n";
  expect_one(sub, line_of(sub, "[pits.load_field]"), {"unknown table [pits.load_field]", "did you mean [pits.load_fields]?"});
}

TEST_F(ScenarioFile, WrongTypes) {
  const std::string band = replace(kMinimal, "path = \"dem.tif\"", "path = \"dem.tif\"\nband = \"one\"");
  expect_one(band, line_of(band, "band"), {"\"band\" in [dem] must be an integer, not a string", "band = 1"});
  const std::string n = kMinimal + "\n[hydraulics]\nmanning_n = \"0.03\"\n";
  expect_one(n, line_of(n, "manning_n"), {"\"manning_n\" in [hydraulics] must be a number, not a string"});
  const std::string b = kMinimal + "\n[transport]\ndispersion = \"yes\"\n";
  expect_one(b, line_of(b, "dispersion"), {"must be true or false"});
  const std::string sp = replace(kMinimal, "[[species]]", "[species]");
  expect_one(sp, line_of(sp, "[species]"), {"array of tables", "fix: write [[species]]"});
  const std::string crop = replace(kMinimal, "path = \"dem.tif\"", "path = \"dem.tif\"\ncrop = [1, 2, 3]");
  expect_one(crop, line_of(crop, "crop"), {"4 numbers [west, south, east, north]"});
  const std::string table = "time = 3\n" + replace(kMinimal, "[time]\nstart = \"2025-01-01\"\nend = \"2025-03-01\"\n", "");
  expect_one(table, 1, {"\"time\" at the top level must be a table, not an integer"});
}

TEST_F(ScenarioFile, MissingRequiredKeysNameTheTableHeaderLine) {
  const std::string dem = replace(kMinimal, "path = \"dem.tif\"", "band = 1");
  expect_one(dem, line_of(dem, "[dem]"), {"missing required key \"path\" in [dem]", "fix: add  path = "});
  const std::string title = replace(kMinimal, "title = \"Test run\"", "");
  expect_one(title, 1, {"missing required key \"title\" at the top level"});
  const std::string pits = replace(kMinimal, "[pits]\npath = \"pits.geojson\"", "");
  expect_one(pits, 1, {"missing required table [pits]"});
  const std::string species = replace(kMinimal, "[[species]]\nname = \"sulfate\"", "");
  expect_one(species, 1, {"no species declared"});
  const std::string runoff = replace(kMinimal, "constant_mm_yr = 1500", "kind = \"constant\"");
  expect_one(runoff, line_of(runoff, "[runoff]"), {"missing required key \"constant_mm_yr\" in [runoff]"});
  const std::string netcdf = replace(kMinimal, "constant_mm_yr = 1500", "kind = \"netcdf\"");
  EXPECT_EQ(problems(netcdf).size(), 2u);  // path and variable
}

TEST_F(ScenarioFile, OutOfRangeValues) {
  const std::string r = replace(kMinimal, "name = \"sulfate\"", "name = \"sulfate\"\nretardation = 0.5");
  expect_one(r, line_of(r, "retardation"),
             {"\"retardation\" = 0.5 in [[species]] \"sulfate\" is out of range: it must be >= 1", "fix: give a value >= 1"});
  const std::string c = kMinimal + "\n[transport]\ncourant = 1.5\n";
  expect_one(c, line_of(c, "courant"), {"must be in (0, 1]"});
  const std::string snap = replace(kMinimal, "path = \"pits.geojson\"", "path = \"pits.geojson\"\nsnap_distance_m = 0");
  expect_one(snap, line_of(snap, "snap_distance_m"), {"must be > 0"});
  const std::string crop = replace(kMinimal, "path = \"dem.tif\"", "path = \"dem.tif\"\ncrop = [99, 20, 98, 21]");
  expect_one(crop, line_of(crop, "crop"), {"west 99 is not less than east 98"});
  const std::string lat = replace(kMinimal, "path = \"dem.tif\"", "path = \"dem.tif\"\ncrop = [98, -95, 99, 21]");
  expect_one(lat, line_of(lat, "crop"), {"south -95 is not within -90..90"});
  const std::string months = replace(kMinimal, "constant_mm_yr = 1500", "kind = \"monthly\"\nmonthly_mm = [1, 2, 3]");
  expect_one(months, line_of(months, "monthly_mm"), {"12 numbers", "not an array of 3 values"});
  const std::string netcdf = kMinimal + "\n[output]\nnetcdf = \"out/run.nc\"\n";
  expect_one(netcdf, line_of(netcdf, "netcdf ="), {"bare file name"});
  const std::string nc = kMinimal + "\n[output]\nnetcdf = \"run.nc4\"\n";
  expect_one(nc, line_of(nc, "netcdf ="), {"must be a file name ending in .nc"});
}

TEST_F(ScenarioFile, UnknownEnumValueListsTheAllowed) {
  const std::string text = kMinimal + "\n[terrain]\nrouter = \"d9\"\n";
  expect_one(text, line_of(text, "router"),
             {"unknown value \"d9\" for \"router\" in [terrain] (allowed: \"d8\", \"dinf\", \"mfd\")", "did you mean \"d8\"?"});
  const std::string kind = replace(kMinimal, "constant_mm_yr = 1500", "kind = \"grid\"");
  const auto lines = problems(kind);
  ASSERT_GE(lines.size(), 1u);
  EXPECT_TRUE(contains(lines[0], "allowed: \"constant\", \"monthly\", \"netcdf\", \"rasters\"")) << lines[0];
}

TEST_F(ScenarioFile, KeysOfAnotherRunoffKind) {
  const std::string text = replace(kMinimal, "constant_mm_yr = 1500", "constant_mm_yr = 1500\nvariable = \"ro\"");
  expect_one(text, line_of(text, "variable"), {"applies only to kind = \"netcdf\"", "fix: set kind = \"netcdf\""});
}

TEST_F(ScenarioFile, Dates) {
  const std::string bad = replace(kMinimal, "start = \"2025-01-01\"", "start = \"2025-13-01\"");
  expect_one(bad, line_of(bad, "start ="), {"\"start\" = \"2025-13-01\" in [time] is not a date", "ISO 8601"});
  const std::string leap = replace(kMinimal, "start = \"2025-01-01\"", "start = \"2023-02-29\"");
  expect_one(leap, line_of(leap, "start ="), {"is not a date"});
  const std::string order = replace(kMinimal, "end = \"2025-03-01\"", "end = \"2024-12-31\"");
  expect_one(order, line_of(order, "end ="), {"end \"2024-12-31\" in [time] is not after start \"2025-01-01\""});
  const std::string same = replace(kMinimal, "end = \"2025-03-01\"", "end = \"2025-01-01\"");
  expect_one(same, line_of(same, "end ="), {"is not after start"});
  const std::string bare = replace(kMinimal, "start = \"2025-01-01\"", "start = 2025-01-01");
  EXPECT_EQ(parse(bare).time.start_day, model::days_from_civil(2025, 1, 1));
}

TEST_F(ScenarioFile, EveryDaysMustBeAMultipleOfTheStep) {
  const std::string text =
      replace(kMinimal, "end = \"2025-03-01\"", "end = \"2025-03-01\"\nstep_days = 2") + "\n[output]\nevery_days = 3\n";
  expect_one(text, line_of(text, "every_days"), {"not a whole multiple of [time] step_days = 2", "every_days = 4"});
  const std::string ok =
      replace(kMinimal, "end = \"2025-03-01\"", "end = \"2025-03-01\"\nstep_days = 0.1") + "\n[output]\nevery_days = 0.3\n";
  EXPECT_EQ(parse(ok).output.every_days, 0.3);
  const std::string shorter = kMinimal + "\n[output]\nevery_days = 0.5\n";
  expect_one(shorter, line_of(shorter, "every_days"), {"not a whole multiple"});
}

TEST_F(ScenarioFile, MissingInputFilesNameTheResolvedPath) {
  const std::string text = replace(kMinimal, "path = \"dem.tif\"", "path = \"data/srtm.tif\"");
  expect_one(text, line_of(text, "data/srtm.tif"),
             {"DEM \"data/srtm.tif\"", "not found at \"" + dir.file("data/srtm.tif") + "\"", "scenario's folder"});
  const std::string regions = kMinimal + "\n[regions]\npath = \"nowhere.gpkg\"\n";
  expect_one(regions, line_of(regions, "nowhere"), {"region layer \"nowhere.gpkg\""});
  const std::string raster =
      replace(kMinimal, "constant_mm_yr = 1500",
              "kind = \"rasters\"\nrasters = [{time = \"2025-01-01\", path = \"r1.tif\"},\n  {time = \"2025-02-01\", path = \"r9.tif\"}]");
  expect_one(raster, line_of(raster, "r9.tif"), {"runoff raster \"r9.tif\""});
  const std::string order = replace(raster, "r9.tif", "r2.tif");
  expect_one(replace(order, "2025-02-01", "2024-12-01"), line_of(order, "r2.tif"), {"runoff raster times are not increasing"});
  // GDAL connection strings are passed on unchecked.
  const io::Scenario vsi = parse(replace(kMinimal, "path = \"dem.tif\"", "path = \"/vsizip/a.zip/dem.tif\""));
  EXPECT_EQ(vsi.dem.path, "/vsizip/a.zip/dem.tif");
}

TEST_F(ScenarioFile, SpeciesReferencesMustBeDeclared) {
  const std::string out = kMinimal + "\n[output]\nspecies = [\"sulphate\"]\n";
  expect_one(out, line_of(out, "species = "),
             {"output species \"sulphate\" is not a declared species (declared: \"sulfate\")", "did you mean \"sulfate\"?"});
  const std::string load = kMinimal + "\n[pits.load_fields]\narsenic = \"As_kg_d\"\n";
  expect_one(load, line_of(load, "arsenic"), {"[pits.load_fields] key \"arsenic\" is not a declared species"});
  const std::string twice = kMinimal + "\n[[species]]\nname = \"Sulfate\"\n";
  expect_one(twice, line_of(twice, "\"Sulfate\""), {"declared twice"});
}

TEST_F(ScenarioFile, AllProblemsAreListedInLineOrder) {
  const std::string text = R"(title = "Many problems"
[dem]
path = "missing.tif"
band = 0
[terrain]
router = "d9"
stream_treshold_km2 = 1
[runoff]
constant_mm_yr = -1
[[species]]
name = "sulfate"
retardation = 0.5
[pits]
path = "pits.geojson"
[time]
start = "2025-01-01"
end = "2024-01-01"
[output]
species = ["arsenic"]
mask = "everything"
)";
  std::vector<std::string> lines;
  try {
    parse(text);
    FAIL() << "parsed";
  } catch (const ScenarioError& e) {
    lines = e.lines();
    // what() is the lines joined with newlines.
    std::string joined;
    for (std::size_t i = 0; i < lines.size(); ++i) joined += (i ? "\n" : "") + lines[i];
    EXPECT_EQ(std::string(e.what()), joined);
    EXPECT_EQ(e.file(), "s.toml");
  }
  ASSERT_EQ(lines.size(), 9u) << ::testing::PrintToString(lines);
  const std::vector<int> expected_lines = {3, 4, 6, 7, 9, 12, 17, 19, 20};
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(lines[i].rfind("s.toml (line " + std::to_string(expected_lines[i]) + "): ", 0), 0u) << lines[i];
}

TEST_F(ScenarioFile, UnreadableFile) {
  try {
    parse_scenario(dir.file("nope.toml"));
    FAIL() << "parsed";
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.lines().size(), 1u);
    EXPECT_TRUE(contains(e.what(), "cannot read the scenario file; fix: ")) << e.what();
  }
}

}  // namespace
}  // namespace leachflow::io

namespace leachflow::io {
namespace {

// The bundled worked example parses, when it and the default data (scenarios/prepare-default-data.sh)
// are present.
TEST(ScenarioBundled, MyanmarRareEarthParses) {
  const fs::path file = fs::path(LEACHFLOW_TEST_IO_DIR) / "../../scenarios/myanmar-rare-earth.toml";
  if (!fs::exists(file) || !fs::exists(file.parent_path() / "data/default/etopo5_myanmar.tif"))
    GTEST_SKIP() << "no " << file << " or its default data";
  try {
    const io::Scenario s = parse_scenario(file.string());
    EXPECT_FALSE(s.title.empty());
    EXPECT_FALSE(s.species.empty());
    EXPECT_GT(s.time.end_day, s.time.start_day);
  } catch (const ScenarioError& e) {
    ADD_FAILURE() << e.what();
  }
}

}  // namespace
}  // namespace leachflow::io
