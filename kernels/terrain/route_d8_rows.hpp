// The D8 router's row kernel. D8 directions for a run of open cells (all eight neighbours valid, off the grid edge), a
// chunk of d8_lanes cells at a time with the loop over the chunk innermost, so that compilers
// turn it into vector instructions. The rules are those of route_d8.hpp; this file only decides
// the clear cases faster, and hands every other cell to d8_open_direction (the exact path).
//
// Screening in float: a lane computes p_d = fl(fl(z_i − z_j)⁺ · fl(1/m_d)). Each of the three
// roundings is within a relative 2^-24 (a difference that underflows is exact; lanes whose best
// p is below 2^-100 or not finite go to the exact path), so p_d is within 2^-22 of the true
// slope. Where the best p beats every other by a relative 2^-18, the true slopes are in the
// same strict order with a gap of thousands of double ulps, so the exact path's divisions pick
// the same neighbour and meet no tie: the lane's answer is the exact answer. Rule 3 (flats,
// no lower neighbour) is screened the same way on the gradient steps g_i − g_j; "no candidate"
// is exact (a candidate's step is at least 1). Anything closer than the margin (exact ties on
// quantised DEMs, ties into flats) takes the exact path, cell by cell.
#pragma once

#include <cstdint>

#include "kernels/exec/config.hpp"
#include "kernels/terrain/route_d8.hpp"

namespace leachflow::kernels::terrain {

inline constexpr int d8_lanes = 32;

// Rows r − 1, r, r + 1 of the elevations (up, mid, down) and of the flat gradients (null when
// there are none), and the row's distances.
struct d8_open_rows {
  const float* up;
  const float* mid;
  const float* down;
  const std::int32_t* gup;
  const std::int32_t* gmid;
  const std::int32_t* gdown;
  const d8_row_distances* dist;
};

// The steepest of eight candidate slopes p[d][k] per lane k: best[k] = the first strict maximum,
// top[k] its value, unique[k] = 1 where no other slope is within the margin.
LF_HD inline void d8_screen_lanes(const float (&p)[8][d8_lanes], int count, std::int32_t (&best)[d8_lanes],
                                  float (&top)[d8_lanes], std::int32_t (&unique)[d8_lanes]) {
  for (int k = 0; k < count; ++k) {
    best[k] = -1;
    top[k] = 0.0f;
  }
  for (int d = 0; d < 8; ++d) {
    const float* pd = p[d];
    for (int k = 0; k < count; ++k) {
      // take = p > top, as a mask: GCC vectorises this select, not `take ? d : best`.
      const float v = pd[k], t = top[k];
      const std::int32_t take = -static_cast<std::int32_t>(v > t);
      best[k] = (best[k] & ~take) | (d & take);
      top[k] = v > t ? v : t;
    }
  }
  std::int32_t close[d8_lanes];
  for (int k = 0; k < count; ++k) close[k] = 0;
  for (int d = 0; d < 8; ++d) {
    const float* pd = p[d];
    for (int k = 0; k < count; ++k) close[k] += pd[k] >= top[k] * (1.0f - 0x1p-18f) ? 1 : 0;
  }
  for (int k = 0; k < count; ++k) {
    const bool sure = top[k] >= 0x1p-100f && top[k] <= 3.0e38f && close[k] == 1;
    unique[k] = sure ? 1 : 0;
  }
}

// Directions of cells c0 .. c0 + count − 1 (count <= d8_lanes) of an open run: 0..7,
// no_receiver, or d8_steepest::undecided where the sequential scan must decide.
LF_HD inline void d8_open_chunk(const d8_open_rows& rows, index_t c0, int count, std::int32_t (&out)[d8_lanes]) {
  // Neighbour rows and column offsets in direction order E, SE, S, SW, W, NW, N, NE.
  const float* zr[8] = {rows.mid + 1, rows.down + 1, rows.down, rows.down - 1,
                        rows.mid - 1, rows.up - 1,   rows.up,   rows.up + 1};
  float inv[8];
  for (int d = 0; d < 8; ++d) inv[d] = static_cast<float>(rows.dist->inverse[d]);
  const float* zc = rows.mid + c0;

  // Rule 1: p = positive drop / distance.
  float p[8][d8_lanes];
  for (int d = 0; d < 8; ++d) {
    const float* zn = zr[d] + c0;
    float* pd = p[d];
    for (int k = 0; k < count; ++k) {
      const float x = zc[k] - zn[k];
      pd[k] = (x > 0.0f ? x : 0.0f) * inv[d];
    }
  }
  std::int32_t best[d8_lanes], unique[d8_lanes];
  float top[d8_lanes];
  d8_screen_lanes(p, count, best, top, unique);

  // Rule 3 for lanes without a lower neighbour (rule 2 never applies to an open cell): p = the
  // gradient step g_i − g_j / distance to equal-elevation neighbours with 0 < g_j < g_i.
  std::int32_t fbest[d8_lanes], funique[d8_lanes];
  float ftop[d8_lanes];
  bool any_flat = false;
  for (int k = 0; k < count; ++k) any_flat = any_flat || top[k] == 0.0f;
  if (any_flat && rows.gmid != nullptr) {
    const std::int32_t* gr[8] = {rows.gmid + 1, rows.gdown + 1, rows.gdown, rows.gdown - 1,
                                 rows.gmid - 1, rows.gup - 1,   rows.gup,   rows.gup + 1};
    const std::int32_t* own = rows.gmid + c0;
    for (int d = 0; d < 8; ++d) {
      const float* zn = zr[d] + c0;
      const std::int32_t* gn = gr[d] + c0;
      float* pd = p[d];
      for (int k = 0; k < count; ++k) {
        const bool candidate = (zn[k] == zc[k]) & (gn[k] > 0) & (gn[k] < own[k]);
        const std::int32_t step = (own[k] - gn[k]) & -static_cast<std::int32_t>(candidate);  // both >= 0
        pd[k] = static_cast<float>(step) * inv[d];
      }
    }
    d8_screen_lanes(p, count, fbest, ftop, funique);
  } else {
    for (int k = 0; k < count; ++k) {
      fbest[k] = -1;
      ftop[k] = 0.0f;  // no flat gradient, or no lane needs it: rule 4
      funique[k] = 0;
    }
  }

  // Without branches (whether a cell lies on a flat is a coin toss): the screened answer, or
  // undecided; then the exact path for the undecided lanes alone.
  for (int k = 0; k < count; ++k) {
    const std::int32_t flat_answer = ftop[k] == 0.0f ? std::int32_t{no_receiver}
                                     : funique[k] != 0 ? fbest[k]
                                                       : std::int32_t{d8_steepest::undecided};
    const std::int32_t steep_answer = unique[k] != 0 ? best[k] : std::int32_t{d8_steepest::undecided};
    out[k] = top[k] == 0.0f ? flat_answer : steep_answer;  // no lower neighbour (or NaN): rules 3-4
  }
  for (int k = 0; k < count; ++k) {
    if (out[k] == d8_steepest::undecided)
      out[k] = d8_open_direction(rows.up, rows.mid, rows.down, rows.gup, rows.gmid, rows.gdown, *rows.dist, c0 + k);
  }
}

// One launch index per grid row (row and column come without a division per cell). Rows whose
// neighbourhood is all valid take d8_open_chunk between their first and last cells.
struct d8_router {
  grid_view g;
  device_span<const float> elevation;
  device_span<const std::int32_t> flat_gradient;  // may be empty
  device_span<std::uint8_t> direction;            // out: 0..7 or no_receiver

  LF_HD bool open_rows(index_t r) const {  // rows r − 1, r, r + 1 exist and are all valid
    if (r <= 0 || r + 1 >= g.rows || g.cols < 3) return false;
    const std::uint8_t* v = g.valid.data() + (r - 1) * g.cols;
    unsigned all = 1;
    for (index_t k = 0; k < 3 * g.cols; ++k) all &= v[k] != 0 ? 1u : 0u;
    return all != 0;
  }
  LF_HD std::uint8_t general(const d8_row_distances& dist, index_t r, index_t c, index_t i) const {
    return g.is_valid(i) ? d8_direction(domain_neighbours(g, i, r, c), dist, elevation, flat_gradient, i) : no_receiver;
  }
  LF_HD void operator()(index_t r) const {
    const d8_row_distances dist(g, r);
    const index_t row = r * g.cols;
    if (!open_rows(r)) {
      for (index_t c = 0; c < g.cols; ++c) direction[row + c] = general(dist, r, c, row + c);
      return;
    }
    const float* mid = elevation.data() + row;
    const std::int32_t* gmid = flat_gradient.empty() ? nullptr : flat_gradient.data() + row;
    const d8_open_rows rows{mid - g.cols, mid, mid + g.cols, gmid == nullptr ? nullptr : gmid - g.cols, gmid,
                            gmid == nullptr ? nullptr : gmid + g.cols, &dist};
    direction[row] = general(dist, r, 0, row);
    std::int32_t d[d8_lanes];
    for (index_t c0 = 1; c0 + 1 < g.cols; c0 += d8_lanes) {
      const int count = static_cast<int>(g.cols - 1 - c0 < d8_lanes ? g.cols - 1 - c0 : d8_lanes);
      d8_open_chunk(rows, c0, count, d);
      for (int k = 0; k < count; ++k)
        direction[row + c0 + k] = d[k] >= 0 ? static_cast<std::uint8_t>(d[k]) : general(dist, r, c0 + k, row + c0 + k);
    }
    direction[row + g.cols - 1] = general(dist, r, g.cols - 1, row + g.cols - 1);
  }
};

}  // namespace leachflow::kernels::terrain
