// The terrain pipeline (see pipeline.hpp). Each stage is timed and its device-memory peak taken.
#include "model/terrain/pipeline.hpp"

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

Terrain build_terrain(const kernels::grid_view& grid, exec::device_span<const float> elevation,
                      const TerrainOptions& options) {
  Terrain t;
  {
    Stage s(t.timings, "condition");
    t.conditioned = condition(grid, elevation, options.depressions, options.condition);
  }
  {
    Stage s(t.timings, "route");  // includes the topological order
    const auto z = t.conditioned.elevation.span();
    const auto fg = t.conditioned.flat_gradient.span();
    switch (options.router) {
      case FlowRouter::dinf: t.graph.emplace(route_dinf(grid, z, fg)); break;
      case FlowRouter::mfd: t.graph.emplace(route_mfd(grid, z, fg)); break;
      default: t.graph.emplace(route_d8(grid, z, fg)); break;
    }
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
  return t;
}

}  // namespace leachflow::model::terrain
