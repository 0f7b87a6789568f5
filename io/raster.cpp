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

}  // namespace

Raster read_raster(const std::string& path, int band) {
  detail::ensure_gdal_registered();
  DatasetPtr ds = open_raster(path);
  const std::string where = fmt::format("band {}", band);
  if (band < 1 || band > ds->GetRasterCount())
    throw InputError(path, where, fmt::format("band out of range (the raster has {} band{})", ds->GetRasterCount(),
                                              ds->GetRasterCount() == 1 ? "" : "s"),
                     fmt::format("choose a band from 1 to {}", ds->GetRasterCount()));
  const int cols = ds->GetRasterXSize();
  const int rows = ds->GetRasterYSize();
  if (cols <= 0 || rows <= 0) throw InputError(path, "", "raster is empty (0 rows or columns)", "give a raster with cells");

  std::array<double, 6> gt{};
  {
    detail::QuietGdalErrors quiet;
    if (ds->GetGeoTransform(gt.data()) != CE_None)
      throw InputError(path, "", "raster has no geotransform (no georeferencing)",
                       "georeference it, e.g. `gdal_translate -a_ullr ... -a_srs EPSG:...` or `gdalwarp`");
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
      if (b->RasterIO(GF_Read, 0, row0, cols, nrows, dst, cols, nrows, GDT_Float32, 0, 0, nullptr) != CE_None)
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
