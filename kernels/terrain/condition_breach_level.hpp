// The lowest breach level at which a filled depression's carve fits (condition_breach.hpp):
// one walk along its path for depth limits and length limits under 64 cells, a bisection over
// walks for longer ones; both exact to the float.
#pragma once

#include <cstdint>
#include <limits>

#include "kernels/exec/span.hpp"
#include "kernels/terrain/condition_breach.hpp"
#include "kernels/terrain/condition_common.hpp"

namespace leachflow::kernels::terrain {

// The lowest float in (lo, hi] where `holds` is true, for a `holds` false at lo, true at hi and
// monotone between: bisection over the floats in order (ordered_key), exact to the last bit.
template <class Holds>
LF_HD float lowest_float_where(float lo, float hi, const Holds& holds) {
  std::uint32_t a = ordered_key(lo), b = ordered_key(hi);
  while (b - a > 1) {
    const std::uint32_t mid = a + (b - a) / 2;
    if (holds(from_ordered_key(mid))) {
      b = mid;
    } else {
      a = mid;
    }
  }
  return from_ordered_key(b);
}

// The lowest float t with !(top - t > max_depth) or t >= top: how low a level may go when the
// highest cell its carve meets is `top` (no walk: cheap).
LF_HD inline float depth_bound(float top, float max_depth) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  if (max_depth == inf) return -inf;
  return lowest_float_where(-inf, top, [&](float t) { return !(top - t > max_depth); });
}

// The smallest float above v (both zeros lie below the first positive one).
LF_HD inline float float_above(float v) {
  return v == 0.0f ? std::numeric_limits<float>::denorm_min() : from_ordered_key(ordered_key(v) + 1);
}

// The (n + 1)-th largest of the values seen, for length limits n < capacity: the lowest level
// at which at most n of them lie above it (-inf while n + 1 have not been seen).
struct largest_values {
  static constexpr int capacity = 64;
  float v[capacity];  // descending
  int size = 0;
  LF_HD void add(float x, int keep) {
    if (size == keep && !(x > v[keep - 1])) return;
    int i = size < keep ? size++ : keep - 1;
    for (; i > 0 && v[i - 1] < x; --i) v[i] = v[i - 1];
    v[i] = x;
  }
};

// After the rounds: t_out[k + 1] = the lowest level at which filled pit k's carve fits against
// the rounds' levels path.t. One walk: for each cell where the path could stop (a cell of another
// basin, below the level), the levels that stop there form an interval (its value, the lowest
// value of the other basins before it]; the limits bound the level from below by what lies
// before it (the highest value, and the (n + 1)-th highest for a length n). The bounds only
// rise along the path and the intervals only fall, so the walk ends where they cross. Length
// limits of 64 cells or more take the bisection over walks instead (path.fits), same answer.
struct lowest_fitting_level {
  breach_path path;
  exec::device_span<const std::int64_t> pit_root;
  exec::device_span<const float> water;
  float max_depth;
  index_t max_length;
  exec::device_span<float> t_out;

  LF_HD float by_bisection(index_t root, std::int32_t own) const {
    return lowest_float_where(path.z[root], water[own],
                              [&](float t) { return path.fits(root, own, t, max_depth, max_length); });
  }

  LF_HD float by_one_walk(index_t root, std::int32_t own) const {
    constexpr float inf = std::numeric_limits<float>::infinity();
    const bool counted = max_length < largest_values::capacity;
    const int keep = counted ? static_cast<int>(max_length) + 1 : 0;
    largest_values largest;
    float best = water[own];     // fits
    float ceiling = inf;         // lowest value of the other basins so far: a level must not exceed it
    float bound = path.z[root];  // what the limits and the root ask of a level so far
    float top = -inf;
    bool walked = true;
    for (index_t c = path.next(root); c >= 0; c = path.next(c)) {
      const bool mine = path.basin[c] == own;
      const float v = mine ? path.z[c] : path.filled_to_level(c, own, 0.0f);  // t_own unread: not mine
      if (!mine) {  // stop here: a level in (v, ceiling]
        const float stop = float_above(v) > bound ? float_above(v) : bound;
        if (stop <= ceiling && stop < best) best = stop;
        if (v < ceiling) ceiling = v;
      }
      if (v > top) {
        top = v;
        const float d = depth_bound(top, max_depth);
        if (d > bound) bound = d;
      }
      if (counted) {
        largest.add(v, keep);
        if (largest.size == keep && largest.v[keep - 1] > bound) bound = largest.v[keep - 1];
      }
      if (bound > ceiling || bound >= best) {
        walked = false;
        break;
      }
    }
    if (walked && bound <= ceiling && bound < best) best = bound;  // through to the outlet
    return best;
  }

  LF_HD void operator()(index_t k) const {
    const auto own = static_cast<std::int32_t>(k + 1);
    const index_t root = pit_root[k];
    if (k == 0) t_out[0] = path.t[0];
    if (path.t[own] <= path.z[root]) {  // breached, or never a depression
      t_out[own] = path.t[own];
      return;
    }
    const bool one_walk =
        max_length < largest_values::capacity || max_length == std::numeric_limits<index_t>::max();
    const float t = one_walk ? by_one_walk(root, own) : by_bisection(root, own);
    // One zero for both (they fit alike): W's own where the level is W, else +0.
    t_out[own] = t == water[own] ? water[own] : t == 0.0f ? 0.0f : t;
  }
};

}  // namespace leachflow::kernels::terrain
