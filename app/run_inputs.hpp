// A scenario's settings as the model's option structs: the scenario file speaks the user's
// words (names, units in the README), the model its own types.
#pragma once

#include <vector>

#include "io/scenario.hpp"
#include "model/grid.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/pipeline.hpp"
#include "model/transport/pits.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"

namespace leachflow::app {

model::terrain::TerrainOptions terrain_options(const io::Scenario& s);
model::hydraulics::HydraulicsOptions hydraulics_options(const io::Scenario& s);
model::transport::TransportOptions transport_options(const io::Scenario& s);
// Presets with the scenario's overrides; other names as given (unset: conservative tracer).
std::vector<model::transport::Species> run_species(const io::Scenario& s);
// The pit layer's field names and the run's species, as the pit reader wants them.
model::transport::PitOptions pit_options(const io::Scenario& s, const std::vector<model::transport::Species>& species);
// Constant or monthly runoff as given; gridded runoff read and warped onto the DEM's grid.
model::hydraulics::Runoff run_runoff(const io::Scenario& s, const model::Grid& grid);

}  // namespace leachflow::app
