// The model a scenario describes, built and ready to step: the DEM read (and cropped), the
// terrain (conditioned DEM, flow graph, areas, streams, basins), the pits snapped to streams,
// the hydraulics, and the species. `leachflow run`, `validate` and `calibrate` share it, so they
// all see the same model; each then makes the TransportModel it needs (one run, or an ensemble).
//
// Lifetime: the members refer to each other (the flow graph to the grid's device buffers, the
// hydraulics to the graph), so a ScenarioModel lives where it was built (held by unique_ptr).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/raster.hpp"
#include "io/scenario.hpp"
#include "model/grid.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/pipeline.hpp"
#include "model/transport/pits.hpp"
#include "model/transport/species.hpp"

namespace leachflow::app {

struct ScenarioModel {
  ScenarioModel() = default;
  ScenarioModel(const ScenarioModel&) = delete;
  ScenarioModel& operator=(const ScenarioModel&) = delete;

  io::Scenario scenario;
  std::vector<model::transport::Species> species;
  io::Raster dem;  // grid and CRS; the elevations are freed once on the device
  const model::Grid& grid() const { return dem.grid; }
  std::unique_ptr<model::DeviceGrid> device_grid;
  model::terrain::Terrain terrain;
  double terrain_s = 0;                    // wall time of the terrain stage
  std::vector<double> area_m2;             // host copies: contributing area and stream mask
  std::vector<std::uint8_t> stream;
  model::transport::PitSources pits;       // snapped loads, snap report, warnings
  std::map<std::string, std::string> cluster;  // pit id → cluster ([pits] cluster_field); may be empty
  std::unique_ptr<model::hydraulics::Hydraulics> hydraulics;
};

// Reads the inputs and builds everything up to (not including) the transport. Throws
// io::InputError / io::ScenarioError on bad input.
std::unique_ptr<ScenarioModel> build_scenario_model(const io::Scenario& s);

// Pit id → cluster name from the pit layer's cluster field (empty when the scenario names none,
// or no pit has a value there).
std::map<std::string, std::string> pit_clusters(const io::Scenario& s, const model::Grid& grid);

}  // namespace leachflow::app
