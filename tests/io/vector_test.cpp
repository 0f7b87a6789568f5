// OGR readers: reprojection agrees with a direct OGRCoordinateTransformation; CSV lon/lat;
// polygons with holes and multipolygons; errors name the file, feature or layers.
#include "io/vector.hpp"

#include <ogr_spatialref.h>

#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "temp_dir.hpp"

namespace lf = leachflow;
using lf::io::InputError;

namespace {

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// (lon, lat) → UTM 11N with GDAL directly, for comparison.
lf::io::XY to_utm11(double lon, double lat) {
  OGRSpatialReference src, dst;
  src.importFromEPSG(4326);
  dst.importFromEPSG(32611);
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&src, &dst));
  double x = lon, y = lat;
  EXPECT_TRUE(ct->Transform(1, &x, &y));
  return {x, y};
}

constexpr const char* points_geojson = R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "pit-1", "nh4_kg_day": 12.5}, "geometry": {"type": "Point", "coordinates": [-118.1, 34.3]}},
 {"type": "Feature", "properties": {"id": "pit-2", "nh4_kg_day": null}, "geometry": {"type": "Point", "coordinates": [-118.0, 34.25]}}
]})";

constexpr const char* polygons_geojson = R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "A"}, "geometry": {"type": "Polygon", "coordinates": [
   [[0,0],[10,0],[10,10],[0,10],[0,0]], [[2,2],[2,4],[4,4],[4,2],[2,2]]]}},
 {"type": "Feature", "properties": {"name": "B"}, "geometry": {"type": "MultiPolygon", "coordinates": [
   [[[20,0],[30,0],[30,10],[20,0]]], [[[40,0],[50,0],[50,10],[40,0]]]]}}
]})";

}  // namespace

TEST(ReadPoints, GeoJsonReprojectedLikeGdal) {
  lf::test::TempDir dir;
  const std::string path = dir.file("pits.geojson");
  write_text(path, points_geojson);
  const auto pits = lf::io::read_points(path, lf::io::epsg_wkt(32611));
  ASSERT_EQ(pits.size(), 2u);
  const auto expected = to_utm11(-118.1, 34.3);
  EXPECT_NEAR(pits[0].point.x, expected.x, 1e-6);
  EXPECT_NEAR(pits[0].point.y, expected.y, 1e-6);
  EXPECT_GT(pits[0].point.x, 300000.0);   // really metres, not degrees
  EXPECT_EQ(pits[0].text("id"), "pit-1");
  EXPECT_EQ(pits[0].number("nh4_kg_day"), 12.5);
  EXPECT_FALSE(pits[1].number("nh4_kg_day").has_value());   // null stays absent
  EXPECT_FALSE(pits[0].number("id").has_value());           // text is not a number
  // No target: coordinates as stored.
  const auto raw = lf::io::read_points(path, "");
  EXPECT_DOUBLE_EQ(raw[1].point.x, -118.0);
  EXPECT_DOUBLE_EQ(raw[1].point.y, 34.25);
}

TEST(ReadPoints, CsvWithLonLatColumnsIsWgs84) {
  lf::test::TempDir dir;
  const std::string path = dir.file("stations.csv");
  write_text(path, "station,longitude,latitude,value\nS1,-118.1,34.3,0.02\nS2,-117.99,34.35,0.5\n");
  const auto st = lf::io::read_points(path, lf::io::epsg_wkt(32611));
  ASSERT_EQ(st.size(), 2u);
  const auto expected = to_utm11(-117.99, 34.35);
  EXPECT_NEAR(st[1].point.x, expected.x, 1e-6);
  EXPECT_NEAR(st[1].point.y, expected.y, 1e-6);
  EXPECT_EQ(st[1].text("station"), "S2");
  EXPECT_EQ(st[0].number("value"), 0.02);
}

TEST(ReadPolygons, HolesAndMultiPolygons) {
  lf::test::TempDir dir;
  const std::string path = dir.file("regions.geojson");
  write_text(path, polygons_geojson);
  const auto regions = lf::io::read_polygons(path, lf::io::epsg_wkt(4326));
  ASSERT_EQ(regions.size(), 2u);
  ASSERT_EQ(regions[0].polygons.size(), 1u);
  EXPECT_EQ(regions[0].polygons[0].exterior.size(), 5u);
  ASSERT_EQ(regions[0].polygons[0].holes.size(), 1u);
  EXPECT_DOUBLE_EQ(regions[0].polygons[0].holes[0][2].x, 4.0);
  EXPECT_DOUBLE_EQ(regions[0].polygons[0].holes[0][2].y, 4.0);
  EXPECT_EQ(regions[1].text("name"), "B");
  ASSERT_EQ(regions[1].polygons.size(), 2u);
  EXPECT_DOUBLE_EQ(regions[1].polygons[1].exterior[1].x, 50.0);
}

TEST(ReadVector, ErrorsNameTheFileFeatureOrLayers) {
  lf::test::TempDir dir;
  const std::string pts = dir.file("pits.geojson");
  const std::string polys = dir.file("regions.geojson");
  write_text(pts, points_geojson);
  write_text(polys, polygons_geojson);
  const auto message = [](auto fn) -> std::string {
    try {
      fn();
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string wrong_type = message([&] { lf::io::read_points(polys, ""); });
  EXPECT_NE(wrong_type.find(polys), std::string::npos) << wrong_type;
  EXPECT_NE(wrong_type.find("feature 0"), std::string::npos) << wrong_type;
  EXPECT_NE(wrong_type.find("expected a point"), std::string::npos) << wrong_type;
  EXPECT_NE(message([&] { lf::io::read_polygons(pts, ""); }).find("expected a polygon"), std::string::npos);

  const std::string missing = message([&] { lf::io::read_points(dir.file("nope.gpkg"), ""); });
  EXPECT_NE(missing.find("nope.gpkg"), std::string::npos) << missing;
  EXPECT_NE(missing.find("not found"), std::string::npos) << missing;

  const std::string garbage = dir.file("garbage.gpkg");
  write_text(garbage, "not a vector file at all");
  EXPECT_NE(message([&] { lf::io::read_points(garbage, ""); }).find("not a vector source"), std::string::npos);

  const std::string layer = message([&] { lf::io::read_points(pts, "", "wells"); });
  EXPECT_NE(layer.find("layer not found"), std::string::npos) << layer;
  EXPECT_NE(layer.find("pits"), std::string::npos) << layer;   // lists the layers there are
}
