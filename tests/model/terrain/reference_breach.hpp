// Serial reference of the breach-fill hybrid of kernels/terrain/condition_breach.hpp, for tests
// only: written from that definition, one pit and one cell at a time, over the other serial
// references (Priority-Flood fill, Barnes 2014 flats, reference_d8 on the filled DEM) and drain
// pointers followed cell by cell. Unit cell lengths, as DeviceDem.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "reference_conditioning.hpp"
#include "reference_flow.hpp"

namespace leachflow::test::terrain {

struct BreachLimits {
  float max_depth = std::numeric_limits<float>::infinity();
  index_t max_length = std::numeric_limits<index_t>::max();
};

inline std::vector<float> breach_hybrid(const HostDem& d, BreachLimits limits = {}) {
  const index_t n = d.cells();
  const std::vector<float> filled = priority_flood_fill(d);
  const std::vector<double> ones(static_cast<std::size_t>(d.rows > 0 ? d.rows : 1), 1.0);
  const std::vector<std::uint8_t> dir =
      reference::reference_d8(d.rows, d.cols, d.valid, filled, barnes2014_flat_mask(d, filled), {ones, ones, ones});
  const auto next = [&](index_t c) -> index_t {  // the receiver on the filled DEM, -1 out of the domain
    if (dir[c] == 0xFF) return -1;
    const index_t r = c / d.cols + reference::dr[dir[c]], k = c % d.cols + reference::dc[dir[c]];
    if (r < 0 || r >= d.rows || k < 0 || k >= d.cols || !d.valid[r * d.cols + k]) return -1;
    return r * d.cols + k;
  };

  // Basin roots: drain pointers to the lowest neighbour in (z, index) order, outlets to themselves.
  std::vector<index_t> root(n, -1);
  for (index_t i = 0; i < n; ++i) {
    if (!d.valid[i]) continue;
    index_t c = i;
    for (;;) {
      index_t low = c;
      if (!d.outlet(c)) {
        d.for_valid_neighbours(c, [&](index_t j) {
          if (d.z[j] < d.z[low] || (d.z[j] == d.z[low] && j < low)) low = j;
        });
      }
      if (low == c) break;
      c = low;
    }
    root[i] = c;
  }
  std::vector<index_t> pits;
  for (index_t i = 0; i < n; ++i)
    if (d.valid[i] && root[i] == i && !d.outlet(i)) pits.push_back(i);

  // Breach levels by root cell (-inf: the basin drains to an outlet).
  const bool limited = !std::isinf(limits.max_depth) || limits.max_length != std::numeric_limits<index_t>::max();
  std::vector<float> level(n, -std::numeric_limits<float>::infinity());
  for (const index_t p : pits) level[p] = d.z[p];
  const auto z1 = [&](const std::vector<float>& t, index_t c, index_t own, float t_own) {
    const float w = root[c] == own ? t_own : t[root[c]];
    return d.z[c] < w ? w : d.z[c];
  };
  const auto fits = [&](const std::vector<float>& t, index_t p, float at) {
    index_t length = 0;
    for (index_t c = next(p); c >= 0; c = next(c)) {
      const float v = z1(t, c, p, at);
      if (v < at) break;
      if (v > at) {
        ++length;
        if (length > limits.max_length || v - at > limits.max_depth) return false;
      }
    }
    return true;
  };
  const auto key = [](float f) {
    const auto u = std::bit_cast<std::uint32_t>(f);
    return (u & 0x80000000u) != 0 ? ~u : (u | 0x80000000u);
  };
  const auto from_key = [](std::uint32_t k) {
    return std::bit_cast<float>((k & 0x80000000u) != 0 ? (k & 0x7fffffffu) : ~k);
  };
  // Rounds: a depression whose carve does not fit against the last round's levels is filled.
  for (bool changed = limited; changed;) {
    changed = false;
    std::vector<float> t = level;
    for (const index_t p : pits) {
      if (level[p] < filled[p] && !fits(level, p, level[p])) {
        t[p] = filled[p];
        changed = true;
      }
    }
    level = t;
  }
  // Filled ones down to the lowest float level that fits against those levels, by bisection
  // over the floats in order.
  std::vector<float> lowest = level;
  for (const index_t p : pits) {
    if (level[p] <= d.z[p]) continue;
    std::uint32_t lo = key(d.z[p]), hi = key(filled[p]);
    while (hi - lo > 1) {
      const std::uint32_t mid = lo + (hi - lo) / 2;
      (fits(level, p, from_key(mid)) ? hi : lo) = mid;
    }
    const float t = from_key(hi);
    lowest[p] = t == filled[p] ? filled[p] : t == 0.0f ? 0.0f : t;  // one zero for both: W's, else +0
  }
  level = lowest;

  std::vector<float> out(d.z);
  for (index_t i = 0; i < n; ++i)
    if (d.valid[i]) out[i] = z1(level, i, -1, 0.0f);
  for (const index_t p : pits) {
    if (filled[p] <= level[p]) continue;
    for (index_t c = next(p); c >= 0; c = next(c)) {
      const float v = z1(level, c, p, level[p]);
      if (v < level[p]) break;
      if (v > level[p] && level[p] < out[c]) out[c] = level[p];
    }
  }
  return out;
}

}  // namespace leachflow::test::terrain
