// Parallel Priority-Flood fill by drainage basins and their spill graph.
// The algorithm and its proof of equality with Priority-Flood (Barnes, Lehman & Mulla 2014)
// are in kernels/terrain/condition_fill.hpp; this file launches it and solves the spill graph.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/condition_fill.hpp"
#include "model/terrain/condition.hpp"
#include "model/terrain/depression_basins.hpp"

namespace leachflow::model::terrain {

namespace kt = kernels::terrain;

namespace {

// Water level of every basin: the minimax path weight to the ocean (basin 0). Kruskal order:
// a basin's level is the weight of the edge that first joins its component to the ocean's.
// weight_key is sorted ascending; pair holds (basin_a << 32 | basin_b).
//
// One thread walks millions of edges in weight order, i.e. in random basin order, so each
// access is a cache miss: everything a union needs sits in one int32 array. A root holds
// -1 - (rank << 1 | ocean), any other node its parent; the members of a component form a
// circular list through `next` (joined by swapping two successors), walked once, when the
// component joins the ocean.
std::vector<float> spill_levels(std::int32_t pits, const std::vector<std::uint32_t>& weight_key,
                                const std::vector<std::uint64_t>& pair) {
  const std::size_t nodes = static_cast<std::size_t>(pits) + 1;
  std::vector<float> level(nodes, std::numeric_limits<float>::infinity());
  level[0] = -std::numeric_limits<float>::infinity();
  std::vector<std::int32_t> up(nodes, -1), next(nodes);
  up[0] = -2;  // the ocean: rank 0, ocean bit set
  for (std::size_t i = 0; i < nodes; ++i) next[i] = static_cast<std::int32_t>(i);
  auto find = [&](std::int32_t x) {
    while (up[x] >= 0) {
      const std::int32_t p = up[x];
      if (up[p] < 0) return p;
      up[x] = up[p];  // path halving
      x = up[p];
    }
    return x;
  };
  std::int64_t left = pits;
  for (std::size_t e = 0; e < pair.size() && left > 0; ++e) {
    std::int32_t ra = find(static_cast<std::int32_t>(pair[e] >> 32));
    std::int32_t rb = find(static_cast<std::int32_t>(pair[e] & 0xffffffffu));
    if (ra == rb) continue;
    const std::int32_t ta = -1 - up[ra], tb = -1 - up[rb];  // rank << 1 | ocean
    if ((ta ^ tb) & 1) {
      const float w = kt::from_ordered_key(weight_key[e]);
      const std::int32_t dry = (ta & 1) ? rb : ra;
      std::int32_t x = dry;
      do {
        level[x] = w;
        --left;
        x = next[x];
      } while (x != dry);
    }
    const std::int32_t ka = ta >> 1, kb = tb >> 1;  // union by rank
    if (ka < kb) std::swap(ra, rb);
    up[ra] = -1 - ((ka == kb ? ka + 1 : std::max(ka, kb)) << 1 | ((ta | tb) & 1));
    up[rb] = ra;
    std::swap(next[ra], next[rb]);  // splice the two circular member lists
  }
  return level;
}

// a) + b): basin[i] = the dense id of i's drainage basin (0 ocean, 1..K pits, -1 NoData) and
// pit_root[k] = the root cell of pit basin k + 1; returns K. Roots are cell indices, so the
// labels are Label wide: int32 below 2^31 cells (half the memory and traffic), else int64.
template <class Label>
std::int64_t drainage_basins(const kernels::grid_view& g, exec::device_span<const float> z,
                             exec::device_buffer<std::int32_t>& basin, exec::device_buffer<std::int64_t>& pit_root) {
  const index_t n = g.cells();
  exec::device_buffer<Label> label(n);
  {
    exec::device_buffer<Label> other(n);
    exec::device_buffer<std::int64_t> unfinished(1);
    exec::for_each_index(kt::tile_count(g, kt::root_tile), kt::tile_roots<Label>{g, z, label.span()});
    const index_t blocks = (n + kt::root_block - 1) / kt::root_block;
    for (;;) {
      exec::fill<std::int64_t>(unfinished.span(), 0);
      exec::for_each_index(blocks, kt::follow_pointers<Label>{label.span(), other.span(), unfinished.span()});
      std::swap(label, other);
      if (exec::read_one<std::int64_t>(unfinished.span(), 0) == 0) break;
    }
  }
  exec::device_buffer<std::int32_t> slot(n);
  exec::for_each_index(n, kt::mark_pit_basins<Label>{g, label.span(), slot.span()});
  const std::int64_t pits = exec::transform_reduce(n, kt::read_int32_flag{slot.span()}, std::int64_t{0},
                                                   exec::plus<std::int64_t>{});
  if (pits >= std::numeric_limits<std::int32_t>::max()) {
    throw std::length_error("fill_depressions: more than 2^31 - 1 pits; dense basin ids are int32");
  }
  exec::exclusive_scan<std::int32_t>(slot.span(), slot.span(), 0);
  const auto k = static_cast<std::int32_t>(pits);
  pit_root = exec::device_buffer<std::int64_t>(pits);
  exec::for_each_index(n, kt::record_pit_roots<Label>{g, slot.span(), k, label.span(), pit_root.span()});
  if constexpr (std::is_same_v<Label, std::int32_t>) {
    // In place: each cell reads only its own label (and the slots).
    exec::for_each_index(n, kt::assign_dense_basin<Label>{g, slot.span(), k, label.span(), label.span()});
    basin = std::move(label);
  } else {
    basin = exec::device_buffer<std::int32_t>(n);
    exec::for_each_index(n, kt::assign_dense_basin<Label>{g, slot.span(), k, label.span(), basin.span()});
  }
  return pits;
}

}  // namespace

index_t label_basins(const kernels::grid_view& g, exec::device_span<const float> z,
                     exec::device_buffer<std::int32_t>& basin, exec::device_buffer<std::int64_t>& pit_root, LabelWidth width) {
  return width == LabelWidth::automatic && g.cells() <= std::numeric_limits<std::int32_t>::max()
             ? drainage_basins<std::int32_t>(g, z, basin, pit_root)
             : drainage_basins<std::int64_t>(g, z, basin, pit_root);
}

DepressionBasins depression_basins(const kernels::grid_view& g, exec::device_span<const float> z_in, LabelWidth width) {
  DepressionBasins b;
  const index_t n = g.cells();
  if (n == 0) return b;

  // a) + b) basins: components of the drainage forest, then dense ids (0 = ocean).
  b.pits = label_basins(g, z_in, b.basin, b.pit_root, width);
  std::vector<float> level_h;
  if (b.pits == 0) {
    level_h.assign(1, -std::numeric_limits<float>::infinity());
  } else {
    // c) spill edges, sorted by weight.
    const index_t blocks = kt::tile_count(g, kt::spill_tile);
    exec::device_buffer<std::int64_t> count(blocks), offset(blocks);
    std::vector<std::uint32_t> key_h;
    std::vector<std::uint64_t> pair_h;
    {
      exec::device_buffer<std::uint32_t> scratch_key(blocks * kt::spill_slots);
      exec::device_buffer<std::uint64_t> scratch_pair(blocks * kt::spill_slots);
      exec::for_each_index(blocks, kt::collect_spill_edges{g, z_in, b.basin.span(), count.span(), scratch_key.span(),
                                                           scratch_pair.span()});
      const std::int64_t last = exec::read_one<std::int64_t>(count.span(), blocks - 1);
      exec::exclusive_scan<std::int64_t>(count.span(), offset.span(), 0);
      const std::int64_t edges = exec::read_one<std::int64_t>(offset.span(), blocks - 1) + last;
      b.spill_edges = edges;
      exec::device_buffer<std::uint32_t> key(edges);
      exec::device_buffer<std::uint64_t> pair(edges);
      const kt::emit_spill_edges emit{g, z_in, b.basin.span(), offset.span(), key.span(), pair.span()};
      exec::for_each_index(blocks, kt::pack_spill_edges{emit, count.span(), scratch_key.span(), scratch_pair.span()});
      scratch_key = exec::device_buffer<std::uint32_t>();
      scratch_pair = exec::device_buffer<std::uint64_t>();
      exec::sort_by_key(key.span(), pair.span());
      key_h = exec::to_host(key);
      pair_h = exec::to_host(pair);
    }
    // d) water levels on the host.
    level_h = spill_levels(static_cast<std::int32_t>(b.pits), key_h, pair_h);
  }
  b.level = exec::to_device(level_h);
  return b;
}

FillStats fill_depressions(const kernels::grid_view& g, exec::device_span<const float> z_in,
                           exec::device_span<float> z_out) {
  exec::copy(z_in, z_out);
  return fill_depressions_in_place(g, z_out);
}

// Every step reads the DEM as it was until e) writes it; e) reads and writes each cell only at
// its own index, so one buffer serves as input and output (4 B/cell off the condition peak).
FillStats fill_depressions_in_place(const kernels::grid_view& g, exec::device_span<float> z, LabelWidth width) {
  FillStats st;
  const index_t n = g.cells();
  if (n == 0) return st;
  const exec::device_span<const float> z_in = z;
  const DepressionBasins b = depression_basins(g, z_in, width);
  st.pits = b.pits;
  st.spill_edges = b.spill_edges;

  // e) raise (pits counted first: they read the pit's elevation before it is raised).
  st.depressions = exec::transform_reduce(b.pits, kt::raised_pit{b.pit_root.span(), b.level.span(), z_in},
                                          std::int64_t{0}, exec::plus<std::int64_t>{});
  st.cells_raised = exec::transform_reduce(n, kt::raise_to_level{g, z_in, b.basin.span(), b.level.span(), z},
                                           std::int64_t{0}, exec::plus<std::int64_t>{});
  return st;
}

}  // namespace leachflow::model::terrain
