// Grid: the geo-referencing of a raster and the metric size of its cells.
//
// Lengths and areas are in metres and square metres for every row: exact for projected grids
// (times the CRS's linear unit), from the WGS84/CRS ellipsoid for geographic grids (never
// degrees as metres, no z-factor needed). A Grid can describe a tile of a larger grid
// (row/col offset and halo), for the MPI decomposition of DESIGN.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/exec/memory.hpp"
#include "kernels/grid_view.hpp"

namespace leachflow::model {

using exec::index_t;

struct Ellipsoid {
  double semi_major_m = 6378137.0;          // WGS84
  double inverse_flattening = 298.257223563;
};

struct Grid {
  index_t rows = 0;
  index_t cols = 0;
  // GDAL order: x0, pixel width, row rotation, y0, column rotation, pixel height (< 0 north-up).
  std::array<double, 6> geotransform{0, 1, 0, 0, 0, -1};
  std::string crs_wkt;           // empty when the raster has no CRS
  bool geographic = false;       // lon/lat degrees
  double linear_unit_m = 1.0;    // metres per projected CRS unit
  Ellipsoid ellipsoid;

  // Tile of a larger grid (DESIGN.md, Scale): where this grid sits and how wide its halo is.
  index_t row_offset = 0;
  index_t col_offset = 0;
  int halo = 0;

  // 1 inside the domain, 0 for NoData; one byte per cell, row-major.
  std::vector<std::uint8_t> valid;

  // Per row, metres and m²:
  std::vector<double> cell_width_m;   // E–W length of the cell along its centre parallel
  std::vector<double> cell_height_m;  // N–S length of the cell (meridian arc edge to edge)
  std::vector<double> dy_m;           // centre of row r to centre of row r+1 (last row: own height)
  std::vector<double> diagonal_m;     // centre of row r to the diagonal neighbour in row r+1
  std::vector<double> cell_area_m2;   // area of a cell of row r

  index_t cells() const { return rows * cols; }
  index_t index(index_t r, index_t c) const { return r * cols + c; }
  // Coordinates of a cell centre in the grid's CRS.
  double x(index_t c) const { return geotransform[0] + (static_cast<double>(c) + 0.5) * geotransform[1]; }
  double y(index_t r) const { return geotransform[3] + (static_cast<double>(r) + 0.5) * geotransform[5]; }
  index_t valid_cells() const;
};

// Builds a Grid and fills the per-row metrics. Throws std::invalid_argument for a rotated or
// south-up geotransform (callers in io/ turn that into a one-line input error).
Grid make_grid(index_t rows, index_t cols, const std::array<double, 6>& geotransform,
               std::string crs_wkt, bool geographic, double linear_unit_m = 1.0,
               Ellipsoid ellipsoid = {});

// Per-row metrics for a geographic grid row whose cells span [lat_south, lat_north] degrees and
// dlon degrees of longitude: exact ellipsoidal zone area and geodesic lengths.
double geographic_cell_area_m2(double lat_south_deg, double lat_north_deg, double dlon_deg,
                               const Ellipsoid& e = {});

// The grid on the device: per-row metrics and the mask, and the grid_view kernels take.
class DeviceGrid {
 public:
  explicit DeviceGrid(const Grid& g);
  kernels::grid_view view() const;

 private:
  index_t rows_, cols_;
  exec::device_buffer<std::uint8_t> valid_;
  exec::device_buffer<double> dx_, dy_, diag_, area_;
};

}  // namespace leachflow::model
