// Streams, Strahler order, stream links, basins and pour-point watersheds on a FlowGraph
// (kernels/terrain/network.hpp has the definitions). Host-safe header.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/exec/memory.hpp"
#include "model/grid.hpp"
#include "model/terrain/flow_graph.hpp"

namespace leachflow::model::terrain {

struct StreamLink {
  index_t head = -1;             // first cell (a source or a confluence)
  index_t tail = -1;             // last cell
  index_t downstream = -1;       // id of the link its tail drains into, -1 at an outlet
  std::int32_t strahler = 0;     // order of the link (of its tail)
  double length_m = 0;           // head to tail plus the step out of the tail, metres
  double drop_m = 0;             // elevation at the head minus at the end of that step
  double slope = 0;              // drop / length
};

struct StreamNetwork {
  exec::device_buffer<std::uint8_t> stream;      // 1 on streams
  exec::device_buffer<std::int32_t> strahler;    // 0 off streams
  exec::device_buffer<std::int64_t> link;        // link id per cell, -1 off streams
  std::vector<StreamLink> links;                 // ids ordered by head cell index
};

// Streams where contributing area ≥ threshold_m2; elevation for link drops (conditioned DEM).
StreamNetwork stream_network(const FlowGraph& graph, exec::device_span<const double> area_m2,
                             exec::device_span<const float> elevation, double threshold_m2);

struct Basins {
  exec::device_buffer<std::int64_t> id;  // per cell: basin id (0..), -1 on NoData
  std::vector<index_t> outlet;           // per basin: its outlet cell; ids ordered by outlet index
  std::vector<double> area_m2;           // per basin
  std::vector<index_t> cells;            // per basin
};

// Every valid cell labelled by the outlet its (dominant-receiver) path ends in.
Basins basins(const FlowGraph& graph, const Grid& grid);

struct Watershed {
  index_t pour_cell = -1;                // the stream cell the pour point snapped to
  double snap_distance_m = 0;            // from the point to that cell's centre
  exec::device_buffer<std::uint8_t> mask;  // 1 for cells whose path passes through pour_cell
  double area_m2 = 0;
  index_t cells = 0;
};

// The watershed of a pour point (x, y in the grid's CRS): the point snaps to the stream cell
// with the largest contributing area within max_snap_m metres (ties: smaller index).
// Throws std::invalid_argument when no stream cell lies within that distance.
Watershed watershed(const FlowGraph& graph, const Grid& grid, exec::device_span<const double> area_m2,
                    exec::device_span<const std::uint8_t> stream, double x, double y, double max_snap_m);

}  // namespace leachflow::model::terrain
