// Cost of one transport step relative to one accumulation, and cell-steps per second (issue 4).
// One binary, two modes:
//
// 1. Scaling table (a mode of this binary, not Google Benchmark): for n = 1024, 2048, 4096
//    (and 8192 with --with-8192) and 1, 3, 8 species, prints seconds per transport step,
//    cell-steps per second (cells × species / s) and the step / accumulation ratio, the
//    accumulation (contributing area into a preallocated field) and the step timed side by side, alternately, in the
//    same run (median of the repetitions). Terrain: a fractal DEM (fBm value noise, 1500 m of
//    relief, 30 m cells, rounded to 0.1 m so flats exist, as bench/make_fractal_dem.py makes
//    them) synthesised here, conditioned (fill + flats) and D8-routed by the terrain pipeline
//    (model/terrain/pipeline.hpp). Hydraulics: constant runoff 1500 mm/yr. Sources: 1000 pits
//    on random stream cells (contributing area ≥ the pipeline's 1 km² threshold), each loading
//    every species. Implicit upwind; --dispersion adds the tree-Thomas dispersion columns.
//      leachflow_transport_bench --scaling [--with-8192] [--dispersion] [--sizes=1024,2048]
//                                          [--species=1,3,8] [--min-seconds=2]
//
// 2. Google Benchmark (any other arguments): a tilted random surface routed by D8
//    (unconditioned: its pits are sinks), 1024² cells of 30 m; hydraulics from 1000 mm/yr of
//    runoff; one point load per species. Counters: cells/s (accumulation) and cell_species/s
//    (transport: cells × species advanced per second).
//      leachflow_transport_bench --benchmark_filter=. [--benchmark_min_time=0.5]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "kernels/exec/memory.hpp"
#include "kernels/exec/runtime.hpp"
#include "model/grid.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/pipeline.hpp"
#include "model/terrain/routing.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"
#include "bench/fractal_dem.hpp"

namespace lf = leachflow;
namespace mh = leachflow::model::hydraulics;
namespace mt = leachflow::model::terrain;
namespace mx = leachflow::model::transport;
using lf::exec::index_t;

namespace {

struct Setup {
  lf::model::Grid grid;
  std::unique_ptr<lf::model::DeviceGrid> device;
  lf::exec::device_buffer<float> z;
  std::optional<mt::FlowGraph> graph;
  std::optional<mh::Hydraulics> hydraulics;
};

std::unique_ptr<Setup> make_setup(index_t n) {
  auto s = std::make_unique<Setup>();
  s->grid = lf::model::make_grid(n, n, {0.0, 30.0, 0.0, 0.0, 0.0, -30.0}, "", false);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<float> z(static_cast<std::size_t>(n * n));
  for (index_t r = 0; r < n; ++r)
    for (index_t c = 0; c < n; ++c)
      z[static_cast<std::size_t>(r * n + c)] = static_cast<float>(0.3 * static_cast<double>(r + c) + 2.0 * u(rng));
  s->device = std::make_unique<lf::model::DeviceGrid>(s->grid);
  s->z = lf::exec::to_device(z);
  s->graph = mt::route_d8(s->device->view(), s->z.span());
  mh::Runoff runoff;
  runoff.constant_mm_yr = 1000.0;
  s->hydraulics.emplace(*s->graph, runoff);
  return s;
}

Setup& setup(index_t n) {
  static std::map<index_t, std::unique_ptr<Setup>> cache;
  auto& p = cache[n];
  if (!p) p = make_setup(n);
  return *p;
}

void BM_Accumulation(benchmark::State& state) {
  Setup& s = setup(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(mt::contributing_area_m2(*s.graph));
  state.counters["cells/s"] =
      benchmark::Counter(static_cast<double>(s.graph->cells()) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_TransportStep(benchmark::State& state) {
  Setup& s = setup(state.range(0));
  const auto species_count = static_cast<int>(state.range(1));
  const bool dispersion = state.range(2) != 0;
  const std::vector<std::string> names = mx::preset_names();
  std::vector<mx::Species> sp;
  for (int k = 0; k < species_count; ++k) sp.push_back(*mx::preset(names[static_cast<std::size_t>(k) % names.size()]));
  mx::Sources src;
  for (int k = 0; k < species_count; ++k) {
    mx::PointLoad l;
    l.cell = s.graph->cells() / 2 + k;
    l.species = k;
    l.load_kg_day = 100.0;
    src.loads.push_back(l);
  }
  mx::TransportOptions opt;
  opt.dispersion = dispersion;
  opt.dispersivity = 0.5;
  mx::TransportModel m(*s.graph, *s.hydraulics, sp, src, opt);
  for (auto _ : state) m.step(0.25);
  state.counters["cell_species/s"] = benchmark::Counter(
      static_cast<double>(s.graph->cells()) * species_count * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// ---- scaling mode ---------------------------------------------------------------------------

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

std::vector<index_t> parse_list(const std::string& s) {
  std::vector<index_t> v;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) v.push_back(std::stoll(item));
  return v;
}

struct Timing {
  double acc_s = 0, step_s = 0;
  int reps = 0;
};

// Accumulation and transport step alternately (so both see the same machine load), after one
// warm-up of each, until min_seconds have passed and at least 3 repetitions are done (at most
// 15). The accumulation writes into a preallocated x (a = cell area, b = 1 as per-cell spans,
// as the transport's own accumulation reads per-cell a and b): a fresh result buffer per call
// would add page faults once it passes the allocator's mmap threshold (32 MiB, n ≥ 2048).
Timing time_side_by_side(const mt::FlowGraph& graph, lf::exec::device_span<const double> a,
                         lf::exec::device_span<const double> b, lf::exec::device_span<double> x,
                         mx::TransportModel& m, double min_seconds) {
  m.step(0.25);
  mt::accumulate(graph, a, b, x);
  std::vector<double> acc, step;
  const auto start = std::chrono::steady_clock::now();
  while ((acc.size() < 3 || seconds_since(start) < min_seconds) && acc.size() < 15) {
    auto t0 = std::chrono::steady_clock::now();
    mt::accumulate(graph, a, b, x);
    acc.push_back(seconds_since(t0));
    t0 = std::chrono::steady_clock::now();
    m.step(0.25);
    step.push_back(seconds_since(t0));
  }
  return {median(acc), median(step), static_cast<int>(acc.size())};
}

int scaling(int argc, char** argv) {
  std::vector<index_t> sizes = {1024, 2048, 4096}, species_counts = {1, 3, 8};
  bool dispersion = false;
  double min_seconds = 2.0;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    if (a == "--scaling") continue;
    if (a == "--with-8192") sizes.push_back(8192);
    else if (a == "--dispersion") dispersion = true;
    else if (a.rfind("--sizes=", 0) == 0) sizes = parse_list(a.substr(8));
    else if (a.rfind("--species=", 0) == 0) species_counts = parse_list(a.substr(10));
    else if (a.rfind("--min-seconds=", 0) == 0) min_seconds = std::stod(a.substr(14));
    else {
      std::fprintf(stderr, "leachflow_transport_bench --scaling: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  const std::vector<std::string> names = mx::preset_names();
  std::printf("backend %s, %d threads; fractal DEM (fill + flats, D8), 30 m cells, runoff 1500 mm/yr, 1000 pits on streams\n",
              lf::exec::backend_name().c_str(), lf::exec::concurrency());
  std::printf("accumulation = contributing area into a preallocated field (a, b per-cell spans); step = implicit upwind%s, dt = 0.25 d;\n"
              "median of reps, accumulation and step timed alternately; cell-steps/s = cells x species / (s/step)\n\n",
              dispersion ? " (and + dispersion)" : "");
  std::printf("%6s %10s %8s %5s %10s %10s %12s %9s", "n", "cells", "terrain_s", "sp", "acc_s", "step_s", "cell-steps/s", "step/acc");
  if (dispersion) std::printf(" %10s %12s %9s", "disp_s", "cell-steps/s", "step/acc");
  std::printf(" %4s %8s\n", "reps", "peak_GiB");
  std::fflush(stdout);
  for (const index_t n : sizes) {
    const auto t0 = std::chrono::steady_clock::now();
    lf::model::Grid grid = lf::model::make_grid(n, n, {500000.0, 30.0, 0.0, 2800000.0, 0.0, -30.0}, "", false);
    auto device = std::make_unique<lf::model::DeviceGrid>(grid);
    std::optional<mt::Terrain> terrain;
    {
      auto z = lf::exec::to_device(lf::bench::fractal_dem(n, 1));
      terrain.emplace(mt::build_terrain(grid, device->view(), std::move(z)));
    }
    const mt::FlowGraph& graph = *terrain->graph;
    const double terrain_s = seconds_since(t0);
    index_t parallel_segments = 0, serial_cells = 0;
    for (const auto& seg : graph.schedule()) {
      if (seg.parallel) ++parallel_segments;
      else serial_cells += seg.end - seg.begin;
    }
    std::printf("# n=%lld: %lld levels, %zu launches per accumulation (%lld parallel levels), %.1f %% of cells in serial walks\n",
                 static_cast<long long>(n), static_cast<long long>(graph.levels()), graph.schedule().size(),
                 static_cast<long long>(parallel_segments), 100.0 * static_cast<double>(serial_cells) / static_cast<double>(graph.valid_cells()));
    const auto stream = lf::exec::to_host(terrain->network->stream);
    std::vector<index_t> stream_cells;
    for (std::size_t i = 0; i < stream.size(); ++i)
      if (stream[i]) stream_cells.push_back(static_cast<index_t>(i));
    // Only the graph (and the accumulation's inputs) are needed from here on: release the rest.
    terrain->area_m2 = {};
    terrain->edge_contaminated = {};
    terrain->network.reset();
    terrain->basins.reset();
    std::mt19937_64 rng(7);
    std::vector<index_t> pits;
    for (int p = 0; p < 1000 && !stream_cells.empty(); ++p)
      pits.push_back(stream_cells[static_cast<std::size_t>(rng() % stream_cells.size())]);
    // The accumulation timed against the step: contributing area (a = cell area, b = 1).
    lf::exec::device_buffer<double> acc_a, acc_b, acc_x(graph.cells());
    {
      std::vector<double> area(static_cast<std::size_t>(graph.cells()));
      for (index_t r = 0; r < n; ++r)
        std::fill_n(area.begin() + r * n, n, grid.cell_area_m2[static_cast<std::size_t>(r)]);
      acc_a = lf::exec::to_device(area);
      acc_b = lf::exec::to_device(std::vector<double>(area.size(), 1.0));
    }
    mh::Runoff runoff;
    runoff.constant_mm_yr = 1500.0;
    mh::Hydraulics hydraulics(graph, runoff, {}, terrain->conditioned.elevation.span());
    for (const index_t species_count : species_counts) {
      std::vector<mx::Species> sp;
      for (index_t k = 0; k < species_count; ++k) sp.push_back(*mx::preset(names[static_cast<std::size_t>(k) % names.size()]));
      mx::Sources src;
      for (const index_t cell : pits)
        for (index_t k = 0; k < species_count; ++k) {
          mx::PointLoad l;
          l.cell = cell;
          l.species = static_cast<int>(k);
          l.load_kg_day = 5.0;
          src.loads.push_back(l);
        }
      lf::exec::memory::reset_peak();
      Timing plain, disp;
      {
        mx::TransportModel m(graph, hydraulics, sp, src);
        plain = time_side_by_side(graph, acc_a.span(), acc_b.span(), acc_x.span(), m, min_seconds);
      }
      if (dispersion) {
        mx::TransportOptions opt;
        opt.dispersion = true;
        opt.dispersivity = 0.5;
        mx::TransportModel m(graph, hydraulics, sp, src, opt);
        disp = time_side_by_side(graph, acc_a.span(), acc_b.span(), acc_x.span(), m, min_seconds);
      }
      const double cs = static_cast<double>(graph.cells()) * static_cast<double>(species_count);
      std::printf("%6lld %10lld %8.1f %5lld %10.4f %10.4f %12.3e %9.2f", static_cast<long long>(n),
                  static_cast<long long>(graph.cells()), terrain_s, static_cast<long long>(species_count), plain.acc_s,
                  plain.step_s, cs / plain.step_s, plain.step_s / plain.acc_s);
      if (dispersion) std::printf(" %10.4f %12.3e %9.2f", disp.step_s, cs / disp.step_s, disp.step_s / disp.acc_s);
      std::printf(" %4d %8.2f\n", plain.reps, static_cast<double>(lf::exec::memory::peak_bytes()) / (1u << 30));
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace

BENCHMARK(BM_Accumulation)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TransportStep)
    ->ArgsProduct({{1024}, {1, 3, 8}, {0, 1}})
    ->ArgNames({"n", "species", "dispersion"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

int main(int argc, char** argv) {
  lf::exec::runtime rt(argc, argv);
  for (int k = 1; k < argc; ++k)
    if (std::strcmp(argv[k], "--scaling") == 0) return scaling(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
