// CF-1.10 NetCDF-4 writer (interface and file contract in netcdf_writer.hpp).
//
// Chunk shape of the (time, y, x) concentration variables: T × 128 × 128 (y and x clipped to the
// grid), with T = 16 time steps, lowered (down to 1) until one time-slab of chunks covering the
// whole map fits a 32 MiB chunk cache per variable. Why:
// - Map reads (one time step, whole grid, the common case for plots and GDAL) decompress T
//   steps per chunk: with T = 16, 16× the bytes of the map, still fast for deflate.
// - Single-cell time series (a hydrograph at a village) read ceil(steps / T) chunks instead of
//   one per step: 16× fewer chunk reads and decompressions than a 1 × ny × nx layout, which makes
//   a year of daily output 23 chunk reads instead of 365.
// - 128 × 128 cells × 4 B = 64 KiB per step, 1 MiB per 16-step chunk: big enough for deflate
//   and shuffle to work well, small enough that a cell's time series does not drag in the map.
// - We write one time step at a time, so a chunk is complete only after T steps. Unless every
//   chunk of the slab stays in the chunk cache, HDF5 would evict, re-read, decompress and
//   recompress partial chunks up to T times per chunk. So T is chosen so that the slab fits the
//   cache budget, and each variable's cache is set to hold it; on very large grids T becomes 1,
//   chunks are then complete in one write, and the cache only needs one row of chunks.
// Static (y, x) fields are read whole: 256 × 256 chunks (clipped). Point series (time, point):
// up to 1024 steps × all points, at most about 1 MiB per chunk. The time coordinate: 512 steps.
//
// Deflate and shuffle are built into NetCDF-C/HDF5 (no nc_inq_filter_avail check needed, unlike
// zstd, TOOLCHAIN.md). Text attributes are NC_CHAR (what GDAL and CF tools expect); point labels
// are NC_STRING.
//
// Grid mapping: CF-1.10 requires grid_mapping_name on a grid mapping variable and treats crs_wkt
// as a supplement. The name and parameters are derived for latitude_longitude, transverse
// Mercator (UTM), Lambert conformal conic (2SP), Albers equal-area and Mercator; any other
// projection gets crs_wkt / spatial_ref only (GDAL, xarray/rioxarray and PROJ read it; strict
// CF checkers will flag the missing grid_mapping_name).
#include "io/netcdf_writer.hpp"

#include <netcdf.h>
#include <ogr_spatialref.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "io/errors.hpp"
#include "io/gdal_support.hpp"
#include "leachflow/version.hpp"

namespace leachflow::io {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kSpatialChunk = 128;
constexpr std::size_t kMaxTimeChunk = 16;
constexpr std::size_t kStaticChunk = 256;
constexpr std::size_t kCacheBudgetBytes = std::size_t{32} << 20;
constexpr std::size_t kTimeCoordChunk = 512;
constexpr float kFillFloat = NC_FILL_FLOAT;
constexpr double kFillDouble = NC_FILL_DOUBLE;

constexpr const char* kWriteFix = "check that the output folder is writable and has free space";

std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

// STEM.partial.nc for PATH = STEM.nc (PATH.partial.nc when PATH does not end in .nc).
std::string partial_name(const std::string& path) {
  const std::string ext = ".nc";
  std::string stem = path;
  if (stem.size() >= ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0)
    stem.resize(stem.size() - ext.size());
  return stem + ".partial.nc";
}

// CF grid-mapping attributes derived from a projected CRS; empty name when not derivable.
struct CfMapping {
  std::string name;
  std::vector<std::pair<std::string, std::vector<double>>> params;
};

CfMapping cf_mapping(const std::string& wkt) {
  CfMapping m;
  if (wkt.empty()) return m;
  detail::ensure_gdal_registered();
  detail::QuietGdalErrors quiet;
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(wkt.c_str()) != OGRERR_NONE || !srs.IsProjected()) return m;
  const char* proj = srs.GetAttrValue("PROJECTION");
  if (!proj) return m;
  const std::string p = proj;
  const auto deg = [&](const char* n) { return srs.GetNormProjParm(n, 0.0); };
  const auto lin = [&](const char* n) { return srs.GetProjParm(n, 0.0); };  // CRS linear units, as x/y
  auto& a = m.params;
  if (p == SRS_PT_TRANSVERSE_MERCATOR) {
    m.name = "transverse_mercator";
    a = {{"scale_factor_at_central_meridian", {srs.GetNormProjParm(SRS_PP_SCALE_FACTOR, 1.0)}},
         {"longitude_of_central_meridian", {deg(SRS_PP_CENTRAL_MERIDIAN)}},
         {"latitude_of_projection_origin", {deg(SRS_PP_LATITUDE_OF_ORIGIN)}}};
  } else if (p == SRS_PT_LAMBERT_CONFORMAL_CONIC_2SP) {
    m.name = "lambert_conformal_conic";
    a = {{"standard_parallel", {deg(SRS_PP_STANDARD_PARALLEL_1), deg(SRS_PP_STANDARD_PARALLEL_2)}},
         {"longitude_of_central_meridian", {deg(SRS_PP_CENTRAL_MERIDIAN)}},
         {"latitude_of_projection_origin", {deg(SRS_PP_LATITUDE_OF_ORIGIN)}}};
  } else if (p == SRS_PT_ALBERS_CONIC_EQUAL_AREA) {
    m.name = "albers_conical_equal_area";
    a = {{"standard_parallel", {deg(SRS_PP_STANDARD_PARALLEL_1), deg(SRS_PP_STANDARD_PARALLEL_2)}},
         {"longitude_of_central_meridian", {deg(SRS_PP_LONGITUDE_OF_CENTER)}},
         {"latitude_of_projection_origin", {deg(SRS_PP_LATITUDE_OF_CENTER)}}};
  } else if (p == SRS_PT_MERCATOR_1SP) {
    m.name = "mercator";
    a = {{"longitude_of_projection_origin", {deg(SRS_PP_CENTRAL_MERIDIAN)}},
         {"scale_factor_at_projection_origin", {srs.GetNormProjParm(SRS_PP_SCALE_FACTOR, 1.0)}}};
  } else if (p == SRS_PT_MERCATOR_2SP) {
    m.name = "mercator";
    a = {{"longitude_of_projection_origin", {deg(SRS_PP_CENTRAL_MERIDIAN)}},
         {"standard_parallel", {deg(SRS_PP_STANDARD_PARALLEL_1)}}};
  } else {
    return m;
  }
  a.push_back({"false_easting", {lin(SRS_PP_FALSE_EASTING)}});
  a.push_back({"false_northing", {lin(SRS_PP_FALSE_NORTHING)}});
  OGRErr err = OGRERR_NONE;
  const double semi_major = srs.GetSemiMajor(&err);
  if (err == OGRERR_NONE && semi_major > 0) {
    a.push_back({"semi_major_axis", {semi_major}});
    const double inv_f = srs.GetInvFlattening(&err);
    if (err == OGRERR_NONE) a.push_back({"inverse_flattening", {inv_f}});
  }
  return m;
}

// UDUNITS string for a projected CRS's linear unit.
std::string linear_units(double metres_per_unit) {
  if (metres_per_unit == 1.0) return "m";
  if (metres_per_unit == 0.3048) return "ft";
  if (std::abs(metres_per_unit - 1200.0 / 3937.0) < 1e-15) return "US_survey_foot";
  return fmt::format("{} m", metres_per_unit);
}

}  // namespace

struct NetcdfWriter::Impl {
  std::string path;  // final name
  std::string part;  // PATH.part while writing
  int ncid = -1;
  bool open = false;
  bool define_mode = false;
  int deflate = 0;
  std::size_t ny = 0, nx = 0;
  int dim_time = -1, dim_y = -1, dim_x = -1;
  int var_time = -1;
  bool has_crs = false;
  std::size_t ntimes = 0;
  double last_time = 0.0;
  std::size_t chunk_t = 1, chunk_y = 1, chunk_x = 1;
  std::vector<int> conc;  // varids of the concentration variables
  struct Points {
    int dim = -1;
    std::size_t count = 0;
  };
  std::map<std::string, Points> points;
  struct Series {
    int varid = -1;
    std::size_t count = 0;
  };
  std::vector<Series> series;

  ~Impl() {
    if (open) {
      nc_close(ncid);
      open = false;
    }
    if (!part.empty()) {
      std::error_code ec;
      fs::remove(part, ec);
    }
  }

  void check(int status, const std::string& where, const char* fix = kWriteFix) const {
    if (status != NC_NOERR) throw InputError(path, where, fmt::format("NetCDF: {}", nc_strerror(status)), fix);
  }
  void require_open(const char* what) const {
    if (!open) throw std::logic_error(fmt::format("NetcdfWriter::{} on {} after finish", what, path));
  }
  void ensure_define() {
    if (!define_mode) {
      check(nc_redef(ncid), "re-entering define mode");
      define_mode = true;
    }
  }
  void ensure_data() {
    if (define_mode) {
      check(nc_enddef(ncid), "leaving define mode");
      define_mode = false;
    }
  }
  void text(int varid, const std::string& name, const std::string& value, const std::string& where) {
    check(nc_put_att_text(ncid, varid, name.c_str(), value.size(), value.data()), where + ", attribute " + name);
  }
  void doubles(int varid, const std::string& name, const std::vector<double>& v, const std::string& where) {
    check(nc_put_att_double(ncid, varid, name.c_str(), NC_DOUBLE, v.size(), v.data()), where + ", attribute " + name);
  }
  // units, long_name, standard_name, comment where given.
  void describe(int varid, const NcVariable& var, const std::string& where) {
    if (!var.units.empty()) text(varid, "units", var.units, where);
    if (!var.long_name.empty()) text(varid, "long_name", var.long_name, where);
    if (!var.standard_name.empty()) text(varid, "standard_name", var.standard_name, where);
    if (!var.comment.empty()) text(varid, "comment", var.comment, where);
  }
  void compress(int varid, const std::string& where) {
    if (deflate > 0) check(nc_def_var_deflate(ncid, varid, 1, 1, deflate), where + ", deflate");
  }
  int define_map(const NcVariable& var, nc_type type, const void* fill) {
    const std::string where = "variable " + var.name;
    ensure_define();
    int varid = -1;
    const int dims[2] = {dim_y, dim_x};
    check(nc_def_var(ncid, var.name.c_str(), type, 2, dims, &varid), where,
          "give the static field a name not used by another variable");
    const std::size_t chunks[2] = {std::min(ny, kStaticChunk), std::min(nx, kStaticChunk)};
    check(nc_def_var_chunking(ncid, varid, NC_CHUNKED, chunks), where + ", chunking");
    compress(varid, where);
    check(nc_def_var_fill(ncid, varid, NC_FILL, fill), where + ", _FillValue");
    describe(varid, var, where);
    if (has_crs) text(varid, "grid_mapping", "crs", where);
    return varid;
  }
  void check_cells(std::size_t n, const std::string& what) const {
    if (n != ny * nx)
      throw std::invalid_argument(fmt::format("NetcdfWriter {}: {} values for {} of a {} × {} grid", path, n, what, nx, ny));
  }
};

NetcdfWriter::NetcdfWriter(const model::Grid& grid, const NcFileOptions& options,
                           const std::vector<NcVariable>& concentration)
    : impl_(std::make_unique<Impl>()) {
  Impl& w = *impl_;
  w.path = options.path;
  if (options.path.empty()) throw std::invalid_argument("NetcdfWriter: empty output path");
  if (grid.rows <= 0 || grid.cols <= 0)
    throw std::invalid_argument(fmt::format("NetcdfWriter {}: empty grid ({} × {})", w.path, grid.cols, grid.rows));
  if (options.deflate_level < 0 || options.deflate_level > 9)
    throw std::invalid_argument(fmt::format("NetcdfWriter {}: deflate level {} not in 0..9", w.path, options.deflate_level));
  if (options.time_units.empty())
    throw std::invalid_argument(fmt::format("NetcdfWriter {}: time_units is empty (CF needs e.g. \"days since 2025-01-01\")", w.path));

  const fs::path parent = fs::path(w.path).parent_path().empty() ? fs::path(".") : fs::path(w.path).parent_path();
  std::error_code ec;
  if (!fs::is_directory(parent, ec))
    throw InputError(w.path, "", fmt::format("the output folder {} does not exist", parent.string()),
                     "create the folder or choose another output path");
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    throw InputError(w.path, "", fmt::format("the output folder {} is not writable", parent.string()),
                     "choose an output folder you may write to, or change its permissions");

  w.part = w.path + ".part";
  fs::remove(w.part, ec);  // a stale .part from a crashed run
  {
    const int status = nc_create(w.part.c_str(), NC_NETCDF4 | NC_CLOBBER, &w.ncid);
    if (status != NC_NOERR)
      throw InputError(w.path, "creating " + w.part, fmt::format("NetCDF: {}", nc_strerror(status)),
                       "check that the output folder is writable and has free space");
  }
  w.open = true;
  w.define_mode = true;
  w.deflate = options.deflate_level;
  w.ny = static_cast<std::size_t>(grid.rows);
  w.nx = static_cast<std::size_t>(grid.cols);

  // Global attributes.
  const std::string g = "global attributes";
  w.text(NC_GLOBAL, "Conventions", "CF-1.10", g);
  w.text(NC_GLOBAL, "title", options.title, g);
  if (!options.institution.empty()) w.text(NC_GLOBAL, "institution", options.institution, g);
  w.text(NC_GLOBAL, "source", options.source, g);
  w.text(NC_GLOBAL, "history", options.history, g);
  if (!options.references.empty()) w.text(NC_GLOBAL, "references", options.references, g);
  w.text(NC_GLOBAL, "scenario", options.scenario_text, g);
  w.text(NC_GLOBAL, "leachflow_version", leachflow::version, g);

  // Dimensions.
  const char* yname = grid.geographic ? "lat" : "y";
  const char* xname = grid.geographic ? "lon" : "x";
  w.check(nc_def_dim(w.ncid, "time", NC_UNLIMITED, &w.dim_time), "dimension time");
  w.check(nc_def_dim(w.ncid, yname, w.ny, &w.dim_y), std::string("dimension ") + yname);
  w.check(nc_def_dim(w.ncid, xname, w.nx, &w.dim_x), std::string("dimension ") + xname);

  // time
  {
    const std::string where = "variable time";
    w.check(nc_def_var(w.ncid, "time", NC_DOUBLE, 1, &w.dim_time, &w.var_time), where);
    const std::size_t chunk = kTimeCoordChunk;
    w.check(nc_def_var_chunking(w.ncid, w.var_time, NC_CHUNKED, &chunk), where + ", chunking");
    w.text(w.var_time, "standard_name", "time", where);
    w.text(w.var_time, "long_name", "time", where);
    w.text(w.var_time, "units", options.time_units, where);
    w.text(w.var_time, "calendar", options.calendar.empty() ? "standard" : options.calendar, where);
    w.text(w.var_time, "axis", "T", where);
  }

  // y/x or lat/lon coordinate variables.
  int var_y = -1, var_x = -1;
  {
    w.check(nc_def_var(w.ncid, yname, NC_DOUBLE, 1, &w.dim_y, &var_y), std::string("variable ") + yname);
    w.check(nc_def_var(w.ncid, xname, NC_DOUBLE, 1, &w.dim_x, &var_x), std::string("variable ") + xname);
    const std::string wy = std::string("variable ") + yname, wx = std::string("variable ") + xname;
    if (grid.geographic) {
      w.text(var_y, "standard_name", "latitude", wy);
      w.text(var_y, "long_name", "latitude of cell centre", wy);
      w.text(var_y, "units", "degrees_north", wy);
      w.text(var_x, "standard_name", "longitude", wx);
      w.text(var_x, "long_name", "longitude of cell centre", wx);
      w.text(var_x, "units", "degrees_east", wx);
    } else {
      const std::string units = linear_units(grid.linear_unit_m);
      w.text(var_y, "standard_name", "projection_y_coordinate", wy);
      w.text(var_y, "long_name", "y coordinate of cell centre", wy);
      w.text(var_y, "units", units, wy);
      w.text(var_x, "standard_name", "projection_x_coordinate", wx);
      w.text(var_x, "long_name", "x coordinate of cell centre", wx);
      w.text(var_x, "units", units, wx);
    }
    w.text(var_y, "axis", "Y", wy);
    w.text(var_x, "axis", "X", wx);
  }

  // crs: the grid mapping variable.
  w.has_crs = grid.geographic || !grid.crs_wkt.empty();
  if (w.has_crs) {
    const std::string where = "variable crs";
    int var_crs = -1;
    w.check(nc_def_var(w.ncid, "crs", NC_INT, 0, nullptr, &var_crs), where);
    if (grid.geographic) {
      w.text(var_crs, "grid_mapping_name", "latitude_longitude", where);
      w.doubles(var_crs, "semi_major_axis", {grid.ellipsoid.semi_major_m}, where);
      w.doubles(var_crs, "inverse_flattening", {grid.ellipsoid.inverse_flattening}, where);
      w.doubles(var_crs, "longitude_of_prime_meridian", {0.0}, where);
    } else {
      const CfMapping m = cf_mapping(grid.crs_wkt);
      if (!m.name.empty()) {
        w.text(var_crs, "grid_mapping_name", m.name, where);
        for (const auto& [name, values] : m.params) w.doubles(var_crs, name, values, where);
      }
    }
    if (!grid.crs_wkt.empty()) {
      w.text(var_crs, "crs_wkt", grid.crs_wkt, where);
      w.text(var_crs, "spatial_ref", grid.crs_wkt, where);  // GDAL's name for the same WKT
    }
    const auto& gt = grid.geotransform;
    w.text(var_crs, "GeoTransform", fmt::format("{} {} {} {} {} {}", gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]), where);
    w.text(var_crs, "long_name", "coordinate reference system", where);
  }

  // Concentration variables (time, y, x).
  w.chunk_y = std::min(w.ny, kSpatialChunk);
  w.chunk_x = std::min(w.nx, kSpatialChunk);
  const std::size_t chunk_rows = (w.ny + w.chunk_y - 1) / w.chunk_y;
  const std::size_t chunk_cols = (w.nx + w.chunk_x - 1) / w.chunk_x;
  const std::size_t step_bytes = round_up(w.ny, w.chunk_y) * round_up(w.nx, w.chunk_x) * sizeof(float);
  w.chunk_t = std::clamp<std::size_t>(kCacheBudgetBytes / step_bytes, 1, kMaxTimeChunk);
  const std::size_t chunk_bytes = w.chunk_t * w.chunk_y * w.chunk_x * sizeof(float);
  // Cache: the whole slab when chunks span several steps; one row of chunks otherwise.
  const std::size_t cached_chunks = (w.chunk_t > 1 ? chunk_rows : 1) * chunk_cols + 1;
  for (const NcVariable& var : concentration) {
    const std::string where = "variable " + var.name;
    int varid = -1;
    const int dims[3] = {w.dim_time, w.dim_y, w.dim_x};
    w.check(nc_def_var(w.ncid, var.name.c_str(), NC_FLOAT, 3, dims, &varid), where,
            "give each species a distinct name that is not time, x, y, lat, lon or crs");
    const std::size_t chunks[3] = {w.chunk_t, w.chunk_y, w.chunk_x};
    w.check(nc_def_var_chunking(w.ncid, varid, NC_CHUNKED, chunks), where + ", chunking");
    w.compress(varid, where);
    w.check(nc_def_var_fill(w.ncid, varid, NC_FILL, &kFillFloat), where + ", _FillValue");
    w.check(nc_set_var_chunk_cache(w.ncid, varid, cached_chunks * chunk_bytes, cached_chunks * 4 + 1, 0.75f),
            where + ", chunk cache");
    w.describe(varid, var, where);
    if (w.has_crs) w.text(varid, "grid_mapping", "crs", where);
    w.conc.push_back(varid);
  }

  w.ensure_data();
  std::vector<double> ys(w.ny), xs(w.nx);
  for (std::size_t r = 0; r < w.ny; ++r) ys[r] = grid.y(static_cast<model::index_t>(r));
  for (std::size_t c = 0; c < w.nx; ++c) xs[c] = grid.x(static_cast<model::index_t>(c));
  w.check(nc_put_var_double(w.ncid, var_y, ys.data()), std::string("writing ") + yname);
  w.check(nc_put_var_double(w.ncid, var_x, xs.data()), std::string("writing ") + xname);
}

NetcdfWriter::~NetcdfWriter() = default;  // Impl closes and removes the .part if not finished

void NetcdfWriter::write_static(const NcVariable& var, std::span<const float> values) {
  Impl& w = *impl_;
  w.require_open("write_static");
  w.check_cells(values.size(), var.name);
  const int varid = w.define_map(var, NC_FLOAT, &kFillFloat);
  w.ensure_data();
  std::vector<float> buf(values.begin(), values.end());
  for (float& v : buf)
    if (std::isnan(v)) v = kFillFloat;
  w.check(nc_put_var_float(w.ncid, varid, buf.data()), "writing variable " + var.name);
}

void NetcdfWriter::write_static(const NcVariable& var, std::span<const std::int32_t> values, std::int32_t fill) {
  Impl& w = *impl_;
  w.require_open("write_static");
  w.check_cells(values.size(), var.name);
  const int varid = w.define_map(var, NC_INT, &fill);
  w.ensure_data();
  w.check(nc_put_var_int(w.ncid, varid, values.data()), "writing variable " + var.name);
}

std::size_t NetcdfWriter::append_time(double time_value) {
  Impl& w = *impl_;
  w.require_open("append_time");
  if (!std::isfinite(time_value) || (w.ntimes > 0 && !(time_value > w.last_time)))
    throw std::invalid_argument(fmt::format("NetcdfWriter {}: time {} after {} is not increasing", w.path, time_value,
                                            w.last_time));
  w.ensure_data();
  const std::size_t index = w.ntimes;
  w.check(nc_put_var1_double(w.ncid, w.var_time, &index, &time_value), fmt::format("time step {}", index));
  w.ntimes = index + 1;
  w.last_time = time_value;
  return index;
}

void NetcdfWriter::write_field(std::size_t v, std::size_t t, std::span<const float> values) {
  Impl& w = *impl_;
  w.require_open("write_field");
  if (v >= w.conc.size())
    throw std::out_of_range(fmt::format("NetcdfWriter {}: concentration variable {} of {}", w.path, v, w.conc.size()));
  if (t >= w.ntimes)
    throw std::out_of_range(fmt::format("NetcdfWriter {}: time step {} not appended ({} so far)", w.path, t, w.ntimes));
  w.check_cells(values.size(), "a concentration field");
  w.ensure_data();
  // One band of chunk rows at a time: NaN → _FillValue without copying the whole field.
  std::vector<float> buf;
  for (std::size_t r0 = 0; r0 < w.ny; r0 += w.chunk_y) {
    const std::size_t rows = std::min(w.chunk_y, w.ny - r0);
    const auto src = values.subspan(r0 * w.nx, rows * w.nx);
    buf.assign(src.begin(), src.end());
    for (float& x : buf)
      if (std::isnan(x)) x = kFillFloat;
    const std::size_t start[3] = {t, r0, 0};
    const std::size_t count[3] = {1, rows, w.nx};
    w.check(nc_put_vara_float(w.ncid, w.conc[v], start, count, buf.data()),
            fmt::format("writing variable {}, time step {}", v, t));
  }
}

void NetcdfWriter::define_points(const PointSet& points) {
  Impl& w = *impl_;
  w.require_open("define_points");
  const std::size_t n = points.labels.size();
  if (n == 0 || points.lon.size() != n || points.lat.size() != n)
    throw std::invalid_argument(fmt::format("NetcdfWriter {}: point set {} needs as many lon and lat as labels (≥ 1), got {}/{}/{}",
                                            w.path, points.dim, n, points.lon.size(), points.lat.size()));
  if (w.points.count(points.dim))
    throw std::invalid_argument(fmt::format("NetcdfWriter {}: point set {} defined twice", w.path, points.dim));
  const std::string where = "point set " + points.dim;
  w.ensure_define();
  Impl::Points p;
  p.count = n;
  w.check(nc_def_dim(w.ncid, points.dim.c_str(), n, &p.dim), where, "name the point set differently from other dimensions");
  int var_label = -1, var_lon = -1, var_lat = -1;
  w.check(nc_def_var(w.ncid, (points.dim + "_label").c_str(), NC_STRING, 1, &p.dim, &var_label), where + ", label");
  w.check(nc_def_var(w.ncid, (points.dim + "_lon").c_str(), NC_DOUBLE, 1, &p.dim, &var_lon), where + ", lon");
  w.check(nc_def_var(w.ncid, (points.dim + "_lat").c_str(), NC_DOUBLE, 1, &p.dim, &var_lat), where + ", lat");
  w.text(var_label, "long_name", points.dim + " name", where);
  w.text(var_lon, "standard_name", "longitude", where);
  w.text(var_lon, "long_name", points.dim + " longitude", where);
  w.text(var_lon, "units", "degrees_east", where);
  w.text(var_lat, "standard_name", "latitude", where);
  w.text(var_lat, "long_name", points.dim + " latitude", where);
  w.text(var_lat, "units", "degrees_north", where);
  w.ensure_data();
  std::vector<const char*> labels(n);
  for (std::size_t i = 0; i < n; ++i) labels[i] = points.labels[i].c_str();
  w.check(nc_put_var_string(w.ncid, var_label, labels.data()), where + ", writing labels");
  w.check(nc_put_var_double(w.ncid, var_lon, points.lon.data()), where + ", writing lon");
  w.check(nc_put_var_double(w.ncid, var_lat, points.lat.data()), where + ", writing lat");
  w.points.emplace(points.dim, p);
}

std::size_t NetcdfWriter::define_point_series(const std::string& dim, const NcVariable& var) {
  Impl& w = *impl_;
  w.require_open("define_point_series");
  const auto it = w.points.find(dim);
  if (it == w.points.end())
    throw std::invalid_argument(fmt::format("NetcdfWriter {}: series {} on point set {} defined before the points",
                                            w.path, var.name, dim));
  const std::string where = "variable " + var.name;
  w.ensure_define();
  int varid = -1;
  const int dims[2] = {w.dim_time, it->second.dim};
  w.check(nc_def_var(w.ncid, var.name.c_str(), NC_DOUBLE, 2, dims, &varid), where,
          "give the series a name not used by another variable");
  const std::size_t n = it->second.count;
  const std::size_t chunks[2] = {std::clamp<std::size_t>((std::size_t{1} << 20) / (n * sizeof(double)), 1, 1024), n};
  w.check(nc_def_var_chunking(w.ncid, varid, NC_CHUNKED, chunks), where + ", chunking");
  w.compress(varid, where);
  w.check(nc_def_var_fill(w.ncid, varid, NC_FILL, &kFillDouble), where + ", _FillValue");
  w.describe(varid, var, where);
  w.text(varid, "coordinates", fmt::format("{0}_lat {0}_lon {0}_label", dim), where);
  w.series.push_back({varid, n});
  return w.series.size() - 1;
}

void NetcdfWriter::write_point_series(std::size_t series, std::size_t t, std::span<const double> values) {
  Impl& w = *impl_;
  w.require_open("write_point_series");
  if (series >= w.series.size())
    throw std::out_of_range(fmt::format("NetcdfWriter {}: point series {} of {}", w.path, series, w.series.size()));
  if (t >= w.ntimes)
    throw std::out_of_range(fmt::format("NetcdfWriter {}: time step {} not appended ({} so far)", w.path, t, w.ntimes));
  const Impl::Series& s = w.series[series];
  if (values.size() != s.count)
    throw std::invalid_argument(fmt::format("NetcdfWriter {}: {} values for {} points", w.path, values.size(), s.count));
  w.ensure_data();
  std::vector<double> buf(values.begin(), values.end());
  for (double& x : buf)
    if (std::isnan(x)) x = kFillDouble;
  const std::size_t start[2] = {t, 0};
  const std::size_t count[2] = {1, s.count};
  w.check(nc_put_vara_double(w.ncid, s.varid, start, count, buf.data()), fmt::format("writing point series {}, time step {}", series, t));
}

void NetcdfWriter::set_global(const std::string& name, const std::string& value) {
  Impl& w = *impl_;
  w.require_open("set_global");
  w.ensure_define();
  w.text(NC_GLOBAL, name, value, "global attributes");
}

std::string NetcdfWriter::finish() {
  Impl& w = *impl_;
  w.require_open("finish");
  w.open = false;  // whatever happens next, the handle is gone
  w.check(nc_close(w.ncid), "closing " + w.part);
  std::error_code ec;
  fs::rename(w.part, w.path, ec);  // rename(2): atomic, never a half file under the final name
  if (ec)
    throw InputError(w.path, "", fmt::format("cannot rename {} to it: {}", w.part, ec.message()),
                     "check that the output folder is writable and the final name is not a folder");
  w.part.clear();
  return w.path;
}

std::string NetcdfWriter::finish_partial(const std::string& why) {
  Impl& w = *impl_;
  w.require_open("finish_partial");
  w.ensure_define();
  w.text(NC_GLOBAL, "leachflow_partial", "true", "global attributes");
  w.text(NC_GLOBAL, "leachflow_partial_reason", why, "global attributes");
  w.open = false;
  w.check(nc_close(w.ncid), "closing " + w.part);
  const std::string dest = partial_name(w.path);
  std::error_code ec;
  fs::rename(w.part, dest, ec);
  if (ec)
    throw InputError(dest, "", fmt::format("cannot rename {} to it: {}", w.part, ec.message()),
                     "check that the output folder is writable");
  w.part.clear();
  return dest;
}

}  // namespace leachflow::io
