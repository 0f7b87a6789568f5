// Cells within a metric distance of marked cells (people living near a river that exceeded a
// guideline, for exposed population). Host code on host arrays.
//
// Method: nearest-marked-cell propagation over two raster passes (8SSEDT, Danielsson 1980;
// Leymarie & Levine 1992): each cell inherits the nearest marked cell of its already visited
// neighbours, distances measured by model::transport::grid_distance_m (per-row cell widths,
// so geographic grids are measured in metres). The result can differ from the exact Euclidean
// distance transform only at a few cells right at the threshold (the propagation's known
// corner cases); tests compare with brute force.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/grid.hpp"

namespace leachflow::model::regions {

// 1 for valid cells whose centre lies within distance_m of the centre of a marked cell
// (marked cells themselves included), 0 elsewhere. marked: rows × cols values.
// Throws std::invalid_argument for a span of the wrong size or a negative distance.
std::vector<std::uint8_t> cells_within(const Grid& grid, std::span<const std::uint8_t> marked, double distance_m);

}  // namespace leachflow::model::regions
