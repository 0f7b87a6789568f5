// Reading the pit layer with OGR. Unlike io::read_points, which stops at the first bad
// feature, this names every feature that is not a point, as the pit checks promise.
#include "io/pits.hpp"

#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "io/errors.hpp"
#include "io/gdal_support.hpp"

namespace leachflow::io {

namespace {

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(GDALDataset::ToHandle(d)); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;
using TransformPtr = std::unique_ptr<OGRCoordinateTransformation, decltype(&OGRCoordinateTransformation::DestroyCT)>;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_csv(const std::string& path) { return lower(std::filesystem::path(path).extension().string()) == ".csv"; }

DatasetPtr open_layer_source(const std::string& path) {
  detail::ensure_gdal_registered();
  if (!detail::is_gdal_connection_string(path) && !std::filesystem::exists(path))
    throw InputError(path, "", "pit layer not found", "check the path (relative paths are taken from the current folder)");
  const char* csv_options[] = {"X_POSSIBLE_NAMES=lon,longitude,x", "Y_POSSIBLE_NAMES=lat,latitude,y",
                               "KEEP_GEOM_COLUMNS=YES", "AUTODETECT_TYPE=YES", nullptr};
  detail::QuietGdalErrors quiet;
  DatasetPtr ds(GDALDataset::FromHandle(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                                   is_csv(path) ? csv_options : nullptr, nullptr)));
  if (!ds || ds->GetLayerCount() == 0) {
    const std::string why = quiet.last_message();
    throw InputError(path, "", "not a vector source OGR can read" + (why.empty() ? std::string() : " (" + why + ")"),
                     "give a GeoJSON, GeoPackage, Shapefile or CSV with lon/lat columns; `ogrinfo` shows what GDAL sees");
  }
  return ds;
}

OGRLayer& pick_layer(GDALDataset& ds, const std::string& path, const std::string& name) {
  if (name.empty()) return *ds.GetLayer(0);
  if (OGRLayer* l = ds.GetLayerByName(name.c_str())) return *l;
  std::string names;
  for (int i = 0; i < ds.GetLayerCount(); ++i) names += (i ? ", " : "") + std::string(ds.GetLayer(i)->GetName());
  throw InputError(path, "layer " + name, "layer not found (layers: " + names + ")", "name one of the listed layers");
}

OGRSpatialReference layer_crs(OGRLayer& layer, const std::string& path) {
  OGRSpatialReference crs;
  if (const OGRSpatialReference* s = layer.GetSpatialRef()) crs = *s;
  else if (is_csv(path)) crs.importFromEPSG(4326);  // CSV coordinates are longitude/latitude unless stated
  else
    throw InputError(path, std::string("layer ") + layer.GetName(), "pit layer has no CRS",
                     "assign one, e.g. `ogr2ogr -a_srs EPSG:4326 out.gpkg " + path + "`");
  crs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return crs;
}

TransformPtr make_transform(const OGRSpatialReference& from, const OGRSpatialReference& to, const std::string& path,
                            OGRLayer& layer) {
  detail::QuietGdalErrors quiet;
  TransformPtr ct(OGRCreateCoordinateTransformation(&from, &to), &OGRCoordinateTransformation::DestroyCT);
  if (!ct)
    throw InputError(path, std::string("layer ") + layer.GetName(),
                     "no transformation from the pit layer's CRS (" + quiet.last_message() + ")",
                     "reproject it with `ogr2ogr -t_srs`");
  return ct;
}

}  // namespace

model::transport::PitLayer read_pit_layer(const std::string& path, const std::string& grid_wkt, const std::string& layer_name) {
  DatasetPtr ds = open_layer_source(path);
  OGRLayer& layer = pick_layer(*ds, path, layer_name);
  const std::string where_layer = std::string("layer ") + layer.GetName();

  // A layer declared as lines or polygons is refused as a whole; per-feature checks follow.
  const auto declared = wkbFlatten(layer.GetGeomType());
  if (declared != wkbUnknown && declared != wkbPoint && declared != wkbMultiPoint && declared != wkbNone)
    throw InputError(path, where_layer, fmt::format("layer holds {} geometries, not points", OGRGeometryTypeToName(declared)),
                     "give a point layer of pits (one point per pit), e.g. `ogr2ogr -nlt POINT` from centroids");

  const OGRSpatialReference source = layer_crs(layer, path);
  OGRSpatialReference grid_crs, wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  TransformPtr to_grid(nullptr, &OGRCoordinateTransformation::DestroyCT);
  if (!grid_wkt.empty()) {
    detail::QuietGdalErrors quiet;
    if (grid_crs.SetFromUserInput(grid_wkt.c_str()) != OGRERR_NONE)
      throw std::invalid_argument("read_pit_layer " + path + ": the grid's CRS cannot be parsed");
    grid_crs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (!source.IsSame(&grid_crs)) to_grid = make_transform(source, grid_crs, path, layer);
  }
  TransformPtr to_lonlat(nullptr, &OGRCoordinateTransformation::DestroyCT);
  if (!source.IsSame(&wgs84)) to_lonlat = make_transform(source, wgs84, path, layer);

  model::transport::PitLayer out;
  out.path = path;
  std::vector<std::string> not_points, no_geometry, failed;
  layer.ResetReading();
  for (auto& f : layer) {
    const OGRGeometry* g = f->GetGeometryRef();
    const std::string fid = std::to_string(f->GetFID());
    if (g == nullptr || g->IsEmpty()) {
      no_geometry.push_back(fid);
      continue;
    }
    const auto type = wkbFlatten(g->getGeometryType());
    const OGRPoint* pt = nullptr;
    if (type == wkbPoint) pt = g->toPoint();
    else if (type == wkbMultiPoint && g->toMultiPoint()->getNumGeometries() == 1) pt = g->toMultiPoint()->getGeometryRef(0);
    if (!pt) {
      not_points.push_back(fid + " " + g->getGeometryName());
      continue;
    }
    model::transport::PitRecord rec;
    rec.feature = f->GetFID();
    double x = pt->getX(), y = pt->getY();
    double lon = x, lat = y;
    if ((to_grid && !to_grid->Transform(1, &x, &y)) || (to_lonlat && !to_lonlat->Transform(1, &lon, &lat))) {
      failed.push_back(fid);
      continue;
    }
    rec.x = x;
    rec.y = y;
    rec.lon = lon;
    rec.lat = lat;
    for (int i = 0; i < f->GetFieldCount(); ++i) {
      if (!f->IsFieldSetAndNotNull(i)) continue;
      std::string text = f->GetFieldAsString(i);
      // Empty CSV cells arrive as empty strings: treat them as absent, like nulls.
      if (text.find_first_not_of(" \t") == std::string::npos) continue;
      rec.fields[lower(f->GetFieldDefnRef(i)->GetNameRef())] = std::move(text);
    }
    out.records.push_back(std::move(rec));
  }
  const auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : ", ") + e;
    return s;
  };
  if (!not_points.empty())
    throw InputError(path, (not_points.size() == 1 ? "feature " : "features ") + join(not_points),
                     "geometry is not a point (pits must be points)", "give one point per pit (e.g. centroids: `ogr2ogr -dialect sqlite -sql \"SELECT ST_Centroid(geometry), * FROM ...\"`)");
  if (!no_geometry.empty())
    throw InputError(path, (no_geometry.size() == 1 ? "feature " : "features ") + join(no_geometry), "pit has no geometry",
                     "give every pit a point, or a CSV with lon and lat columns filled in");
  if (!failed.empty())
    throw InputError(path, (failed.size() == 1 ? "feature " : "features ") + join(failed),
                     "cannot reproject the point to the grid's CRS", "check the layer's CRS and coordinates (`ogrinfo -al`)");
  return out;
}

model::transport::PitSources load_pit_sources(const std::string& path, const model::Grid& grid,
                                              const model::transport::StreamCells& streams,
                                              const model::transport::PitOptions& options,
                                              const model::transport::SnapOptions& snap, const std::string& layer) {
  const model::transport::PitLayer pits = read_pit_layer(path, grid.crs_wkt, layer);
  try {
    return model::transport::pit_sources(pits, grid, streams, options, snap);
  } catch (const model::transport::PitError& e) {
    throw InputError(e.file(), e.where(), e.problem(), e.fix());
  }
}

}  // namespace leachflow::io
