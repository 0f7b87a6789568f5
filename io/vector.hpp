// OGR vector layers in: points (pits, stations) and polygons (borders, regions), reprojected
// to the grid's CRS, with attributes as text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leachflow::io {

struct XY {
  double x = 0, y = 0;
};
using Ring = std::vector<XY>;   // closed: the first point is repeated at the end, as OGR gives it

struct Polygon {
  Ring exterior;
  std::vector<Ring> holes;
};

struct Feature {
  std::int64_t fid = 0;
  std::map<std::string, std::string> attributes;   // every field as text; absent when null

  // The field as text, or nullopt when absent/null.
  std::optional<std::string> text(const std::string& field) const;
  // The field as a number, or nullopt when absent, null or not a number.
  std::optional<double> number(const std::string& field) const;
};

struct PointFeature : Feature {
  XY point;
};

struct PolygonFeature : Feature {
  std::vector<Polygon> polygons;   // one for a Polygon, several for a MultiPolygon
};

// Reads a point layer (GeoJSON, GeoPackage, Shapefile, CSV with lon/lat, x/y or
// longitude/latitude columns, ...), reprojected to target_wkt (no reprojection when empty).
// A CSV without a CRS is taken as EPSG:4326; other layers without a CRS are rejected.
// layer: the layer name, or empty for the first. Single-point MultiPoints are accepted.
// Throws io::InputError for: a missing file, not a vector source, a layer not found (listing
// the layers), a feature without a point geometry (naming the feature), a failed reprojection.
std::vector<PointFeature> read_points(const std::string& path, const std::string& target_wkt,
                                      const std::string& layer = "");

// Reads a polygon layer (Polygon and MultiPolygon features, holes kept), reprojected likewise.
std::vector<PolygonFeature> read_polygons(const std::string& path, const std::string& target_wkt,
                                          const std::string& layer = "");

// Names of the layers in a vector source.
std::vector<std::string> list_layers(const std::string& path);

}  // namespace leachflow::io
