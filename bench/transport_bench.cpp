// Cost of one transport step relative to one accumulation, and cell-steps per second for 1, 3
// and 8 species (Google Benchmark). Terrain: a tilted random surface routed by D8 (unconditioned:
// its pits are sinks), n × n cells of 30 m; hydraulics from 1000 mm/yr of runoff; one point
// load per species. Counters: cells/s (accumulation) and cell_species/s (transport: cells ×
// species advanced per second).
//   leachflow_transport_bench --benchmark_filter=. [--benchmark_min_time=0.5]
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "kernels/exec/memory.hpp"
#include "kernels/exec/runtime.hpp"
#include "model/grid.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/routing.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"

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

}  // namespace

BENCHMARK(BM_Accumulation)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TransportStep)
    ->ArgsProduct({{1024}, {1, 3, 8}, {0, 1}})
    ->ArgNames({"n", "species", "dispersion"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

int main(int argc, char** argv) {
  lf::exec::runtime rt(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
