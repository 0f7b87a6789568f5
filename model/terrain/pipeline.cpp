// The terrain pipeline (see pipeline.hpp). Each stage is timed and its device-memory peak taken.
#include "model/terrain/pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "kernels/exec/exec.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/routing.hpp"

namespace leachflow::model::terrain {

namespace {

// 1 for valid cells on the grid edge or next to NoData: flow from outside the domain could
// enter there, so everything downstream may be under-counted.
struct boundary_flag {
  kernels::grid_view g;
  exec::device_span<double> flag;
  LF_HD void operator()(index_t i) const {
    double f = 0.0;
    if (g.is_valid(i)) {
      for (int d = 0; d < 8; ++d) {
        const index_t j = g.neighbour(i, d);
        if (j < 0 || !g.is_valid(j)) f = 1.0;
      }
    }
    flag[i] = f;
  }
};

struct positive_to_mask {
  exec::device_span<const double> x;
  exec::device_span<std::uint8_t> mask;
  LF_HD void operator()(index_t i) const { mask[i] = x[i] > 0.0 ? 1 : 0; }
};

class Stage {
 public:
  Stage(std::vector<StageTiming>& out, std::string name) : out_(out), name_(std::move(name)) {
    exec::memory::reset_peak();
    start_ = std::chrono::steady_clock::now();
  }
  ~Stage() {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    out_.push_back({name_, s, exec::memory::peak_bytes()});
  }
  Stage(const Stage&) = delete;
  Stage& operator=(const Stage&) = delete;

 private:
  std::vector<StageTiming>& out_;
  std::string name_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

double stream_threshold_m2(double requested_m2, const Grid& grid) {
  if (requested_m2 > 0) return requested_m2;
  double largest = 0;
  for (double a : grid.cell_area_m2) largest = std::max(largest, a);
  return std::max(1e6, 100.0 * largest);
}

Terrain build_terrain(const Grid& host_grid, const kernels::grid_view& grid, exec::device_buffer<float>&& elevation,
                      const TerrainOptions& options) {
  Terrain t;
  {
    Stage s(t.timings, "condition");
    t.conditioned = condition(grid, std::move(elevation), options.depressions, options.condition);
  }
  {
    Stage s(t.timings, "route");  // includes the topological order
    CellReceivers receivers = route_cells(grid, t.conditioned.elevation.span(), t.conditioned.flat_gradient.span(),
                                          options.router);
    // From here on the flat gradient is only an output: it waits on the host while the
    // topological order is built (4 B/cell off the pipeline's peak).
    t.flat_gradient = exec::to_host(t.conditioned.flat_gradient);
    t.conditioned.flat_gradient = exec::device_buffer<std::int32_t>();
    t.graph.emplace(build_graph(grid, std::move(receivers)));
  }
  {
    Stage s(t.timings, "accumulate");
    t.area_m2 = contributing_area_m2(*t.graph);
  }
  {
    Stage s(t.timings, "edge_mask");
    const index_t n = grid.cells();
    exec::device_buffer<double> flag(n);
    exec::for_each_index(n, boundary_flag{grid, flag.span()});
    const exec::device_buffer<double> reach = weighted_accumulation(*t.graph, flag.span());
    t.edge_contaminated = exec::device_buffer<std::uint8_t>(n);
    exec::for_each_index(n, positive_to_mask{reach.span(), t.edge_contaminated.span()});
  }
  {
    Stage s(t.timings, "streams");
    t.stream_threshold_m2 = stream_threshold_m2(options.stream_threshold_m2, host_grid);
    t.network.emplace(stream_network(*t.graph, t.area_m2.span(), t.conditioned.elevation.span(), t.stream_threshold_m2));
  }
  {
    Stage s(t.timings, "basins");
    t.basins.emplace(basins(*t.graph, host_grid));
  }
  return t;
}

}  // namespace leachflow::model::terrain
