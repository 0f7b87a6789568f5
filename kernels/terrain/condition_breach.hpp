// Parallel breach-fill hybrid (after Lindsay 2016, "Efficient hybrid breaching-filling sink
// removal methods for flow path enforcement in digital elevation models"): each depression is
// drained by a channel cut from its lowest cell along the path water takes over the filled DEM,
// down to the first cell below it; a depression whose cut would be deeper or longer than the
// limits is first filled part way, to the lowest level at which its cut fits (at worst to its
// spill level: filled, as WhiteboxTools' least-cost breaching does with its fill option).
//
// z the DEM; F its Priority-Flood fill; W[b] the water level of pit basin b, so F =
// max(z, W[basin]) (condition_fill.hpp); d(c) the D8 receiver of c on F with the Barnes 2014 flat
// gradient (route_d8.hpp), which crosses a filled lake to its spill point. Pit basin b, root r
// (its lowest cell), gets a level t[b] in [z(r), W[b]]; the ocean basin t = -inf.
//   z1(c)   = max(z(c), t[basin(c)])        every basin filled up to its level;
//   path(b) = r, d(r), d(d(r)), ... up to and including the first cell whose receiver leaves the
//             domain, stopping before the first cell with z1 < t[b];
//   carve   every path cell with z1 > t[b] is lowered to t[b] (several pits: the lowest wins,
//           an atomic min, so the order of the threads does not matter).
// A carve fits when it lowers no cell by more than max_depth metres and at most max_length
// cells. Without limits t = z(r). With limits, first the depressions that must rise: filling
// one (t = W) only lengthens and deepens the carves through it, so the set of filled ones is
// the least fixed point of "filled when the carve at z(r) does not fit": rounds from none
// filled, each pit reading the previous round's levels (deterministic), until no pit changes;
// every round fills at least one more. Then each filled depression comes down from W to the
// lowest float level at which its carve fits against those levels (the neighbours full), in
// condition_breach_level.hpp. Final levels are no higher than the measured ones, so every final
// carve fits. (Levels part way inside the rounds were tried: two depressions whose paths cross
// each other's basins then climb above one another by one float step per round.)
//
// Everything drains, for any levels in [z(r), W]: suppose a connected set K of cells of equal
// output v has only higher neighbours and no outlet. A cell carved to v lies on a path at level
// v, which goes on at <= v (so inside K) to an outlet or a cell below v: impossible; so the
// output on K is z1. The drain pointers of z (condition_drain.hpp) keep z1 non-increasing inside
// a basin, so they lead inside K to the basin's root r, with z1(r) = t[r] = v (z1 >= t on the
// basin and t >= z(r)): r starts a path at level v, the same contradiction as above.
// Flat resolution then gives every cell a way out.
#pragma once

#include <cstdint>
#include <limits>

#include "kernels/exec/atomic.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/terrain/condition_common.hpp"
#include "kernels/terrain/flow_graph.hpp"

namespace leachflow::kernels::terrain {

// The filled DEM's D8 path from a pit root, read against breach levels t.
struct breach_path {
  grid_view g;
  exec::device_span<const std::uint8_t> code;  // D8 receivers on the filled DEM
  exec::device_span<const float> z;            // the DEM as given
  exec::device_span<const std::int32_t> basin;
  exec::device_span<const float> t;            // breach level per basin, [0] = -inf

  // The next cell on the path, or -1 where the water leaves the domain.
  LF_HD index_t next(index_t c) const {
    const int d = code[c];
    return d == no_receiver ? -1 : valid_neighbour(g, c / g.cols, c % g.cols, d);
  }
  // z1 of cell c, with pit `own` at level t_own.
  LF_HD float filled_to_level(index_t c, std::int32_t own, float t_own) const {
    const std::int32_t b = basin[c];
    const float w = b == own ? t_own : t[b];
    return z[c] < w ? w : z[c];  // as raise_to_level: a -0 cell stays -0 under a +0 level
  }
  // Whether pit `own`'s carve at `level` keeps within the limits.
  LF_HD bool fits(index_t root, std::int32_t own, float level, float max_depth, index_t max_length) const {
    index_t length = 0;
    for (index_t c = next(root); c >= 0; c = next(c)) {
      const float v = filled_to_level(c, own, level);
      if (v < level) break;
      if (v > level && (++length > max_length || v - level > max_depth)) return false;
    }
    return true;
  }
};

// t[k + 1] = z(root of pit k), t[0] = W[0] = -inf: every depression breached, the start of the rounds.
struct breach_level_start {
  exec::device_span<const std::int64_t> pit_root;
  exec::device_span<const float> z;
  exec::device_span<const float> water;
  exec::device_span<float> t;
  LF_HD void operator()(index_t k) const {
    if (k == 0) t[0] = water[0];
    t[k + 1] = z[pit_root[k]];
  }
};

// One round: t_next[k + 1] = W of pit k where its carve no longer fits against the previous
// round's levels path.t, else its level stays. Returns 1 for a pit filled in this round.
struct breach_level_round {
  breach_path path;
  exec::device_span<const std::int64_t> pit_root;
  exec::device_span<const float> water;  // Priority-Flood water level W per basin
  float max_depth;
  index_t max_length;
  exec::device_span<float> t_next;
  LF_HD std::int64_t operator()(index_t k) const {
    const auto own = static_cast<std::int32_t>(k + 1);
    const float t = path.t[own];
    if (k == 0) t_next[0] = path.t[0];
    const bool fill = t < water[own] && !path.fits(pit_root[k], own, t, max_depth, max_length);
    t_next[own] = fill ? water[own] : t;
    return fill ? 1 : 0;
  }
};

// z_out (already z1) lowered along pit k's path to its level.
struct carve_breach {
  breach_path path;  // t: the final levels
  exec::device_span<const std::int64_t> pit_root;
  exec::device_span<const float> water;
  exec::device_span<float> z_out;
  LF_HD void operator()(index_t k) const {
    const auto own = static_cast<std::int32_t>(k + 1);
    const float t = path.t[own];
    if (water[own] <= t) return;  // filled to its water level, or never a depression: no carve
    for (index_t c = path.next(pit_root[k]); c >= 0; c = path.next(c)) {
      const float v = path.filled_to_level(c, own, t);
      if (v < t) break;
      // Carved already by a pit at a level no higher: from here on its path is this one (one D8
      // tree), and it stops no earlier and cuts no less, so the rest is done. Saves the walks
      // of the many pits that share one channel; the output is the same in any thread order.
      const float now = atomic_read(&z_out[c]);
      if (now < v && now <= t) break;
      if (v > t) exec::atomic_min(&z_out[c], t);
    }
  }
};

// 1 for a depression filled for the limits (its level above its root).
struct raised_breach_level {
  exec::device_span<const std::int64_t> pit_root;
  exec::device_span<const float> z;
  exec::device_span<const float> t;
  LF_HD std::int64_t operator()(index_t k) const { return t[k + 1] > z[pit_root[k]] ? 1 : 0; }
};

}  // namespace leachflow::kernels::terrain
