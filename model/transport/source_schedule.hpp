// Sources over one time step: the mass each (species, cell) receives from point loads and pulse
// releases during [t0, t1) (model days), merged on the host so the device scatter writes each
// slot once (no floating-point atomics, deterministic).
//   PointLoad:    load_kg_day × |[t0, t1) ∩ [start_day, end_day)|  (exact integral of the load)
//   PulseRelease: mass_kg when t0 ≤ time_day < t1 (the step containing the instant)
// Host code: pits number in the thousands.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/exec/config.hpp"
#include "model/transport/sources.hpp"

namespace leachflow::model::transport {

struct StepSources {
  std::vector<index_t> slot;    // species · cells + cell, ascending, unique
  std::vector<double> mass_kg;  // over the step, > 0
  double total_kg() const;
};

// Throws std::invalid_argument for a cell outside [0, cells), a species outside [0, species),
// a cell whose valid flag is 0 (when valid is not empty), or a negative or non-finite amount.
void validate_sources(const Sources& sources, index_t cells, int species, const std::vector<std::uint8_t>& valid = {});

StepSources step_sources(const Sources& sources, index_t cells, double t0_day, double t1_day);

}  // namespace leachflow::model::transport
