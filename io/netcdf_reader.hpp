// Reads back a run's CF-NetCDF (io/netcdf_writer.hpp) for validation and calibration: the grid
// (dimensions, GeoTransform and CRS of the `crs` variable), the output times as days since
// 1970-01-01, static 2-D fields, and the time series of single cells of a (time, y, x) field —
// never whole fields for every time (nc_get_vars on one cell per call).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/grid.hpp"

namespace leachflow::io {

class NetcdfReader {
 public:
  // Throws InputError when the file is missing, not NetCDF, or lacks time/crs/GeoTransform.
  explicit NetcdfReader(const std::string& path);
  ~NetcdfReader();
  NetcdfReader(const NetcdfReader&) = delete;
  NetcdfReader& operator=(const NetcdfReader&) = delete;

  const std::string& path() const;
  // Rows, cols, geotransform and CRS as written (cell metrics recomputed by model::make_grid).
  const model::Grid& grid() const;
  // Output times, days since 1970-01-01 UTC (from the time variable's "days since ..." units).
  const std::vector<double>& times_day() const;
  bool has_variable(const std::string& name) const;
  // Names of the (time, y, x) variables (the species written).
  std::vector<std::string> field_names() const;
  // A 2-D (y, x) variable as doubles, _FillValue → NaN. InputError when absent.
  std::vector<double> read_static(const std::string& name) const;
  // The series of one cell of a (time, y, x) variable, _FillValue → NaN. InputError when absent.
  std::vector<double> read_cell_series(const std::string& name, model::index_t row, model::index_t col) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// WGS84 longitude/latitude (degrees) → coordinates in the CRS given as WKT, in place.
// Throws std::runtime_error when the CRS cannot be parsed or a point cannot be transformed.
void from_lonlat(const std::string& wkt, std::vector<double>& lon_x, std::vector<double>& lat_y);

}  // namespace leachflow::io
