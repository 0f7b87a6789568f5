// Hand-made flow graphs with prescribed channel states for the transport tests, and the
// flux-inlet analytical solution of the 1D advection–dispersion–decay equation.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <optional>
#include <vector>

#include "kernels/exec/memory.hpp"
#include "model/grid.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/flow_graph.hpp"

namespace leachflow::testing {

using exec::index_t;

// A grid of square cells, a D8 graph from per-cell directions (0..7, 0xFF none), and (later) a
// prescribed channel state. Heap-held and never moved: the graph keeps the grid's buffers and
// the hydraulics keep the graph.
struct HandGraph {
  model::Grid grid;
  std::unique_ptr<model::DeviceGrid> device;
  std::optional<model::terrain::FlowGraph> graph;
  std::optional<model::hydraulics::Hydraulics> hydraulics;
};

inline std::unique_ptr<HandGraph> hand_graph(index_t rows, index_t cols, double cell_m, const std::vector<std::uint8_t>& dir,
                                             std::vector<std::uint8_t> valid = {}) {
  auto h = std::make_unique<HandGraph>();
  h->grid = model::make_grid(rows, cols, {0.0, cell_m, 0.0, 0.0, 0.0, -cell_m}, "", false);
  if (!valid.empty()) h->grid.valid = std::move(valid);
  h->device = std::make_unique<model::DeviceGrid>(h->grid);
  h->graph = model::terrain::FlowGraph::from_d8(h->device->view(), exec::to_device(dir));
  return h;
}

// Channel state from per-cell discharge Q (m³/s), cross-section A (m²), flow length L (m) and
// depth d (m): width A/d, velocity Q/A, volume A·L, travel time A·L/Q. NoData cells: all 0.
inline model::hydraulics::ChannelState prescribed_state(const std::vector<std::uint8_t>& valid, const std::vector<double>& q,
                                                        const std::vector<double>& area, const std::vector<double>& length,
                                                        const std::vector<double>& depth) {
  const std::size_t n = q.size();
  std::vector<double> w(n), v(n), vol(n), tau(n), qq(q), aa(area), ll(length), dd(depth);
  for (std::size_t i = 0; i < n; ++i) {
    if (!valid[i]) {
      qq[i] = aa[i] = ll[i] = dd[i] = w[i] = v[i] = vol[i] = tau[i] = 0.0;
      continue;
    }
    w[i] = area[i] / depth[i];
    v[i] = q[i] / area[i];
    vol[i] = area[i] * length[i];
    tau[i] = vol[i] / q[i];
  }
  model::hydraulics::ChannelState s;
  s.discharge_m3s = exec::to_device(qq);
  s.width_m = exec::to_device(w);
  s.depth_m = exec::to_device(dd);
  s.velocity_ms = exec::to_device(v);
  s.cross_section_m2 = exec::to_device(aa);
  s.flow_length_m = exec::to_device(ll);
  s.volume_m3 = exec::to_device(vol);
  s.travel_time_s = exec::to_device(tau);
  return s;
}

// A 1 × n channel of dx-metre cells draining east (the last cell out of the grid), with uniform
// Q, cross-section and depth.
inline std::unique_ptr<HandGraph> straight_channel(index_t n, double dx_m, double q_m3s, double area_m2, double depth_m) {
  auto h = hand_graph(1, n, dx_m, std::vector<std::uint8_t>(static_cast<std::size_t>(n), 0));
  const auto un = static_cast<std::size_t>(n);
  h->hydraulics = model::hydraulics::Hydraulics::prescribed(
      *h->graph, prescribed_state(h->grid.valid, std::vector<double>(un, q_m3s), std::vector<double>(un, area_m2),
                                  std::vector<double>(un, dx_m), std::vector<double>(un, depth_m)));
  return h;
}

// C/C0 of 1D advection–dispersion with first-order decay in a semi-infinite channel, initially
// clean, with a FLUX (third-type) inlet v·C − D·∂C/∂x = v·C0 at x = 0 from t = 0: the boundary
// an upwind finite-volume channel fed by a load Q·C0 has. Lindstrom et al. (1967) for k = 0;
// van Genuchten & Alves (1982, USDA Tech. Bull. 1661, solution C6 with γ = 0) for k > 0:
//   C/C0 = v/(v+u)·e^{(v−u)x/2D}·erfc((x−ut)/2√Dt) + v/(v−u)·e^{(v+u)x/2D}·erfc((x+ut)/2√Dt)
//        + v²/(2kD)·e^{vx/D − kt}·erfc((x+vt)/2√Dt),   u = √(v² + 4kD).
// (Ogata–Banks, validation/analytical/ogata_banks.hpp, has a Dirichlet inlet C(0,t) = C0 and
// differs from this by up to ~6 % at the Péclet numbers used here, whatever the resolution.)
// Products exp(big)·erfc(big) are taken in log space via erfc's asymptotic tail.
inline double log_erfc(double a) {
  if (a < 20.0) return std::log(std::erfc(a));
  return -a * a - std::log(a * std::sqrt(std::numbers::pi)) + std::log1p(-0.5 / (a * a));
}
inline double flux_inlet_ade(double x, double t, double v, double d, double k) {
  if (t <= 0.0) return 0.0;
  const double s = 2.0 * std::sqrt(d * t);
  if (k == 0.0) {
    return 0.5 * std::erfc((x - v * t) / s) + std::sqrt(v * v * t / (std::numbers::pi * d)) * std::exp(-(x - v * t) * (x - v * t) / (4.0 * d * t)) -
           0.5 * (1.0 + v * x / d + v * v * t / d) * std::exp(v * x / d + log_erfc((x + v * t) / s));
  }
  const double u = std::sqrt(v * v + 4.0 * k * d);
  return v / (v + u) * std::exp((v - u) * x / (2.0 * d)) * std::erfc((x - u * t) / s) +
         v / (v - u) * std::exp((v + u) * x / (2.0 * d) + log_erfc((x + u * t) / s)) +
         v * v / (2.0 * k * d) * std::exp(v * x / d - k * t + log_erfc((x + v * t) / s));
}

}  // namespace leachflow::testing
