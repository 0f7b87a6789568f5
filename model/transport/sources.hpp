// Point sources of leachate, already snapped to cells: what the transport solver consumes.
// Built from an OGR pit layer by model/transport/pits (reading, validation, snapping).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kernels/exec/config.hpp"

namespace leachflow::model::transport {

using exec::index_t;

// A continuous load into one cell for one species, active on [start_day, end_day) of model
// time (days since the run's start; infinite bounds mean "always").
struct PointLoad {
  index_t cell = -1;
  int species = 0;              // index into the run's species list
  double load_kg_day = 0.0;     // ≥ 0
  double start_day = -std::numeric_limits<double>::infinity();
  double end_day = std::numeric_limits<double>::infinity();
  std::string pit_id;           // for reports and attribution
};

// A mass released at one instant (a pond failure), for one species.
struct PulseRelease {
  index_t cell = -1;
  int species = 0;
  double mass_kg = 0.0;         // ≥ 0
  double time_day = 0.0;        // model time of the release
  std::string pit_id;
};

struct Sources {
  std::vector<PointLoad> loads;
  std::vector<PulseRelease> pulses;
};

}  // namespace leachflow::model::transport
