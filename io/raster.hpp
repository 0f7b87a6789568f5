// GDAL rasters in and out: read any GDAL raster band into a Grid and float32 values; write
// GeoTIFFs (tiled, DEFLATE, BigTIFF when needed) through a temporary name and a rename.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/grid.hpp"

namespace leachflow::io {

struct Raster {
  model::Grid grid;            // geo-referencing, per-row metrics and the NoData mask (valid)
  std::vector<float> values;   // row-major, scale/offset applied; NaN where grid.valid == 0
  std::string path;
  std::string driver;          // GDAL short name, e.g. "GTiff"
  int band = 1;
  double nodata = 0.0;         // the band's NoData value as stored (before scale/offset)
  bool has_nodata = false;
  double scale = 1.0, offset = 0.0;
  std::string unit;            // band unit type ("m", "metre", ... or empty when unstated)
  std::string crs_name;        // empty when the raster has no CRS
  int epsg = 0;                // 0 if unknown
  std::int64_t nodata_cells = 0;
};

// Reads one band of any GDAL raster: a file (GeoTIFF, VRT, .hgt, NetCDF with one variable),
// or a GDAL name such as "NETCDF:file.nc:var". NoData and NaN cells become invalid (value NaN).
// Throws io::InputError for: a missing file, a file GDAL cannot read, a band out of range, no
// geotransform, a rotated or south-up geotransform, an empty raster, all cells NoData.
Raster read_raster(const std::string& path, int band = 1);

// The same, only the cells inside a longitude/latitude box {west, south, east, north} (WGS84
// degrees; the box is transformed into the raster's CRS with densified edges and widened to
// whole cells). Also throws io::InputError when the box does not overlap the raster or the
// raster has no CRS.
Raster read_raster(const std::string& path, int band, const std::optional<std::array<double, 4>>& crop_lonlat);

// Smallest and largest valid value ({NaN, NaN} when none is valid).
struct ValueRange {
  double min, max;
};
ValueRange value_range(const Raster& r);

// Writes a single-band GeoTIFF: tiled 256×256, DEFLATE (with a predictor), BIGTIFF=IF_SAFER,
// geotransform and CRS of g, NoData when given, and metadata items. Written as path + ".part"
// and renamed when complete; the temporary is removed on failure. values.size() must equal
// g.cells(). T: uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, float, double.
// Throws std::runtime_error (naming the path) when writing fails.
template <class T>
void write_geotiff(const std::string& path, const model::Grid& g, std::span<const T> values,
                   std::optional<double> nodata, const std::map<std::string, std::string>& metadata = {});

template <class T>
void write_geotiff(const std::string& path, const model::Grid& g, const std::vector<T>& values,
                   std::optional<double> nodata, const std::map<std::string, std::string>& metadata = {}) {
  write_geotiff<T>(path, g, std::span<const T>(values), nodata, metadata);
}

}  // namespace leachflow::io
