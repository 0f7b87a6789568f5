// What a kernel knows about the grid: its shape, the NoData mask and per-row metric lengths.
// Built by model::DeviceGrid from a model::Grid; plain data, copied into every functor.
#pragma once

#include <cstdint>

#include "exec/config.hpp"
#include "exec/span.hpp"

namespace leachflow::kernels {

using exec::index_t;

// D8 neighbour order used everywhere (and the ESRI code of each direction):
//   0 = E (1), 1 = SE (2), 2 = S (4), 3 = SW (8), 4 = W (16), 5 = NW (32), 6 = N (64), 7 = NE (128).
// Ties between equally steep directions break toward the lower index in this order.
inline constexpr int d8_drow[8] = {0, 1, 1, 1, 0, -1, -1, -1};
inline constexpr int d8_dcol[8] = {1, 1, 0, -1, -1, -1, 0, 1};
LF_HD inline constexpr int d8_opposite(int d) { return (d + 4) & 7; }
LF_HD inline constexpr std::uint8_t d8_esri_code(int d) { return static_cast<std::uint8_t>(1u << d); }

struct grid_view {
  index_t rows = 0;
  index_t cols = 0;
  exec::device_span<const std::uint8_t> valid;   // 1 inside the domain, 0 for NoData; per cell
  exec::device_span<const double> dx_m;          // E–W distance between centres in row r
  exec::device_span<const double> dy_m;          // N–S distance between centres of rows r and r+1
  exec::device_span<const double> diag_m;        // diagonal distance, centre of row r to row r+1
  exec::device_span<const double> area_m2;       // cell area in row r

  LF_HD index_t cells() const { return rows * cols; }
  LF_HD index_t row(index_t i) const { return i / cols; }
  LF_HD index_t col(index_t i) const { return i % cols; }
  LF_HD bool inside(index_t r, index_t c) const { return r >= 0 && r < rows && c >= 0 && c < cols; }
  LF_HD bool is_valid(index_t i) const { return valid[i] != 0; }

  // Neighbour of cell i in direction d, or -1 when it is off the grid.
  LF_HD index_t neighbour(index_t i, int d) const {
    constexpr int dr[8] = {0, 1, 1, 1, 0, -1, -1, -1};
    constexpr int dc[8] = {1, 1, 0, -1, -1, -1, 0, 1};
    const index_t r = i / cols + dr[d];
    const index_t c = i % cols + dc[d];
    return inside(r, c) ? r * cols + c : -1;
  }

  // Centre-to-centre distance from a cell in row r to its neighbour in direction d, metres.
  LF_HD double distance_m(index_t r, int d) const {
    switch (d) {
      case 0: case 4: return dx_m[r];
      case 2: return dy_m[r];
      case 6: return dy_m[r - 1];
      case 1: case 3: return diag_m[r];
      default: return diag_m[r - 1];
    }
  }
};

}  // namespace leachflow::kernels
