// Shared pieces of DEM conditioning kernels (fill, breach, flats): D8 steps, outlets, NO_FLOW.
//
// Conventions (DESIGN.md): NoData cells are outside the domain. A valid cell on the grid edge
// or with a NoData neighbour is an *outlet*: it can drain out of the domain, so it is never a
// pit and never NO_FLOW. Only valid neighbours take part in every comparison below.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

#include "kernels/exec/atomic.hpp"
#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/grid_view.hpp"

namespace leachflow::kernels::terrain {

using exec::index_t;

// D8 steps in the order of grid_view.hpp (0 = E, 1 = SE, ..., 7 = NE). Local tables so that
// they are usable in device code.
LF_HD inline int d8_row_step(int d) {
  constexpr int t[8] = {0, 1, 1, 1, 0, -1, -1, -1};
  return t[d];
}
LF_HD inline int d8_col_step(int d) {
  constexpr int t[8] = {1, 1, 0, -1, -1, -1, 0, 1};
  return t[d];
}

// The valid neighbour of cell (r, c) in direction d, or -1 (off the grid or NoData).
LF_HD inline index_t valid_neighbour(const grid_view& g, index_t r, index_t c, int d) {
  const index_t rr = r + d8_row_step(d);
  const index_t cc = c + d8_col_step(d);
  if (rr < 0 || rr >= g.rows || cc < 0 || cc >= g.cols) return -1;
  const index_t j = rr * g.cols + cc;
  return g.valid[j] != 0 ? j : -1;
}

// Index offset of the D8 neighbour d; valid for interior cells (not on the grid edge).
LF_HD inline index_t d8_offset(index_t cols, int d) { return d8_row_step(d) * cols + d8_col_step(d); }
// All 8 at once, for tight loops over interior cells (simple bodies unroll and vectorise).
struct d8_offsets {
  index_t o[8];
  LF_HD explicit d8_offsets(index_t cols) : o{1, cols + 1, cols, cols - 1, -1, -cols - 1, -cols, -cols + 1} {}
};
// Square tile t (tiles numbered row-major over the grid) of side `size`: rows [r0, r1) and
// columns [c0, c1), cut at the grid's edge. Kernels that work tile by tile take one launch index
// per tile (tile_count).
struct grid_tile {
  index_t r0 = 0, c0 = 0, r1 = 0, c1 = 0;
  LF_HD grid_tile(const grid_view& g, index_t t, index_t size) {
    const index_t tiles_x = (g.cols + size - 1) / size;
    r0 = (t / tiles_x) * size;
    c0 = (t % tiles_x) * size;
    r1 = r0 + size < g.rows ? r0 + size : g.rows;
    c1 = c0 + size < g.cols ? c0 + size : g.cols;
  }
};
LF_HD inline index_t tile_count(const grid_view& g, index_t size) {
  return ((g.rows + size - 1) / size) * ((g.cols + size - 1) / size);
}
LF_HD inline bool is_interior(const grid_view& g, index_t r, index_t c) {
  return r > 0 && c > 0 && r + 1 < g.rows && c + 1 < g.cols;
}

// Whether cells i0 .. i0 + count − 1 of an interior row and all their neighbours are valid (the
// 3 × (count + 2) window): then a stretch kernel may read every neighbour without a NoData test.
LF_HD inline bool window_all_valid(const grid_view& g, index_t i0, index_t count) {
  const std::uint8_t* v = g.valid.data() + i0;
  unsigned all = 1;  // plain ands over bytes: vectorised
  for (index_t k = -1 - g.cols; k < count + 1 - g.cols; ++k) all &= v[k] != 0 ? 1u : 0u;
  for (index_t k = -1; k < count + 1; ++k) all &= v[k] != 0 ? 1u : 0u;
  for (index_t k = -1 + g.cols; k < count + 1 + g.cols; ++k) all &= v[k] != 0 ? 1u : 0u;
  return all != 0;
}

// A cell on the grid edge or next to NoData: water there may leave the domain.
LF_HD inline bool is_outlet(const grid_view& g, index_t i) {
  const index_t r = i / g.cols;
  const index_t c = i % g.cols;
  if (r == 0 || c == 0 || r + 1 == g.rows || c + 1 == g.cols) return true;
  for (int d = 0; d < 8; ++d) {
    if (g.valid[(r + d8_row_step(d)) * g.cols + c + d8_col_step(d)] == 0) return true;
  }
  return false;
}

// Barnes et al. 2014 NO_FLOW: a valid, non-outlet cell without a strictly lower valid neighbour.
LF_HD inline bool is_noflow(const grid_view& g, exec::device_span<const float> z, index_t i) {
  if (g.valid[i] == 0 || is_outlet(g, i)) return false;
  const index_t r = i / g.cols;
  const index_t c = i % g.cols;
  const float zi = z[i];
  for (int d = 0; d < 8; ++d) {
    const index_t j = valid_neighbour(g, r, c, d);
    if (j >= 0 && z[j] < zi) return false;
  }
  return true;
}

// Reads of words that other threads may be updating in the same launch: a load of an aligned
// 32/64-bit word through volatile, which the compiler cannot cache or split, so the value read
// is one some thread wrote, never a torn mix (x86-64, CUDA, every Kokkos backend). Nothing
// here needs more: labels only decrease and claims are decided by the atomic read-modify-write
// that follows, so a stale value costs at most one more pass or one failed claim. (These were
// atomic_fetch_min(max) / fetch_add(0) before: a locked read-modify-write, and a cache-line
// write, per neighbour read; about half the time of the flat BFS and the components.)
LF_HD inline std::int64_t atomic_read(std::int64_t* p) { return *static_cast<volatile std::int64_t*>(p); }
LF_HD inline std::int32_t atomic_read(std::int32_t* p) { return *static_cast<volatile std::int32_t*>(p); }
LF_HD inline float atomic_read(float* p) { return *static_cast<volatile float*>(p); }

// Order-preserving map of a (non-NaN) float to uint32, for integer sort keys on every backend.
LF_HD inline std::uint32_t ordered_key(float f) {
  const auto u = std::bit_cast<std::uint32_t>(f);
  return (u & 0x80000000u) != 0 ? ~u : (u | 0x80000000u);
}
LF_HD inline float from_ordered_key(std::uint32_t k) {
  return std::bit_cast<float>((k & 0x80000000u) != 0 ? (k & 0x7fffffffu) : ~k);
}

}  // namespace leachflow::kernels::terrain
