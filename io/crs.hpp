// What a CRS is, in words a user recognises (name, EPSG code, units), and where a grid lies in
// longitude/latitude.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "model/grid.hpp"

namespace leachflow::io {

struct CrsInfo {
  bool known = false;             // false when the WKT is empty or cannot be parsed
  std::string name;               // e.g. "WGS 84 / UTM zone 11N"
  int epsg = 0;                   // 0 when no EPSG code is known
  bool geographic = false;
  double linear_unit_m = 1.0;     // metres per projected unit (1 for geographic)
  std::string linear_unit_name;   // "metre", "US survey foot", ... ("degree" when geographic)
  model::Ellipsoid ellipsoid;
};

// Describes a CRS given as WKT (or anything OGRSpatialReference::SetFromUserInput takes).
CrsInfo describe_crs(const std::string& wkt);

// Longitude/latitude (WGS84, degrees) bounds of the grid: {west, south, east, north}. The
// edges are densified, so a projected grid's curved edges are covered. Throws
// std::runtime_error when the grid has no CRS or the transform fails.
std::array<double, 4> extent_lonlat(const model::Grid& g);

// Longitude/latitude (WGS84, degrees) of points given in a grid's CRS (x, y in place → lon, lat).
// A geographic grid on WGS84 is returned as is. Throws std::runtime_error when the CRS is empty
// or a point cannot be transformed.
void to_lonlat(const std::string& wkt, std::vector<double>& x, std::vector<double>& y);

// WKT of EPSG:<code>, for tests and defaults.
std::string epsg_wkt(int code);

}  // namespace leachflow::io
