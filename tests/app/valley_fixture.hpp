// A hand-made valley for the command tests: 40 × 21 cells of 100 m in UTM 47N, draining south
// along column 10 (z = 200 − r + 2·|c − 10| m), with one pit on the valley at row 8 loading
// sulfate and a tracer (pits.csv, lon/lat).
#pragma once

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/crs.hpp"
#include "io/raster.hpp"
#include "model/grid.hpp"

namespace leachflow::test {

inline constexpr int valley_rows = 40, valley_cols = 21, valley_col = 10, valley_pit_row = 8;
inline constexpr double valley_cell_m = 100.0;

// Writes dir/valley.tif and dir/pits.csv (pit p1 with the given loads in kg/day).
inline void write_valley(const std::filesystem::path& dir, double sulfate_kg_day, double tracer_kg_day) {
  const auto grid = model::make_grid(valley_rows, valley_cols,
                                     {500000.0, valley_cell_m, 0.0, 2800000.0, 0.0, -valley_cell_m},
                                     io::epsg_wkt(32647), false);
  std::vector<float> z(static_cast<std::size_t>(valley_rows * valley_cols));
  for (int r = 0; r < valley_rows; ++r)
    for (int c = 0; c < valley_cols; ++c)
      z[static_cast<std::size_t>(r * valley_cols + c)] = 200.0f - static_cast<float>(r) + 2.0f * static_cast<float>(std::abs(c - valley_col));
  io::write_geotiff<float>((dir / "valley.tif").string(), grid, z, -9999.0);
  std::vector<double> x{grid.x(valley_col)}, y{grid.y(valley_pit_row)};
  io::to_lonlat(grid.crs_wkt, x, y);
  std::ofstream(dir / "pits.csv") << "id,lon,lat,sulfate_kg_day,tracer_kg_day\n"
                                  << fmt::format("p1,{:.10f},{:.10f},{},{}\n", x[0], y[0], sulfate_kg_day, tracer_kg_day);
}

// Writes dir/regions.geojson: two regions split between rows 19 and 20 (y = 2,798,000 m), so the
// valley crosses once, upland → lowland. upland_json: the first region's name as a JSON string
// body (escaped by the caller).
inline void write_two_regions(const std::filesystem::path& dir, const std::string& upland_json = "Upland") {
  std::ofstream(dir / "regions.geojson") << R"({"type": "FeatureCollection",
 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32647"}},
 "features": [
  {"type": "Feature", "properties": {"name": ")" << upland_json << R"("}, "geometry": {"type": "Polygon",
   "coordinates": [[[499000, 2798000], [503100, 2798000], [503100, 2801000], [499000, 2801000], [499000, 2798000]]]}},
  {"type": "Feature", "properties": {"name": "Lowland"}, "geometry": {"type": "Polygon",
   "coordinates": [[[499000, 2795000], [503100, 2795000], [503100, 2798000], [499000, 2798000], [499000, 2795000]]]}}]})";
}

}  // namespace leachflow::test
