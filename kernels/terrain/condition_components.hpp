// Connected components of equal-elevation cells (the flats of Barnes et al. 2014 are the
// components that hold a low edge), in place on one label per cell (int32 or int64: the caller
// picks the width that holds every cell index).
//
//   1. tile_equal_components: one thread per square tile labels the tile's own components with
//      a local union-find; every cell gets its tile root (the smallest cell of its component
//      within the tile), and tile roots are flagged.
//   2. hook_tile_borders: the graph whose vertices are the tile roots and whose edges are the
//      equal-elevation pairs that cross a tile border (about 1/10 of the cells), labelled by
//      hooking and shortcutting (Afforest-style, Zhang, Azad & Hu 2020; after Shiloach & Vishkin
//      1982) until a pass changes nothing. Only tile roots' labels change.
//   3. jump_to_root: every cell takes its tile root's final label.
//
// Invariants: label[x] <= x and label[x] lies in x's component; a tile root's label is always a
// tile root; labels only decrease (atomic_fetch_min), so every read is a valid ancestor whatever
// the interleaving. A pass in which nothing decreased proves convergence: each edge (a, b)
// between tile roots shortcuts both ends, so label[a] <= label[label[a]] makes label[a] a root,
// and the cross hooks give label[label[b]] = label[a]: both ends reach one root. Components
// are then exactly the classes of the contracted graph, because every cell is joined to its
// tile root by in-tile edges. Which vertex is a component's root may depend on timing; the
// partition never does.
#pragma once

#include <cstdint>

#include "kernels/exec/algorithms.hpp"
#include "kernels/exec/atomic.hpp"
#include "kernels/exec/memory.hpp"
#include "kernels/terrain/condition_common.hpp"
#include "kernels/terrain/condition_flats.hpp"

namespace leachflow::kernels::terrain {

inline constexpr index_t component_tile = 32;  // a power of two: tile of a row or column by a shift
inline constexpr std::uint8_t flag_tile_root = 16;

LF_HD inline bool equal_neighbours(const grid_view& g, exec::device_span<const float> z, index_t i, index_t j) {
  return g.valid[j] != 0 && z[j] == z[i];
}

// 1. One launch index per tile. Edges listed from each cell to its E, SE, S and SW neighbours
// inside the tile cover every in-tile pair once. Union by smaller local index, so a local
// root is the smallest cell of its local component (local and global order agree).
template <class Label>
struct tile_equal_components {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<std::uint8_t> flags;
  exec::device_span<Label> label;
  LF_HD static int find(std::int16_t* parent, int x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];  // path halving
      x = parent[x];
    }
    return x;
  }
  LF_HD void operator()(index_t t) const {
    const auto [r0, c0, r1, c1] = grid_tile(g, t, component_tile);
    std::int16_t parent[component_tile * component_tile];
    for (index_t r = r0; r < r1; ++r)
      for (index_t c = c0; c < c1; ++c) {
        const auto l = static_cast<int>((r - r0) * component_tile + (c - c0));
        parent[l] = static_cast<std::int16_t>(l);
      }
    for (index_t r = r0; r < r1; ++r) {
      for (index_t c = c0; c < c1; ++c) {
        const index_t i = r * g.cols + c;
        if ((flags[i] & flag_equal) == 0) continue;
        const auto l = static_cast<int>((r - r0) * component_tile + (c - c0));
        int a = -1;  // root of l, found once
        unsigned joined = 0;  // bit d: joined to neighbour d
        constexpr int order[4] = {0, 2, 1, 3};  // E, S, then SE, SW
        for (const int d : order) {
          // Implied edges: SE is joined through E (by E's S edge) or S (by S's E edge), SW
          // through S (by SW's E edge), inside the tile whenever SE or SW is: on a flat that
          // halves the finds.
          if ((d == 1 && (joined & 5u) != 0) || (d == 3 && (joined & 4u) != 0)) continue;
          const index_t rr = r + d8_row_step(d), cc = c + d8_col_step(d);
          if (rr >= r1 || cc < c0 || cc >= c1) continue;  // outside the tile (rr >= r0 always)
          if (!equal_neighbours(g, z, i, rr * g.cols + cc)) continue;
          joined |= 1u << d;
          if (a < 0) a = find(parent, l);
          const int b = find(parent, static_cast<int>((rr - r0) * component_tile + (cc - c0)));
          if (a < b) {
            parent[b] = static_cast<std::int16_t>(a);
          } else if (b < a) {
            parent[a] = static_cast<std::int16_t>(b);
            a = b;
          }
        }
      }
    }
    for (index_t r = r0; r < r1; ++r) {
      for (index_t c = c0; c < c1; ++c) {
        const index_t i = r * g.cols + c;
        const int root = find(parent, static_cast<int>((r - r0) * component_tile + (c - c0)));
        const index_t ri = (r0 + root / component_tile) * g.cols + c0 + root % component_tile;
        label[i] = static_cast<Label>(ri);
        if (ri == i) flags[i] = static_cast<std::uint8_t>(flags[i] | flag_tile_root);
      }
    }
  }
};

// 2. One launch index per grid row: the cells with an edge leaving their tile (a tile's last
// row; elsewhere its first and last columns). changes counts, per row, the cells whose pass
// lowered some label.
template <class Label>
struct hook_tile_borders {
  grid_view g;
  exec::device_span<const float> z;
  exec::device_span<const std::uint8_t> flags;
  exec::device_span<Label> label;
  exec::device_span<std::int64_t> changes;  // one counter

  LF_HD Label read(index_t x) const { return atomic_read(&label[x]); }
  LF_HD bool lower(index_t x, Label v) const { return exec::atomic_fetch_min(&label[x], v) > v; }
  // A cell's tile root: labels of other cells never change after step 1.
  LF_HD index_t tile_root(index_t i) const { return (flags[i] & flag_tile_root) != 0 ? i : static_cast<index_t>(read(i)); }

  LF_HD bool hook(index_t a, index_t b) const {
    const Label fa = read(a), fb = read(b);
    const Label gfa = read(fa), gfb = read(fb);
    bool ch = lower(fa, gfb);  // stochastic hooking, both ways
    ch = lower(fb, gfa) || ch;
    ch = lower(a, gfb) || ch;  // aggressive hooking
    ch = lower(b, gfa) || ch;
    ch = lower(a, read(read(a))) || ch;  // shortcutting both ends
    ch = lower(b, read(read(b))) || ch;
    return ch;
  }
  LF_HD bool cell(index_t r, index_t c) const {
    const index_t i = r * g.cols + c;
    if ((flags[i] & flag_equal) == 0) return false;
    bool ch = false;
    for (int d = 0; d < 4; ++d) {  // E, SE, S, SW
      const index_t rr = r + d8_row_step(d), cc = c + d8_col_step(d);
      if (rr >= g.rows || cc < 0 || cc >= g.cols) continue;
      if (rr / component_tile == r / component_tile && cc / component_tile == c / component_tile) continue;
      const index_t j = rr * g.cols + cc;
      if (equal_neighbours(g, z, i, j)) ch = hook(tile_root(i), tile_root(j)) || ch;
    }
    return ch;
  }
  LF_HD void operator()(index_t r) const {
    std::int64_t changed = 0;
    if (r % component_tile == component_tile - 1) {
      for (index_t c = 0; c < g.cols; ++c) changed += cell(r, c) ? 1 : 0;
    } else {
      for (index_t c0 = 0; c0 < g.cols; c0 += component_tile) {
        changed += cell(r, c0) ? 1 : 0;
        const index_t last = c0 + component_tile - 1;
        if (last < g.cols) changed += cell(r, last) ? 1 : 0;
      }
    }
    if (changed != 0) exec::atomic_add(&changes[0], changed);
  }
};

// 3. Every cell's label becomes its component's root: its tile root's label is a root at
// convergence (or the tile root itself). A tile root rewrites its own entry with the same value.
template <class Label>
struct jump_to_root {
  exec::device_span<Label> label;
  LF_HD void operator()(index_t i) const { label[i] = atomic_read(&label[atomic_read(&label[i])]); }
};

// Fills label (one per cell) with a root per equal-elevation component of valid cells (cells
// without an equal neighbour are their own root). Sets flag_tile_root in flags. Returns the
// number of hooking passes.
template <class Label>
int equal_elevation_components(const grid_view& g, exec::device_span<const float> z, exec::device_span<std::uint8_t> flags,
                               exec::device_span<Label> label) {
  exec::for_each_index(tile_count(g, component_tile), tile_equal_components<Label>{g, z, flags, label});
  exec::device_buffer<std::int64_t> changes(1);
  int passes = 0;
  for (;;) {
    exec::fill<std::int64_t>(changes.span(), 0);
    exec::for_each_index(g.rows, hook_tile_borders<Label>{g, z, flags, label, changes.span()});
    ++passes;
    if (exec::read_one<std::int64_t>(changes.span(), 0) == 0) break;
  }
  exec::for_each_index(g.cells(), jump_to_root<Label>{label});
  return passes;
}

}  // namespace leachflow::kernels::terrain
