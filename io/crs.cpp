#include "io/crs.hpp"

#include <ogr_spatialref.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "io/gdal_support.hpp"

namespace leachflow::io {

namespace {
int epsg_of(const OGRSpatialReference& srs) {
  const auto code_of = [](const OGRSpatialReference& s) {
    const char* auth = s.GetAuthorityName(nullptr);
    const char* code = s.GetAuthorityCode(nullptr);
    return (auth && code && std::string(auth) == "EPSG") ? std::atoi(code) : 0;
  };
  if (int c = code_of(srs)) return c;
  OGRSpatialReference copy(srs);
  if (copy.AutoIdentifyEPSG() == OGRERR_NONE) return code_of(copy);
  return 0;
}
}  // namespace

CrsInfo describe_crs(const std::string& wkt) {
  CrsInfo info;
  if (wkt.empty()) return info;
  detail::ensure_gdal_registered();
  detail::QuietGdalErrors quiet;
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(wkt.c_str()) != OGRERR_NONE) return info;
  info.known = true;
  const char* name = srs.GetName();
  info.name = name ? name : "unnamed CRS";
  info.epsg = epsg_of(srs);
  info.geographic = srs.IsGeographic() != 0;
  if (info.geographic) {
    info.linear_unit_m = 1.0;
    info.linear_unit_name = "degree";
  } else {
    const char* unit = nullptr;
    info.linear_unit_m = srs.GetLinearUnits(&unit);
    info.linear_unit_name = unit ? unit : "metre";
  }
  OGRErr err = OGRERR_NONE;
  const double a = srs.GetSemiMajor(&err);
  if (err == OGRERR_NONE && a > 0) {
    info.ellipsoid.semi_major_m = a;
    info.ellipsoid.inverse_flattening = srs.GetInvFlattening(&err);
  }
  return info;
}

std::array<double, 4> extent_lonlat(const model::Grid& g) {
  if (g.crs_wkt.empty()) throw std::runtime_error("grid has no CRS, so its longitude/latitude extent is unknown");
  detail::ensure_gdal_registered();
  detail::QuietGdalErrors quiet;
  OGRSpatialReference src, dst;
  if (src.SetFromUserInput(g.crs_wkt.c_str()) != OGRERR_NONE) throw std::runtime_error("cannot parse the grid's CRS");
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  dst.importFromEPSG(4326);
  dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&src, &dst));
  if (!ct) throw std::runtime_error("no transformation from the grid's CRS to WGS84: " + quiet.last_message());
  const double x0 = g.geotransform[0];
  const double y0 = g.geotransform[3];
  const double x1 = x0 + static_cast<double>(g.cols) * g.geotransform[1];
  const double y1 = y0 + static_cast<double>(g.rows) * g.geotransform[5];
  std::array<double, 4> out{};
  if (!ct->TransformBounds(std::min(x0, x1), std::min(y0, y1), std::max(x0, x1), std::max(y0, y1), &out[0], &out[1],
                           &out[2], &out[3], 21))
    throw std::runtime_error("cannot transform the grid's corners to longitude/latitude: " + quiet.last_message());
  return out;
}

void to_lonlat(const std::string& wkt, std::vector<double>& x, std::vector<double>& y) {
  if (wkt.empty()) throw std::runtime_error("grid has no CRS, so longitude/latitude are unknown");
  detail::ensure_gdal_registered();
  detail::QuietGdalErrors quiet;
  OGRSpatialReference src, dst;
  if (src.SetFromUserInput(wkt.c_str()) != OGRERR_NONE) throw std::runtime_error("cannot parse the grid's CRS");
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  dst.importFromEPSG(4326);
  dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (src.IsSame(&dst) || x.empty()) return;
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&src, &dst));
  if (!ct) throw std::runtime_error("no transformation from the grid's CRS to WGS84: " + quiet.last_message());
  if (!ct->Transform(x.size(), x.data(), y.data()))
    throw std::runtime_error("cannot transform points to longitude/latitude: " + quiet.last_message());
}

std::string epsg_wkt(int code) {
  detail::ensure_gdal_registered();
  OGRSpatialReference srs;
  if (srs.importFromEPSG(code) != OGRERR_NONE) throw std::invalid_argument("unknown EPSG code " + std::to_string(code));
  char* wkt = nullptr;
  const char* options[] = {"FORMAT=WKT2_2019", nullptr};
  srs.exportToWkt(&wkt, options);
  std::string s = wkt ? wkt : "";
  CPLFree(wkt);
  return s;
}

}  // namespace leachflow::io
