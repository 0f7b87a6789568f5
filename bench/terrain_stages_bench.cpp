// The terrain pipeline's steps one at a time (Google Benchmark), to see where the seconds of
// `leachflow terrain` go: fill (or the breach-fill hybrid), flat resolution, the D8 router, the
// flow-graph build (donor masks, topological levels, order) and the contributing-area accumulation.
//
// Terrain: a fractal DEM synthesised here (bench/fractal_dem.hpp, as bench/make_fractal_dem.py
// writes them), 30 m cells, or any raster given with --dem=PATH. Every step reads the output
// of the previous ones, computed once before timing; copies a step consumes are made with the
// timer paused. Memory the step allocates is part of its time, as in the pipeline.
//   leachflow_terrain_bench [--n=4096] [--dem=PATH] [--benchmark_repetitions=5]
// bench/terrain_vs_peers.py gives the whole pipeline against GRASS and SAGA.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/fractal_dem.hpp"
#include "io/raster.hpp"
#include "kernels/exec/memory.hpp"
#include "kernels/exec/runtime.hpp"
#include "model/grid.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/condition.hpp"
#include "model/terrain/routing.hpp"

namespace lf = leachflow;
namespace mt = leachflow::model::terrain;
using lf::exec::index_t;

namespace {

struct Inputs {
  lf::model::Grid grid;
  std::unique_ptr<lf::model::DeviceGrid> device;
  std::vector<float> raw;                          // host DEM as read or synthesised
  lf::exec::device_buffer<float> filled;           // after fill
  lf::exec::device_buffer<std::int32_t> gradient;  // flat gradient on `filled`
  std::vector<std::uint8_t> directions;            // D8 codes
  std::optional<mt::FlowGraph> graph;
};

index_t n_cells = 4096;
std::string dem_path;

Inputs& inputs() {
  static std::unique_ptr<Inputs> in;
  if (in) return *in;
  in = std::make_unique<Inputs>();
  if (dem_path.empty()) {
    in->grid = lf::model::make_grid(n_cells, n_cells, {500000.0, 30.0, 0.0, 2800000.0, 0.0, -30.0}, "", false);
    in->raw = lf::bench::fractal_dem(n_cells, 1);
  } else {
    lf::io::Raster r = lf::io::read_raster(dem_path);
    in->grid = std::move(r.grid);
    in->raw = std::move(r.values);
  }
  in->device = std::make_unique<lf::model::DeviceGrid>(in->grid);
  const auto g = in->device->view();
  in->filled = lf::exec::to_device(in->raw);
  mt::fill_depressions_in_place(g, in->filled.span());
  in->gradient = lf::exec::device_buffer<std::int32_t>(g.cells());
  mt::resolve_flats(g, in->filled.span(), in->gradient.span());
  mt::CellReceivers r = mt::route_cells(g, in->filled.span(), in->gradient.span(), mt::FlowRouter::d8);
  in->directions = lf::exec::to_host(r.code);
  in->graph.emplace(mt::build_graph(g, std::move(r)));
  std::printf("# %lld x %lld cells, %lld valid, %lld topological levels\n", static_cast<long long>(g.rows),
              static_cast<long long>(g.cols), static_cast<long long>(in->graph->valid_cells()),
              static_cast<long long>(in->graph->levels()));
  return *in;
}

void per_cell(benchmark::State& state, const Inputs& in) {
  state.counters["cells"] = benchmark::Counter(
      static_cast<double>(in.grid.rows * in.grid.cols) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Fill(benchmark::State& state) {
  Inputs& in = inputs();
  for (auto _ : state) {
    state.PauseTiming();
    auto z = lf::exec::to_device(in.raw);
    state.ResumeTiming();
    benchmark::DoNotOptimize(mt::fill_depressions_in_place(in.device->view(), z.span()));
  }
  per_cell(state, in);
}

// Breach-fill hybrid, without limits (arg 0) and with a carve depth limit of arg metres.
void BM_Breach(benchmark::State& state) {
  Inputs& in = inputs();
  mt::ConditionOptions o;
  if (state.range(0) > 0) o.max_breach_depth_m = static_cast<float>(state.range(0));
  lf::exec::device_buffer<float> out(in.grid.rows * in.grid.cols);
  for (auto _ : state) {
    state.PauseTiming();
    auto z = lf::exec::to_device(in.raw);
    state.ResumeTiming();
    benchmark::DoNotOptimize(mt::breach_depressions(in.device->view(), z.span(), out.span(), o));
  }
  per_cell(state, in);
}

void BM_ResolveFlats(benchmark::State& state) {
  Inputs& in = inputs();
  lf::exec::device_buffer<std::int32_t> gradient(in.grid.rows * in.grid.cols);
  for (auto _ : state) benchmark::DoNotOptimize(mt::resolve_flats(in.device->view(), in.filled.span(), gradient.span()));
  per_cell(state, in);
}

void BM_RouteD8(benchmark::State& state) {
  Inputs& in = inputs();
  for (auto _ : state)
    benchmark::DoNotOptimize(mt::route_cells(in.device->view(), in.filled.span(), in.gradient.span(), mt::FlowRouter::d8));
  per_cell(state, in);
}

void BM_FlowGraphBuild(benchmark::State& state) {
  Inputs& in = inputs();
  for (auto _ : state) {
    state.PauseTiming();
    mt::CellReceivers r;
    r.code = lf::exec::to_device(in.directions);
    state.ResumeTiming();
    benchmark::DoNotOptimize(mt::build_graph(in.device->view(), std::move(r)));
  }
  per_cell(state, in);
}

void BM_ContributingArea(benchmark::State& state) {
  Inputs& in = inputs();
  for (auto _ : state) benchmark::DoNotOptimize(mt::contributing_area_m2(*in.graph));
  per_cell(state, in);
}

}  // namespace

BENCHMARK(BM_Fill)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Breach)->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ResolveFlats)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RouteD8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FlowGraphBuild)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ContributingArea)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char** argv) {
  lf::exec::runtime rt(argc, argv);
  std::vector<char*> rest;
  for (int k = 0; k < argc; ++k) {
    if (std::strncmp(argv[k], "--n=", 4) == 0) {
      char* end = nullptr;
      n_cells = std::strtoll(argv[k] + 4, &end, 10);
      if (*end != '\0' || n_cells < 3) {
        std::fprintf(stderr, "leachflow_terrain_bench: --n=%s: give the grid side in cells, at least 3\n", argv[k] + 4);
        return 2;
      }
    } else if (std::strncmp(argv[k], "--dem=", 6) == 0) {
      dem_path = argv[k] + 6;
    } else {
      rest.push_back(argv[k]);
    }
  }
  int count = static_cast<int>(rest.size());
  benchmark::Initialize(&count, rest.data());
  if (benchmark::ReportUnrecognizedArguments(count, rest.data())) return 1;
  try {
    inputs();  // read or synthesise the DEM before timing: a bad --dem is one line, exit 2
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leachflow_terrain_bench: %s\n", e.what());
    return 2;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
