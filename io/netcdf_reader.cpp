// NetCDF read-back of a run for validation: see netcdf_reader.hpp.
#include "io/netcdf_reader.hpp"

#include <netcdf.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <ogr_spatialref.h>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "io/gdal_support.hpp"
#include "model/iso_time.hpp"

namespace leachflow::io {

struct NetcdfReader::Impl {
  std::string path;
  int ncid = -1;
  model::Grid grid;
  std::vector<double> times;
  int dim_time = -1, dim_y = -1, dim_x = -1;

  void check(int status, const std::string& where, const std::string& fix = "") const {
    if (status != NC_NOERR)
      throw InputError(path, where, nc_strerror(status), fix.empty() ? "rerun the scenario to rewrite the file" : fix);
  }
  std::string text_att(int var, const char* name) const {
    std::size_t len = 0;
    if (nc_inq_attlen(ncid, var, name, &len) != NC_NOERR) return {};
    std::string s(len, '\0');
    if (nc_get_att_text(ncid, var, name, s.data()) != NC_NOERR) return {};
    while (!s.empty() && s.back() == '\0') s.pop_back();
    return s;
  }
  int var(const std::string& name) const {
    int id = -1;
    check(nc_inq_varid(ncid, name.c_str(), &id), "variable " + name,
          "give a run folder whose NetCDF holds " + name + " (static fields need [output] static_fields = true)");
    return id;
  }
  std::vector<double> read_double(int varid, const std::size_t* start, const std::size_t* count, std::size_t n,
                                  const std::string& where) const {
    std::vector<double> v(n);
    check(nc_get_vara_double(ncid, varid, start, count, v.data()), where);
    double fill = 0;
    if (nc_get_att_double(ncid, varid, "_FillValue", &fill) == NC_NOERR) {
      for (double& x : v)
        if (x == fill) x = std::nan("");
    } else {
      nc_type t{};
      nc_inq_vartype(ncid, varid, &t);
      const double def = t == NC_FLOAT ? static_cast<double>(NC_FILL_FLOAT) : t == NC_INT ? NC_FILL_INT : NC_FILL_DOUBLE;
      for (double& x : v)
        if (x == def) x = std::nan("");
    }
    return v;
  }
};

NetcdfReader::NetcdfReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.path = path;
  m.check(nc_open(path.c_str(), NC_NOWRITE, &m.ncid), "", "give the NetCDF written by `leachflow run` (output.netcdf)");
  m.check(nc_inq_dimid(m.ncid, "time", &m.dim_time), "dimension time");
  bool geographic = false;
  if (nc_inq_dimid(m.ncid, "y", &m.dim_y) != NC_NOERR) {
    m.check(nc_inq_dimid(m.ncid, "lat", &m.dim_y), "dimension y or lat");
    geographic = true;
  }
  m.check(nc_inq_dimid(m.ncid, geographic ? "lon" : "x", &m.dim_x), geographic ? "dimension lon" : "dimension x");
  std::size_t nt = 0, ny = 0, nx = 0;
  nc_inq_dimlen(m.ncid, m.dim_time, &nt);
  nc_inq_dimlen(m.ncid, m.dim_y, &ny);
  nc_inq_dimlen(m.ncid, m.dim_x, &nx);
  const int crs = m.var("crs");
  std::array<double, 6> gt{};
  {
    std::istringstream in(m.text_att(crs, "GeoTransform"));
    for (double& g : gt)
      if (!(in >> g)) throw InputError(path, "variable crs, attribute GeoTransform", "missing or not six numbers", "rerun the scenario");
  }
  const std::string wkt = m.text_att(crs, "crs_wkt");
  double unit_m = 1.0;
  model::Ellipsoid ell{};
  if (!wkt.empty()) {
    const CrsInfo info = describe_crs(wkt);
    unit_m = info.linear_unit_m;
    ell = info.ellipsoid;
    geographic = geographic || info.geographic;
  }
  m.grid = model::make_grid(static_cast<model::index_t>(ny), static_cast<model::index_t>(nx), gt, wkt, geographic, unit_m, ell);
  // Time: "days since YYYY-MM-DD[ hh:mm:ss]".
  const int tv = m.var("time");
  const std::string units = m.text_att(tv, "units");
  const std::string prefix = "days since ";
  const auto origin = units.rfind(prefix, 0) == 0 ? model::parse_iso8601_days(units.substr(prefix.size())) : std::nullopt;
  if (!origin) throw InputError(path, "variable time, attribute units", fmt::format("'{}' is not 'days since DATE'", units), "rerun the scenario");
  if (nt > 0) {
    const std::size_t start = 0, count = nt;
    m.times = m.read_double(tv, &start, &count, nt, "variable time");
    for (double& t : m.times) t += *origin;
  }
}

NetcdfReader::~NetcdfReader() {
  if (impl_ && impl_->ncid >= 0) nc_close(impl_->ncid);
}

const std::string& NetcdfReader::path() const { return impl_->path; }
const model::Grid& NetcdfReader::grid() const { return impl_->grid; }
const std::vector<double>& NetcdfReader::times_day() const { return impl_->times; }

bool NetcdfReader::has_variable(const std::string& name) const {
  int id = -1;
  return nc_inq_varid(impl_->ncid, name.c_str(), &id) == NC_NOERR;
}

std::vector<std::string> NetcdfReader::field_names() const {
  const Impl& m = *impl_;
  int nvars = 0;
  nc_inq_nvars(m.ncid, &nvars);
  std::vector<std::string> names;
  for (int v = 0; v < nvars; ++v) {
    int nd = 0;
    int dims[NC_MAX_VAR_DIMS];
    nc_inq_varndims(m.ncid, v, &nd);
    if (nd != 3) continue;
    nc_inq_vardimid(m.ncid, v, dims);
    if (dims[0] != m.dim_time || dims[1] != m.dim_y || dims[2] != m.dim_x) continue;
    char name[NC_MAX_NAME + 1] = {};
    nc_inq_varname(m.ncid, v, name);
    names.emplace_back(name);
  }
  return names;
}

std::vector<double> NetcdfReader::read_static(const std::string& name) const {
  const Impl& m = *impl_;
  const int v = m.var(name);
  const std::size_t start[2] = {0, 0};
  const std::size_t count[2] = {static_cast<std::size_t>(m.grid.rows), static_cast<std::size_t>(m.grid.cols)};
  return m.read_double(v, start, count, count[0] * count[1], "variable " + name);
}

std::vector<double> NetcdfReader::read_cell_series(const std::string& name, model::index_t row, model::index_t col) const {
  const Impl& m = *impl_;
  const int v = m.var(name);
  if (m.times.empty()) return {};
  const std::size_t start[3] = {0, static_cast<std::size_t>(row), static_cast<std::size_t>(col)};
  const std::size_t count[3] = {m.times.size(), 1, 1};
  return m.read_double(v, start, count, m.times.size(), fmt::format("variable {}, row {}, col {}", name, row, col));
}

void from_lonlat(const std::string& wkt, std::vector<double>& x, std::vector<double>& y) {
  if (wkt.empty()) throw std::runtime_error("grid has no CRS, so longitude/latitude cannot be placed on it");
  detail::ensure_gdal_registered();
  detail::QuietGdalErrors quiet;
  OGRSpatialReference src, dst;
  src.importFromEPSG(4326);
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (dst.SetFromUserInput(wkt.c_str()) != OGRERR_NONE) throw std::runtime_error("cannot parse the grid's CRS");
  dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (src.IsSame(&dst) || x.empty()) return;
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&src, &dst));
  if (!ct) throw std::runtime_error("no transformation from WGS84 to the grid's CRS: " + quiet.last_message());
  if (!ct->Transform(x.size(), x.data(), y.data()))
    throw std::runtime_error("cannot transform points from longitude/latitude: " + quiet.last_message());
}

}  // namespace leachflow::io
