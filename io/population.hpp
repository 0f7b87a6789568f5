// A population raster (people per cell: WorldPop, GHS-POP, LandScan, ...) summed onto the DEM
// grid, for exposed population per region. Counts must be resampled so that people are neither
// lost nor invented: GDAL's warper with the `sum` resampling (GDAL ≥ 3.1) adds the source
// cells' counts, weighted by the area of each that falls in the target cell. People outside
// the DEM's extent are not counted (the share is reported).
#pragma once

#include <string>
#include <vector>

#include "model/grid.hpp"

namespace leachflow::io {

struct Population {
  std::vector<double> people;      // per DEM cell (0 on NoData and where the raster has no data)
  double total_in_raster = 0;      // people in the whole raster (its valid cells)
  double total_on_grid = 0;        // people on the DEM's valid cells
};

// Throws io::InputError (one line naming the file) for: a missing or unreadable file, a raster
// without a CRS (when the DEM has one), negative counts, and a raster that does not overlap
// the DEM.
Population read_population(const std::string& path, const model::Grid& grid);

}  // namespace leachflow::io
