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
  const exec::device_buffer<index_t> next = dominant_next(graph);

  // Link table on the host: links are few; ids by ascending head cell.
  const auto h_head = exec::to_host(head);
  const auto h_from = exec::to_host(from_head);
  const auto h_next = exec::to_host(next);
  const auto h_order = exec::to_host(net.strahler);
  const auto h_z = exec::to_host(elevation);
  const auto h_stream = exec::to_host(net.stream);
  std::vector<std::int64_t> id_of_head(static_cast<std::size_t>(n), -1);
  for (index_t i = 0; i < n; ++i)
    if (h_stream[static_cast<std::size_t>(i)] && h_head[static_cast<std::size_t>(i)] == i) {
      id_of_head[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(net.links.size());
      StreamLink l;
      l.head = i;
      net.links.push_back(l);
    }
  std::vector<std::int64_t> link(static_cast<std::size_t>(n), -1);
  for (index_t i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (!h_stream[u]) continue;
    const std::int64_t id = id_of_head[static_cast<std::size_t>(h_head[u])];
    link[u] = id;
    const index_t j = h_next[u];
    const bool tail = j < 0 || !h_stream[static_cast<std::size_t>(j)] || h_head[static_cast<std::size_t>(j)] != h_head[u];
    if (!tail) continue;
    StreamLink& l = net.links[static_cast<std::size_t>(id)];
    l.tail = i;
    l.strahler = h_order[u];
    double step = 0.0;
    float z_end = h_z[u];
    if (j >= 0) {
      // The step out of the tail, from the per-row metrics (E–W, N–S or diagonal).
      const index_t r = i / g.cols, c = i % g.cols, rj = j / g.cols, cj = j % g.cols;
      const index_t upper = rj < r ? rj : r;
      step = rj == r ? exec::read_one(g.dx_m, r)
                     : (cj == c ? exec::read_one(g.dy_m, upper) : exec::read_one(g.diag_m, upper));
      if (h_stream[static_cast<std::size_t>(j)]) l.downstream = id_of_head[static_cast<std::size_t>(h_head[static_cast<std::size_t>(j)])];
      z_end = h_z[static_cast<std::size_t>(j)];
    }
    l.length_m = h_from[u] + step;
    l.drop_m = static_cast<double>(h_z[static_cast<std::size_t>(l.head)]) - static_cast<double>(z_end);
    l.slope = l.length_m > 0 ? l.drop_m / l.length_m : 0.0;
  }
  net.link = exec::to_device(link);
  return net;
}

Basins basins(const FlowGraph& graph, const Grid& grid) {
  const index_t n = graph.cells();
  const exec::device_buffer<index_t> next = dominant_next(graph);
  const exec::device_buffer<index_t> root = path_roots(next.span());
  const auto h_root = exec::to_host(root);
  Basins b;
  std::vector<std::int64_t> id_of_outlet(static_cast<std::size_t>(n), -1);
  for (index_t i = 0; i < n; ++i)
    if (grid.valid[static_cast<std::size_t>(i)] && h_root[static_cast<std::size_t>(i)] == i) {
      id_of_outlet[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(b.outlet.size());
      b.outlet.push_back(i);
    }
  b.area_m2.assign(b.outlet.size(), 0.0);
  b.cells.assign(b.outlet.size(), 0);
  std::vector<std::int64_t> id(static_cast<std::size_t>(n), -1);
  for (index_t i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (!grid.valid[u]) continue;
    const std::int64_t k = id_of_outlet[static_cast<std::size_t>(h_root[u])];
    id[u] = k;
    b.area_m2[static_cast<std::size_t>(k)] += grid.cell_area_m2[static_cast<std::size_t>(i / grid.cols)];
    ++b.cells[static_cast<std::size_t>(k)];
  }
  b.id = exec::to_device(id);
  return b;
}

Watershed watershed(const FlowGraph& graph, const Grid& grid, exec::device_span<const double> area_m2,
                    exec::device_span<const std::uint8_t> stream, double x, double y, double max_snap_m) {
  const auto h_area = exec::to_host(area_m2);
  const auto h_stream = exec::to_host(stream);
  const double col_f = (x - grid.geotransform[0]) / grid.geotransform[1];
  const double row_f = (y - grid.geotransform[3]) / grid.geotransform[5];
  // Search a window wide enough for max_snap_m on the narrowest row it touches.
  double min_cell_m = std::numeric_limits<double>::infinity();
  for (index_t r = 0; r < grid.rows; ++r) {
    const auto u = static_cast<std::size_t>(r);
    min_cell_m = std::min(min_cell_m, std::min(grid.cell_width_m[u], grid.cell_height_m[u]));
  }
  const auto reach = static_cast<index_t>(std::ceil(max_snap_m / min_cell_m)) + 1;
  Watershed w;
  double best_area = -1;
  for (index_t r = std::max<index_t>(0, static_cast<index_t>(row_f) - reach); r <= std::min(grid.rows - 1, static_cast<index_t>(row_f) + reach); ++r)
    for (index_t c = std::max<index_t>(0, static_cast<index_t>(col_f) - reach); c <= std::min(grid.cols - 1, static_cast<index_t>(col_f) + reach); ++c) {
      const index_t i = r * grid.cols + c;
      if (!h_stream[static_cast<std::size_t>(i)]) continue;
      const double dist = transport::grid_distance_m(grid, row_f, col_f, r, c);
      if (dist > max_snap_m) continue;
      const double a = h_area[static_cast<std::size_t>(i)];
      if (a > best_area) {  // row-major scan: ties keep the smaller index
        best_area = a;
        w.pour_cell = i;
        w.snap_distance_m = dist;
      }
    }
  if (w.pour_cell < 0)
    throw std::invalid_argument("no stream cell within " + std::to_string(max_snap_m) +
                                " m of the pour point; raise the snap distance or lower the stream threshold");
  const exec::device_buffer<index_t> next = dominant_next(graph);
  const exec::device_buffer<index_t> root = path_roots(next.span(), w.pour_cell);
  const auto h_root = exec::to_host(root);
  std::vector<std::uint8_t> mask(h_root.size(), 0);
  for (std::size_t u = 0; u < h_root.size(); ++u)
    if (grid.valid[u] && h_root[u] == w.pour_cell) {
      mask[u] = 1;
      w.area_m2 += grid.cell_area_m2[u / static_cast<std::size_t>(grid.cols)];
      ++w.cells;
    }
  w.mask = exec::to_device(mask);
  return w;
}

}  // namespace leachflow::model::terrain
