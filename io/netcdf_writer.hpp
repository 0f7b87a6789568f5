// The run's NetCDF out: NetCDF-4, CF-1.10. Concentration per species as (time, y, x) float32 with
// _FillValue; static (y, x) fields; x/y with a grid_mapping variable carrying crs_wkt for
// projected grids, lat/lon for geographic ones; time with CF units and calendar; global
// attributes (title, institution, source, history, the scenario text, leachflow version).
// Deflate with shuffle; the chunk shape is documented in netcdf_writer.cpp.
//
// Written under FINAL.part and renamed by finish(). finish_partial() (Ctrl-C, a failed step)
// closes the file with the steps written so far, sets the global attribute
// `leachflow_partial = "true"` and renames it to STEM.partial.nc, never to the final name.
// A writer destroyed without either removes the .part file.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/grid.hpp"

namespace leachflow::io {

struct NcVariable {
  std::string name;           // e.g. "ammonium"
  std::string long_name;      // e.g. "ammonium concentration in stream water"
  std::string units;          // UDUNITS, e.g. "mg L-1", "m2", "1"
  std::string standard_name;  // CF standard name where one exists, else empty
  std::string comment;        // optional
};

struct NcFileOptions {
  std::string path;                 // the final name, e.g. DIR/leachflow.nc
  std::string title;
  std::string institution;          // empty: not written
  std::string source;               // e.g. "leachflow 0.1.0 (cpu: Thrust OpenMP)"
  std::string history;              // e.g. "2026-12-02T16:00:00Z leachflow run scenario.toml"
  std::string references;           // optional
  std::string scenario_text;        // written as the global attribute `scenario`
  std::string time_units;           // e.g. "days since 2025-01-01 00:00:00"
  std::string calendar = "standard";
  int deflate_level = 4;            // 0 = no compression
};

class NetcdfWriter {
 public:
  // Creates PATH.part (replacing a stale .part) and defines dimensions, coordinates, the CRS and
  // the global attributes. concentration: one (time, y, x) float32 variable each.
  // Throws io::InputError when the folder is not writable.
  NetcdfWriter(const model::Grid& grid, const NcFileOptions& options, const std::vector<NcVariable>& concentration);
  ~NetcdfWriter();
  NetcdfWriter(const NetcdfWriter&) = delete;
  NetcdfWriter& operator=(const NetcdfWriter&) = delete;

  // Static (y, x) fields; NaN (float) or fill (int) become _FillValue. One value per cell,
  // row-major from the north-west corner (the Grid's order).
  void write_static(const NcVariable& var, std::span<const float> values);
  void write_static(const NcVariable& var, std::span<const std::int32_t> values, std::int32_t fill);

  // Appends a time step (value in time_units) and returns its index.
  std::size_t append_time(double time_value);
  // Writes concentration variable v (index into the constructor's list) at time index t; NaN
  // becomes _FillValue.
  void write_field(std::size_t v, std::size_t t, std::span<const float> values);

  // Named time series at points (crossings, stations; issue 6/7): dimension `name` of length
  // `count` with a string label and lon/lat per point; values (time, name) float64.
  struct PointSet {
    std::string dim;                  // e.g. "crossing"
    std::vector<std::string> labels;
    std::vector<double> lon, lat;
  };
  void define_points(const PointSet& points);
  // A (time, dim) float64 variable on a point set defined before.
  std::size_t define_point_series(const std::string& dim, const NcVariable& var);
  void write_point_series(std::size_t series, std::size_t t, std::span<const double> values);

  // Sets or replaces a global attribute (text).
  void set_global(const std::string& name, const std::string& value);

  // Closes and renames PATH.part → PATH. Returns PATH.
  std::string finish();
  // Closes with leachflow_partial = "true" and renames to STEM.partial.nc. Returns that path.
  std::string finish_partial(const std::string& why);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leachflow::io
