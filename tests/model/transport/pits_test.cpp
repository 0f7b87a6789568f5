// Pit fields → validated pits → snapped sources, on hand-made grids and stream masks.
#include "model/transport/pits.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "model/iso_time.hpp"

namespace leachflow::model::transport {
namespace {

// 5×5 projected grid of 10 m cells, x 0..50, y 0..50; stream in column 3 with area growing
// downstream (row r: (r+1)·100 m²).
struct Fixture {
  Grid grid = make_grid(5, 5, {0, 10, 0, 50, 0, -10}, "", false);
  std::vector<std::uint8_t> mask = std::vector<std::uint8_t>(25, 0);
  std::vector<double> area = std::vector<double>(25, 100.0);
  Fixture() {
    for (index_t r = 0; r < 5; ++r) {
      mask[static_cast<std::size_t>(grid.index(r, 3))] = 1;
      area[static_cast<std::size_t>(grid.index(r, 3))] = 100.0 * static_cast<double>(r + 1);
    }
  }
  StreamCells streams() const { return {area, mask, 0}; }
};

PitRecord pit(std::int64_t feature, double x, double y, std::map<std::string, std::string> fields) {
  PitRecord r;
  r.feature = feature;
  r.x = x;
  r.y = y;
  r.lon = x;
  r.lat = y;
  r.fields = std::move(fields);
  return r;
}

PitOptions options(std::vector<std::string> species = {"ammonium", "sulfate"}, const char* start = "2024-01-01") {
  PitOptions o;
  o.species = std::move(species);
  o.run_start_day = *parse_iso8601_days(start);
  return o;
}

// The message of the PitError thrown by validate_pits (fails the test when none is thrown).
std::string validation_error(const PitLayer& layer, const Grid& grid, const PitOptions& o) {
  try {
    validate_pits(layer, grid, o);
  } catch (const PitError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no PitError thrown";
  return {};
}

TEST(IsoTime, ParsesDatesTimesZonesAndRejectsImpossibleDates) {
  EXPECT_EQ(*parse_iso8601_days("1970-01-01"), 0.0);
  EXPECT_EQ(*parse_iso8601_days("2024-03-01"), 19783.0);  // 54 years incl. 13 leap days + Jan + Feb 2024
  EXPECT_DOUBLE_EQ(*parse_iso8601_days("2024-03-01T06:00:00Z"), 19783.25);
  EXPECT_DOUBLE_EQ(*parse_iso8601_days("2024/03/01 06:00:00+06:30"), 19783.25 - 6.5 / 24);  // OGR's format, Myanmar time
  EXPECT_DOUBLE_EQ(*parse_iso8601_days("1970-1-1 0:00:00"), 0.0);  // CF time units write it so
  EXPECT_FALSE(parse_iso8601_days("2023-02-29"));
  EXPECT_FALSE(parse_iso8601_days("next week"));
  EXPECT_FALSE(parse_iso8601_days("2024-13-01"));
  EXPECT_EQ(format_iso8601_date(19783.9), "2024-03-01");
  EXPECT_EQ(days_in_month(2024, 2), 29);
}

TEST(PitSources, LoadsSnapToNearestStreamCell) {
  Fixture f;
  PitLayer layer{"pits.geojson", {pit(0, 5, 45, {{"id", "P1"}, {"ammonium_kg_day", "2.5"}, {"Sulfate_KG_Day", "10"}})}};
  const PitSources s = pit_sources(layer, f.grid, f.streams(), options(), {40.0, false});
  ASSERT_EQ(s.report.size(), 1u);
  EXPECT_EQ(s.report[0].id, "P1");
  EXPECT_EQ(s.report[0].row, 0);
  EXPECT_EQ(s.report[0].col, 3);
  EXPECT_DOUBLE_EQ(s.report[0].distance_m, 30.0);  // centre of (0,0) to centre of (0,3)
  EXPECT_DOUBLE_EQ(s.report[0].area_m2, 100.0);
  ASSERT_EQ(s.sources.loads.size(), 2u);
  EXPECT_EQ(s.sources.loads[0].cell, 3);
  EXPECT_EQ(s.sources.loads[0].species, 0);
  EXPECT_DOUBLE_EQ(s.sources.loads[0].load_kg_day, 2.5);
  EXPECT_EQ(s.sources.loads[1].species, 1);
  EXPECT_DOUBLE_EQ(s.sources.loads[1].load_kg_day, 10.0);
  EXPECT_EQ(s.sources.loads[1].pit_id, "P1");
  EXPECT_TRUE(std::isinf(s.sources.loads[0].start_day) && s.sources.loads[0].start_day < 0);
  EXPECT_TRUE(std::isinf(s.sources.loads[0].end_day) && s.sources.loads[0].end_day > 0);
  EXPECT_TRUE(s.sources.pulses.empty());
}

TEST(PitSources, LeachateRateTimesConcentrationIsLoad) {
  Fixture f;
  // 20 m³/day × 500 mg/L = 10,000 g/day = 10 kg/day; × 1,000 mg/L = 20 kg/day.
  PitLayer layer{"p.csv", {pit(1, 32, 18, {{"id", "A"}, {"leachate_m3_day", "20"}, {"ammonium_mg_l", "500"}, {"sulfate_mg_l", "1000"}})}};
  const PitSources s = pit_sources(layer, f.grid, f.streams(), options(), {40.0, false});
  ASSERT_EQ(s.sources.loads.size(), 2u);
  EXPECT_DOUBLE_EQ(s.sources.loads[0].load_kg_day, 10.0);
  EXPECT_DOUBLE_EQ(s.sources.loads[1].load_kg_day, 20.0);
  EXPECT_EQ(s.sources.loads[0].cell, f.grid.index(3, 3));  // the pit is on the stream already
  EXPECT_NEAR(s.report[0].distance_m, std::hypot(3.0, 3.0), 1e-12);  // (32,18) to centre (35,15)
}

TEST(PitSources, TimeWindowsAndReleaseInModelDays) {
  Fixture f;
  PitLayer layer{"p.geojson",
                 {pit(7, 35, 5, {{"id", "B"}, {"ammonium_kg_day", "1"}, {"start", "2024-03-01"}, {"end", "2024-04-01"},
                                 {"release_time", "2024-01-11T12:00:00Z"}, {"release_ammonium_kg", "1000"}, {"release_sulfate_kg", "0"}})}};
  const PitSources s = pit_sources(layer, f.grid, f.streams(), options(), {40.0, false});
  ASSERT_EQ(s.sources.loads.size(), 1u);  // sulfate has no load: no PointLoad for it
  EXPECT_DOUBLE_EQ(s.sources.loads[0].start_day, 60.0);  // Jan 31 + Feb 29 (2024 is a leap year)
  EXPECT_DOUBLE_EQ(s.sources.loads[0].end_day, 91.0);
  ASSERT_EQ(s.sources.pulses.size(), 1u);
  EXPECT_EQ(s.sources.pulses[0].cell, f.grid.index(4, 3));
  EXPECT_EQ(s.sources.pulses[0].species, 0);
  EXPECT_DOUBLE_EQ(s.sources.pulses[0].mass_kg, 1000.0);
  EXPECT_DOUBLE_EQ(s.sources.pulses[0].time_day, 10.5);
  EXPECT_EQ(s.sources.pulses[0].pit_id, "B");
}

TEST(PitSources, ReleaseOnlyPitAndConfigurableFieldNames) {
  Fixture f;
  PitOptions o = options();
  o.fields.id = "Pit_Name";
  o.fields.load_kg_day["ammonium"] = "NH4_load";
  PitLayer layer{"p.gpkg", {pit(1, 5, 5, {{"pit_name", "C"}, {"nh4_load", "4"}}),
                            pit(2, 15, 5, {{"pit_name", "D"}, {"release_time", "2024-02-01"}, {"release_sulfate_kg", "50"}})}};
  const PitSources s = pit_sources(layer, f.grid, f.streams(), o, {40.0, false});
  ASSERT_EQ(s.sources.loads.size(), 1u);
  EXPECT_DOUBLE_EQ(s.sources.loads[0].load_kg_day, 4.0);
  ASSERT_EQ(s.sources.pulses.size(), 1u);
  EXPECT_EQ(s.sources.pulses[0].species, 1);
  EXPECT_DOUBLE_EQ(s.sources.pulses[0].time_day, 31.0);
}

TEST(PitSources, PresetSpeciesOutsideTheRunIsIgnoredWithAWarning) {
  Fixture f;
  PitLayer layer{"p.geojson", {pit(0, 5, 5, {{"id", "E"}, {"ammonium_kg_day", "1"}, {"arsenic_kg_day", "0.01"}})}};
  const PitSources s = pit_sources(layer, f.grid, f.streams(), options(), {40.0, false});
  EXPECT_EQ(s.sources.loads.size(), 1u);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("arsenic_kg_day ignored"), std::string::npos) << s.warnings[0];
}

TEST(PitSnapping, TiesGoToLargerAreaThenSmallerIndex) {
  Fixture f;
  // Streams left and right of the pit at (2,2), both 10 m away.
  f.mask.assign(25, 0);
  f.mask[static_cast<std::size_t>(f.grid.index(2, 1))] = 1;
  f.mask[static_cast<std::size_t>(f.grid.index(2, 3))] = 1;
  f.area[static_cast<std::size_t>(f.grid.index(2, 1))] = 300;
  f.area[static_cast<std::size_t>(f.grid.index(2, 3))] = 500;
  PitLayer layer{"p", {pit(0, 25, 25, {{"id", "T"}, {"ammonium_kg_day", "1"}})}};
  auto s = pit_sources(layer, f.grid, f.streams(), options(), {10.0, false});
  EXPECT_EQ(s.report[0].col, 3);
  EXPECT_DOUBLE_EQ(s.report[0].distance_m, 10.0);
  EXPECT_DOUBLE_EQ(s.report[0].area_m2, 500.0);
  f.area[static_cast<std::size_t>(f.grid.index(2, 3))] = 300;
  s = pit_sources(layer, f.grid, f.streams(), options(), {10.0, false});
  EXPECT_EQ(s.report[0].col, 1);  // equal areas: the smaller cell index
}

TEST(PitSnapping, ContributingAreaThresholdDefinesStreams) {
  Fixture f;
  PitLayer layer{"p", {pit(0, 5, 5, {{"id", "T"}, {"ammonium_kg_day", "1"}})}};  // cell (4,0)
  // Threshold 400 m²: only (3,3) and (4,3) are streams; (4,3) is nearest (30 m).
  const StreamCells streams{f.area, {}, 400.0};
  const auto s = pit_sources(layer, f.grid, streams, options(), {100.0, false});
  EXPECT_EQ(s.report[0].row, 4);
  EXPECT_EQ(s.report[0].col, 3);
  EXPECT_DOUBLE_EQ(s.report[0].area_m2, 500.0);
}

TEST(PitSnapping, GeographicGridMeasuresEastWestPerRow) {
  // 1° cells at 57–60 N: a degree of longitude is about 56 km at 59.5 N and 60 km at 57.5 N,
  // while a degree of latitude is about 111 km everywhere.
  const Grid g = make_grid(3, 5, {10.0, 1.0, 0, 60.0, 0, -1.0}, "", true);
  EXPECT_NEAR(g.cell_width_m[0], 56'640, 150);
  EXPECT_NEAR(g.cell_width_m[2], 59'910, 150);
  std::vector<std::uint8_t> mask(15, 0);
  std::vector<double> area(15, 1e6);
  mask[static_cast<std::size_t>(g.index(0, 4))] = 1;  // north-east
  mask[static_cast<std::size_t>(g.index(2, 4))] = 1;  // south-east, larger area
  area[static_cast<std::size_t>(g.index(2, 4))] = 1e9;
  PitLayer layer{"p", {pit(3, 10.5, 58.5, {{"id", "G"}, {"ammonium_kg_day", "1"}})}};  // centre of (1,0)
  const auto s = pit_sources(layer, g, {area, mask, 0}, options(), {400'000.0, false});
  // Four columns east at the mean width of rows 1 and 0 beats rows 1 and 2: north is nearer.
  const double north = std::hypot(4 * 0.5 * (g.cell_width_m[1] + g.cell_width_m[0]), 0.5 * (g.cell_height_m[1] + g.cell_height_m[0]));
  const double south = std::hypot(4 * 0.5 * (g.cell_width_m[1] + g.cell_width_m[2]), 0.5 * (g.cell_height_m[1] + g.cell_height_m[2]));
  ASSERT_LT(north, south);
  EXPECT_EQ(s.report[0].row, 0);
  EXPECT_EQ(s.report[0].col, 4);
  EXPECT_DOUBLE_EQ(s.report[0].distance_m, north);
  EXPECT_NEAR(north, 255'400, 500);  // ≈ √((4 × 57.47 km)² + (111.3 km)²), widths at 59.5 and 58.5 N
  // A limit between the two distances finds nothing closer than the north cell reports.
  EXPECT_THROW(pit_sources(layer, g, {area, mask, 0}, options(), {north - 1.0, false}), PitError);
}

TEST(PitSnapping, PitsOutOfReachAreListedWithNearestDistanceOrKept) {
  Fixture f;
  PitLayer layer{"far.geojson", {pit(4, 5, 45, {{"id", "F1"}, {"ammonium_kg_day", "1"}}),
                                 pit(5, 25, 45, {{"id", "F2"}, {"ammonium_kg_day", "1"}}),
                                 pit(9, 5, 5, {{"id", "F3"}, {"ammonium_kg_day", "1"}})}};
  try {
    pit_sources(layer, f.grid, f.streams(), options(), {15.0, false});
    FAIL() << "expected PitError";
  } catch (const PitError& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.where(), "features 4, 9");
    EXPECT_NE(m.find("far.geojson (features 4, 9): no stream cell within 15 m"), std::string::npos) << m;
    EXPECT_NE(m.find("4: id F1, nearest stream cell 30 m"), std::string::npos) << m;
    EXPECT_NE(m.find("at least 30 m"), std::string::npos) << m;
  }
  const auto s = pit_sources(layer, f.grid, f.streams(), options(), {15.0, true});
  ASSERT_EQ(s.report.size(), 3u);
  EXPECT_FALSE(s.report[0].on_stream);
  EXPECT_EQ(s.report[0].col, 0);
  EXPECT_DOUBLE_EQ(s.report[0].distance_m, 0.0);
  EXPECT_TRUE(s.report[1].on_stream);
  EXPECT_EQ(s.warnings.size(), 2u);
  EXPECT_EQ(s.sources.loads[0].cell, 0);
}

// Each bad input: one PitError naming the file and exactly the offending features.
struct BadCase {
  const char* name;
  std::vector<PitRecord> records;
  const char* where;
  const char* problem;
};

TEST(PitValidation, EveryOffenderOfEachProblemInOneError) {
  Fixture f;
  f.grid.valid[static_cast<std::size_t>(f.grid.index(0, 0))] = 0;
  const auto ok = [](std::int64_t fe, const char* id) { return pit(fe, 35, 25, {{"id", id}, {"ammonium_kg_day", "1"}}); };
  const std::vector<BadCase> cases = {
      {"missing id", {ok(1, "a"), pit(3, 35, 25, {{"ammonium_kg_day", "1"}}), ok(5, "b"), pit(7, 35, 25, {{"id", " "}, {"ammonium_kg_day", "1"}})},
       "features 3, 7", "missing id"},
      {"duplicate", {ok(1, "a"), ok(2, "b"), ok(3, "a"), ok(4, "c"), ok(5, "a")}, "features 1, 3, 5", "duplicate ids"},
      {"negative", {pit(3, 35, 25, {{"id", "a"}, {"ammonium_kg_day", "-2"}}), ok(4, "b"),
                    pit(7, 35, 25, {{"id", "c"}, {"leachate_m3_day", "-1"}, {"sulfate_mg_l", "3"}}),
                    pit(12, 35, 25, {{"id", "d"}, {"leachate_m3_day", "1"}, {"sulfate_mg_l", "-3"}})},
       "features 3, 7, 12", "negative"},
      {"not a number", {pit(2, 35, 25, {{"id", "a"}, {"ammonium_kg_day", "5 kg"}})}, "feature 2", "not numbers"},
      {"unknown species", {pit(1, 35, 25, {{"id", "a"}, {"lead_kg_day", "1"}}), ok(2, "b"), pit(3, 35, 25, {{"id", "c"}, {"cadmium_mg_l", "1"}, {"leachate_m3_day", "1"}})},
       "features 1, 3", "unknown species"},
      {"dates", {pit(1, 35, 25, {{"id", "a"}, {"ammonium_kg_day", "1"}, {"start", "spring"}}), ok(2, "b"),
                 pit(4, 35, 25, {{"id", "c"}, {"ammonium_kg_day", "1"}, {"end", "2024-02-30"}})},
       "features 1, 4", "unparseable dates"},
      {"end before start", {pit(6, 35, 25, {{"id", "a"}, {"ammonium_kg_day", "1"}, {"start", "2024-05-01"}, {"end", "2024-04-01"}}), ok(8, "b")},
       "feature 6", "end is not after start"},
      {"no source", {pit(1, 35, 25, {{"id", "a"}, {"name", "x"}}), pit(2, 35, 25, {{"id", "b"}})}, "features 1, 2",
       "neither loads nor a leachate rate"},
      {"outside", {pit(1, -5, 25, {{"id", "a"}, {"ammonium_kg_day", "1"}}), ok(2, "b"), pit(3, 25, 55, {{"id", "c"}, {"ammonium_kg_day", "1"}})},
       "features 1, 3", "outside the DEM"},
      {"nodata", {pit(4, 5, 45, {{"id", "a"}, {"ammonium_kg_day", "1"}}), ok(5, "b")}, "feature 4", "on NoData cells"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string m = validation_error({"pits.geojson", c.records}, f.grid, options());
    EXPECT_EQ(m.rfind(std::string("pits.geojson (") + c.where + "): ", 0), 0u) << m;
    EXPECT_NE(m.find(c.problem), std::string::npos) << m;
    EXPECT_NE(m.find("; fix: "), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(PitValidation, DetailsNameTheFieldAndOtherProblemsAreCounted) {
  Fixture f;
  PitLayer layer{"p.csv", {pit(3, 35, 25, {{"id", "a"}, {"ammonium_kg_day", "-2"}}),
                           pit(4, 35, 25, {{"id", "b"}, {"ammonium_kg_day", "1"}, {"start", "soon"}})}};
  const std::string m = validation_error(layer, f.grid, options());
  EXPECT_NE(m.find("p.csv (feature 3): negative loads, concentrations, rates or masses (3: ammonium_kg_day = -2)"), std::string::npos) << m;
  EXPECT_NE(m.find("also 1 other kind of problem: unparseable dates"), std::string::npos) << m;
}

}  // namespace
}  // namespace leachflow::model::transport
