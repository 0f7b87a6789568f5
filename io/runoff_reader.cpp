// Runoff forcing from NetCDF or a raster series, warped onto the DEM grid by nearest neighbour.
#include "io/runoff_reader.hpp"

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "io/errors.hpp"
#include "io/gdal_support.hpp"
#include "model/iso_time.hpp"

namespace leachflow::io {

namespace {

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(GDALDataset::ToHandle(d)); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

constexpr const char* units_fix = "state the units as mm/day, mm/month or kg m-2 s-1 (see `leachflow --help`)";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Lower case, exponent marks dropped, '.' and runs of spaces as one space: "kg m**-2 s**-1" →
// "kg m-2 s-1", "mm.day^-1" → "mm day-1".
std::string normalise_units(const std::string& units) {
  std::string s;
  for (std::size_t i = 0; i < units.size(); ++i) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(units[i])));
    if (c == '^') continue;
    if (c == '*') continue;
    if (c == '.' || c == '\t') c = ' ';
    if (c == ' ' && (s.empty() || s.back() == ' ')) continue;
    s += c;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// What a raster holds before warping: values per band, its no-data value, its time stamps.
struct Warped {
  std::vector<std::vector<float>> bands;  // on the DEM grid, NaN where no data
  double uncovered_share = 0;             // of the DEM's valid cells, outside the source grid
};

std::string g17(double v) { return fmt::format("{:.17g}", v); }

// Nearest-neighbour warp of every band of src onto the DEM grid. Cells outside the source grid
// are told apart from the source's own no-data by warping with the source no-data switched off
// and a sentinel as the destination's initial value.
Warped warp_to_dem(GDALDataset& src, const model::Grid& dem, const std::string& path) {
  const std::string where_crs = "georeferencing";
  // Without a CRS the warper could only guess how the grids line up.
  if (!dem.crs_wkt.empty() && src.GetSpatialRef() == nullptr)
    throw InputError(path, where_crs, "runoff raster has no CRS", "assign one, e.g. `gdal_translate -a_srs EPSG:4326`");
  int has_nodata = 0;
  const double src_nodata = src.GetRasterBand(1)->GetNoDataValue(&has_nodata);
  constexpr float sentinel = -3.0e38f;
  const double x_min = dem.geotransform[0], x_max = x_min + static_cast<double>(dem.cols) * dem.geotransform[1];
  const double y_max = dem.geotransform[3], y_min = y_max + static_cast<double>(dem.rows) * dem.geotransform[5];
  std::vector<std::string> args = {"-of", "MEM", "-r", "near", "-ot", "Float32",
                                   "-te", g17(x_min), g17(y_min), g17(x_max), g17(y_max),
                                   "-ts", std::to_string(dem.cols), std::to_string(dem.rows),
                                   "-srcnodata", "None", "-dstnodata", g17(sentinel), "-wo", "INIT_DEST=NO_DATA"};
  if (!dem.crs_wkt.empty()) {
    args.emplace_back("-t_srs");
    args.push_back(dem.crs_wkt);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  detail::QuietGdalErrors quiet;
  std::unique_ptr<GDALWarpAppOptions, decltype(&GDALWarpAppOptionsFree)> options(GDALWarpAppOptionsNew(argv.data(), nullptr),
                                                                                 &GDALWarpAppOptionsFree);
  GDALDatasetH src_h = GDALDataset::ToHandle(&src);
  int usage_error = 0;
  DatasetPtr out(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, &src_h, options.get(), &usage_error)));
  if (!out)
    throw InputError(path, where_crs, "cannot resample onto the DEM grid (" + quiet.last_message() + ")",
                     "check the file's CRS and extent (`gdalinfo`)");

  Warped w;
  const auto cells = static_cast<std::size_t>(dem.cells());
  std::size_t valid = 0, uncovered = 0;
  for (int b = 1; b <= out->GetRasterCount(); ++b) {
    std::vector<float> v(cells);
    if (out->GetRasterBand(b)->RasterIO(GF_Read, 0, 0, static_cast<int>(dem.cols), static_cast<int>(dem.rows), v.data(),
                                        static_cast<int>(dem.cols), static_cast<int>(dem.rows), GDT_Float32, 0, 0,
                                        nullptr) != CE_None)
      throw InputError(path, fmt::format("band {}", b), "read failed (" + quiet.last_message() + ")",
                       "check the file is complete (`gdalinfo -checksum`)");
    const float nodata_f = static_cast<float>(src_nodata);
    for (std::size_t i = 0; i < cells; ++i) {
      const bool dem_valid = dem.valid.empty() || dem.valid[i] != 0;
      if (b == 1 && dem_valid) {
        ++valid;
        if (v[i] == sentinel) ++uncovered;
      }
      if (!dem_valid || v[i] == sentinel || std::isnan(v[i]) || (has_nodata && v[i] == nodata_f))
        v[i] = std::numeric_limits<float>::quiet_NaN();
    }
    w.bands.push_back(std::move(v));
  }
  w.uncovered_share = valid ? static_cast<double>(uncovered) / static_cast<double>(valid) : 0.0;
  if (uncovered > 0)
    throw InputError(path, "extent",
                     fmt::format("runoff grid does not cover the DEM: {:.1f} % of the DEM's valid cells ({} of {}) lie outside it",
                                 100.0 * w.uncovered_share, uncovered, valid),
                     "give runoff covering the whole DEM (compare `gdalinfo` extents) or clip the DEM to it");
  return w;
}

// Converts the values of one time stamp to mm/day in place.
void to_mm_day(std::vector<float>& v, const std::string& units, double stamp_day, const std::string& path,
               const std::string& where) {
  const std::string date = model::format_iso8601_date(stamp_day);
  const int year = std::stoi(date.substr(0, date.size() - 6));
  const int month = std::stoi(date.substr(date.size() - 5, 2));
  const auto factor = runoff_factor_to_mm_day(units, year, month);
  if (!factor) throw InputError(path, where, units.empty() ? "runoff units not stated" : "unknown runoff units '" + units + "'", units_fix);
  if (*factor == 1.0) return;
  for (float& x : v) x = static_cast<float>(static_cast<double>(x) * *factor);
}

DatasetPtr open_raster_quiet(const std::string& name) {
  detail::QuietGdalErrors quiet;
  return DatasetPtr(GDALDataset::FromHandle(GDALOpenEx(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
}

// Variables a NetCDF file holds, as GDAL lists them.
std::vector<std::string> netcdf_variables(const std::string& path) {
  std::vector<std::string> names;
  DatasetPtr ds = open_raster_quiet(path);
  if (!ds) return names;
  for (char** p = ds->GetMetadata("SUBDATASETS"); p && *p; ++p) {
    const std::string item = *p;
    const auto eq = item.find('=');
    if (eq == std::string::npos || item.substr(0, eq).find("_NAME") == std::string::npos) continue;
    names.push_back(item.substr(item.rfind(':') + 1));
  }
  if (names.empty() && ds->GetRasterCount() > 0) {
    // One variable: GDAL opened it directly; its attributes are listed as "<name>#<attr>".
    // Coordinate and grid-mapping variables are left out: they are not data one could name.
    std::vector<std::string> coordinates;
    for (char** p = ds->GetMetadata(); p && *p; ++p) {
      const std::string item = *p;
      const auto hash = item.find('#');
      if (hash == std::string::npos) continue;
      const std::string var = item.substr(0, hash);
      const std::string rest = lower(item.substr(hash + 1));
      const bool coordinate = rest.rfind("grid_mapping_name=", 0) == 0 || rest.rfind("axis=", 0) == 0 ||
                              rest.rfind("units=degrees_", 0) == 0 ||
                              (rest.rfind("units=", 0) == 0 && rest.find(" since ") != std::string::npos) ||
                              rest.rfind("standard_name=projection_", 0) == 0;
      if (coordinate) coordinates.push_back(var);
      if (var != "NC_GLOBAL" && std::find(names.begin(), names.end(), var) == names.end()) names.push_back(var);
    }
    std::erase_if(names, [&](const std::string& n) {
      return std::find(coordinates.begin(), coordinates.end(), n) != coordinates.end();
    });
  }
  return names;
}

// "days since 2000-01-01" → {days per unit, reference day}.
std::optional<std::pair<double, double>> parse_cf_time_units(const std::string& units) {
  const std::string u = lower(units);
  const auto since = u.find(" since ");
  if (since == std::string::npos) return std::nullopt;
  std::string unit = u.substr(0, since);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  double days_per = 0;
  if (unit == "days" || unit == "day" || unit == "d") days_per = 1;
  else if (unit == "hours" || unit == "hour" || unit == "h") days_per = 1.0 / 24;
  else if (unit == "minutes" || unit == "minute" || unit == "min") days_per = 1.0 / 1440;
  else if (unit == "seconds" || unit == "second" || unit == "s") days_per = 1.0 / 86400;
  else return std::nullopt;
  const auto ref = model::parse_iso8601_days(units.substr(since + 7));
  if (!ref) return std::nullopt;
  return std::make_pair(days_per, *ref);
}

void check_increasing(const std::vector<double>& t, const std::string& path) {
  for (std::size_t i = 1; i < t.size(); ++i)
    if (!(t[i] > t[i - 1]))
      throw InputError(path, fmt::format("time stamps {} and {}", i, i + 1),
                       "time stamps are not increasing (" + model::format_iso8601_date(t[i - 1]) + " then " +
                           model::format_iso8601_date(t[i]) + ")",
                       "sort the time stamps and remove duplicates");
}

}  // namespace

std::optional<double> runoff_factor_to_mm_day(const std::string& units, int year, int month) {
  const std::string u = normalise_units(units);
  for (const char* s : {"mm/day", "mm day-1", "mm d-1", "mm/d", "mm per day", "mm/day-1"})
    if (u == s) return 1.0;
  for (const char* s : {"mm/month", "mm month-1", "mm/mon", "mm mon-1", "mm per month"})
    if (u == s) return 1.0 / model::days_in_month(year, month);
  for (const char* s : {"kg m-2 s-1", "kg/m2/s", "kg m-2/s", "kg/m2 s", "mm/s", "mm s-1"})
    if (u == s) return 86400.0;
  for (const char* s : {"m/day", "m day-1", "m d-1", "m/d"})
    if (u == s) return 1000.0;
  return std::nullopt;
}

model::hydraulics::Runoff read_runoff_netcdf(const std::string& path, const std::string& variable, const model::Grid& dem,
                                             double run_start_day, const std::string& units) {
  detail::ensure_gdal_registered();
  if (!std::filesystem::exists(path))
    throw InputError(path, "", "runoff file not found", "check the path (relative paths are taken from the current folder)");
  DatasetPtr ds = open_raster_quiet("NETCDF:\"" + path + "\":" + variable);
  if (!ds) {
    const auto vars = netcdf_variables(path);
    std::string list;
    for (const auto& v : vars) list += (list.empty() ? "" : ", ") + v;
    throw InputError(path, "variable " + variable,
                     vars.empty() ? "not a NetCDF file GDAL can read, or no variable '" + variable + "'"
                                  : "no variable '" + variable + "' (variables: " + list + ")",
                     vars.empty() ? "check the file with `ncdump -h`" : "name one of the listed variables");
  }
  const std::string where = "variable " + variable;
  const auto item = [&](const std::string& key) -> std::string {
    const char* v = ds->GetMetadataItem(key.c_str());
    return v ? v : "";
  };
  // Axes beyond y/x: GDAL lists them as "{time}" or "{level,time}".
  std::string extra = item("NETCDF_DIM_EXTRA");
  extra.erase(std::remove_if(extra.begin(), extra.end(), [](char c) { return c == '{' || c == '}'; }), extra.end());
  if (extra.empty())
    throw InputError(path, where, "variable has no time axis (only y/x)",
                     "give a variable with dimensions (time, lat, lon) or (time, y, x), or use a constant or monthly runoff");
  if (extra.find(',') != std::string::npos)
    throw InputError(path, where, "variable has more than one axis besides y/x (" + extra + ")",
                     "select one level first, e.g. `cdo sellevel` or `ncks -d`");
  const std::string time_dim = extra;
  const std::string time_units = item(time_dim + "#units");
  const auto cf = parse_cf_time_units(time_units);
  if (!cf)
    throw InputError(path, "axis " + time_dim,
                     time_units.empty() ? "time axis has no units" : "time units '" + time_units + "' are not CF \"<days|hours|seconds> since <date>\"",
                     "set the axis' units attribute, e.g. \"days since 2000-01-01\"");
  const std::string calendar = lower(item(time_dim + "#calendar"));
  if (!calendar.empty() && calendar != "standard" && calendar != "gregorian" && calendar != "proleptic_gregorian")
    throw InputError(path, "axis " + time_dim, "calendar '" + calendar + "' is not the standard (Gregorian) calendar",
                     "convert it, e.g. `cdo setcalendar,standard`");

  std::string var_units = units;
  if (var_units.empty()) var_units = item(variable + "#units");
  if (var_units.empty() && ds->GetRasterCount() > 0)
    if (const char* u = ds->GetRasterBand(1)->GetUnitType()) var_units = u;
  if (!runoff_factor_to_mm_day(var_units, 2001, 1))
    throw InputError(path, where, var_units.empty() ? "runoff units not stated" : "unknown runoff units '" + var_units + "'",
                     units_fix);

  std::vector<double> stamps;  // days since 1970
  for (int b = 1; b <= ds->GetRasterCount(); ++b) {
    const char* v = ds->GetRasterBand(b)->GetMetadataItem(("NETCDF_DIM_" + time_dim).c_str());
    char* end = nullptr;
    const double t = v ? std::strtod(v, &end) : std::nan("");
    if (!v || end == v || !std::isfinite(t))
      throw InputError(path, fmt::format("{}, time step {}", where, b), "time value missing", "check the time axis (`ncdump -v " + time_dim + "`)");
    stamps.push_back(cf->second + t * cf->first);
  }
  check_increasing(stamps, path);

  Warped w = warp_to_dem(*ds, dem, path);
  model::hydraulics::Runoff r;
  r.kind = model::hydraulics::Runoff::Kind::gridded;
  for (std::size_t i = 0; i < w.bands.size(); ++i) {
    to_mm_day(w.bands[i], var_units, stamps[i], path, where);
    r.grid_time_day.push_back(stamps[i] - run_start_day);
  }
  r.grid_mm_day = std::move(w.bands);
  r.source = fmt::format("{} variable {} ({}, {} time steps from {}), nearest neighbour onto the DEM grid", path, variable,
                         var_units, stamps.size(), model::format_iso8601_date(stamps.front()));
  return r;
}

model::hydraulics::Runoff read_runoff_rasters(const std::vector<RunoffRaster>& rasters, const model::Grid& dem,
                                              double run_start_day, const std::string& units) {
  detail::ensure_gdal_registered();
  model::hydraulics::Runoff r;
  r.kind = model::hydraulics::Runoff::Kind::gridded;
  std::vector<double> stamps;
  for (const RunoffRaster& f : rasters) {
    const auto t = model::parse_iso8601_days(f.time);
    if (!t)
      throw InputError(f.path, "time '" + f.time + "'", "unparseable time stamp",
                       "write it as ISO 8601, e.g. 2024-05-01 or 2024-05-01T00:00:00Z");
    if (!detail::is_gdal_connection_string(f.path) && !std::filesystem::exists(f.path))
      throw InputError(f.path, "", "runoff raster not found", "check the path (relative paths are taken from the current folder)");
    DatasetPtr ds = open_raster_quiet(f.path);
    if (!ds || ds->GetRasterCount() < 1)
      throw InputError(f.path, "", "not a raster GDAL can read", "give a GeoTIFF; `gdalinfo` shows what GDAL sees");
    std::string u = units;
    if (u.empty())
      if (const char* bu = ds->GetRasterBand(1)->GetUnitType()) u = bu;
    if (!runoff_factor_to_mm_day(u, 2001, 1))
      throw InputError(f.path, "band 1", u.empty() ? "runoff units not stated" : "unknown runoff units '" + u + "'", units_fix);
    stamps.push_back(*t);
    Warped w = warp_to_dem(*ds, dem, f.path);
    std::vector<float> v = std::move(w.bands.front());  // band 1 only
    to_mm_day(v, u, *t, f.path, "band 1");
    r.grid_mm_day.push_back(std::move(v));
    r.grid_time_day.push_back(*t - run_start_day);
    r.source += (r.source.empty() ? "" : ", ") + f.path;
  }
  if (rasters.empty()) throw std::invalid_argument("read_runoff_rasters: no rasters given");
  check_increasing(stamps, rasters.back().path);
  r.source += " (nearest neighbour onto the DEM grid)";
  return r;
}

}  // namespace leachflow::io
