// The drainage basins of a DEM and their water levels: steps a) to d) of the parallel fill
// (kernels/terrain/condition_fill.hpp). The fill raises every basin to its level; the breach
// (breach_depressions.cpp) also needs the basins and levels, to route over the filled surface
// and to fill a depression part way where a carve would break its limits.
#pragma once

#include <cstdint>

#include "kernels/exec/memory.hpp"
#include "kernels/grid_view.hpp"
#include "model/terrain/condition.hpp"

namespace leachflow::model::terrain {

struct DepressionBasins {
  exec::device_buffer<std::int32_t> basin;     // per cell: 0 drains to an outlet, 1..K pit basins, -1 NoData
  exec::device_buffer<std::int64_t> pit_root;  // [k]: the root (lowest cell) of pit basin k + 1
  exec::device_buffer<float> level;            // [b]: water level of basin b; [0] = -inf (the ocean)
  index_t pits = 0, spill_edges = 0;
};

// Priority-Flood's water level of every basin; F = max(z, level[basin]) is the filled DEM.
DepressionBasins depression_basins(const kernels::grid_view& g, exec::device_span<const float> z,
                                   LabelWidth width = LabelWidth::automatic);

// Steps a) and b) alone: the basin of every cell and the pit roots, as depression_basins gives
// them (the same ids); returns the number of pits.
index_t label_basins(const kernels::grid_view& g, exec::device_span<const float> z,
                     exec::device_buffer<std::int32_t>& basin, exec::device_buffer<std::int64_t>& pit_root, LabelWidth width = LabelWidth::automatic);

}  // namespace leachflow::model::terrain
