// Reading OGR layers into features with attributes and reprojected geometry.
#include "io/vector.hpp"

#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "io/errors.hpp"
#include "io/gdal_support.hpp"

namespace leachflow::io {

std::optional<std::string> Feature::text(const std::string& field) const {
  const auto it = attributes.find(field);
  if (it == attributes.end()) return std::nullopt;
  return it->second;
}

std::optional<double> Feature::number(const std::string& field) const {
  const auto t = text(field);
  if (!t) return std::nullopt;
  const char* b = t->data();
  const char* e = b + t->size();
  while (b < e && std::isspace(static_cast<unsigned char>(*b))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(e[-1]))) --e;
  if (b < e && *b == '+') ++b;
  double v = 0;
  const auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e || b == e) return std::nullopt;
  return v;
}

namespace {

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(GDALDataset::ToHandle(d)); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

bool is_csv(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".csv";
}

DatasetPtr open_vector(const std::string& path) {
  detail::ensure_gdal_registered();
  if (!detail::is_gdal_connection_string(path) && !std::filesystem::exists(path))
    throw InputError(path, "", "file not found", "check the path (relative paths are taken from the current folder)");
  // CSV: find the coordinate columns by name; keep them as attributes too.
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

OGRLayer* find_layer(GDALDataset& ds, const std::string& path, const std::string& name) {
  if (name.empty()) return ds.GetLayer(0);
  if (OGRLayer* l = ds.GetLayerByName(name.c_str())) return l;
  std::string names;
  for (int i = 0; i < ds.GetLayerCount(); ++i) names += (i ? ", " : "") + std::string(ds.GetLayer(i)->GetName());
  throw InputError(path, "layer " + name, "layer not found (layers: " + names + ")", "name one of the listed layers");
}

// Transformation from the layer's CRS to the target (null when none is needed).
std::unique_ptr<OGRCoordinateTransformation> make_transform(OGRLayer& layer, const std::string& path,
                                                           const std::string& target_wkt) {
  if (target_wkt.empty()) return nullptr;
  OGRSpatialReference source;
  if (const OGRSpatialReference* s = layer.GetSpatialRef()) {
    source = *s;
  } else if (is_csv(path)) {
    source.importFromEPSG(4326);  // CSV coordinates are longitude/latitude unless stated
  } else {
    throw InputError(path, std::string("layer ") + layer.GetName(), "layer has no CRS",
                     "assign one, e.g. `ogr2ogr -a_srs EPSG:4326 out.gpkg " + path + "`");
  }
  OGRSpatialReference target;
  detail::QuietGdalErrors quiet;
  if (target.SetFromUserInput(target_wkt.c_str()) != OGRERR_NONE)
    throw std::invalid_argument("read vector " + path + ": target CRS cannot be parsed");
  source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (source.IsSame(&target)) return nullptr;
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&source, &target));
  if (!ct)
    throw InputError(path, std::string("layer ") + layer.GetName(),
                     "no transformation from the layer's CRS to the grid's (" + quiet.last_message() + ")",
                     "reproject it with `ogr2ogr -t_srs`");
  return ct;
}

void read_attributes(OGRFeature& f, Feature& out) {
  out.fid = f.GetFID();
  for (int i = 0; i < f.GetFieldCount(); ++i) {
    if (!f.IsFieldSetAndNotNull(i)) continue;
    out.attributes[f.GetFieldDefnRef(i)->GetNameRef()] = f.GetFieldAsString(i);
  }
}

std::string feature_where(const OGRFeature& f) { return fmt::format("feature {}", f.GetFID()); }

// Calls fn(feature, geometry) for each feature, geometry already reprojected.
template <class Fn>
void for_each_feature(const std::string& path, const std::string& target_wkt, const std::string& layer_name, Fn fn) {
  DatasetPtr ds = open_vector(path);
  OGRLayer* layer = find_layer(*ds, path, layer_name);
  auto ct = make_transform(*layer, path, target_wkt);
  layer->ResetReading();
  for (auto& feature : *layer) {
    OGRGeometry* geom = feature->GetGeometryRef();
    if (geom == nullptr || geom->IsEmpty())
      throw InputError(path, feature_where(*feature), "feature has no geometry", "give every feature a geometry or remove it");
    if (ct && geom->transform(ct.get()) != OGRERR_NONE)
      throw InputError(path, feature_where(*feature), "cannot reproject the geometry to the grid's CRS",
                       "check the layer's CRS and coordinates (`ogrinfo -al`)");
    fn(*feature, *geom);
  }
}

Ring to_ring(const OGRLinearRing& r) {
  Ring out;
  out.reserve(static_cast<std::size_t>(r.getNumPoints()));
  for (int i = 0; i < r.getNumPoints(); ++i) out.push_back({r.getX(i), r.getY(i)});
  return out;
}

Polygon to_polygon(const OGRPolygon& p) {
  Polygon out;
  if (const OGRLinearRing* ext = p.getExteriorRing()) out.exterior = to_ring(*ext);
  for (int i = 0; i < p.getNumInteriorRings(); ++i) out.holes.push_back(to_ring(*p.getInteriorRing(i)));
  return out;
}

}  // namespace

std::vector<std::string> list_layers(const std::string& path) {
  DatasetPtr ds = open_vector(path);
  std::vector<std::string> names;
  for (int i = 0; i < ds->GetLayerCount(); ++i) names.emplace_back(ds->GetLayer(i)->GetName());
  return names;
}

std::vector<PointFeature> read_points(const std::string& path, const std::string& target_wkt, const std::string& layer) {
  std::vector<PointFeature> out;
  for_each_feature(path, target_wkt, layer, [&](OGRFeature& f, OGRGeometry& g) {
    PointFeature p;
    read_attributes(f, p);
    const auto type = wkbFlatten(g.getGeometryType());
    if (type == wkbPoint) {
      const auto& pt = *g.toPoint();
      p.point = {pt.getX(), pt.getY()};
    } else if (type == wkbMultiPoint && g.toMultiPoint()->getNumGeometries() == 1) {
      const auto& pt = *g.toMultiPoint()->getGeometryRef(0);
      p.point = {pt.getX(), pt.getY()};
    } else {
      throw InputError(path, feature_where(f), fmt::format("geometry is {}, expected a point", g.getGeometryName()),
                       "give a point layer (one point per feature)");
    }
    out.push_back(std::move(p));
  });
  return out;
}

std::vector<PolygonFeature> read_polygons(const std::string& path, const std::string& target_wkt, const std::string& layer) {
  std::vector<PolygonFeature> out;
  for_each_feature(path, target_wkt, layer, [&](OGRFeature& f, OGRGeometry& g) {
    PolygonFeature p;
    read_attributes(f, p);
    const auto type = wkbFlatten(g.getGeometryType());
    if (type == wkbPolygon) {
      p.polygons.push_back(to_polygon(*g.toPolygon()));
    } else if (type == wkbMultiPolygon) {
      for (const OGRPolygon* part : *g.toMultiPolygon()) p.polygons.push_back(to_polygon(*part));
    } else {
      throw InputError(path, feature_where(f), fmt::format("geometry is {}, expected a polygon", g.getGeometryName()),
                       "give a polygon layer (Polygon or MultiPolygon features)");
    }
    out.push_back(std::move(p));
  });
  return out;
}

}  // namespace leachflow::io
