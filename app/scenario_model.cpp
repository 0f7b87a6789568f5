#include "app/scenario_model.hpp"

#include <cctype>
#include <chrono>
#include <utility>

#include "app/run_inputs.hpp"
#include "io/pits.hpp"
#include "kernels/exec/memory.hpp"

namespace leachflow::app {

namespace {

std::string lower(std::string t) {
  for (auto& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return t;
}

}  // namespace

std::map<std::string, std::string> pit_clusters(const io::Scenario& s, const model::Grid& grid) {
  std::map<std::string, std::string> cluster;
  if (s.pits.cluster_field.empty()) return cluster;
  const auto layer = io::read_pit_layer(s.pits.path, grid.crs_wkt, s.pits.layer);
  for (const auto& rec : layer.records) {
    const auto id = rec.fields.find(lower(s.pits.id_field));
    const auto cl = rec.fields.find(lower(s.pits.cluster_field));
    if (id != rec.fields.end() && cl != rec.fields.end() && !cl->second.empty()) cluster[id->second] = cl->second;
  }
  return cluster;
}

std::unique_ptr<ScenarioModel> build_scenario_model(const io::Scenario& s) {
  auto m = std::make_unique<ScenarioModel>();
  m->scenario = s;
  m->species = run_species(s);
  m->dem = io::read_raster(s.dem.path, s.dem.band, s.dem.crop_lonlat);
  const model::Grid& grid = m->dem.grid;

  // Terrain.
  const auto t0 = std::chrono::steady_clock::now();
  m->device_grid = std::make_unique<model::DeviceGrid>(grid);
  {
    exec::device_buffer<float> z = exec::to_device(m->dem.values);
    m->dem.values.clear();
    m->dem.values.shrink_to_fit();
    m->terrain = model::terrain::build_terrain(grid, m->device_grid->view(), std::move(z), terrain_options(s));
  }
  m->terrain_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Pits onto streams.
  m->area_m2 = exec::to_host(m->terrain.area_m2);
  m->stream = exec::to_host(m->terrain.network->stream);
  const model::transport::StreamCells streams{m->area_m2, m->stream, m->terrain.stream_threshold_m2};
  m->pits = io::load_pit_sources(s.pits.path, grid, streams, pit_options(s, m->species),
                                 {s.pits.snap_distance_m, s.pits.keep_unsnapped}, s.pits.layer);
  m->cluster = pit_clusters(s, grid);

  // Hydraulics (hillslope cells carry overland flow, so the stream mask goes in).
  model::hydraulics::HydraulicsOptions hydraulics_opt = hydraulics_options(s);
  hydraulics_opt.stream = m->terrain.network->stream.span();
  m->hydraulics = std::make_unique<model::hydraulics::Hydraulics>(*m->terrain.graph, run_runoff(s, grid), hydraulics_opt,
                                                                  m->terrain.conditioned.elevation.span());
  return m;
}

}  // namespace leachflow::app
