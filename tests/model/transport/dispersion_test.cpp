// Implicit dispersion (tree Thomas algorithm, kernels/transport/dispersion.hpp) against a dense
// Gaussian-elimination solve of the same backward-Euler system on random D8 trees with sinks,
// NoData and branches. Dispersion is applied to the mass after advection, so a step with
// dispersion must equal solve(A, M_advected/Δt) where M_advected comes from the same step
// without it (conservative species, no reactions). Agreement to 1e-10 relative: both are exact
// solvers of a diagonally dominant system (condition number ≲ 1 + 2·max g·Δt/(R·V) ~ 1e3 here),
// so the difference is rounding times that.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/terrain/reference_fixtures.hpp"
#include "model/terrain/routing.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"
#include "transport_fixtures.hpp"

namespace lf = leachflow;
namespace mh = leachflow::model::hydraulics;
namespace mt = leachflow::model::terrain;
namespace mx = leachflow::model::transport;
using lf::exec::index_t;

namespace {

std::vector<double> dense_solve(std::vector<std::vector<double>> a, std::vector<double> b) {
  const std::size_t n = b.size();
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t p = k;
    for (std::size_t r = k + 1; r < n; ++r)
      if (std::abs(a[r][k]) > std::abs(a[p][k])) p = r;
    std::swap(a[k], a[p]);
    std::swap(b[k], b[p]);
    for (std::size_t r = k + 1; r < n; ++r) {
      const double f = a[r][k] / a[k][k];
      for (std::size_t c = k; c < n; ++c) a[r][c] -= f * a[k][c];
      b[r] -= f * b[k];
    }
  }
  std::vector<double> x(n);
  for (std::size_t k = n; k-- > 0;) {
    double s = b[k];
    for (std::size_t c = k + 1; c < n; ++c) s -= a[k][c] * x[c];
    x[k] = s / a[k][k];
  }
  return x;
}

}  // namespace

TEST(TransportDispersion, TreeThomasEqualsDenseSolve) {
  for (std::uint64_t seed : {21u, 22u, 23u}) {
    for (bool fixed : {true, false}) {
      std::mt19937_64 rng(seed);
      auto t = lf::testing::random_terrain(rng, 9, 8, 0.1);
      const mt::FlowGraph g = mt::route_d8(t.view(), t.z.span());
      const index_t n = g.cells();
      std::uniform_real_distribution<double> u(0.5, 2.0);
      std::vector<double> q(n), area(n), len(n), depth(n);
      for (index_t i = 0; i < n; ++i) {
        q[i] = u(rng);
        area[i] = 2.0 * u(rng);
        len[i] = 10.0 * u(rng);
        depth[i] = u(rng);
      }
      auto state_a = lf::testing::prescribed_state(t.grid.valid, q, area, len, depth);
      auto state_b = lf::testing::prescribed_state(t.grid.valid, q, area, len, depth);
      auto ha = mh::Hydraulics::prescribed(g, std::move(state_a));
      auto hb = mh::Hydraulics::prescribed(g, std::move(state_b));
      mx::Species tracer{"tracer", "mg/L", 0.0, 2.5, 0.0, 0.0, "test"};
      const std::vector<mx::Species> species = {*mx::preset("sulfate"), tracer};
      mx::Sources src;
      for (int k = 0; k < 6; ++k) {
        mx::PointLoad l;
        do l.cell = static_cast<index_t>(u(rng) * 30.0); while (!t.grid.valid[static_cast<std::size_t>(l.cell)]);
        l.species = k % 2;
        l.load_kg_day = 10.0 * u(rng);
        src.loads.push_back(l);
      }
      mx::TransportOptions plain, disp;
      disp.dispersion = true;
      const double d_fixed = 3.0, alpha = 4.0;
      if (fixed) disp.dispersion_m2s = d_fixed;
      else disp.dispersivity = alpha;
      mx::TransportModel a(g, ha, species, src, plain), b(g, hb, species, src, disp);
      const double dt_day = 0.002;
      a.step(dt_day);  // a few steps so the state is spread out before the compared one
      b.step(dt_day);
      // Make b's state equal to a's, then one more step of each.
      for (int s = 0; s < 2; ++s) b.set_mass_g(s, lf::exec::to_host(a.mass_g(s)));
      a.step(dt_day);
      b.step(dt_day);

      const auto dirs = g.d8_directions();
      const double dt = dt_day * 86400.0;
      std::vector<index_t> id(n, -1), cell;
      for (index_t i = 0; i < n; ++i)
        if (t.grid.valid[static_cast<std::size_t>(i)]) {
          id[i] = static_cast<index_t>(cell.size());
          cell.push_back(i);
        }
      std::vector<double> gl(n, 0.0);
      std::vector<index_t> recv(n, -1);
      for (index_t i : cell) {
        const auto d = dirs[static_cast<std::size_t>(i)];
        if (d == 0xFF) continue;
        const index_t r = i / g.cols() + lf::kernels::d8_drow[d], c = i % g.cols() + lf::kernels::d8_dcol[d];
        if (r < 0 || r >= g.rows() || c < 0 || c >= g.cols() || !t.grid.valid[static_cast<std::size_t>(r * g.cols() + c)]) continue;
        recv[i] = r * g.cols() + c;
        const double v = q[i] / area[i];
        const double dc = fixed ? d_fixed : alpha * v * len[i];
        gl[i] = dc * area[i] / len[i];
      }
      for (int s = 0; s < 2; ++s) {
        const double rr = species[static_cast<std::size_t>(s)].retardation;
        const auto m_adv = lf::exec::to_host(a.mass_g(s));
        const auto m_b = lf::exec::to_host(b.mass_g(s));
        const std::size_t m = cell.size();
        std::vector<std::vector<double>> mat(m, std::vector<double>(m, 0.0));
        std::vector<double> rhs(m);
        for (std::size_t k = 0; k < m; ++k) {
          const index_t i = cell[k];
          mat[k][k] += rr * area[i] * len[i] / dt;
          rhs[k] = m_adv[static_cast<std::size_t>(i)] / dt;
          if (recv[i] >= 0) {
            const auto kr = static_cast<std::size_t>(id[recv[i]]);
            mat[k][k] += gl[i];
            mat[k][kr] -= gl[i];
            mat[kr][kr] += gl[i];
            mat[kr][k] -= gl[i];
          }
        }
        const auto c = dense_solve(mat, rhs);
        double total_adv = 0, total_b = 0, moved = 0;
        for (std::size_t k = 0; k < m; ++k) {
          const index_t i = cell[k];
          const double expected = rr * area[i] * len[i] * c[k];
          EXPECT_NEAR(m_b[static_cast<std::size_t>(i)], expected, 1e-10 * std::max(expected, 1e-3))
              << "seed " << seed << " fixed " << fixed << " species " << s << " cell " << i;
          total_adv += m_adv[static_cast<std::size_t>(i)];
          total_b += m_b[static_cast<std::size_t>(i)];
          moved += std::abs(m_b[static_cast<std::size_t>(i)] - m_adv[static_cast<std::size_t>(i)]);
        }
        EXPECT_GT(moved, 0.05 * total_adv);  // the dispersion step does move mass
        EXPECT_NEAR(total_b, total_adv, 1e-12 * total_adv);  // dispersion conserves mass
      }
    }
  }
}
