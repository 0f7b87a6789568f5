// Connected components over an implicit graph by min-label hooking and shortcutting (FastSV,
// Zhang, Azad & Hu 2020; after Shiloach & Vishkin 1982), in place on one label per cell (int32
// or int64: the caller picks the width that holds every cell index).
//
// Used by DEM conditioning to label flats (8-connected equal-elevation cells, Barnes et al.
// 2014); one label per cell, no second buffer. (Drainage basins use bounded pointer following
// instead, condition_fill.hpp: on a forest it needs no atomics and fewer passes.)
//
// Invariants: label[x] <= x and label[x] lies in x's component; labels only decrease
// (atomic_fetch_min), so every read is a valid ancestor whatever the interleaving. A pass in
// which nothing decreased proves convergence: for every vertex u, label[u] <= label[label[u]]
// (shortcut) makes label[u] a root, and for every edge (u, v) the cross hooks give
// root(u) <= root(v) <= root(u). So at exit label[u] is the one root of u's component; which
// vertex that is may depend on timing, but the partition never does.
#pragma once

#include <cstdint>

#include "kernels/exec/algorithms.hpp"
#include "kernels/exec/atomic.hpp"
#include "kernels/exec/memory.hpp"
#include "kernels/terrain/condition_common.hpp"

namespace leachflow::kernels::terrain {

inline constexpr index_t components_block = 1024;

// Edges: LF_HD int operator()(index_t u, index_t* out) const, writing at most 8 neighbours
// of u (each undirected edge may be listed from one side only), or returning -1 when u has
// no edge at all, listed from either side (then nothing is done for u).
template <class Edges, class Label>
struct hook_and_shortcut {
  Edges edges;
  exec::device_span<Label> label;
  exec::device_span<std::int64_t> changes;  // one counter
  index_t n;

  LF_HD Label read(index_t x) const { return atomic_read(&label[x]); }
  LF_HD bool lower(index_t x, Label v) const { return exec::atomic_fetch_min(&label[x], v) > v; }

  LF_HD void operator()(index_t b) const {
    const index_t lo = b * components_block;
    const index_t hi = lo + components_block < n ? lo + components_block : n;
    std::int64_t changed = 0;
    for (index_t u = lo; u < hi; ++u) {
      index_t nb[8];
      const int k = edges(u, nb);
      if (k < 0) continue;  // a vertex without any edge: its label stays itself
      bool ch = false;
      for (int e = 0; e < k; ++e) {
        const index_t v = nb[e];
        const Label fu = read(u), fv = read(v);
        const Label gfu = read(fu), gfv = read(fv);
        ch = lower(fu, gfv) || ch;  // stochastic hooking, both ways
        ch = lower(fv, gfu) || ch;
        ch = lower(u, gfv) || ch;   // aggressive hooking
        ch = lower(v, gfu) || ch;
      }
      const Label f = read(u);
      ch = lower(u, read(f)) || ch;  // shortcutting
      if (ch) ++changed;
    }
    if (changed != 0) exec::atomic_add(&changes[0], changed);
  }
};

template <class Label>
struct label_identity {
  exec::device_span<Label> label;
  LF_HD void operator()(index_t i) const { label[i] = static_cast<Label>(i); }
};

// Fills label (size n) with a root per component; returns the number of passes.
template <class Edges, class Label>
int connected_components(index_t n, const Edges& edges, exec::device_span<Label> label) {
  exec::for_each_index(n, label_identity<Label>{label});
  exec::device_buffer<std::int64_t> changes(1);
  const index_t blocks = (n + components_block - 1) / components_block;
  int passes = 0;
  for (;;) {
    exec::fill<std::int64_t>(changes.span(), 0);
    exec::for_each_index(blocks, hook_and_shortcut<Edges, Label>{edges, label, changes.span(), n});
    ++passes;
    if (exec::read_one<std::int64_t>(changes.span(), 0) == 0) return passes;
  }
}

}  // namespace leachflow::kernels::terrain
