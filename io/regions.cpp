// Burning a polygon layer into the grid: clip to the grid's neighbourhood in the layer's CRS,
// transform into the grid's CRS, rasterize cell centres with GDAL into the output array.
#include "io/regions.hpp"

#include <cpl_conv.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "io/gdal_support.hpp"

namespace leachflow::io {

using model::index_t;

namespace {

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(GDALDataset::ToHandle(d)); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;
using TransformPtr = std::unique_ptr<OGRCoordinateTransformation, decltype(&OGRCoordinateTransformation::DestroyCT)>;

DatasetPtr open_regions(const std::string& path) {
  detail::ensure_gdal_registered();
  if (!detail::is_gdal_connection_string(path) && !std::filesystem::exists(path))
    throw InputError(path, "", "region layer not found", "check the path (relative paths are taken from the current folder)");
  detail::QuietGdalErrors quiet;
  DatasetPtr ds(GDALDataset::FromHandle(
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
  if (!ds || ds->GetLayerCount() == 0) {
    const std::string why = quiet.last_message();
    throw InputError(path, "", "not a vector source OGR can read" + (why.empty() ? std::string() : " (" + why + ")"),
                     "give a GeoJSON, TopoJSON, GeoPackage or Shapefile of polygons; `ogrinfo` shows what GDAL sees");
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

// Adds the polygons of g (a Polygon, MultiPolygon or a collection holding them; curves made
// linear) to out; points and lines are left out.
void collect_polygons(const OGRGeometry& g, OGRMultiPolygon& out) {
  if (g.hasCurveGeometry()) {
    std::unique_ptr<OGRGeometry> linear(g.getLinearGeometry());
    if (linear && !linear->hasCurveGeometry()) collect_polygons(*linear, out);
    return;
  }
  switch (wkbFlatten(g.getGeometryType())) {
    case wkbPolygon:
      if (!g.IsEmpty()) out.addGeometry(&g);
      break;
    case wkbMultiPolygon:
    case wkbGeometryCollection:
      for (const OGRGeometry* part : *g.toGeometryCollection()) collect_polygons(*part, out);
      break;
    default:
      break;
  }
}

struct Box {
  double xmin, ymin, xmax, ymax;
};

// The grid's extent in the layer's CRS, widened by a margin; nullopt when it cannot be worked
// out (then nothing is clipped).
std::optional<Box> clip_box(const model::Grid& grid, const OGRSpatialReference& source, const OGRSpatialReference* target) {
  const auto& gt = grid.geotransform;
  Box b{gt[0], gt[3] + static_cast<double>(grid.rows) * gt[5], gt[0] + static_cast<double>(grid.cols) * gt[1], gt[3]};
  if (target) {
    detail::QuietGdalErrors quiet;
    TransformPtr back(OGRCreateCoordinateTransformation(target, &source), &OGRCoordinateTransformation::DestroyCT);
    Box s{};
    if (!back || !back->TransformBounds(b.xmin, b.ymin, b.xmax, b.ymax, &s.xmin, &s.ymin, &s.xmax, &s.ymax, 21))
      return std::nullopt;
    if (!std::isfinite(s.xmin) || !std::isfinite(s.ymin) || !std::isfinite(s.xmax) || !std::isfinite(s.ymax))
      return std::nullopt;
    if (s.xmin > s.xmax) {
      // Across the antimeridian (geographic layer): keep the latitude band, every longitude.
      if (!source.IsGeographic()) return std::nullopt;
      s.xmin = -180.0;
      s.xmax = 180.0;
    }
    b = s;
  }
  const double mx = 0.05 * (b.xmax - b.xmin), my = 0.05 * (b.ymax - b.ymin);
  b = {b.xmin - mx, b.ymin - my, b.xmax + mx, b.ymax + my};
  if (source.IsGeographic()) {
    b.ymin = std::max(b.ymin, -90.0);
    b.ymax = std::min(b.ymax, 90.0);
  }
  if (!(b.xmax > b.xmin) || !(b.ymax > b.ymin)) return std::nullopt;
  return b;
}

std::string region_name(OGRFeature& f, int field) {
  std::string name = f.IsFieldSetAndNotNull(field) ? f.GetFieldAsString(field) : "";
  if (name.find_first_not_of(" \t") == std::string::npos) name = fmt::format("feature {}", f.GetFID());
  return name;
}

std::string grid_extent_text(const model::Grid& grid) {
  try {
    const auto e = extent_lonlat(grid);
    return fmt::format(" (the grid spans {:.3f}..{:.3f} E, {:.3f}..{:.3f} N)", e[0], e[2], e[1], e[3]);
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace

Regions rasterize_regions(const std::string& path, const std::string& layer_name, const std::string& name_field,
                          const model::Grid& grid) {
  const index_t cells = grid.cells();
  if (grid.rows <= 0 || grid.cols <= 0 || grid.rows > INT_MAX || grid.cols > INT_MAX)
    throw std::invalid_argument("rasterize_regions: grid size out of range");
  if (!grid.valid.empty() && static_cast<index_t>(grid.valid.size()) != cells)
    throw std::invalid_argument("rasterize_regions: grid.valid does not match the grid size");

  DatasetPtr ds = open_regions(path);
  OGRLayer& layer = pick_layer(*ds, path, layer_name);
  const std::string where_layer = std::string("layer ") + layer.GetName();

  const auto declared = wkbFlatten(layer.GetGeomType());
  if (declared == wkbPoint || declared == wkbMultiPoint || declared == wkbLineString || declared == wkbMultiLineString)
    throw InputError(path, where_layer, fmt::format("layer holds {} geometries, not polygons", OGRGeometryTypeToName(declared)),
                     "give a polygon layer of regions (Polygon or MultiPolygon features)");

  OGRFeatureDefn& defn = *layer.GetLayerDefn();
  const int field = defn.GetFieldIndex(name_field.c_str());
  if (field < 0) {
    std::string fields;
    for (int i = 0; i < defn.GetFieldCount(); ++i) fields += (i ? ", " : "") + std::string(defn.GetFieldDefn(i)->GetNameRef());
    throw InputError(path, where_layer,
                     fmt::format("name field \"{}\" not found (fields: {})", name_field, fields.empty() ? "none" : fields),
                     "name one of the listed fields");
  }

  // CRSs: a layer without one is lon/lat WGS84 (TopoJSON, GeoJSON without "crs").
  OGRSpatialReference source;
  if (const OGRSpatialReference* s = layer.GetSpatialRef()) source = *s;
  else source.importFromEPSG(4326);
  source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference target;
  bool has_target = false;
  if (!grid.crs_wkt.empty()) {
    detail::QuietGdalErrors quiet;
    if (target.SetFromUserInput(grid.crs_wkt.c_str()) != OGRERR_NONE)
      throw std::invalid_argument("rasterize_regions " + path + ": the grid's CRS cannot be parsed");
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    has_target = !source.IsSame(&target);
  }
  TransformPtr to_grid(nullptr, &OGRCoordinateTransformation::DestroyCT);
  if (has_target) {
    detail::QuietGdalErrors quiet;
    to_grid.reset(OGRCreateCoordinateTransformation(&source, &target));
    if (!to_grid)
      throw InputError(path, where_layer, "no transformation from the layer's CRS to the grid's (" + quiet.last_message() + ")",
                       "reproject it with `ogr2ogr -t_srs`");
  }

  // Only the grid's neighbourhood is kept: far-away polygons (other continents, the other side
  // of the antimeridian) are never projected into the grid's CRS.
  const std::optional<Box> box = clip_box(grid, source, has_target ? &target : nullptr);
  std::unique_ptr<OGRPolygon> clip;
  double segment = 0;
  if (box) {
    layer.SetSpatialFilterRect(box->xmin, box->ymin, box->xmax, box->ymax);
    if (OGRGeometryFactory::haveGEOS()) {
      auto ring = std::make_unique<OGRLinearRing>();
      ring->addPoint(box->xmin, box->ymin);
      ring->addPoint(box->xmax, box->ymin);
      ring->addPoint(box->xmax, box->ymax);
      ring->addPoint(box->xmin, box->ymax);
      ring->addPoint(box->xmin, box->ymin);
      clip = std::make_unique<OGRPolygon>();
      clip->addRingDirectly(ring.release());
    }
    // Long straight edges (the clip box's, or a coarse polygon's) are densified before the
    // transform so they follow the curves they are in the grid's CRS.
    segment = std::max(box->xmax - box->xmin, box->ymax - box->ymin) / 64.0;
  }
  OGREnvelope box_env;
  if (box) {
    box_env.MinX = box->xmin;
    box_env.MinY = box->ymin;
    box_env.MaxX = box->xmax;
    box_env.MaxY = box->ymax;
  }

  std::map<std::string, std::int32_t> name_to_id;
  std::vector<std::string> names;
  std::vector<std::unique_ptr<OGRGeometry>> geoms;
  std::vector<double> burn;
  layer.ResetReading();
  for (auto& f : layer) {
    const OGRGeometry* g = f->GetGeometryRef();
    if (g == nullptr || g->IsEmpty()) continue;
    auto polys = std::make_unique<OGRMultiPolygon>();
    collect_polygons(*g, *polys);
    if (box) {
      // Parts away from the grid are dropped whole (islands on other continents); the rest are
      // cut to the box when GEOS can (an invalid part is repaired first). When cutting fails the
      // parts near the grid are kept as they are.
      auto near = std::make_unique<OGRMultiPolygon>();
      OGREnvelope env;
      for (const OGRPolygon* part : *polys) {
        part->getEnvelope(&env);
        if (box_env.Intersects(env)) near->addGeometry(part);
      }
      polys = std::move(near);
      if (polys->IsEmpty()) continue;
      polys->getEnvelope(&env);
      if (clip && !box_env.Contains(env)) {
        detail::QuietGdalErrors quiet;
        std::unique_ptr<OGRGeometry> cut(polys->Intersection(clip.get()));
        if (!cut) {
          std::unique_ptr<OGRGeometry> valid(polys->MakeValid());
          if (valid) cut.reset(valid->Intersection(clip.get()));
        }
        if (cut) {
          auto kept = std::make_unique<OGRMultiPolygon>();
          collect_polygons(*cut, *kept);
          polys = std::move(kept);
        }
      }
    }
    if (polys->IsEmpty()) continue;
    std::unique_ptr<OGRGeometry> geom = std::move(polys);
    if (to_grid) {
      if (segment > 0) geom->segmentize(segment);
      detail::QuietGdalErrors quiet;
      if (geom->transform(to_grid.get()) != OGRERR_NONE)
        throw InputError(path, fmt::format("feature {}", f->GetFID()),
                         "cannot transform the polygon into the grid's CRS" +
                             (quiet.last_message().empty() ? std::string() : " (" + quiet.last_message() + ")"),
                         "check the layer's CRS (`ogrinfo -so`), or clip the layer to the DEM's area with `ogr2ogr -clipsrc`");
    }
    const std::string name = region_name(*f, field);
    auto [it, inserted] = name_to_id.emplace(name, static_cast<std::int32_t>(names.size()));
    if (inserted) names.push_back(name);
    geoms.push_back(std::move(geom));
    burn.push_back(static_cast<double>(it->second));
  }

  std::vector<std::int32_t> id(static_cast<std::size_t>(cells), -1);
  if (!geoms.empty()) {
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    if (mem == nullptr) throw std::runtime_error("rasterize_regions: GDAL's MEM driver is not available");
    DatasetPtr raster(mem->Create("", static_cast<int>(grid.cols), static_cast<int>(grid.rows), 0, GDT_Int32, nullptr));
    if (!raster) throw std::runtime_error("rasterize_regions: cannot create an in-memory raster");
    // The band is the output array itself (no copy of a grid-sized buffer).
    char pointer[64] = {};
    CPLPrintPointer(pointer, id.data(), sizeof(pointer) - 1);
    const std::string data_option = std::string("DATAPOINTER=") + pointer;
    const std::string line_option = fmt::format("LINEOFFSET={}", grid.cols * static_cast<index_t>(sizeof(std::int32_t)));
    const char* band_options[] = {data_option.c_str(), "PIXELOFFSET=4", line_option.c_str(), nullptr};
    if (raster->AddBand(GDT_Int32, const_cast<char**>(band_options)) != CE_None)
      throw std::runtime_error("rasterize_regions: cannot attach the label array to an in-memory raster");
    std::array<double, 6> gt = grid.geotransform;
    raster->SetGeoTransform(gt.data());

    std::vector<OGRGeometryH> handles;
    handles.reserve(geoms.size());
    for (auto& g : geoms) handles.push_back(OGRGeometry::ToHandle(g.get()));
    const int band = 1;
    detail::QuietGdalErrors quiet;
    const CPLErr err = GDALRasterizeGeometries(GDALDataset::ToHandle(raster.get()), 1, &band, static_cast<int>(handles.size()),
                                               handles.data(), nullptr, nullptr, burn.data(), nullptr, nullptr, nullptr);
    if (err != CE_None) throw std::runtime_error("rasterize_regions " + path + ": GDAL rasterizer failed: " + quiet.last_message());
    raster.reset();  // flushes into id
  }

  // NoData is outside every region; then only regions that label a cell keep an id.
  std::vector<index_t> count(names.size(), 0);
  for (index_t i = 0; i < cells; ++i) {
    auto& v = id[static_cast<std::size_t>(i)];
    if (!grid.valid.empty() && grid.valid[static_cast<std::size_t>(i)] == 0) v = -1;
    if (v >= 0) ++count[static_cast<std::size_t>(v)];
  }
  std::vector<std::int32_t> remap(names.size(), -1);
  Regions out;
  out.path = path;
  for (std::size_t r = 0; r < names.size(); ++r) {
    if (count[r] == 0) continue;
    remap[r] = static_cast<std::int32_t>(out.names.size());
    out.names.push_back(std::move(names[r]));
  }
  if (out.names.empty())
    throw InputError(path, where_layer, "no polygon covers a valid cell of the grid" + grid_extent_text(grid),
                     "give a layer that overlaps the DEM (check both CRSs with `ogrinfo -so` and `gdalinfo`)");
  for (auto& v : id)
    if (v >= 0) v = remap[static_cast<std::size_t>(v)];
  out.id = std::move(id);
  return out;
}

}  // namespace leachflow::io
