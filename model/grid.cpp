// Grid metrics per row: exact for projected grids, from the ellipsoid for geographic ones.
#include "model/grid.hpp"

#include <geodesic.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

namespace leachflow::model {

namespace {

constexpr double deg = std::numbers::pi / 180.0;

// GDAL reports a sphere as inverse flattening 0; treat that (and inf) as flattening 0.
double flattening(const Ellipsoid& e) {
  return (e.inverse_flattening == 0.0 || !std::isfinite(e.inverse_flattening)) ? 0.0
                                                                               : 1.0 / e.inverse_flattening;
}

// Authalic q-function (Snyder 1987, eq. 3-12): q(φ) = (1−e²)[sinφ/(1−e²sin²φ) + atanh(e sinφ)/e].
// The area between the equator and φ per radian of longitude is a²·q(φ)/2, so a zone has area
// a²·Δλ·(q(φn) − q(φs))/2, and the whole ellipsoid 2π·a²·q(90°) = 4π·R_authalic².
double authalic_q(double lat_deg, double e2) {
  const double s = std::sin(std::clamp(lat_deg, -90.0, 90.0) * deg);
  if (e2 == 0.0) return 2.0 * s;  // sphere: the limit of the expression as e → 0
  const double e = std::sqrt(e2);
  return (1.0 - e2) * (s / (1.0 - e2 * s * s) + std::atanh(e * s) / e);
}

// Geodesic distance between two points in degrees (PROJ's Karney algorithm; along a meridian
// this is the meridian arc exactly).
double geodesic_m(const geod_geodesic& g, double lat1, double lon1, double lat2, double lon2) {
  double s12 = 0, azi1 = 0, azi2 = 0;
  geod_inverse(&g, lat1, lon1, lat2, lon2, &s12, &azi1, &azi2);
  return s12;
}

void fill_projected(Grid& g) {
  const double w = std::abs(g.geotransform[1]) * g.linear_unit_m;
  const double h = std::abs(g.geotransform[5]) * g.linear_unit_m;
  const auto n = static_cast<std::size_t>(g.rows);
  g.cell_width_m.assign(n, w);
  g.cell_height_m.assign(n, h);
  g.dy_m.assign(n, h);
  g.diagonal_m.assign(n, std::hypot(w, h));
  g.cell_area_m2.assign(n, w * h);
}

void fill_geographic(Grid& g) {
  const double a = g.ellipsoid.semi_major_m;
  const double f = flattening(g.ellipsoid);
  const double e2 = f * (2.0 - f);
  geod_geodesic geod{};
  geod_init(&geod, a, f);

  const double dlon = g.geotransform[1];
  const double dlat = -g.geotransform[5];  // > 0 for north-up
  const auto n = static_cast<std::size_t>(g.rows);
  g.cell_width_m.resize(n);
  g.cell_height_m.resize(n);
  g.dy_m.resize(n);
  g.diagonal_m.resize(n);
  g.cell_area_m2.resize(n);

  const auto lat_centre = [&](std::size_t r) { return std::clamp(g.y(static_cast<index_t>(r)), -90.0, 90.0); };
  for (std::size_t r = 0; r < n; ++r) {
    const double north = std::clamp(g.geotransform[3] - static_cast<double>(r) * dlat, -90.0, 90.0);
    const double south = std::clamp(g.geotransform[3] - static_cast<double>(r + 1) * dlat, -90.0, 90.0);
    const double phi = lat_centre(r);
    // Width along the centre parallel: the parallel is a circle of radius N(φ)·cosφ, so the
    // arc is N(φ)·cosφ·Δλ exactly (a geodesic chord would be shorter).
    const double sphi = std::sin(phi * deg);
    const double prime_vertical = a / std::sqrt(1.0 - e2 * sphi * sphi);
    g.cell_width_m[r] = prime_vertical * std::cos(phi * deg) * dlon * deg;
    g.cell_height_m[r] = geodesic_m(geod, south, 0.0, north, 0.0);
    g.cell_area_m2[r] = 0.5 * a * a * (dlon * deg) * (authalic_q(north, e2) - authalic_q(south, e2));
    if (r + 1 < n) {
      const double phi_next = lat_centre(r + 1);
      g.dy_m[r] = geodesic_m(geod, phi, 0.0, phi_next, 0.0);
      g.diagonal_m[r] = geodesic_m(geod, phi, 0.0, phi_next, dlon);
    } else {
      g.dy_m[r] = g.cell_height_m[r];
      g.diagonal_m[r] = std::hypot(g.cell_width_m[r], g.cell_height_m[r]);
    }
  }
}

}  // namespace

index_t Grid::valid_cells() const {
  if (valid.empty()) return cells();
  return static_cast<index_t>(std::count_if(valid.begin(), valid.end(), [](std::uint8_t v) { return v != 0; }));
}

Grid make_grid(index_t rows, index_t cols, const std::array<double, 6>& geotransform, std::string crs_wkt,
               bool geographic, double linear_unit_m, Ellipsoid ellipsoid) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("grid size is negative");
  if (geotransform[2] != 0.0 || geotransform[4] != 0.0)
    throw std::invalid_argument("geotransform is rotated (row/column rotation terms are not zero)");
  if (geotransform[5] > 0.0) throw std::invalid_argument("geotransform is south-up (positive pixel height)");
  if (!(geotransform[1] > 0.0) || !(geotransform[5] < 0.0))
    throw std::invalid_argument("geotransform has a zero, negative or NaN pixel size");
  if (!(linear_unit_m > 0.0)) throw std::invalid_argument("linear unit must be positive");
  if (geographic && !(ellipsoid.semi_major_m > 0.0)) throw std::invalid_argument("ellipsoid semi-major axis must be positive");

  Grid g;
  g.rows = rows;
  g.cols = cols;
  g.geotransform = geotransform;
  g.crs_wkt = std::move(crs_wkt);
  g.geographic = geographic;
  g.linear_unit_m = geographic ? 1.0 : linear_unit_m;
  g.ellipsoid = ellipsoid;
  g.valid.assign(static_cast<std::size_t>(g.cells()), std::uint8_t{1});
  if (geographic)
    fill_geographic(g);
  else
    fill_projected(g);
  return g;
}

double geographic_cell_area_m2(double lat_south_deg, double lat_north_deg, double dlon_deg, const Ellipsoid& e) {
  const double a = e.semi_major_m;
  const double f = flattening(e);
  const double e2 = f * (2.0 - f);
  return 0.5 * a * a * (dlon_deg * deg) * (authalic_q(lat_north_deg, e2) - authalic_q(lat_south_deg, e2));
}

namespace {
exec::device_buffer<double> upload(const std::vector<double>& v, index_t rows, const char* what) {
  if (static_cast<index_t>(v.size()) != rows)
    throw std::invalid_argument(std::string("DeviceGrid: per-row metric '") + what + "' has the wrong length");
  return exec::to_device(v);
}
}  // namespace

DeviceGrid::DeviceGrid(const Grid& g)
    : rows_(g.rows),
      cols_(g.cols),
      dx_(upload(g.cell_width_m, g.rows, "cell_width_m")),
      dy_(upload(g.dy_m, g.rows, "dy_m")),
      diag_(upload(g.diagonal_m, g.rows, "diagonal_m")),
      area_(upload(g.cell_area_m2, g.rows, "cell_area_m2")) {
  if (g.valid.empty()) {
    valid_ = exec::to_device(std::vector<std::uint8_t>(static_cast<std::size_t>(g.cells()), std::uint8_t{1}));
  } else if (static_cast<index_t>(g.valid.size()) == g.cells()) {
    valid_ = exec::to_device(g.valid);
  } else {
    throw std::invalid_argument("DeviceGrid: valid mask size differs from rows × cols");
  }
}

kernels::grid_view DeviceGrid::view() const {
  kernels::grid_view v;
  v.rows = rows_;
  v.cols = cols_;
  v.valid = valid_.span();
  v.dx_m = dx_.span();
  v.dy_m = dy_.span();
  v.diag_m = diag_.span();
  v.area_m2 = area_.span();
  return v;
}

}  // namespace leachflow::model
