// Grid metrics against published values and independent computations (numerical integration of
// the ellipsoid's metric, densified geodesic polygons), plus whole-globe area conservation.
#include "model/grid.hpp"

#include <geodesic.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

#include <gtest/gtest.h>

namespace lf = leachflow;
using lf::model::Grid;
using lf::model::make_grid;

namespace {

constexpr double deg = std::numbers::pi / 180.0;
constexpr double a_wgs84 = 6378137.0;
constexpr double f_wgs84 = 1.0 / 298.257223563;
constexpr double e2_wgs84 = f_wgs84 * (2.0 - f_wgs84);

// Composite Simpson over [lo, hi] degrees with n (even) intervals; error ~ h⁴, negligible here.
template <class F>
double simpson_deg(F fn, double lo, double hi, int n = 2000) {
  const double h = (hi - lo) / n;
  double s = fn(lo) + fn(hi);
  for (int i = 1; i < n; ++i) s += fn(lo + i * h) * (i % 2 ? 4.0 : 2.0);
  return s * h * deg / 3.0;
}
// Meridian radius of curvature M(φ) and prime-vertical radius N(φ).
double meridian_radius(double lat) {
  const double s = std::sin(lat * deg);
  return a_wgs84 * (1 - e2_wgs84) / std::pow(1 - e2_wgs84 * s * s, 1.5);
}
double prime_vertical_radius(double lat) {
  const double s = std::sin(lat * deg);
  return a_wgs84 / std::sqrt(1 - e2_wgs84 * s * s);
}
// Independent of the authalic q-function: A = Δλ ∫ M(φ) N(φ) cosφ dφ;  meridian arc = ∫ M dφ.
double integrated_area_m2(double south, double north, double dlon) {
  return dlon * deg * simpson_deg([](double p) { return meridian_radius(p) * prime_vertical_radius(p) * std::cos(p * deg); }, south, north);
}
double integrated_meridian_m(double south, double north) {
  return simpson_deg([](double p) { return meridian_radius(p); }, south, north);
}

// One geographic row spanning [south, north] degrees, dlon wide, as row 0 of a 1-row grid.
Grid one_row(double south, double north, double dlon) {
  return make_grid(1, 1, {0.0, dlon, 0.0, north, 0.0, -(north - south)}, "", true);
}

}  // namespace

TEST(Grid, OneDegreeCellAtEquatorMatchesPublishedValues) {
  const Grid g = one_row(-0.5, 0.5, 1.0);
  // Width along the equator is a·π/180 exactly.
  EXPECT_NEAR(g.cell_width_m[0], a_wgs84 * deg, 1e-6);
  EXPECT_NEAR(g.cell_width_m[0], 111319.5, 0.05);
  EXPECT_NEAR(g.cell_height_m[0], 110574.4, 0.1);  // published length of 1° of latitude at 0°
  EXPECT_NEAR(g.cell_area_m2[0] / 1e6, 12308.8, 12308.8 * 1e-4);
  EXPECT_NEAR(g.cell_area_m2[0], integrated_area_m2(-0.5, 0.5, 1.0), 1e-9 * g.cell_area_m2[0]);
  EXPECT_NEAR(g.cell_height_m[0], integrated_meridian_m(-0.5, 0.5), 1e-6);
}

TEST(Grid, OneDegreeCellAt60NMatchesPublishedAndIntegratedValues) {
  const Grid g = one_row(59.5, 60.5, 1.0);
  // 1° of longitude at 60°: a·cosφ/√(1−e²sin²φ)·π/180 = 55,800.0016 m. The often-quoted
  // 55,799.97 m is 0.03 m (5.7e-7) lower, so it is held to 1e-6 relative only.
  EXPECT_NEAR(g.cell_width_m[0], a_wgs84 * std::cos(60 * deg) / std::sqrt(1 - e2_wgs84 * 0.75) * deg, 1e-6);
  EXPECT_NEAR(g.cell_width_m[0], 55799.97, 55799.97 * 1e-6);
  EXPECT_NEAR(g.cell_height_m[0], 111412.0, 1.0);   // published: 1° of latitude at 60° ≈ 111,412 m
  EXPECT_NEAR(g.cell_height_m[0], integrated_meridian_m(59.5, 60.5), 1e-6);
  const double area = integrated_area_m2(59.5, 60.5, 1.0);
  EXPECT_NEAR(g.cell_area_m2[0], area, 1e-4 * area);
  // The closed form and the integral agree far better than 1e-4: both are exact up to rounding.
  EXPECT_NEAR(g.cell_area_m2[0], area, 1e-10 * area);
  EXPECT_DOUBLE_EQ(g.cell_area_m2[0], lf::model::geographic_cell_area_m2(59.5, 60.5, 1.0));
}

TEST(Grid, FiveMinuteCellAt25_4NAgreesWithGeodesicComputations) {
  constexpr double d = 5.0 / 60.0;
  // Three rows, the middle one centred on 25.4° N.
  const Grid g = make_grid(3, 4, {97.9, d, 0.0, 25.4 + 1.5 * d, 0.0, -d}, "", true);
  ASSERT_NEAR(g.y(1), 25.4, 1e-12);
  const double south = 25.4 - d / 2, north = 25.4 + d / 2;

  geod_geodesic geod{};
  geod_init(&geod, a_wgs84, f_wgs84);
  // Width: the parallel arc as the limit of many short geodesic chords (each chord is shorter
  // than its arc by ~L³/R², so 1000 pieces of 8 m bring the sum to ~1e-12 relative).
  double width = 0;
  constexpr int pieces = 1000;
  for (int i = 0; i < pieces; ++i) {
    double s12 = 0;
    geod_inverse(&geod, 25.4, 97.9 + i * d / pieces, 25.4, 97.9 + (i + 1) * d / pieces, &s12, nullptr, nullptr);
    width += s12;
  }
  EXPECT_NEAR(g.cell_width_m[1], width, 1e-9 * width);

  // Area: a geodesic polygon whose N and S edges are densified to follow the parallels. An
  // undensified 8 km geodesic edge bulges ~0.6 m poleward (~5e-5 of the area per edge); with
  // 200 pieces the bulge falls by 200², so 1e-9 relative is a safe tolerance.
  geod_polygon poly{};
  geod_polygon_init(&poly, 0);
  constexpr int dens = 200;
  for (int i = 0; i <= dens; ++i) geod_polygon_addpoint(&geod, &poly, south, 97.9 + i * d / dens);
  for (int i = dens; i >= 0; --i) geod_polygon_addpoint(&geod, &poly, north, 97.9 + i * d / dens);
  double area = 0, perimeter = 0;
  geod_polygon_compute(&geod, &poly, 0, 1, &area, &perimeter);
  EXPECT_NEAR(g.cell_area_m2[1], std::abs(area), 1e-9 * std::abs(area));

  // Height (edge to edge) and dy (centre to centre) as meridian arcs, by integration.
  EXPECT_NEAR(g.cell_height_m[1], integrated_meridian_m(south, north), 1e-6);
  EXPECT_NEAR(g.dy_m[1], integrated_meridian_m(25.4 - d, 25.4), 1e-6);
  // Diagonal: geodesic from the centre of row 1 to its SE neighbour, close to the flat hypot.
  double diag = 0;
  geod_inverse(&geod, 25.4, 0.0, 25.4 - d, d, &diag, nullptr, nullptr);
  EXPECT_NEAR(g.diagonal_m[1], diag, 1e-6);
  EXPECT_NEAR(g.diagonal_m[1], std::hypot(g.dy_m[1], g.cell_width_m[1]), 1e-3 * diag);
  // Last row: dy is its own height, diagonal the hypot of its width and height.
  EXPECT_DOUBLE_EQ(g.dy_m[2], g.cell_height_m[2]);
  EXPECT_DOUBLE_EQ(g.diagonal_m[2], std::hypot(g.cell_width_m[2], g.cell_height_m[2]));
  // Cells get narrower toward the pole.
  EXPECT_GT(g.cell_width_m[2], g.cell_width_m[1]);
  EXPECT_GT(g.cell_width_m[1], g.cell_width_m[0]);
}

TEST(Grid, WholeGlobeOneDegreeAreasSumToAuthalicSphereArea) {
  const Grid g = make_grid(180, 360, {-180.0, 1.0, 0.0, 90.0, 0.0, -1.0}, "", true);
  double total_m2 = 0;
  for (double a : g.cell_area_m2) total_m2 += a * static_cast<double>(g.cols);
  // 4π·R_authalic² for WGS84 = 510,065,621.7 km² (R_authalic = 6,371,007.181 m).
  EXPECT_NEAR(total_m2 / 1e6, 510065621.7, 510065621.7 * 1e-9);
  // Symmetric about the equator.
  EXPECT_NEAR(g.cell_area_m2[0], g.cell_area_m2[179], 1e-12 * g.cell_area_m2[0]);
  EXPECT_NEAR(g.cell_width_m[0], g.cell_width_m[179], 1e-9);
}

TEST(Grid, ProjectedMetricsAreExact) {
  const Grid g = make_grid(4, 5, {376313.6, 30.0, 0.0, 3807917.8, 0.0, -30.0}, "", false);
  ASSERT_EQ(g.cell_width_m.size(), 4u);
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(g.cell_width_m[r], 30.0);
    EXPECT_EQ(g.cell_height_m[r], 30.0);
    EXPECT_EQ(g.dy_m[r], 30.0);
    EXPECT_EQ(g.diagonal_m[r], std::hypot(30.0, 30.0));
    EXPECT_EQ(g.cell_area_m2[r], 900.0);
  }
  EXPECT_EQ(g.valid.size(), 20u);
  EXPECT_EQ(g.valid_cells(), 20);
  EXPECT_DOUBLE_EQ(g.x(0), 376313.6 + 15.0);
  EXPECT_DOUBLE_EQ(g.y(0), 3807917.8 - 15.0);

  // US survey feet: 100 ft × 50 ft cells.
  const double ft = 1200.0 / 3937.0;
  const Grid f = make_grid(2, 2, {0, 100.0, 0, 0, 0, -50.0}, "", false, ft);
  EXPECT_DOUBLE_EQ(f.cell_width_m[0], 100.0 * ft);
  EXPECT_DOUBLE_EQ(f.cell_height_m[1], 50.0 * ft);
  EXPECT_DOUBLE_EQ(f.cell_area_m2[0], 5000.0 * ft * ft);
}

TEST(Grid, RotatedAndSouthUpGeotransformsAreRejected) {
  EXPECT_THROW(make_grid(2, 2, {0, 1, 0.1, 0, 0, -1}, "", false), std::invalid_argument);
  EXPECT_THROW(make_grid(2, 2, {0, 1, 0, 0, 0.1, -1}, "", false), std::invalid_argument);
  EXPECT_THROW(make_grid(2, 2, {0, 1, 0, 0, 0, 1}, "", true), std::invalid_argument);
  EXPECT_THROW(make_grid(2, 2, {0, 0, 0, 0, 0, -1}, "", false), std::invalid_argument);
}

TEST(Grid, ValidCellsCountsTheMask) {
  Grid g = make_grid(2, 3, {0, 1, 0, 0, 0, -1}, "", false);
  g.valid = {1, 0, 1, 1, 0, 0};
  EXPECT_EQ(g.valid_cells(), 3);
}

TEST(DeviceGrid, ViewCarriesMaskAndPerRowMetrics) {
  Grid g = make_grid(3, 2, {10.0, 0.5, 0.0, 50.0, 0.0, -0.5}, "", true);
  g.valid = {1, 1, 0, 1, 1, 0};
  const lf::model::DeviceGrid dg(g);
  const lf::kernels::grid_view v = dg.view();
  EXPECT_EQ(v.rows, 3);
  EXPECT_EQ(v.cols, 2);
  EXPECT_EQ(lf::exec::to_host(v.valid), g.valid);
  EXPECT_EQ(lf::exec::to_host(v.dx_m), g.cell_width_m);
  EXPECT_EQ(lf::exec::to_host(v.dy_m), g.dy_m);
  EXPECT_EQ(lf::exec::to_host(v.diag_m), g.diagonal_m);
  EXPECT_EQ(lf::exec::to_host(v.area_m2), g.cell_area_m2);

  Grid bad = g;
  bad.valid.resize(5);
  EXPECT_THROW(lf::model::DeviceGrid{bad}, std::invalid_argument);
}
