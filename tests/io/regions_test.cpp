// Region labels: cells take the polygon that contains their centre, on a lon/lat grid and on a
// UTM grid (layer in lon/lat without a CRS, and a layer in the grid's own CRS), TopoJSON
// without a CRS, same-name features merged, NoData and uncovered cells -1; errors for a missing
// file, layer, name field (listing the fields), a point layer and a layer off the grid; and the
// default scenario's countries when scenarios/prepare-default-data.sh has been run.
#include "io/regions.hpp"

#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "io/raster.hpp"
#include "temp_dir.hpp"

namespace lf = leachflow;
using lf::io::InputError;
using lf::model::index_t;

namespace {

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// West and East meet along a slanted line from (11.23, 48.5) to (10.77, 50.5); both stop at
// 49.9 N. A small square island named "West" lies inside East (later in the layer, so it wins),
// and a polygon far away (lon 100) overlaps nothing.
constexpr const char* regions_geojson = R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "West", "code": 1}, "geometry": {"type": "Polygon", "coordinates": [
   [[9.5,48.5],[11.23,48.5],[10.908,49.9],[9.5,49.9],[9.5,48.5]]]}},
 {"type": "Feature", "properties": {"name": "East", "code": 2}, "geometry": {"type": "Polygon", "coordinates": [
   [[11.23,48.5],[12.5,48.5],[12.5,49.9],[10.908,49.9],[11.23,48.5]]]}},
 {"type": "Feature", "properties": {"name": "Far", "code": 3}, "geometry": {"type": "Polygon", "coordinates": [
   [[100,0],[101,0],[101,1],[100,1],[100,0]]]}},
 {"type": "Feature", "properties": {"name": "West", "code": 4}, "geometry": {"type": "MultiPolygon", "coordinates": [
   [[[11.6,49.2],[11.8,49.2],[11.8,49.4],[11.6,49.4],[11.6,49.2]]]]}}
]})";

double line_x(double lat) { return 11.23 - (lat - 48.5) * 0.23; }

// The expected region of a point (lon, lat): 0 West, 1 East, -1 none; `margin` says how far
// (degrees) it lies from the nearest edge, so tests can leave out points on an edge.
int classify(double lon, double lat, double& margin) {
  margin = std::min(std::abs(lat - 49.9), std::abs(lon - line_x(lat)) * 0.97);
  if (lat > 49.9) return -1;
  const bool in_island = lon > 11.6 && lon < 11.8 && lat > 49.2 && lat < 49.4;
  margin = std::min({margin, std::abs(lon - 11.6), std::abs(lon - 11.8), std::abs(lat - 49.2), std::abs(lat - 49.4)});
  if (in_island) return 0;
  return lon < line_x(lat) ? 0 : 1;
}

// lon 10..12, lat 49..50 at 0.1°, one NoData cell at row 5, column 5.
lf::model::Grid lonlat_grid() {
  auto g = lf::model::make_grid(10, 20, {10.0, 0.1, 0.0, 50.0, 0.0, -0.1}, lf::io::epsg_wkt(4326), true);
  g.valid.assign(static_cast<std::size_t>(g.cells()), 1);
  g.valid[static_cast<std::size_t>(g.index(5, 5))] = 0;
  return g;
}

std::unique_ptr<OGRCoordinateTransformation> transform(int from_epsg, int to_epsg) {
  OGRSpatialReference src, dst;
  src.importFromEPSG(from_epsg);
  dst.importFromEPSG(to_epsg);
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return std::unique_ptr<OGRCoordinateTransformation>(OGRCreateCoordinateTransformation(&src, &dst));
}

// UTM 32N, 2 km cells, 64 columns × 50 rows from about 10.2 E 49.98 N to 12.0 E 49.08 N.
lf::model::Grid utm_grid() {
  auto ct = transform(4326, 32632);
  double x = 10.2, y = 49.98;
  EXPECT_TRUE(ct->Transform(1, &x, &y));
  x = std::round(x / 1000.0) * 1000.0;
  y = std::round(y / 1000.0) * 1000.0;
  return lf::model::make_grid(50, 64, {x, 2000.0, 0.0, y, 0.0, -2000.0}, lf::io::epsg_wkt(32632), false);
}

std::string name_of(const lf::io::Regions& r, index_t cell) {
  const auto id = r.id[static_cast<std::size_t>(cell)];
  return id < 0 ? std::string("-") : r.names[static_cast<std::size_t>(id)];
}

}  // namespace

TEST(RasterizeRegions, LonLatGridTakesThePolygonContainingEachCentre) {
  lf::test::TempDir dir;
  const std::string path = dir.file("regions.geojson");
  write_text(path, regions_geojson);
  const auto g = lonlat_grid();
  const auto r = lf::io::rasterize_regions(path, "", "name", g);
  EXPECT_EQ(r.path, path);
  ASSERT_EQ(r.names, (std::vector<std::string>{"West", "East"}));   // first appearance; "Far" covers no cell
  ASSERT_EQ(r.id.size(), static_cast<std::size_t>(g.cells()));
  int checked = 0, west = 0, east = 0, none = 0;
  for (index_t row = 0; row < g.rows; ++row)
    for (index_t col = 0; col < g.cols; ++col) {
      const index_t i = g.index(row, col);
      double margin = 1;
      const int expected = (row == 5 && col == 5) ? -1 : classify(g.x(col), g.y(row), margin);
      ASSERT_GT(margin, 0.004) << "test grid has a centre on an edge";
      EXPECT_EQ(r.id[static_cast<std::size_t>(i)], expected) << "row " << row << " col " << col;
      ++checked;
      (expected == 0 ? west : expected == 1 ? east : none) += 1;
    }
  EXPECT_EQ(checked, 200);
  EXPECT_EQ(none, 21);      // the top row (above 49.9 N) and the NoData cell
  EXPECT_GT(west, 50);
  EXPECT_GT(east, 50);
  // The island cells are West; a cell whose edge (not centre) reaches the island is not.
  EXPECT_EQ(name_of(r, g.index(6, 16)), "West");   // 11.65 E, 49.35 N
  EXPECT_EQ(name_of(r, g.index(6, 18)), "East");   // 11.85 E: its west edge touches the island
}

TEST(RasterizeRegions, UtmGridFromALonLatLayerWithoutCrs) {
  lf::test::TempDir dir;
  const std::string path = dir.file("regions.geojson");
  write_text(path, regions_geojson);
  const auto g = utm_grid();
  const auto r = lf::io::rasterize_regions(path, "", "code", g);   // names from another field
  ASSERT_EQ(r.names, (std::vector<std::string>{"1", "2", "4"}));
  auto to_lonlat = transform(32632, 4326);
  int checked = 0;
  std::vector<int> seen(4, 0);
  for (index_t row = 0; row < g.rows; ++row)
    for (index_t col = 0; col < g.cols; ++col) {
      double lon = g.x(col), lat = g.y(row);
      ASSERT_TRUE(to_lonlat->Transform(1, &lon, &lat));
      double margin = 0;
      int expected = classify(lon, lat, margin);
      if (margin < 0.01) continue;   // within about 700 m of an edge: straight in lon/lat or in UTM
      const bool island = lon > 11.6 && lon < 11.8 && lat > 49.2 && lat < 49.4;
      if (island) expected = 2;      // code 4 is its own region here
      EXPECT_EQ(r.id[static_cast<std::size_t>(g.index(row, col))], expected) << "row " << row << " col " << col;
      ++seen[static_cast<std::size_t>(expected + 1)];
      ++checked;
    }
  EXPECT_GT(checked, 2400);
  for (int k = 0; k < 4; ++k) EXPECT_GT(seen[static_cast<std::size_t>(k)], 0) << k;
}

TEST(RasterizeRegions, LayerInTheGridsCrs) {
  lf::test::TempDir dir;
  const auto g = utm_grid();
  const double x0 = g.geotransform[0], y0 = g.geotransform[3];
  // A box over columns 10..19 and rows 5..14 (edges between centres), in UTM 32N metres.
  const std::string path = dir.file("box.geojson");
  write_text(path, "{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": {\"name\": "
                   "\"urn:ogc:def:crs:EPSG::32632\"}}, \"features\": [{\"type\": \"Feature\", \"properties\": {\"name\": "
                   "\"Box\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[" +
                       std::to_string(x0 + 20000) + "," + std::to_string(y0 - 10000) + "],[" + std::to_string(x0 + 40000) +
                       "," + std::to_string(y0 - 10000) + "],[" + std::to_string(x0 + 40000) + "," +
                       std::to_string(y0 - 30000) + "],[" + std::to_string(x0 + 20000) + "," + std::to_string(y0 - 30000) +
                       "],[" + std::to_string(x0 + 20000) + "," + std::to_string(y0 - 10000) + "]]]}}]}");
  const auto r = lf::io::rasterize_regions(path, "", "name", g);
  ASSERT_EQ(r.names, std::vector<std::string>{"Box"});
  for (index_t row = 0; row < g.rows; ++row)
    for (index_t col = 0; col < g.cols; ++col) {
      const bool inside = row >= 5 && row < 15 && col >= 10 && col < 20;
      EXPECT_EQ(r.id[static_cast<std::size_t>(g.index(row, col))], inside ? 0 : -1) << row << " " << col;
    }
}

TEST(RasterizeRegions, TopoJsonWithoutCrsIsLonLat) {
  lf::test::TempDir dir;
  const std::string path = dir.file("atlas.json");
  // world-atlas style: objects → GeometryCollection with properties.name; absolute arcs.
  write_text(path, R"({"type": "Topology",
 "objects": {"countries": {"type": "GeometryCollection", "geometries": [
   {"type": "Polygon", "arcs": [[0]], "id": "1", "properties": {"name": "Westland"}},
   {"type": "Polygon", "arcs": [[1]], "id": "2", "properties": {"name": "Eastland"}}]}},
 "arcs": [[[9.0,48.0],[11.0,48.0],[11.0,51.0],[9.0,51.0],[9.0,48.0]],
          [[11.0,48.0],[13.0,48.0],[13.0,51.0],[11.0,51.0],[11.0,48.0]]]})");
  const auto g = lonlat_grid();
  const auto r = lf::io::rasterize_regions(path, "countries", "name", g);
  ASSERT_EQ(r.names, (std::vector<std::string>{"Westland", "Eastland"}));
  EXPECT_EQ(name_of(r, g.index(0, 0)), "Westland");
  EXPECT_EQ(name_of(r, g.index(9, 9)), "Westland");    // 10.95 E
  EXPECT_EQ(name_of(r, g.index(9, 10)), "Eastland");   // 11.05 E
  EXPECT_EQ(name_of(r, g.index(5, 5)), "-");           // NoData
}

TEST(RasterizeRegions, AcrossTheAntimeridian) {
  // A region split at 180° (as world atlases store Fiji or Chukotka) on a UTM 60S grid that
  // spans 179.5 E to 179.5 W: both halves label their cells; a polygon on the far side of the
  // world (0 E, meaningless in UTM 60S) is clipped away before projecting.
  lf::test::TempDir dir;
  const std::string path = dir.file("split.geojson");
  write_text(path, R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "Split"}, "geometry": {"type": "MultiPolygon", "coordinates": [
   [[[179,-19],[180,-19],[180,-16],[179,-16],[179,-19]]], [[[-180,-19],[-179,-19],[-179,-16],[-180,-16],[-180,-19]]]]}},
 {"type": "Feature", "properties": {"name": "Greenwich"}, "geometry": {"type": "Polygon", "coordinates": [
   [[-1,-19],[1,-19],[1,-16],[-1,-16],[-1,-19]]]}}]})");
  auto ct = transform(4326, 32760);
  double x = 179.5, y = -17.0;
  ASSERT_TRUE(ct->Transform(1, &x, &y));
  const auto g = lf::model::make_grid(20, 50, {x, 2000.0, 0.0, y, 0.0, -2000.0}, lf::io::epsg_wkt(32760), false);
  const auto r = lf::io::rasterize_regions(path, "", "name", g);
  ASSERT_EQ(r.names, std::vector<std::string>{"Split"});
  auto back = transform(32760, 4326);
  int west_of_180 = 0, east_of_180 = 0;
  for (index_t row = 0; row < g.rows; ++row)
    for (index_t col = 0; col < g.cols; ++col) {
      double lon = g.x(col), lat = g.y(row);
      ASSERT_TRUE(back->Transform(1, &lon, &lat));
      if (std::abs(std::abs(lon) - 180.0) < 0.02 || std::abs(std::abs(lon) - 179.0) < 0.02) continue;
      EXPECT_EQ(r.id[static_cast<std::size_t>(g.index(row, col))], 0) << lon << " " << lat;
      (lon > 0 ? west_of_180 : east_of_180) += 1;
    }
  EXPECT_GT(west_of_180, 100);
  EXPECT_GT(east_of_180, 100);
}

TEST(RasterizeRegions, Errors) {
  lf::test::TempDir dir;
  const std::string path = dir.file("regions.geojson");
  write_text(path, regions_geojson);
  const auto g = lonlat_grid();

  try {
    lf::io::rasterize_regions(path, "", "country", g);
    FAIL() << "missing field accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("country"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fields: name, code"), std::string::npos) << e.what();
  }
  try {
    lf::io::rasterize_regions(dir.file("absent.geojson"), "", "name", g);
    FAIL() << "missing file accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), dir.file("absent.geojson"));
    EXPECT_NE(std::string(e.what()).find("not found"), std::string::npos) << e.what();
  }
  try {
    lf::io::rasterize_regions(path, "borders", "name", g);
    FAIL() << "missing layer accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("layers: regions"), std::string::npos) << e.what();
  }
  const std::string text = dir.file("notes.geojson");
  write_text(text, "this is not GeoJSON");
  EXPECT_THROW(lf::io::rasterize_regions(text, "", "name", g), InputError);

  const std::string points = dir.file("points.geojson");
  write_text(points, R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "P"}, "geometry": {"type": "Point", "coordinates": [10.5, 49.5]}}]})");
  EXPECT_THROW(lf::io::rasterize_regions(points, "", "name", g), InputError);

  // The same grid moved to 50 E: no polygon covers it.
  auto far = lf::model::make_grid(10, 20, {50.0, 0.1, 0.0, 50.0, 0.0, -0.1}, lf::io::epsg_wkt(4326), true);
  try {
    lf::io::rasterize_regions(path, "", "name", far);
    FAIL() << "layer off the grid accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no polygon"), std::string::npos) << e.what();
  }
}

TEST(RasterizeRegions, DefaultScenarioCountries) {
  const std::filesystem::path data = std::filesystem::path(LEACHFLOW_TEST_IO_DIR) / "../../scenarios/data/default";
  const auto countries = data / "countries-10m.json";
  const auto dem = data / "etopo5_myanmar.tif";
  if (!std::filesystem::exists(countries) || !std::filesystem::exists(dem))
    GTEST_SKIP() << "run scenarios/prepare-default-data.sh to fetch " << countries.string() << " and " << dem.string();
  const auto raster = lf::io::read_raster(dem.string());
  const auto& g = raster.grid;
  const auto r = lf::io::rasterize_regions(countries.string(), "", "name", g);
  const auto at = [&](double lon, double lat) {
    const auto col = static_cast<index_t>(std::floor((lon - g.geotransform[0]) / g.geotransform[1]));
    const auto row = static_cast<index_t>(std::floor((lat - g.geotransform[3]) / g.geotransform[5]));
    return name_of(r, g.index(row, col));
  };
  EXPECT_EQ(at(96.0, 22.0), "Myanmar");
  EXPECT_EQ(at(100.5, 18.5), "Thailand");
  EXPECT_EQ(at(101.0, 24.0), "China");
  EXPECT_NE(std::find(r.names.begin(), r.names.end(), "Laos"), r.names.end());
  EXPECT_EQ(std::find(r.names.begin(), r.names.end(), "Brazil"), r.names.end());

  // The same layer on a UTM 47N version of a part of the grid: the far side of the world (and
  // the antimeridian) is clipped away before projecting, so nothing fails.
  auto ct = transform(4326, 32647);
  double x = 97.0, y = 23.0;
  ASSERT_TRUE(ct->Transform(1, &x, &y));
  const auto utm = lf::model::make_grid(50, 50, {x, 5000.0, 0.0, y, 0.0, -5000.0}, lf::io::epsg_wkt(32647), false);
  const auto ru = lf::io::rasterize_regions(countries.string(), "countries", "name", utm);
  EXPECT_EQ(name_of(ru, 0), "Myanmar");
}
