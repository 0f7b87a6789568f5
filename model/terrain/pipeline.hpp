// The terrain pipeline of DESIGN.md: condition the DEM → route → topological order →
// contributing area → edge-contamination mask (→ streams, order, basins), with per-stage
// timings and device memory. Host-safe header: app/ calls it and copies results to host.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "kernels/exec/memory.hpp"
#include "kernels/grid_view.hpp"
#include "model/terrain/condition.hpp"
#include "model/terrain/flow_graph.hpp"
#include "model/terrain/network.hpp"

namespace leachflow::model::terrain {

struct TerrainOptions {
  DepressionMethod depressions = DepressionMethod::fill;
  ConditionOptions condition;
  FlowRouter router = FlowRouter::d8;
  // Streams where contributing area ≥ this (m²); ≤ 0 picks the default: the larger of 1 km²
  // and 100 cells of the grid's largest cell area (so coarse grids do not become all stream).
  double stream_threshold_m2 = 0;
};

// The threshold actually used for `requested_m2` on this grid (see TerrainOptions).
double stream_threshold_m2(double requested_m2, const Grid& grid);

struct StageTiming {
  std::string name;
  double seconds = 0;
  std::size_t peak_device_bytes = 0;  // most device memory held at once during the stage
};

struct Terrain {
  // After build_terrain the flat gradient lives only in `flat_gradient` below (host):
  // conditioned.flat_gradient is empty.
  Conditioned conditioned;
  std::vector<std::int32_t> flat_gradient;  // host copy, for output (see Conditioned)
  std::optional<FlowGraph> graph;
  exec::device_buffer<double> area_m2;             // contributing area incl. the cell, m²
  exec::device_buffer<std::uint8_t> edge_contaminated;  // 1: upstream area may continue past NoData/edge
  std::optional<StreamNetwork> network;            // streams, Strahler order, links
  std::optional<Basins> basins;                    // basin id per cell, by outlet
  double stream_threshold_m2 = 0;
  std::vector<StageTiming> timings;
};

// elevation: one float per cell (NoData cells are ignored), consumed: it becomes the
// conditioned DEM, so the DEM costs no device memory of its own. The grid's buffers must
// outlive the result. Device peak of condition + route + accumulate for D8: 23 B/cell.
Terrain build_terrain(const Grid& host_grid, const kernels::grid_view& grid, exec::device_buffer<float>&& elevation,
                      const TerrainOptions& options = {});

}  // namespace leachflow::model::terrain
