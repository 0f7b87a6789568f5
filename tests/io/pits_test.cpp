// Pit layers written by the test (GeoJSON, CSV) read, validated and snapped end to end.
#include "io/pits.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "model/iso_time.hpp"
#include "temp_dir.hpp"

namespace leachflow::io {
namespace {

using model::transport::PitOptions;
using model::transport::SnapOptions;
using model::transport::StreamCells;

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string feature(const std::string& props, const std::string& geometry) {
  return R"({"type":"Feature","properties":{)" + props + R"(},"geometry":)" + geometry + "}";
}
std::string point(double lon, double lat) {
  return R"({"type":"Point","coordinates":[)" + std::to_string(lon) + "," + std::to_string(lat) + "]}";
}
std::string collection(const std::vector<std::string>& features) {
  std::string s = R"({"type":"FeatureCollection","features":[)";
  for (std::size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
  return s + "]}";
}

// 10×10 lon/lat grid of 0.01° cells from 98.0 E, 26.0 N (Chipwi area); stream in column 5.
struct Fixture {
  test::TempDir dir;
  model::Grid grid = model::make_grid(10, 10, {98.0, 0.01, 0, 26.0, 0, -0.01}, epsg_wkt(4326), true);
  std::vector<std::uint8_t> mask = std::vector<std::uint8_t>(100, 0);
  std::vector<double> area = std::vector<double>(100, 1e4);
  Fixture() {
    for (model::index_t r = 0; r < 10; ++r) {
      mask[static_cast<std::size_t>(grid.index(r, 5))] = 1;
      area[static_cast<std::size_t>(grid.index(r, 5))] = 1e6 * static_cast<double>(r + 1);
    }
  }
  StreamCells streams() const { return {area, mask, 0}; }
  PitOptions options() const {
    PitOptions o;
    o.species = {"ammonium", "sulfate"};
    o.run_start_day = *model::parse_iso8601_days("2024-01-01");
    return o;
  }
};

std::string input_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError thrown";
  return {};
}

TEST(PitLayer, GeoJsonLoadsWithAnyFieldCaseSnapInMetres) {
  Fixture f;
  const std::string path = f.dir.file("pits.geojson");
  write(path, collection({feature(R"("ID":"P1","Ammonium_KG_DAY":2.5,"SULFATE_kg_day":12)", point(98.015, 25.985))}));
  const auto s = load_pit_sources(path, f.grid, f.streams(), f.options(), SnapOptions{5000.0, false});
  ASSERT_EQ(s.report.size(), 1u);
  EXPECT_EQ(s.report[0].id, "P1");
  EXPECT_NEAR(s.report[0].lon, 98.015, 1e-9);
  EXPECT_NEAR(s.report[0].lat, 25.985, 1e-9);
  EXPECT_EQ(s.report[0].row, 1);
  EXPECT_EQ(s.report[0].col, 5);
  // Four columns east along row 1: 4 × the cell width at 25.985 N (≈ 1,001.3 m per 0.01°).
  EXPECT_NEAR(s.report[0].distance_m, 4 * f.grid.cell_width_m[1], 1e-6);
  EXPECT_NEAR(s.report[0].distance_m, 4005.0, 1.0);
  EXPECT_DOUBLE_EQ(s.report[0].area_m2, 2e6);
  ASSERT_EQ(s.sources.loads.size(), 2u);
  EXPECT_EQ(s.sources.loads[0].cell, f.grid.index(1, 5));
  EXPECT_DOUBLE_EQ(s.sources.loads[0].load_kg_day, 2.5);
  EXPECT_DOUBLE_EQ(s.sources.loads[1].load_kg_day, 12.0);
}

TEST(PitLayer, CsvLeachateWindowsAndRelease) {
  Fixture f;
  const std::string path = f.dir.file("pits.csv");
  write(path,
        "id,lon,lat,leachate_m3_day,ammonium_mg_l,sulfate_mg_l,start,end,release_time,release_sulfate_kg\n"
        "C1,98.055,25.955,40,250,800,2024-06-01,2024-10-01,2024-07-15T00:00:00Z,5000\n"
        "C2,98.052,25.915,10,2000,,,,,\n");
  const auto s = load_pit_sources(path, f.grid, f.streams(), f.options(), SnapOptions{500.0, false});
  ASSERT_EQ(s.report.size(), 2u);
  EXPECT_EQ(s.report[0].row, 4);
  EXPECT_EQ(s.report[0].col, 5);
  EXPECT_NEAR(s.report[0].distance_m, 0.0, 1e-6);
  ASSERT_EQ(s.sources.loads.size(), 3u);
  // 40 m³/day × 250 mg/L / 1000 = 10 kg/day; × 800 mg/L → 32 kg/day; 10 × 2000 / 1000 = 20.
  EXPECT_DOUBLE_EQ(s.sources.loads[0].load_kg_day, 10.0);
  EXPECT_DOUBLE_EQ(s.sources.loads[1].load_kg_day, 32.0);
  EXPECT_DOUBLE_EQ(s.sources.loads[2].load_kg_day, 20.0);
  EXPECT_EQ(s.sources.loads[2].pit_id, "C2");
  EXPECT_EQ(s.sources.loads[2].cell, f.grid.index(8, 5));
  EXPECT_DOUBLE_EQ(s.sources.loads[0].start_day, 152.0);  // 2024-06-01 (leap year)
  EXPECT_DOUBLE_EQ(s.sources.loads[0].end_day, 274.0);    // 2024-10-01
  ASSERT_EQ(s.sources.pulses.size(), 1u);
  EXPECT_EQ(s.sources.pulses[0].species, 1);
  EXPECT_DOUBLE_EQ(s.sources.pulses[0].mass_kg, 5000.0);
  EXPECT_DOUBLE_EQ(s.sources.pulses[0].time_day, 196.0);  // 2024-07-15
}

TEST(PitLayer, ErrorsNameTheFileAndEveryOffendingFeature) {
  Fixture f;
  const std::string path = f.dir.file("bad.geojson");
  write(path, collection({feature(R"("id":"a","ammonium_kg_day":1)", point(98.05, 25.95)),
                          feature(R"("id":"b","ammonium_kg_day":-1)", point(98.05, 25.95)),
                          feature(R"("id":"c","ammonium_kg_day":1)", point(98.05, 25.95)),
                          feature(R"("id":"d","leachate_m3_day":-3,"sulfate_mg_l":5)", point(98.05, 25.95))}));
  std::string m = input_error([&] { load_pit_sources(path, f.grid, f.streams(), f.options(), {}); });
  EXPECT_EQ(m.rfind(path + " (features 1, 3): negative", 0), 0u) << m;

  write(path, collection({feature(R"("id":"a","ammonium_kg_day":1)", point(98.05, 25.95)),
                          feature(R"("id":"b","ammonium_kg_day":1)", point(99.5, 25.95)),
                          feature(R"("id":"c","ammonium_kg_day":1)", point(98.05, 24.0))}));
  m = input_error([&] { load_pit_sources(path, f.grid, f.streams(), f.options(), {}); });
  EXPECT_EQ(m.rfind(path + " (features 1, 2): outside the DEM", 0), 0u) << m;

  write(path, collection({feature(R"("id":"a","ammonium_kg_day":1)", point(98.05, 25.95)),
                          feature(R"("id":"a","ammonium_kg_day":1)", point(98.05, 25.95)),
                          feature(R"("id":"c","ammonium_kg_day":1,"start":"2024-05-01","end":"2024-03-01")", point(98.05, 25.95))}));
  m = input_error([&] { load_pit_sources(path, f.grid, f.streams(), f.options(), {}); });
  EXPECT_EQ(m.rfind(path + " (features 0, 1): duplicate ids", 0), 0u) << m;
  EXPECT_NE(m.find("also 1 other kind of problem: end is not after start"), std::string::npos) << m;
}

TEST(PitLayer, NonPointFeaturesAreAllNamed) {
  Fixture f;
  const std::string path = f.dir.file("mixed.geojson");
  const std::string line = R"({"type":"LineString","coordinates":[[98.01,25.99],[98.02,25.98]]})";
  const std::string poly = R"({"type":"Polygon","coordinates":[[[98.01,25.99],[98.02,25.99],[98.02,25.98],[98.01,25.99]]]})";
  write(path, collection({feature(R"("id":"a")", point(98.05, 25.95)), feature(R"("id":"b")", line),
                          feature(R"("id":"c")", point(98.05, 25.95)), feature(R"("id":"d")", poly)}));
  std::string m = input_error([&] { read_pit_layer(path, f.grid.crs_wkt); });
  EXPECT_EQ(m.rfind(path + " (features 1 LINESTRING, 3 POLYGON): geometry is not a point", 0), 0u) << m;

  const std::string lines = f.dir.file("lines.geojson");
  write(lines, collection({feature(R"("id":"a")", line), feature(R"("id":"b")", line)}));
  m = input_error([&] { read_pit_layer(lines, f.grid.crs_wkt); });
  EXPECT_NE(m.find("layer holds Line String geometries, not points"), std::string::npos) << m;
}

TEST(PitLayer, UnsnappedPitsReportTheNearestStreamDistance) {
  Fixture f;
  const std::string path = f.dir.file("far.csv");
  write(path, "id,lon,lat,ammonium_kg_day\nF1,98.005,25.955,1\nF2,98.045,25.955,1\nF3,98.095,25.955,1\n");
  const std::string m = input_error([&] { load_pit_sources(path, f.grid, f.streams(), f.options(), SnapOptions{2000.0, false}); });
  // CSV feature ids start at 1; F1 is 5 columns (5 × 1,001.6 m at 25.955 N) from the stream, F3 four, F2 one (in reach).
  EXPECT_EQ(m.rfind(path + " (features 1, 3): no stream cell within 2000 m", 0), 0u) << m;
  EXPECT_NE(m.find("1: id F1, nearest stream cell 5008 m"), std::string::npos) << m;
  EXPECT_NE(m.find("raise the snapping distance to at least 5008 m"), std::string::npos) << m;
}

}  // namespace
}  // namespace leachflow::io
