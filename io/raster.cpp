// Reading GDAL raster bands into a Grid and float32 values.
#include "io/raster.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "io/gdal_support.hpp"

namespace leachflow::io {

namespace {

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(GDALDataset::ToHandle(d)); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

DatasetPtr open_raster(const std::string& path) {
  if (!detail::is_gdal_connection_string(path) && !std::filesystem::exists(path))
    throw InputError(path, "", "file not found", "check the path (relative paths are taken from the current folder)");
  detail::QuietGdalErrors quiet;
  DatasetPtr ds(GDALDataset::FromHandle(GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
  if (!ds) {
    std::string why = quiet.last_message();
    throw InputError(path, "", "not a raster GDAL can read" + (why.empty() ? std::string() : " (" + why + ")"),
                     "give a GeoTIFF, VRT, .hgt or NetCDF file; `gdalinfo` shows what GDAL sees");
  }
  // A NetCDF/HDF file with several variables opens as a container of subdatasets: take the
  // only one, or ask the user to name one.
  if (ds->GetRasterCount() == 0) {
    char** subs = ds->GetMetadata("SUBDATASETS");
    std::vector<std::string> names;
    for (char** p = subs; p && *p; ++p) {
      std::string item = *p;
      const auto eq = item.find('=');
      if (eq != std::string::npos && item.substr(0, eq).find("_NAME") != std::string::npos) names.push_back(item.substr(eq + 1));
    }
    if (names.size() == 1) return open_raster(names.front());
    if (names.empty()) throw InputError(path, "", "raster has no bands", "give a raster with at least one band");
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw InputError(path, "", fmt::format("file holds {} variables, not one raster", names.size()),
                     "name one, e.g. " + names.front() + " (all: " + list + ")");
  }
  return ds;
}

// Pixel window {x0, y0, width, height} of a lon/lat box on a raster.
std::array<int, 4> lonlat_window(const std::string& path, GDALDataset& ds, const std::array<double, 6>& gt,
                                 const std::array<double, 4>& box) {
  const auto [west, south, east, north] = box;
  const std::string where = fmt::format("crop [{}, {}, {}, {}]", west, south, east, north);
  const OGRSpatialReference* srs = ds.GetSpatialRef();
  if (!srs)
    throw InputError(path, where, "the raster has no CRS, so a lon/lat crop cannot be placed",
                     "assign one (`gdal_translate -a_srs EPSG:...`) or drop the crop");
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference target(*srs);
  target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs84, &target));
  if (!ct) throw InputError(path, where, "cannot transform lon/lat into the raster's CRS", "reproject the DEM first");
  // Densified box edges: projected images of lon/lat boxes have curved sides.
  double px0 = std::numeric_limits<double>::infinity(), py0 = px0, px1 = -px0, py1 = -px0;
  constexpr int steps = 64;
  for (int k = 0; k <= steps; ++k) {
    const double f = static_cast<double>(k) / steps;
    const double pts[4][2] = {{west + f * (east - west), south}, {west + f * (east - west), north},
                              {west, south + f * (north - south)}, {east, south + f * (north - south)}};
    for (const auto& p : pts) {
      double x = p[0], y = p[1];
      if (!ct->Transform(1, &x, &y)) continue;
      const double col = (x - gt[0]) / gt[1];
      const double row = (y - gt[3]) / gt[5];
      px0 = std::min(px0, col), px1 = std::max(px1, col);
      py0 = std::min(py0, row), py1 = std::max(py1, row);
    }
  }
  const int cols = ds.GetRasterXSize(), rows = ds.GetRasterYSize();
  // Whole cells: a cell is kept when the box reaches into it (tolerance for boxes on cell edges).
  constexpr double eps = 1e-6;
  const int c0 = std::max(0, static_cast<int>(std::floor(px0 + eps)));
  const int r0 = std::max(0, static_cast<int>(std::floor(py0 + eps)));
  const int c1 = std::min(cols, static_cast<int>(std::ceil(px1 - eps)));
  const int r1 = std::min(rows, static_cast<int>(std::ceil(py1 - eps)));
  if (!std::isfinite(px0) || c1 <= c0 || r1 <= r0)
    throw InputError(path, where, "the crop box does not overlap the raster",
                     "check the box is [west, south, east, north] in degrees (`leachflow info` prints the DEM's extent)");
  return {c0, r0, c1 - c0, r1 - r0};
}

}  // namespace

Raster read_raster(const std::string& path, int band) { return read_raster(path, band, std::nullopt); }

Raster read_raster(const std::string& path, int band, const std::optional<std::array<double, 4>>& crop_lonlat) {
  detail::ensure_gdal_registered();
  DatasetPtr ds = open_raster(path);
  const std::string where = fmt::format("band {}", band);
  if (band < 1 || band > ds->GetRasterCount())
    throw InputError(path, where, fmt::format("band out of range (the raster has {} band{})", ds->GetRasterCount(),
                                              ds->GetRasterCount() == 1 ? "" : "s"),
                     fmt::format("choose a band from 1 to {}", ds->GetRasterCount()));
  int cols = ds->GetRasterXSize();
  int rows = ds->GetRasterYSize();
  if (cols <= 0 || rows <= 0) throw InputError(path, "", "raster is empty (0 rows or columns)", "give a raster with cells");

  std::array<double, 6> gt{};
  {
    detail::QuietGdalErrors quiet;
    if (ds->GetGeoTransform(gt.data()) != CE_None)
      throw InputError(path, "", "raster has no geotransform (no georeferencing)",
                       "georeference it, e.g. `gdal_translate -a_ullr ... -a_srs EPSG:...` or `gdalwarp`");
  }
  int win_x = 0, win_y = 0;
  if (crop_lonlat) {
    if (gt[2] != 0.0 || gt[4] != 0.0 || gt[5] >= 0.0)
      throw InputError(path, "", "raster is rotated or south-up", "resample it to a north-up grid with `gdalwarp`");
    const auto w = lonlat_window(path, *ds, gt, *crop_lonlat);
    win_x = w[0], win_y = w[1], cols = w[2], rows = w[3];
    gt[0] += win_x * gt[1];
    gt[3] += win_y * gt[5];
  }

  Raster r;
  r.path = path;
  r.band = band;
  r.driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "";

  std::string wkt;
  CrsInfo crs;
  if (const OGRSpatialReference* srs = ds->GetSpatialRef()) {
    char* w = nullptr;
    const char* options[] = {"FORMAT=WKT2_2019", nullptr};
    srs->exportToWkt(&w, options);
    wkt = w ? w : "";
    CPLFree(w);
    crs = describe_crs(wkt);
  }
  r.crs_name = crs.name;
  r.epsg = crs.epsg;
  try {
    r.grid = model::make_grid(rows, cols, gt, wkt, crs.geographic, crs.linear_unit_m, crs.ellipsoid);
  } catch (const std::invalid_argument& e) {
    throw InputError(path, "", e.what(), "resample it to a north-up grid with `gdalwarp`");
  }

  GDALRasterBand* b = ds->GetRasterBand(band);
  int has = 0;
  r.nodata = b->GetNoDataValue(&has);
  r.has_nodata = has != 0;
  int has_scale = 0, has_offset = 0;
  r.scale = b->GetScale(&has_scale);
  r.offset = b->GetOffset(&has_offset);
  if (!has_scale) r.scale = 1.0;
  if (!has_offset) r.offset = 0.0;
  if (const char* u = b->GetUnitType()) r.unit = u;

  // Read in strips of whole block rows (about 64 MiB of float32 each) so big files stream.
  const std::size_t n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  r.values.resize(n);
  int block_x = 0, block_y = 0;
  b->GetBlockSize(&block_x, &block_y);
  block_y = std::max(block_y, 1);
  const int target_rows = std::max(1, static_cast<int>((64u << 20) / (4u * static_cast<unsigned>(cols))));
  const int strip = std::max(block_y, target_rows / block_y * block_y);
  {
    detail::QuietGdalErrors quiet;
    for (int row0 = 0; row0 < rows; row0 += strip) {
      const int nrows = std::min(strip, rows - row0);
      float* dst = r.values.data() + static_cast<std::size_t>(row0) * static_cast<std::size_t>(cols);
      if (b->RasterIO(GF_Read, win_x, win_y + row0, cols, nrows, dst, cols, nrows, GDT_Float32, 0, 0, nullptr) != CE_None)
        throw InputError(path, fmt::format("band {}, rows {}–{}", band, row0, row0 + nrows - 1),
                         "read failed (" + quiet.last_message() + ")", "check the file is complete (`gdalinfo -checksum`)");
    }
  }

  // NoData is compared as float32, the type the values were read into.
  const float nodata_f = r.has_nodata ? static_cast<float>(r.nodata) : 0.0f;
  const bool nodata_is_nan = r.has_nodata && std::isnan(r.nodata);
  const bool scaled = r.scale != 1.0 || r.offset != 0.0;
  std::vector<std::uint8_t>& valid = r.grid.valid;
  std::int64_t invalid = 0;
  for (std::size_t i = 0; i < n; ++i) {
    float& v = r.values[i];
    const bool is_nodata = std::isnan(v) || (r.has_nodata && !nodata_is_nan && v == nodata_f);
    if (is_nodata) {
      v = std::numeric_limits<float>::quiet_NaN();
      valid[i] = 0;
      ++invalid;
    } else if (scaled) {
      v = static_cast<float>(static_cast<double>(v) * r.scale + r.offset);
    }
  }
  r.nodata_cells = invalid;
  if (invalid == static_cast<std::int64_t>(n))
    throw InputError(path, where, "all cells are NoData", "check the NoData value (`gdalinfo`) or choose another band");
  return r;
}

ValueRange value_range(const Raster& r) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (float v : r.values) {
    if (std::isnan(v)) continue;
    lo = std::min(lo, static_cast<double>(v));
    hi = std::max(hi, static_cast<double>(v));
  }
  if (lo > hi) return {std::nan(""), std::nan("")};
  return {lo, hi};
}

}  // namespace leachflow::io
