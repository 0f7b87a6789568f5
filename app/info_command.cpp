// `leachflow info DEM`: what a DEM is (size, CRS, resolution in metres, extent, NoData share,
// value range) and how much memory a full run on it would need.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "io/crs.hpp"
#include "io/raster.hpp"
#include "model/memory_budget.hpp"

namespace leachflow::app {

namespace {

struct InfoOptions {
  std::string dem;
  int band = 1;
  bool json = false;
};

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 5) {
    bytes /= 1024.0;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

int run_info(const InfoOptions& o) {
  namespace mb = model::memory_budget;
  const io::Raster r = io::read_raster(o.dem, o.band);
  const model::Grid& g = r.grid;
  const double cells = static_cast<double>(g.cells());
  const double nodata_pct = 100.0 * static_cast<double>(r.nodata_cells) / cells;
  const io::ValueRange range = io::value_range(r);
  const auto [w_min, w_max] = std::minmax_element(g.cell_width_m.begin(), g.cell_width_m.end());
  const auto [h_min, h_max] = std::minmax_element(g.cell_height_m.begin(), g.cell_height_m.end());
  std::optional<std::array<double, 4>> extent;
  try {
    extent = io::extent_lonlat(g);
  } catch (const std::exception&) {
    // No CRS or no transformation: reported as unknown.
  }
  const double terrain_b = mb::terrain_bytes_per_cell * cells;
  const double species_min_b = mb::transport_bytes_per_cell_per_species_min * cells;
  const double species_max_b = mb::transport_bytes_per_cell_per_species_max * cells;

  if (o.json) {
    nlohmann::ordered_json j;
    j["path"] = r.path;
    j["driver"] = r.driver;
    j["band"] = r.band;
    j["cols"] = g.cols;
    j["rows"] = g.rows;
    j["cells"] = g.cells();
    j["crs"] = {{"name", r.crs_name}, {"epsg", r.epsg}, {"geographic", g.geographic}};
    j["resolution"] = {{"width_m_min", *w_min}, {"width_m_max", *w_max}, {"height_m_min", *h_min}, {"height_m_max", *h_max}};
    if (g.geographic) {
      j["resolution"]["width_deg"] = g.geotransform[1];
      j["resolution"]["height_deg"] = -g.geotransform[5];
    }
    if (extent)
      j["extent_lonlat"] = {{"west", (*extent)[0]}, {"south", (*extent)[1]}, {"east", (*extent)[2]}, {"north", (*extent)[3]}};
    else
      j["extent_lonlat"] = nullptr;
    j["nodata"] = {{"cells", r.nodata_cells}, {"percent", nodata_pct}};
    if (r.has_nodata) j["nodata"]["value"] = r.nodata;
    j["values"] = {{"min", range.min}, {"max", range.max}, {"unit", r.unit}};
    j["memory"] = {{"terrain_bytes_per_cell", mb::terrain_bytes_per_cell},
                   {"terrain_bytes", terrain_b},
                   {"transport_bytes_per_cell_per_species_min", mb::transport_bytes_per_cell_per_species_min},
                   {"transport_bytes_per_cell_per_species_max", mb::transport_bytes_per_cell_per_species_max},
                   {"transport_bytes_per_species_min", species_min_b},
                   {"transport_bytes_per_species_max", species_max_b}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }

  std::string out;
  const auto line = [&](const char* key, const std::string& value) { out += fmt::format("{:<12} {}\n", key, value); };
  line("file:", r.path);
  line("driver:", fmt::format("{} (band {})", r.driver, r.band));
  line("size:", fmt::format("{} x {} (cols x rows) = {} cells", g.cols, g.rows, g.cells()));
  line("crs:", r.crs_name.empty() ? std::string("none (no CRS in the file)")
                                  : r.epsg ? fmt::format("{} (EPSG:{})", r.crs_name, r.epsg) : r.crs_name);
  if (g.geographic) {
    line("resolution:", fmt::format("{:.9g} x {:.9g} deg; E-W {:.2f}-{:.2f} m, N-S {:.2f}-{:.2f} m over rows",
                                    g.geotransform[1], -g.geotransform[5], *w_min, *w_max, *h_min, *h_max));
  } else {
    line("resolution:", fmt::format("{:.6g} x {:.6g} m", *w_min, *h_min));
  }
  line("extent:", extent ? fmt::format("lon {:.6f} to {:.6f}, lat {:.6f} to {:.6f} (WGS84)", (*extent)[0], (*extent)[2],
                                       (*extent)[1], (*extent)[3])
                         : std::string("unknown (no CRS)"));
  line("nodata:", fmt::format("{:.2f} % ({} of {} cells{})", nodata_pct, r.nodata_cells, g.cells(),
                              r.has_nodata ? fmt::format("; NoData value {:g}", r.nodata) : std::string("; no NoData value")));
  line("elevation:", fmt::format("{:g} to {:g} {}", range.min, range.max, r.unit.empty() ? "(unit not stated; m assumed)" : r.unit));
  line("memory:", fmt::format("terrain pipeline {} ({:g} B/cell); transport +{} to {} per species ({:g}-{:g} B/cell)",
                              human_bytes(terrain_b), mb::terrain_bytes_per_cell, human_bytes(species_min_b),
                              human_bytes(species_max_b), mb::transport_bytes_per_cell_per_species_min,
                              mb::transport_bytes_per_cell_per_species_max));
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

void register_info_command(CLI::App& app, Action& action) {
  auto opts = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand("info", "Describe a DEM: size, CRS, resolution in metres, extent, NoData, range, memory");
  cmd->add_option("dem", opts->dem, "DEM: any GDAL raster (GeoTIFF, VRT, .hgt, NetCDF or NETCDF:file:var)")->required();
  cmd->add_option("--band", opts->band, "band to read (default 1)");
  cmd->add_flag("--json", opts->json, "print JSON instead of text");
  cmd->callback([opts, &action] { action = [opts] { return run_info(*opts); }; });
}

}  // namespace leachflow::app
