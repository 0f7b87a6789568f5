// CF-NetCDF writer: projected (UTM 11N) and geographic round trips read back with netCDF-C,
// point series defined after data, .part / finish / finish_partial / destructor file handling,
// errors, and a readback with xarray and GDAL (tests/io/netcdf_readback.py).
#include "io/netcdf_writer.hpp"

#include <netcdf.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "temp_dir.hpp"

namespace lf = leachflow;
namespace fs = std::filesystem;
using lf::io::NcFileOptions;
using lf::io::NcVariable;
using lf::io::NetcdfWriter;

namespace {

constexpr double kTimes[3] = {0.0, 1.5, 31.0};
constexpr const char* kTimeUnits = "days since 2025-01-01 00:00:00";
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

lf::model::Grid utm_grid() {
  return lf::model::make_grid(5, 7, {376313.655, 30.0, 0.0, 3807917.828, 0.0, -30.0}, lf::io::epsg_wkt(32611), false);
}
lf::model::Grid geo_grid() {
  return lf::model::make_grid(4, 6, {97.9, 0.05, 0.0, 26.2, 0.0, -0.05}, lf::io::epsg_wkt(4326), true);
}

// Concentration of species s at step t, row r, column c; NaN (fill) for species 0, step 1, cell (2, 3).
// Same formula in netcdf_readback.py.
float conc(int s, int t, int r, int c) {
  if (s == 0 && t == 1 && r == 2 && c == 3) return kNaN;
  return static_cast<float>(100 * s + 10 * t + r) + static_cast<float>(c) / 10.0f;
}

std::vector<NcVariable> species() {
  return {{"ammonium", "ammonium concentration in stream water", "mg L-1",
           "mass_concentration_of_ammonium_in_river_water", "as NH4-N"},
          {"sulfate", "sulfate concentration in stream water", "mg L-1", "", ""}};
}

NcFileOptions options(const std::string& path) {
  NcFileOptions o;
  o.path = path;
  o.title = "leachflow test run";
  o.source = "leachflow test";
  o.history = "2026-12-02T16:00:00Z netcdf_writer_test";
  o.scenario_text = "[run]\nname = \"test\"\n";
  o.time_units = kTimeUnits;
  return o;
}

// Writes the standard test file: 2 species, 3 steps, two static fields, one point set with a
// series defined after the fields were written (exercises nc_redef).
void write_standard(const lf::model::Grid& g, const NcFileOptions& o) {
  NetcdfWriter w(g, o, species());
  const auto rows = static_cast<int>(g.rows), cols = static_cast<int>(g.cols);
  std::vector<float> area(static_cast<std::size_t>(g.cells()));
  std::vector<std::int32_t> basin(area.size());
  for (int i = 0; i < rows * cols; ++i) {
    area[static_cast<std::size_t>(i)] = 900.0f + static_cast<float>(i);
    basin[static_cast<std::size_t>(i)] = i % 3;
  }
  area[0] = kNaN;
  basin[1] = -1;
  w.write_static({"cell_area", "cell area", "m2", "cell_area", ""}, area);
  w.write_static({"basin", "basin id", "1", "", ""}, basin, -1);
  for (int t = 0; t < 3; ++t) {
    ASSERT_EQ(w.append_time(kTimes[t]), static_cast<std::size_t>(t));
    for (int s = 0; s < 2; ++s) {
      std::vector<float> f(area.size());
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) f[static_cast<std::size_t>(r * cols + c)] = conc(s, t, r, c);
      w.write_field(static_cast<std::size_t>(s), static_cast<std::size_t>(t), f);
    }
  }
  w.define_points({"crossing", {"Tha Ton", "Mae Sai"}, {99.36, 99.89}, {19.99, 20.43}});
  const std::size_t flux = w.define_point_series("crossing", {"crossing_flux", "ammonium flux", "kg s-1", "", ""});
  for (std::size_t t = 0; t < 3; ++t) {
    const std::vector<double> v = {1.0 + static_cast<double>(t), t == 1 ? std::nan("") : 2.0 * static_cast<double>(t)};
    w.write_point_series(flux, t, v);
  }
  w.set_global("comment", "written by the test");
  EXPECT_EQ(w.finish(), o.path);
}

// Read side, netCDF-C.
struct Nc {
  explicit Nc(const std::string& path) { status = nc_open(path.c_str(), NC_NOWRITE, &id); }
  ~Nc() {
    if (status == NC_NOERR) nc_close(id);
  }
  int var(const std::string& name) const {
    int v = -1;
    EXPECT_EQ(nc_inq_varid(id, name.c_str(), &v), NC_NOERR) << name;
    return v;
  }
  bool has_var(const std::string& name) const {
    int v = -1;
    return nc_inq_varid(id, name.c_str(), &v) == NC_NOERR;
  }
  std::size_t dim(const std::string& name) const {
    int d = -1;
    std::size_t n = 0;
    EXPECT_EQ(nc_inq_dimid(id, name.c_str(), &d), NC_NOERR) << name;
    EXPECT_EQ(nc_inq_dimlen(id, d, &n), NC_NOERR) << name;
    return n;
  }
  bool has_att(int varid, const std::string& name) const {
    std::size_t n = 0;
    return nc_inq_attlen(id, varid, name.c_str(), &n) == NC_NOERR;
  }
  std::string text(int varid, const std::string& name) const {
    nc_type type = NC_NAT;
    std::size_t n = 0;
    if (nc_inq_att(id, varid, name.c_str(), &type, &n) != NC_NOERR) return "<missing " + name + ">";
    EXPECT_EQ(type, NC_CHAR) << name;
    std::string s(n, '\0');
    EXPECT_EQ(nc_get_att_text(id, varid, name.c_str(), s.data()), NC_NOERR);
    return s;
  }
  std::vector<double> doubles(int varid, const std::string& name) const {
    std::size_t n = 0;
    EXPECT_EQ(nc_inq_attlen(id, varid, name.c_str(), &n), NC_NOERR) << name;
    std::vector<double> v(n);
    EXPECT_EQ(nc_get_att_double(id, varid, name.c_str(), v.data()), NC_NOERR) << name;
    return v;
  }
  std::vector<std::string> dim_names(int varid) const {
    int nd = 0;
    int dims[NC_MAX_VAR_DIMS];
    EXPECT_EQ(nc_inq_var(id, varid, nullptr, nullptr, &nd, dims, nullptr), NC_NOERR);
    std::vector<std::string> out;
    for (int i = 0; i < nd; ++i) {
      char name[NC_MAX_NAME + 1];
      EXPECT_EQ(nc_inq_dimname(id, dims[i], name), NC_NOERR);
      out.emplace_back(name);
    }
    return out;
  }
  template <class T>
  std::vector<T> values(const std::string& name, std::size_t n) const {
    std::vector<T> v(n);
    const int varid = var(name);
    int rc = NC_NOERR;
    if constexpr (std::is_same_v<T, float>) rc = nc_get_var_float(id, varid, v.data());
    if constexpr (std::is_same_v<T, double>) rc = nc_get_var_double(id, varid, v.data());
    if constexpr (std::is_same_v<T, int>) rc = nc_get_var_int(id, varid, v.data());
    EXPECT_EQ(rc, NC_NOERR) << name;
    return v;
  }
  int id = -1;
  int status = NC_NOERR;
};

// Checks everything both grid kinds share; yname/xname: "y"/"x" or "lat"/"lon".
void check_common(const Nc& nc, const lf::model::Grid& g, const std::string& yname, const std::string& xname) {
  const auto rows = static_cast<std::size_t>(g.rows), cols = static_cast<std::size_t>(g.cols);
  int format = 0;
  ASSERT_EQ(nc_inq_format(nc.id, &format), NC_NOERR);
  EXPECT_EQ(format, NC_FORMAT_NETCDF4);

  // Global attributes.
  EXPECT_EQ(nc.text(NC_GLOBAL, "Conventions"), "CF-1.10");
  EXPECT_EQ(nc.text(NC_GLOBAL, "title"), "leachflow test run");
  EXPECT_EQ(nc.text(NC_GLOBAL, "source"), "leachflow test");
  EXPECT_EQ(nc.text(NC_GLOBAL, "history"), "2026-12-02T16:00:00Z netcdf_writer_test");
  EXPECT_EQ(nc.text(NC_GLOBAL, "scenario"), "[run]\nname = \"test\"\n");
  EXPECT_EQ(nc.text(NC_GLOBAL, "comment"), "written by the test");
  EXPECT_FALSE(nc.text(NC_GLOBAL, "leachflow_version").empty());
  EXPECT_FALSE(nc.has_att(NC_GLOBAL, "institution"));
  EXPECT_FALSE(nc.has_att(NC_GLOBAL, "references"));
  EXPECT_FALSE(nc.has_att(NC_GLOBAL, "leachflow_partial"));

  // Dimensions: time unlimited with 3 steps.
  EXPECT_EQ(nc.dim("time"), 3u);
  EXPECT_EQ(nc.dim(yname), rows);
  EXPECT_EQ(nc.dim(xname), cols);
  int nunlim = 0, unlim[4];
  ASSERT_EQ(nc_inq_unlimdims(nc.id, &nunlim, unlim), NC_NOERR);
  ASSERT_EQ(nunlim, 1);
  int time_dim = -1;
  ASSERT_EQ(nc_inq_dimid(nc.id, "time", &time_dim), NC_NOERR);
  EXPECT_EQ(unlim[0], time_dim);

  // Time coordinate.
  const int time = nc.var("time");
  EXPECT_EQ(nc.text(time, "units"), kTimeUnits);
  EXPECT_EQ(nc.text(time, "calendar"), "standard");
  EXPECT_EQ(nc.text(time, "standard_name"), "time");
  EXPECT_EQ(nc.text(time, "axis"), "T");
  EXPECT_EQ(nc.values<double>("time", 3), std::vector<double>(std::begin(kTimes), std::end(kTimes)));

  // Spatial coordinates: cell centres, y north first.
  const auto ys = nc.values<double>(yname, rows);
  const auto xs = nc.values<double>(xname, cols);
  for (std::size_t r = 0; r < rows; ++r) EXPECT_DOUBLE_EQ(ys[r], g.y(static_cast<lf::model::index_t>(r)));
  for (std::size_t c = 0; c < cols; ++c) EXPECT_DOUBLE_EQ(xs[c], g.x(static_cast<lf::model::index_t>(c)));
  EXPECT_GT(ys.front(), ys.back());
  EXPECT_EQ(nc.text(nc.var(yname), "axis"), "Y");
  EXPECT_EQ(nc.text(nc.var(xname), "axis"), "X");

  // crs.
  const int crs = nc.var("crs");
  EXPECT_EQ(nc.text(crs, "crs_wkt"), g.crs_wkt);
  EXPECT_EQ(nc.text(crs, "spatial_ref"), g.crs_wkt);
  const auto& gt = g.geotransform;
  std::istringstream gts(nc.text(crs, "GeoTransform"));
  for (int i = 0; i < 6; ++i) {
    double v = std::nan("");
    gts >> v;
    EXPECT_EQ(v, gt[static_cast<std::size_t>(i)]) << "GeoTransform[" << i << "]";
  }

  // Concentrations: (time, y, x) float32, fill for NaN, attributes, chunking, deflate + shuffle.
  for (int s = 0; s < 2; ++s) {
    const std::string name = s == 0 ? "ammonium" : "sulfate";
    const int v = nc.var(name);
    nc_type type = NC_NAT;
    ASSERT_EQ(nc_inq_vartype(nc.id, v, &type), NC_NOERR);
    EXPECT_EQ(type, NC_FLOAT);
    EXPECT_EQ(nc.dim_names(v), (std::vector<std::string>{"time", yname, xname}));
    float fill = 0;
    ASSERT_EQ(nc_get_att_float(nc.id, v, "_FillValue", &fill), NC_NOERR);
    EXPECT_EQ(fill, NC_FILL_FLOAT);
    EXPECT_EQ(nc.text(v, "units"), "mg L-1");
    EXPECT_EQ(nc.text(v, "grid_mapping"), "crs");
    if (s == 0) {
      EXPECT_EQ(nc.text(v, "long_name"), "ammonium concentration in stream water");
      EXPECT_EQ(nc.text(v, "standard_name"), "mass_concentration_of_ammonium_in_river_water");
      EXPECT_EQ(nc.text(v, "comment"), "as NH4-N");
    } else {
      EXPECT_FALSE(nc.has_att(v, "standard_name"));
      EXPECT_FALSE(nc.has_att(v, "comment"));
    }
    int storage = -1;
    std::size_t chunks[3] = {0, 0, 0};
    ASSERT_EQ(nc_inq_var_chunking(nc.id, v, &storage, chunks), NC_NOERR);
    EXPECT_EQ(storage, NC_CHUNKED);
    EXPECT_EQ(chunks[0], 16u);
    EXPECT_EQ(chunks[1], rows);  // 128 clipped to the grid
    EXPECT_EQ(chunks[2], cols);
    int shuffle = 0, deflate = 0, level = 0;
    ASSERT_EQ(nc_inq_var_deflate(nc.id, v, &shuffle, &deflate, &level), NC_NOERR);
    EXPECT_EQ(shuffle, 1);
    EXPECT_EQ(deflate, 1);
    EXPECT_EQ(level, 4);

    const auto data = nc.values<float>(name, 3 * rows * cols);
    for (int t = 0; t < 3; ++t)
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
          const float want = conc(s, t, static_cast<int>(r), static_cast<int>(c));
          const float got = data[(static_cast<std::size_t>(t) * rows + r) * cols + c];
          if (std::isnan(want))
            EXPECT_EQ(got, NC_FILL_FLOAT) << name << " t " << t << " r " << r << " c " << c;
          else
            EXPECT_EQ(got, want) << name << " t " << t << " r " << r << " c " << c;
        }
  }

  // Static fields.
  {
    const int v = nc.var("cell_area");
    EXPECT_EQ(nc.dim_names(v), (std::vector<std::string>{yname, xname}));
    EXPECT_EQ(nc.text(v, "units"), "m2");
    EXPECT_EQ(nc.text(v, "standard_name"), "cell_area");
    EXPECT_EQ(nc.text(v, "grid_mapping"), "crs");
    float fill = 0;
    ASSERT_EQ(nc_get_att_float(nc.id, v, "_FillValue", &fill), NC_NOERR);
    EXPECT_EQ(fill, NC_FILL_FLOAT);
    const auto area = nc.values<float>("cell_area", rows * cols);
    EXPECT_EQ(area[0], NC_FILL_FLOAT);
    for (std::size_t i = 1; i < area.size(); ++i) EXPECT_EQ(area[i], 900.0f + static_cast<float>(i));
  }
  {
    const int v = nc.var("basin");
    nc_type type = NC_NAT;
    ASSERT_EQ(nc_inq_vartype(nc.id, v, &type), NC_NOERR);
    EXPECT_EQ(type, NC_INT);
    int fill = 0;
    ASSERT_EQ(nc_get_att_int(nc.id, v, "_FillValue", &fill), NC_NOERR);
    EXPECT_EQ(fill, -1);
    const auto basin = nc.values<int>("basin", rows * cols);
    for (std::size_t i = 0; i < basin.size(); ++i) EXPECT_EQ(basin[i], i == 1 ? -1 : static_cast<int>(i % 3));
  }

  // Points and their series (defined after data).
  EXPECT_EQ(nc.dim("crossing"), 2u);
  {
    const int v = nc.var("crossing_label");
    char* labels[2] = {nullptr, nullptr};
    ASSERT_EQ(nc_get_var_string(nc.id, v, labels), NC_NOERR);
    EXPECT_STREQ(labels[0], "Tha Ton");
    EXPECT_STREQ(labels[1], "Mae Sai");
    nc_free_string(2, labels);
    EXPECT_EQ(nc.values<double>("crossing_lon", 2), (std::vector<double>{99.36, 99.89}));
    EXPECT_EQ(nc.values<double>("crossing_lat", 2), (std::vector<double>{19.99, 20.43}));
    EXPECT_EQ(nc.text(nc.var("crossing_lon"), "units"), "degrees_east");
    EXPECT_EQ(nc.text(nc.var("crossing_lat"), "units"), "degrees_north");
    const int f = nc.var("crossing_flux");
    EXPECT_EQ(nc.dim_names(f), (std::vector<std::string>{"time", "crossing"}));
    EXPECT_EQ(nc.text(f, "units"), "kg s-1");
    EXPECT_EQ(nc.text(f, "coordinates"), "crossing_lat crossing_lon crossing_label");
    EXPECT_EQ(nc.values<double>("crossing_flux", 6), (std::vector<double>{1.0, 0.0, 2.0, NC_FILL_DOUBLE, 3.0, 4.0}));
  }
}

TEST(NetcdfWriter, ProjectedRoundTrip) {
  lf::test::TempDir dir;
  const std::string path = dir.file("run.nc");
  const auto g = utm_grid();
  write_standard(g, options(path));
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".part"));
  EXPECT_FALSE(fs::exists(dir.file("run.partial.nc")));

  Nc nc(path);
  ASSERT_EQ(nc.status, NC_NOERR);
  check_common(nc, g, "y", "x");
  EXPECT_FALSE(nc.has_var("lat"));
  const int y = nc.var("y"), x = nc.var("x");
  EXPECT_EQ(nc.text(y, "standard_name"), "projection_y_coordinate");
  EXPECT_EQ(nc.text(x, "standard_name"), "projection_x_coordinate");
  EXPECT_EQ(nc.text(y, "units"), "m");
  EXPECT_EQ(nc.text(x, "units"), "m");
  const int crs = nc.var("crs");
  EXPECT_EQ(nc.text(crs, "grid_mapping_name"), "transverse_mercator");
  EXPECT_EQ(nc.doubles(crs, "longitude_of_central_meridian"), std::vector<double>{-117.0});
  EXPECT_EQ(nc.doubles(crs, "scale_factor_at_central_meridian"), std::vector<double>{0.9996});
  EXPECT_EQ(nc.doubles(crs, "false_easting"), std::vector<double>{500000.0});
  EXPECT_EQ(nc.doubles(crs, "false_northing"), std::vector<double>{0.0});
  EXPECT_EQ(nc.doubles(crs, "semi_major_axis"), std::vector<double>{6378137.0});
}

TEST(NetcdfWriter, GeographicRoundTrip) {
  lf::test::TempDir dir;
  const std::string path = dir.file("geo.nc");
  const auto g = geo_grid();
  write_standard(g, options(path));
  Nc nc(path);
  ASSERT_EQ(nc.status, NC_NOERR);
  check_common(nc, g, "lat", "lon");
  EXPECT_FALSE(nc.has_var("x"));
  EXPECT_FALSE(nc.has_var("y"));
  const int lat = nc.var("lat"), lon = nc.var("lon");
  EXPECT_EQ(nc.text(lat, "standard_name"), "latitude");
  EXPECT_EQ(nc.text(lat, "units"), "degrees_north");
  EXPECT_EQ(nc.text(lon, "standard_name"), "longitude");
  EXPECT_EQ(nc.text(lon, "units"), "degrees_east");
  EXPECT_NEAR(nc.values<double>("lat", 4)[0], 26.175, 1e-12);
  EXPECT_EQ(nc.text(nc.var("crs"), "grid_mapping_name"), "latitude_longitude");
  EXPECT_EQ(nc.doubles(nc.var("crs"), "inverse_flattening"), std::vector<double>{298.257223563});
}

TEST(NetcdfWriter, OptionalGlobalsAndNoCompression) {
  lf::test::TempDir dir;
  const std::string path = dir.file("plain.nc");
  auto o = options(path);
  o.institution = "test institute";
  o.references = "DESIGN.md";
  o.deflate_level = 0;
  o.calendar = "proleptic_gregorian";
  {
    NetcdfWriter w(utm_grid(), o, species());
    w.append_time(0.0);
    EXPECT_THROW(w.append_time(0.0), std::invalid_argument);  // time must increase
    EXPECT_THROW(w.write_field(2, 0, std::vector<float>(35)), std::out_of_range);
    EXPECT_THROW(w.write_field(0, 1, std::vector<float>(35)), std::out_of_range);
    EXPECT_THROW(w.write_field(0, 0, std::vector<float>(34)), std::invalid_argument);
    EXPECT_THROW(w.define_point_series("nowhere", {"q", "", "", "", ""}), std::invalid_argument);
    w.finish();
    EXPECT_THROW(w.append_time(1.0), std::logic_error);
  }
  Nc nc(path);
  ASSERT_EQ(nc.status, NC_NOERR);
  EXPECT_EQ(nc.text(NC_GLOBAL, "institution"), "test institute");
  EXPECT_EQ(nc.text(NC_GLOBAL, "references"), "DESIGN.md");
  EXPECT_EQ(nc.text(nc.var("time"), "calendar"), "proleptic_gregorian");
  int shuffle = 1, deflate = 1;
  ASSERT_EQ(nc_inq_var_deflate(nc.id, nc.var("ammonium"), &shuffle, &deflate, nullptr), NC_NOERR);
  EXPECT_EQ(deflate, 0);
  EXPECT_EQ(shuffle, 0);
  // Steps never written read as fill.
  const auto data = nc.values<float>("ammonium", 35);
  for (float v : data) EXPECT_EQ(v, NC_FILL_FLOAT);
}

TEST(NetcdfWriter, FinishPartialKeepsStepsUnderPartialName) {
  lf::test::TempDir dir;
  const std::string path = dir.file("run.nc");
  std::string written;
  {
    NetcdfWriter w(utm_grid(), options(path), species());
    w.append_time(0.0);
    w.write_field(1, 0, std::vector<float>(35, 7.0f));
    w.append_time(1.0);
    w.write_static({"late", "defined after data", "1", "", ""}, std::vector<float>(35, 2.5f));
    written = w.finish_partial("interrupted (Ctrl-C) at step 2");
  }
  EXPECT_EQ(written, dir.file("run.partial.nc"));
  EXPECT_TRUE(fs::exists(written));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".part"));
  Nc nc(written);
  ASSERT_EQ(nc.status, NC_NOERR);
  EXPECT_EQ(nc.text(NC_GLOBAL, "leachflow_partial"), "true");
  EXPECT_EQ(nc.text(NC_GLOBAL, "leachflow_partial_reason"), "interrupted (Ctrl-C) at step 2");
  EXPECT_EQ(nc.dim("time"), 2u);
  EXPECT_EQ(nc.values<float>("late", 35)[34], 2.5f);
  const auto s = nc.values<float>("sulfate", 70);
  EXPECT_EQ(s[0], 7.0f);
  EXPECT_EQ(s[35], NC_FILL_FLOAT);
}

// Chunks: 128 × 128 in space; 16 steps while a time-slab of chunks fits the 32 MiB cache, fewer
// on bigger grids, down to 1 (nothing is written here: HDF5 allocates chunks lazily).
TEST(NetcdfWriter, ChunkShapeFollowsGridSize) {
  const struct {
    int rows, cols;
    std::size_t t;
  } cases[] = {{600, 700, 16}, {1000, 1000, 8}, {2000, 2000, 2}, {3000, 3000, 1}};
  for (const auto& k : cases) {
    lf::test::TempDir dir;
    const std::string path = dir.file("big.nc");
    const auto g = lf::model::make_grid(k.rows, k.cols, {0, 30, 0, 3e6, 0, -30}, lf::io::epsg_wkt(32647), false);
    NetcdfWriter(g, options(path), species()).finish();
    Nc nc(path);
    ASSERT_EQ(nc.status, NC_NOERR);
    std::size_t chunks[3] = {0, 0, 0};
    ASSERT_EQ(nc_inq_var_chunking(nc.id, nc.var("sulfate"), nullptr, chunks), NC_NOERR);
    EXPECT_EQ(chunks[0], k.t) << k.rows << " x " << k.cols;
    EXPECT_EQ(chunks[1], 128u);
    EXPECT_EQ(chunks[2], 128u);
  }
}

TEST(NetcdfWriter, DestroyedWithoutFinishLeavesNothing) {
  lf::test::TempDir dir;
  const std::string path = dir.file("run.nc");
  std::ofstream(path + ".part") << "stale, from a crashed run";
  {
    NetcdfWriter w(utm_grid(), options(path), species());
    EXPECT_TRUE(fs::exists(path + ".part"));
    EXPECT_GT(fs::file_size(path + ".part"), 100u);  // the stale one was replaced by a NetCDF file
    w.append_time(0.0);
    w.write_field(0, 0, std::vector<float>(35, 1.0f));
  }
  EXPECT_TRUE(fs::is_empty(fs::path(path).parent_path()));
}

TEST(NetcdfWriter, MissingFolderAndNameClashAreInputErrors) {
  lf::test::TempDir dir;
  const std::string missing = dir.file("no/such/folder/run.nc");
  try {
    NetcdfWriter w(utm_grid(), options(missing), species());
    FAIL() << "no error for a missing folder";
  } catch (const lf::io::InputError& e) {
    EXPECT_EQ(e.file(), missing);
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fix:"), std::string::npos) << e.what();
  }
  // A name clash among variables is a NetCDF error naming the file and nc_strerror.
  try {
    NetcdfWriter w(utm_grid(), options(dir.file("clash.nc")), {{"x", "", "1", "", ""}});
    FAIL() << "no error for a species named x";
  } catch (const lf::io::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("clash.nc"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(nc_strerror(NC_ENAMEINUSE)), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir.file("clash.nc.part")));
}

TEST(NetcdfWriter, ReadOnlyFolderIsInputError) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: a read-only folder is still writable to root";
  lf::test::TempDir dir;
  const std::string ro = dir.file("ro");
  fs::create_directories(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THROW(NetcdfWriter(utm_grid(), options(ro + "/run.nc"), species()), lf::io::InputError);
  fs::permissions(ro, fs::perms::owner_all);
}

// xarray (dims, values, CF time decoding, fill → NaN) and GDAL (geotransform, SRS, bands, values)
// through Debian's python3; skipped when it or its modules are missing.
void python_readback(const lf::model::Grid& g, const std::string& name, int epsg) {
  const std::string python = LEACHFLOW_SYSTEM_PYTHON;
  if (python.empty()) GTEST_SKIP() << "no system python3 found at configure time (LEACHFLOW_SYSTEM_PYTHON)";
  lf::test::TempDir dir;
  const std::string path = dir.file(name);
  write_standard(g, options(path));
  const std::string log = dir.file("readback.log");
  const auto& gt = g.geotransform;
  const std::string cmd =
      fmt::format("'{}' '{}/netcdf_readback.py' '{}' --epsg {} --geotransform {} {} {} {} {} {} > '{}' 2>&1", python,
                  LEACHFLOW_TEST_IO_DIR, path, epsg, gt[0], gt[1], gt[2], gt[3], gt[4], gt[5], log);
  const int status = std::system(cmd.c_str());
  std::ifstream in(log);
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(WIFEXITED(status)) << cmd;
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << out;
  EXPECT_EQ(WEXITSTATUS(status), 0) << cmd << "\n" << out;
  std::cout << out;  // "ok: xarray ..., GDAL ..." (which versions read it)
}

TEST(NetcdfWriter, PythonReadbackProjected) { python_readback(utm_grid(), "utm.nc", 32611); }
TEST(NetcdfWriter, PythonReadbackGeographic) { python_readback(geo_grid(), "geo.nc", 4326); }

}  // namespace
