// Bytes per cell each stage may use: the one place the memory estimate of `leachflow info`
// (and the 1e9-cells-on-one-80-GB-GPU target of DESIGN.md) is budgeted.
#pragma once

namespace leachflow::model::memory_budget {

// Terrain pipeline, peak: elevation (4) + conditioned elevation (4) + D8 direction (1) + valid
// mask (1) + topological order / index (8) + accumulation in float/temporaries (6).
inline constexpr double terrain_bytes_per_cell = 24.0;

// Transport, extra per species: concentration (float, 4–8) + stored mass / right-hand side
// (4–8) depending on precision.
inline constexpr double transport_bytes_per_cell_per_species_min = 8.0;
inline constexpr double transport_bytes_per_cell_per_species_max = 16.0;

}  // namespace leachflow::model::memory_budget
