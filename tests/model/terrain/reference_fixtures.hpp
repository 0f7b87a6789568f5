// Small test fixtures for the flow tests: a grid (projected square cells or geographic) with a
// NoData mask and an elevation raster on the device, plus host copies of the per-row metrics.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/exec/memory.hpp"
#include "model/grid.hpp"
#include "reference_flow.hpp"

namespace leachflow::testing {

using exec::index_t;

struct TestTerrain {
  model::Grid grid;
  std::unique_ptr<model::DeviceGrid> device;
  exec::device_buffer<float> z;
  std::vector<float> z_host;

  kernels::grid_view view() const { return device->view(); }
  reference::HostMetrics metrics() const { return {grid.cell_width_m, grid.dy_m, grid.diagonal_m}; }
};

// Projected grid of square cells `cell_m` wide, or a geographic one (cell_m in degrees, top edge
// at north_deg). valid empty = all valid.
inline TestTerrain make_terrain(index_t rows, index_t cols, std::vector<float> z, std::vector<std::uint8_t> valid = {},
                                double cell_m = 10.0, bool geographic = false, double north_deg = 0.0) {
  TestTerrain t;
  const std::array<double, 6> gt = geographic ? std::array<double, 6>{0.0, cell_m, 0.0, north_deg, 0.0, -cell_m}
                                              : std::array<double, 6>{0.0, cell_m, 0.0, 0.0, 0.0, -cell_m};
  t.grid = model::make_grid(rows, cols, gt, "", geographic);
  if (!valid.empty()) t.grid.valid = std::move(valid);
  t.device = std::make_unique<model::DeviceGrid>(t.grid);
  t.z_host = std::move(z);
  t.z = exec::to_device(t.z_host);
  return t;
}

// Random DEM: smooth-ish ramps plus noise, quantised to 0.5 m so ties and flats are common,
// with a fraction of NoData cells (single cells and small blocks).
inline TestTerrain random_terrain(std::mt19937_64& rng, index_t rows, index_t cols, double nodata_fraction,
                                  bool geographic = false) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double sx = u(rng) * 2 - 1, sy = u(rng) * 2 - 1, noise = 0.5 + 3 * u(rng);
  std::vector<float> z(static_cast<std::size_t>(rows * cols));
  std::vector<std::uint8_t> valid(z.size(), 1);
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) {
      const double v = sx * static_cast<double>(c) + sy * static_cast<double>(r) + noise * u(rng);
      z[static_cast<std::size_t>(r * cols + c)] = static_cast<float>(std::round(v * 2.0) / 2.0);
    }
  const auto holes = static_cast<index_t>(nodata_fraction * static_cast<double>(rows * cols) / 2.0);
  for (index_t h = 0; h < holes; ++h) {
    const auto i = static_cast<index_t>(u(rng) * static_cast<double>(rows * cols));
    valid[static_cast<std::size_t>(i)] = 0;
    if (u(rng) < 0.3 && i + 1 < rows * cols) valid[static_cast<std::size_t>(i + 1)] = 0;
  }
  for (std::size_t i = 0; i < z.size(); ++i)
    if (!valid[i]) z[i] = -9999.0f;  // NoData value: must be ignored by every router
  return make_terrain(rows, cols, std::move(z), std::move(valid), geographic ? 0.01 : 10.0, geographic, 26.0);
}

}  // namespace leachflow::testing
