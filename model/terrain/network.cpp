// Streams, Strahler order, links, basins and watersheds (see network.hpp).
#include "model/terrain/network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/accumulate.hpp"
#include "kernels/terrain/network.hpp"
#include "model/transport/pits.hpp"

namespace leachflow::model::terrain {

namespace kt = kernels::terrain;

namespace {

exec::device_buffer<index_t> dominant_next(const FlowGraph& graph) {
  exec::device_buffer<index_t> next(graph.cells());
  exec::for_each_index(graph.cells(), kt::dominant_next_kernel{graph.view(), graph.grid(), next.span()});
  return next;
}

// root[i] = the end of i's path (or `stop` if the path reaches it first).
exec::device_buffer<index_t> path_roots(exec::device_span<const index_t> next, index_t stop = -1) {
  const index_t n = next.size();
  exec::device_buffer<index_t> a(n), b(n);
  exec::for_each_index(n, kt::root_init_kernel{next, stop, a.span()});
  for (;;) {
    exec::for_each_index(n, kt::root_jump_kernel{a.span(), b.span()});
    const index_t moved = exec::transform_reduce(n, kt::root_changed{a.span(), b.span()}, index_t{0}, exec::plus<index_t>{});
    std::swap(a, b);
    if (moved == 0) return a;
  }
}

// Dense ids for the flagged cells, ascending with the cell index: id per cell (from key, -1 where
// key < 0) and the flagged cell of each id. Returns the number of ids.
index_t dense_ids(exec::device_span<const index_t> key, exec::device_span<index_t> flag,
                  exec::device_buffer<std::int64_t>& id, exec::device_buffer<index_t>& cell_of) {
  const index_t n = key.size();
  exec::device_buffer<index_t> rank(n);
  exec::exclusive_scan<index_t>(flag, rank.span(), 0);
  const index_t count = n == 0 ? 0 : exec::read_one<index_t>(rank.span(), n - 1) + exec::read_one<index_t>(flag, n - 1);
  id = exec::device_buffer<std::int64_t>(n);
  cell_of = exec::device_buffer<index_t>(count);
  exec::for_each_index(n, kt::dense_id_kernel{key, flag, rank.span(), id.span(), cell_of.span()});
  return count;
}

template <class T>
std::vector<T> gather_to_host(exec::device_span<const index_t> cell_of, exec::device_span<const T> per_cell) {
  exec::device_buffer<T> out(cell_of.size());
  exec::for_each_index(cell_of.size(), kt::gather_kernel<T>{cell_of, per_cell, out.span()});
  return exec::to_host(out);
}

}  // namespace

StreamNetwork stream_network(const FlowGraph& graph, exec::device_span<const double> area_m2,
                             exec::device_span<const float> elevation, double threshold_m2) {
  const index_t n = graph.cells();
  const kernels::grid_view g = graph.grid();
  StreamNetwork net;
  net.stream = exec::device_buffer<std::uint8_t>(n);
  exec::for_each_index(n, kt::stream_mask_kernel{g, area_m2, threshold_m2, net.stream.span()});
  net.strahler = exec::device_buffer<std::int32_t>(n);
  exec::device_buffer<index_t> head(n);
  exec::device_buffer<double> from_head(n);
  exec::fill<std::int32_t>(net.strahler.span(), 0);
  exec::fill<index_t>(head.span(), -1);
  exec::fill(from_head.span(), 0.0);
  kt::detail::launch(kt::network_pull{graph.view(), g, graph.order(), net.stream.span(), net.strahler.span(),
                                      head.span(), from_head.span()},
                     graph.order(), std::span(graph.schedule()));

  // Link ids by ascending head cell; each link's tail writes its row of the table.
  exec::device_buffer<index_t> key(n), flag(n), head_of;
  exec::for_each_index(n, kt::stream_key{net.stream.span(), head.span(), key.span()});
  exec::for_each_index(n, kt::link_head_flag{net.stream.span(), head.span(), flag.span()});
  const index_t links = dense_ids(key.span(), flag.span(), net.link, head_of);
  const exec::device_buffer<index_t> next = dominant_next(graph);
  exec::device_buffer<index_t> tail(links);
  exec::device_buffer<std::int64_t> downstream(links);
  exec::device_buffer<std::int32_t> order(links);
  exec::device_buffer<double> length(links), drop(links);
  exec::for_each_index(n, kt::link_table_kernel{graph.view(), g, net.stream.span(), next.span(), head.span(),
                                                from_head.span(), net.strahler.span(), elevation, net.link.span(),
                                                tail.span(), downstream.span(), order.span(), length.span(),
                                                drop.span()});
  const auto h_head = exec::to_host(head_of);
  const auto h_tail = exec::to_host(tail);
  const auto h_down = exec::to_host(downstream);
  const auto h_order = exec::to_host(order);
  const auto h_length = exec::to_host(length);
  const auto h_drop = exec::to_host(drop);
  net.links.resize(static_cast<std::size_t>(links));
  for (std::size_t k = 0; k < net.links.size(); ++k) {
    StreamLink& l = net.links[k];
    l.head = h_head[k];
    l.tail = h_tail[k];
    l.downstream = h_down[k];
    l.strahler = h_order[k];
    l.length_m = h_length[k];
    l.drop_m = h_drop[k];
    l.slope = l.length_m > 0 ? l.drop_m / l.length_m : 0.0;
  }
  return net;
}

Basins basins(const FlowGraph& graph, const Grid& grid) {
  const index_t n = graph.cells();
  if (grid.cells() != n) throw std::invalid_argument("basins: the grid and the flow graph differ in size");
  const kernels::grid_view g = graph.grid();
  const exec::device_buffer<index_t> next = dominant_next(graph);
  const exec::device_buffer<index_t> root = path_roots(next.span());
  exec::device_buffer<index_t> key(n), flag(n), outlet;
  exec::for_each_index(n, kt::valid_key{g, root.span(), key.span()});
  exec::for_each_index(n, kt::basin_outlet_flag{g, root.span(), flag.span()});
  Basins b;
  dense_ids(key.span(), flag.span(), b.id, outlet);
  // Areas and cell counts pulled down the dominant tree; an outlet holds its basin's totals.
  exec::device_buffer<double> tree_area(n);
  exec::device_buffer<index_t> tree_cells(n);
  exec::fill(tree_area.span(), 0.0);
  exec::fill<index_t>(tree_cells.span(), 0);
  kt::detail::launch(kt::dominant_tree_pull{graph.view(), g, graph.order(), tree_area.span(), tree_cells.span()},
                     graph.order(), std::span(graph.schedule()));
  b.outlet = exec::to_host(outlet);
  b.area_m2 = gather_to_host<double>(outlet.span(), tree_area.span());
  b.cells = gather_to_host<index_t>(outlet.span(), tree_cells.span());
  return b;
}

Watershed watershed(const FlowGraph& graph, const Grid& grid, exec::device_span<const double> area_m2,
                    exec::device_span<const std::uint8_t> stream, double x, double y, double max_snap_m) {
  const double col_f = (x - grid.geotransform[0]) / grid.geotransform[1];
  const double row_f = (y - grid.geotransform[3]) / grid.geotransform[5];
  if (!std::isfinite(col_f) || !std::isfinite(row_f) || !(max_snap_m >= 0))
    throw std::invalid_argument("pour point: coordinates and snap distance must be finite numbers");
  // Search a window wide enough for max_snap_m on the narrowest row it touches; only the
  // window's rows are copied to the host.
  double min_cell_m = std::numeric_limits<double>::infinity();
  for (index_t r = 0; r < grid.rows; ++r) {
    const auto u = static_cast<std::size_t>(r);
    min_cell_m = std::min(min_cell_m, std::min(grid.cell_width_m[u], grid.cell_height_m[u]));
  }
  const double reach = std::ceil(max_snap_m / min_cell_m) + 1;
  const auto lo = [&](double f, index_t size) {
    return static_cast<index_t>(std::clamp(std::floor(f) - reach, 0.0, static_cast<double>(size)));
  };
  const auto hi = [&](double f, index_t size) {  // one past the last
    return static_cast<index_t>(std::clamp(std::floor(f) + reach + 1, 0.0, static_cast<double>(size)));
  };
  const index_t r0 = lo(row_f, grid.rows), r1 = hi(row_f, grid.rows);
  const index_t c0 = lo(col_f, grid.cols), c1 = hi(col_f, grid.cols);
  Watershed w;
  double best_area = -1;
  std::vector<double> row_area(static_cast<std::size_t>(std::max<index_t>(c1 - c0, 0)));
  std::vector<std::uint8_t> row_stream(row_area.size());
  for (index_t r = r0; r < r1 && c0 < c1; ++r) {
    exec::copy(area_m2.subspan(r * grid.cols + c0, c1 - c0), std::span(row_area));
    exec::copy(stream.subspan(r * grid.cols + c0, c1 - c0), std::span(row_stream));
    for (index_t c = c0; c < c1; ++c) {
      const auto u = static_cast<std::size_t>(c - c0);
      if (!row_stream[u]) continue;
      const double dist = transport::grid_distance_m(grid, row_f, col_f, r, c);
      if (dist > max_snap_m) continue;
      if (row_area[u] > best_area) {  // row-major scan: ties keep the smaller index
        best_area = row_area[u];
        w.pour_cell = r * grid.cols + c;
        w.snap_distance_m = dist;
      }
    }
  }
  if (w.pour_cell < 0)
    throw std::invalid_argument("no stream cell within " + std::to_string(max_snap_m) +
                                " m of the pour point; raise the snap distance or lower the stream threshold");
  const index_t n = graph.cells();
  const kernels::grid_view g = graph.grid();
  const exec::device_buffer<index_t> next = dominant_next(graph);
  const exec::device_buffer<index_t> root = path_roots(next.span(), w.pour_cell);
  w.mask = exec::device_buffer<std::uint8_t>(n);
  exec::for_each_index(n, kt::watershed_mask_kernel{g, root.span(), w.pour_cell, w.mask.span()});
  w.area_m2 = exec::transform_reduce(n, kt::masked_area{g, w.mask.span()}, 0.0, exec::plus<double>{});
  w.cells = exec::transform_reduce(n, kt::masked_count{w.mask.span()}, index_t{0}, exec::plus<index_t>{});
  return w;
}

}  // namespace leachflow::model::terrain
