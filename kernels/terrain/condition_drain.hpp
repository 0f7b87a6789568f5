// Drain pointers of the depression fill (condition_fill.hpp): every valid cell points to its
// lowest valid neighbour in the total order (z, index) when that is below itself; outlets (grid
// edge, next to NoData) and pits point to themselves.
#pragma once

#include <cstdint>

#include "kernels/exec/span.hpp"
#include "kernels/terrain/condition_common.hpp"

namespace leachflow::kernels::terrain {

// Lowest valid neighbour in the (z, index) order if below the cell, else the cell itself.
LF_HD inline index_t drain_pointer(const grid_view& g, exec::device_span<const float> z, index_t i) {
  if (g.valid[i] == 0 || is_outlet(g, i)) return i;
  const index_t r = i / g.cols;
  const index_t c = i % g.cols;
  index_t best = i;
  float bz = z[i];
  for (int d = 0; d < 8; ++d) {
    const index_t j = valid_neighbour(g, r, c, d);
    if (j >= 0 && (z[j] < bz || (z[j] == bz && j < best))) {
      best = j;
      bz = z[j];
    }
  }
  return best;
}

// The same as a D8 direction: the d with drain_pointer(i) = neighbour d, or -1 for i itself
// (NoData, outlet, pit). One pass over the neighbours (the outlet test folded in).
LF_HD inline int drain_direction(const grid_view& g, exec::device_span<const float> z, index_t r,
                                 index_t c) {
  const index_t i = r * g.cols + c;
  if (g.valid[i] == 0 || !is_interior(g, r, c)) return -1;
  const d8_offsets n8(g.cols);
  int best = -1;
  index_t bj = i;
  float bz = z[i];
  int nodata = 0;
  for (int d = 0; d < 8; ++d) {
    const index_t j = i + n8.o[d];
    nodata += g.valid[j] == 0 ? 1 : 0;
    const float zj = z[j];
    const bool take = zj < bz || (zj == bz && j < bj);
    best = take ? d : best;
    bj = take ? j : bj;
    bz = take ? zj : bz;
  }
  return nodata != 0 ? -1 : best;  // next to NoData: an outlet
}

// drain_direction for cells (r, c0) .. (r, c0 + count − 1) of an interior stretch of a row
// (0 < r < rows − 1, 0 < c0, c0 + count < cols, count <= drain_lanes), with the loop over the
// cells innermost so that compilers vectorise it. The neighbours are visited in ascending index
// order (NW, N, NE, W, E, SW, S, SE) keeping the minimum in the (z, index) order without
// comparing indices. A NaN cell drains nowhere, as in drain_direction.
inline constexpr int drain_lanes = 32;
LF_HD inline void drain_directions(const grid_view& g, exec::device_span<const float> z, index_t r, index_t c0,
                                   int count, std::int32_t (&out)[drain_lanes]) {
  const index_t i0 = r * g.cols + c0;
  const float* zc = z.data() + i0;
  const std::uint8_t* vc = g.valid.data() + i0;
  const d8_offsets n8(g.cols);
  float bz[drain_lanes];
  std::int32_t bd[drain_lanes];
  std::uint8_t nodata[drain_lanes];
  for (int k = 0; k < count; ++k) {
    bz[k] = zc[k];
    bd[k] = -1;  // the cell itself
  }
  // Takes as masks (GCC vectorises those selects). Neighbours of lower index than the cell
  // (NW, N, NE, W, ascending) also win a tie with the cell itself; those of higher index (E, SW,
  // S, SE, ascending) only a strict one. A NaN never compares true.
  constexpr int lower[4] = {5, 6, 7, 4}, higher[4] = {0, 3, 2, 1};
  for (int d : lower) {
    const float* zn = zc + n8.o[d];
    for (int k = 0; k < count; ++k) {
      const float v = zn[k];
      const std::int32_t take = -static_cast<std::int32_t>((v < bz[k]) | ((v == bz[k]) & (bd[k] == -1)));
      bd[k] = (bd[k] & ~take) | (d & take);
      bz[k] = v < bz[k] ? v : bz[k];
    }
  }
  for (int d : higher) {
    const float* zn = zc + n8.o[d];
    for (int k = 0; k < count; ++k) {
      const float v = zn[k];
      const std::int32_t take = -static_cast<std::int32_t>(v < bz[k]);
      bd[k] = (bd[k] & ~take) | (d & take);
      bz[k] = v < bz[k] ? v : bz[k];
    }
  }
  // NoData in the 3 × (count + 2) window? Rarely: then cell by cell.
  const bool all_valid = window_all_valid(g, i0, count);
  for (int k = 0; k < count; ++k) nodata[k] = all_valid ? 0 : (vc[k] == 0 ? 1 : 0);
  if (!all_valid) {
    for (int d = 0; d < 8; ++d) {
      const std::uint8_t* vn = vc + n8.o[d];
      for (int k = 0; k < count; ++k) nodata[k] = static_cast<std::uint8_t>(nodata[k] | (vn[k] == 0 ? 1 : 0));
    }
  }
  // NoData cell or neighbour: an outlet, −1. (A NaN cell keeps −1: it compares false.)
  for (int k = 0; k < count; ++k) out[k] = nodata[k] != 0 ? -1 : bd[k];
}

}  // namespace leachflow::kernels::terrain
