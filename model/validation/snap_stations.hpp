// Sampling stations onto the stream network: a station moves to the nearest stream cell within
// a metric distance (model/transport/pits.hpp: nearest_stream_cell, as pits and settlements
// do). When the station's upstream area is known, the stream cell within the distance whose
// contributing area is closest in |log(area_cell / area_given)| is taken instead (ties: the
// nearer), and the station is rejected when that ratio lies outside [1 − tolerance,
// 1 + tolerance]. A station that cannot be placed keeps cell = −1 and a reason; callers list
// it (DIR/unsnapped.csv), never drop it silently. Host code.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "model/grid.hpp"
#include "model/transport/pits.hpp"

namespace leachflow::model::validation {

struct Station {
  std::string id;
  double lon = 0, lat = 0;  // WGS84, for reports
  double x = 0, y = 0;      // in the grid's CRS
  double upstream_area_km2 = -1;  // < 0: not given
};

struct StationSnapOptions {
  double max_distance_m = 500;
  double area_tolerance = 0.5;  // accepted area ratio: [1 − tol, 1 + tol]
};

struct StationSnap {
  index_t cell = -1;       // −1: not placed (see reason)
  double distance_m = 0;   // from the station to the cell centre
  double area_km2 = 0;     // contributing area of the cell
  std::string reason;      // why it was not placed
};

// One result per station. streams.area_m2 and mask: one value per grid cell.
std::vector<StationSnap> snap_stations(const Grid& grid, const transport::StreamCells& streams,
                                       std::span<const Station> stations, const StationSnapOptions& options);

}  // namespace leachflow::model::validation
