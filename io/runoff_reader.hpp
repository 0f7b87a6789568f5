// Gridded runoff forcing in: a NetCDF variable with a CF time axis, or one GeoTIFF per time
// stamp, resampled onto the DEM grid by nearest neighbour (GDAL's warper, so any CRS works),
// converted to mm/day, as model::hydraulics::Runoff of kind gridded.
//
// Units accepted (case and spacing ignored) and the conversion to mm/day:
//   mm/day, mm day-1, mm d-1, mm/d                   × 1
//   mm/month, mm month-1, mm/mon                     ÷ days in the calendar month of the time stamp
//   kg m-2 s-1, kg/m2/s, mm/s, mm s-1                × 86400 (1 kg of water per m² is 1 mm deep)
//   m/day, m day-1, m d-1                            × 1000
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/grid.hpp"
#include "model/hydraulics/runoff.hpp"

namespace leachflow::io {

// Factor from `units` to mm/day for a time stamp in the given calendar month (1..12); nullopt
// for units not in the table above.
std::optional<double> runoff_factor_to_mm_day(const std::string& units, int year, int month);

// Reads `variable` of a NetCDF file: dimensions (time, lat, lon) or (time, y, x); CF time units
// "<days|hours|minutes|seconds> since <date>" in the standard/Gregorian calendar. units: the
// variable's units, or empty to take its `units` attribute. run_start_day: the run's start as
// days since 1970-01-01; Runoff::grid_time_day is relative to it. Values are NaN on the DEM's
// NoData cells and where the file has no data.
// Throws io::InputError for: a missing file, a variable not in the file (listing those that
// are), no time axis or more than one extra axis, unparseable or non-Gregorian time units,
// unknown or missing units, a file without a CRS, time stamps out of order, and a grid that
// does not cover every valid DEM cell (saying what share of the DEM it misses).
model::hydraulics::Runoff read_runoff_netcdf(const std::string& path, const std::string& variable,
                                             const model::Grid& dem, double run_start_day,
                                             const std::string& units = "");

// One GeoTIFF (or any GDAL raster; band 1) per time stamp.
struct RunoffRaster {
  std::string time;  // ISO 8601 date or date-time from which the values apply
  std::string path;
};

// Reads a series of rasters; each applies from its time until the next. units: the rasters'
// units, or empty to take each band's unit type. Same errors as above, per file, plus
// unparseable times (the file named is the raster whose time is wrong).
model::hydraulics::Runoff read_runoff_rasters(const std::vector<RunoffRaster>& rasters, const model::Grid& dem,
                                              double run_start_day, const std::string& units = "");

}  // namespace leachflow::io
