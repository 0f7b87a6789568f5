// Contributing areas on analytical surfaces (10 m cells), for the three routers
// (model/terrain/routing.hpp: D8 O'Callaghan & Mark 1984, D-infinity Tarboton 1997, MFD
// Freeman 1991) through model::terrain::contributing_area_m2 — the cases of
// tests/model/terrain/accumulation_test.cpp, with their limits, as norms:
//  - plane falling south (12 × 40): area at row r = (r + 1) cells. D8 and D-infinity send
//    everything south: exact. MFD also sends shares SE/SW, which cancel where a cell's domain of
//    dependence is inside the grid (r + 1 ≤ c ≤ cols − 2 − r): rounding. Limit 1e-12 relative.
//  - D-infinity oblique plane (fall line atan(1/4) below east, 40 × 40): area (c + 1) cells for
//    r > c (the upslope parallelogram misses the north edge), 1e-12.
//  - cone z = 1000 − 0.5ρ (101 × 101): specific catchment area A/Δx = ρ/2 over 15 ≤ ρ/Δx ≤ 45.
//    D-infinity's grid error on divergent terrain is direction dependent (~+30 % on the axes,
//    −20 % on the diagonals): mean < 12 %, max < 35 %; D8 must be at least twice as wrong on
//    average (it concentrates flow on 8 lines). MFD (not in the gtests) is held to a comparison
//    only: at most half D8's mean error (Freeman 1991's argument for dispersing flow on divergent
//    slopes; measured 0.25). Its error is a near-uniform ~11 % bias (L1 ≈ L2, L∞ 16 %): the
//    A/Δx contour-width convention does not match Quinn's contour lengths, so no absolute limit.
//  - bowl z = ρ (41 × 41): the centre sink holds the whole area, nothing leaves: 1e-9.
//  - saddle z = (x² − y²)/100 (51 × 51): everything leaves through the north and south edges; D8
//    north = 25 rows, south = 26 (the centre row ties toward S), exact; MFD north = south to the
//    2^-24 weight quantum (1e-6 of the total).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/exec/memory.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/routing.hpp"
#include "tests/model/terrain/reference_fixtures.hpp"
#include "validation/cases/case_result.hpp"

namespace leachflow::validation {
namespace {

namespace mt = model::terrain;
using exec::index_t;
using testing::TestTerrain;

enum class Router { d8, dinf, mfd };
mt::FlowGraph route(Router r, const TestTerrain& t) {
  switch (r) {
    case Router::dinf: return mt::route_dinf(t.view(), t.z.span());
    case Router::mfd: return mt::route_mfd(t.view(), t.z.span());
    default: return mt::route_d8(t.view(), t.z.span());
  }
}
const char* name(Router r) { return r == Router::d8 ? "d8" : r == Router::dinf ? "dinf" : "mfd"; }

template <class F>
TestTerrain centred_surface(index_t n, F f) {
  std::vector<float> z(static_cast<std::size_t>(n * n));
  const double mid = static_cast<double>(n - 1) / 2.0;
  for (index_t r = 0; r < n; ++r)
    for (index_t c = 0; c < n; ++c)
      z[static_cast<std::size_t>(r * n + c)] =
          static_cast<float>(f(10.0 * (static_cast<double>(c) - mid), 10.0 * (mid - static_cast<double>(r))));
  return testing::make_terrain(n, n, z);
}

CaseResult area_case(const std::string& id, const std::string& quantity, const std::string& reference) {
  CaseResult c;
  c.family = "contributing_area";
  c.name = "contributing_area." + id;
  c.quantity = quantity;
  c.reference = reference;
  return c;
}

}  // namespace

std::vector<CaseResult> contributing_area_cases() {
  std::vector<CaseResult> out;

  {  // plane falling south
    const index_t rows = 12, cols = 40;
    std::vector<float> z(static_cast<std::size_t>(rows * cols));
    for (index_t r = 0; r < rows; ++r)
      for (index_t c = 0; c < cols; ++c) z[static_cast<std::size_t>(r * cols + c)] = static_cast<float>(10 * (rows - 1 - r));
    const TestTerrain t = testing::make_terrain(rows, cols, z);
    for (Router router : {Router::d8, Router::dinf, Router::mfd}) {
      const mt::FlowGraph g = route(router, t);
      const auto area_d = mt::contributing_area_m2(g);
      const auto area = exec::to_host(area_d);
      std::vector<double> got, expected;
      for (index_t r = 0; r < rows; ++r)
        for (index_t c = 0; c < cols; ++c)
          if (router != Router::mfd || (c >= r + 1 && c <= cols - 2 - r)) {
            got.push_back(area[static_cast<std::size_t>(r * cols + c)]);
            expected.push_back(100.0 * static_cast<double>(r + 1));
          }
      const auto b = mt::area_budget(g, area_d.span());
      const double total = 100.0 * rows * cols, out_err = std::abs(b.outflow_total - total) / total;
      CaseResult c = area_case(std::string("plane.") + name(router), "contributing area on a plane falling south, pointwise relative",
                               "(r + 1) cells");
      c.norms = norms_relative(got, expected);
      c.figures = {{"cells_compared", static_cast<double>(got.size())}, {"outflow_rel_error", out_err}};
      c.checks = {{"linf", c.norms.linf, 1e-12, true}, {"outflow_rel_error", out_err, 1e-9, true}};
      c.note = router == Router::mfd ? "interior cells where lateral shares cancel; rounding" : "exact (all flow south)";
      out.push_back(std::move(c));
    }
  }

  {  // D-infinity oblique plane
    const index_t n = 40;
    std::vector<float> z(static_cast<std::size_t>(n * n));
    for (index_t r = 0; r < n; ++r)
      for (index_t c = 0; c < n; ++c) z[static_cast<std::size_t>(r * n + c)] = static_cast<float>(500.0 - 1.0 * c - 0.25 * r);
    const TestTerrain t = testing::make_terrain(n, n, z);
    const auto area = exec::to_host(mt::contributing_area_m2(mt::route_dinf(t.view(), t.z.span())));
    std::vector<double> got, expected;
    for (index_t r = 0; r + 1 < n; ++r)
      for (index_t c = 0; c + 1 < n; ++c)
        if (r > c) {
          got.push_back(area[static_cast<std::size_t>(r * n + c)]);
          expected.push_back(100.0 * static_cast<double>(c + 1));
        }
    CaseResult c = area_case("oblique_plane.dinf", "contributing area, fall line atan(1/4) below east, cells r > c, pointwise relative",
                             "(c + 1) cells (upslope parallelogram)");
    c.norms = norms_relative(got, expected);
    c.figures = {{"cells_compared", static_cast<double>(got.size())}};
    c.checks = {{"linf", c.norms.linf, 1e-12, true}, {"cells_compared", static_cast<double>(got.size()), 600, false}};
    c.note = "Tarboton's facet split is exact on a plane; rounding";
    out.push_back(std::move(c));
  }

  {  // cone: specific catchment area
    const index_t n = 101;
    const TestTerrain t = centred_surface(n, [](double x, double y) { return 1000.0 - 0.5 * std::hypot(x, y); });
    Norms norms[3];
    for (int k = 0; k < 3; ++k) {
      const Router router = k == 0 ? Router::dinf : k == 1 ? Router::d8 : Router::mfd;
      const auto area = exec::to_host(mt::contributing_area_m2(route(router, t)));
      std::vector<double> got, expected;
      for (index_t r = 0; r < n; ++r)
        for (index_t c = 0; c < n; ++c) {
          const double rho = std::hypot(10.0 * (static_cast<double>(c) - 50.0), 10.0 * (50.0 - static_cast<double>(r)));
          if (rho < 150.0 || rho > 450.0) continue;
          got.push_back(area[static_cast<std::size_t>(r * n + c)] / 10.0);
          expected.push_back(rho / 2.0);
        }
      norms[k] = norms_relative(got, expected);
    }
    for (int k = 0; k < 3; ++k) {
      CaseResult c = area_case(std::string("cone.") + (k == 0 ? "dinf" : k == 1 ? "d8" : "mfd"),
                               "specific catchment area A/dx on a cone, 15 <= rho/dx <= 45, pointwise relative",
                               "SCA = rho/2 (slope 0.5)");
      c.norms = norms[k];
      if (k == 0) {
        c.checks = {{"l1", c.norms.l1, 0.12, true}, {"linf", c.norms.linf, 0.35, true}};
        c.note = "D-infinity's direction-dependent grid error on divergent terrain (~+30 % axes, -20 % diagonals)";
      } else if (k == 2) {
        c.figures = {{"l1_over_d8_l1", norms[2].l1 / norms[1].l1}};
        c.checks = {{"l1_over_d8_l1", norms[2].l1 / norms[1].l1, 0.5, true}};
        c.note = "MFD spreads flow over all downslope neighbours: required at most half D8's mean error";
      } else {
        c.figures = {{"l1_over_dinf_l1", norms[1].l1 / norms[0].l1}};
        c.checks = {{"l1_over_dinf_l1", norms[1].l1 / norms[0].l1, 2.0, false}};
        c.note = "D8 concentrates flow on 8 lines: required at least twice D-infinity's mean error";
      }
      out.push_back(std::move(c));
    }
  }

  {  // bowl
    const index_t n = 41;
    const TestTerrain t = centred_surface(n, [](double x, double y) { return std::hypot(x, y); });
    const double total = 100.0 * n * n;
    for (Router router : {Router::d8, Router::dinf, Router::mfd}) {
      const mt::FlowGraph g = route(router, t);
      const auto area_d = mt::contributing_area_m2(g);
      const auto area = exec::to_host(area_d);
      const auto b = mt::area_budget(g, area_d.span());
      const std::vector<double> got = {area[static_cast<std::size_t>((n / 2) * n + n / 2)], b.sink_total}, exp = {total, total};
      CaseResult c = area_case(std::string("bowl.") + name(router), "area at the centre sink and total in sinks, relative",
                               "whole grid (41 x 41 cells) in the centre, nothing out");
      c.norms = norms_relative(got, exp);
      c.figures = {{"sink_cells", static_cast<double>(b.sink_cells)}, {"outflow_m2", b.outflow_total}};
      const double extra_sinks = std::abs(static_cast<double>(b.sink_cells) - 1.0);
      c.checks = {{"linf", c.norms.linf, 1e-9, true}, {"abs(sink_cells - 1)", extra_sinks, 0.0, true}, {"outflow_m2", b.outflow_total, 0.0, true}};
      c.note = "conservation into one sink";
      out.push_back(std::move(c));
    }
  }

  {  // saddle
    const index_t n = 51;
    const TestTerrain t = centred_surface(n, [](double x, double y) { return (x * x - y * y) / 100.0; });
    const double total = 100.0 * n * n;
    for (Router router : {Router::d8, Router::mfd}) {
      const mt::FlowGraph g = route(router, t);
      const auto area = mt::contributing_area_m2(g);
      const auto outflow = exec::to_host(mt::outflow_per_cell(g, area.span()));
      double north = 0.0, south = 0.0, other = 0.0;
      for (index_t row = 0; row < n; ++row)
        for (index_t c = 0; c < n; ++c) (row == 0 ? north : row == n - 1 ? south : other) += outflow[static_cast<std::size_t>(row * n + c)];
      const bool d8 = router == Router::d8;
      const std::vector<double> got = {north, south};
      const std::vector<double> exp = d8 ? std::vector<double>{100.0 * 25 * n, 100.0 * 26 * n} : std::vector<double>{total / 2, total / 2};
      CaseResult c = area_case(std::string("saddle.") + name(router), "area leaving through the north and south edges, relative",
                               d8 ? "north 25 rows, south 26 rows" : "north = south = half the grid");
      c.norms = norms_relative(got, exp);
      c.figures = {{"north_m2", north}, {"south_m2", south}, {"other_edges_m2", other}};
      c.checks = {{"linf", c.norms.linf, d8 ? 0.0 : 1e-6, true}, {"other_edges_m2", other, 0.0, true}};
      c.note = d8 ? "integer sums of 100 m2: exact" : "mirror symmetry up to the 2^-24 weight quantum";
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace leachflow::validation
