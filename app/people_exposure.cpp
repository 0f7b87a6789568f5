#include "app/people_exposure.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "app/csv_text.hpp"
#include "io/crs.hpp"
#include "io/population.hpp"
#include "io/vector.hpp"
#include "model/regions/proximity.hpp"
#include "model/transport/pits.hpp"

namespace leachflow::app {

namespace fs = std::filesystem;

namespace {

std::string fmt_num(double v) { return std::isnan(v) ? std::string() : fmt::format("{:.6g}", v); }

// Writes rows via path.part + rename.
template <class Fill>
void write_csv(const std::string& path, const std::string& header, Fill&& fill) {
  const std::string tmp = path + ".part";
  {
    std::ofstream f(tmp);
    f << header << "\n";
    fill(f);
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  fs::rename(tmp, path);
}

void settlements(const io::Scenario& s, const std::vector<io::PointFeature>& places, const model::Grid& grid, std::span<const double> area_m2,
                 std::span<const std::uint8_t> stream, const ExposureStats& stats, const std::string& out_dir,
                 PeopleExposure& out) {
  const auto& e = s.exposure;
  const model::transport::StreamCells streams{area_m2, stream, 0.0};
  const std::string path = (fs::path(out_dir) / "settlements.csv").string();
  long long unsnapped = 0;
  write_csv(path,
            "name,population,lon,lat,stream_row,stream_col,distance_m,species,guideline_mg_l,peak_mg_l,mean_mg_l,"
            "days_above,above_guideline,note",
            [&](std::ofstream& f) {
              for (const auto& p : places) {
                const std::string name = p.text(e.name_field).value_or(fmt::format("feature {}", p.fid));
                const double people = p.number(e.population_field).value_or(std::nan(""));
                std::vector<double> lon{p.point.x}, lat{p.point.y};
                io::to_lonlat(grid.crs_wkt, lon, lat);
                const auto snap = model::transport::nearest_stream_cell(grid, streams, p.point.x, p.point.y, e.settlement_snap_m);
                for (std::size_t k = 0; k < stats.species_count(); ++k) {
                  const double g = stats.guideline_mg_l(k);
                  PeopleExposureRow& row = out.rows[k];
                  ++row.settlements;
                  const auto cell = snap.cell >= 0 ? stats.at(k, snap.cell) : std::nullopt;
                  if (!cell) {
                    f << fmt::format("{},{},{:.6f},{:.6f},,,,{},{},,,,,{}\n", csv_text(name), fmt_num(people), lon[0], lat[0],
                                     stats.species(k), fmt_num(g),
                                     csv_text(snap.cell < 0 ? fmt::format("no stream within {} m", e.settlement_snap_m)
                                                            : std::string("stream cell not written (output mask)")));
                    continue;
                  }
                  const bool above = g > 0 && cell->peak_mg_l > g;
                  if (above) {
                    ++row.settlements_above;
                    if (!std::isnan(people)) row.settlement_people_above += people;
                  }
                  f << fmt::format("{},{},{:.6f},{:.6f},{},{},{:.1f},{},{},{:.6g},{:.6g},{:.6g},{},\n", csv_text(name),
                                   fmt_num(people), lon[0], lat[0], snap.cell / grid.cols, snap.cell % grid.cols,
                                   snap.distance_m, stats.species(k), fmt_num(g), cell->peak_mg_l, cell->mean_mg_l,
                                   cell->days_above, g > 0 ? (above ? "yes" : "no") : "");
                }
                if (snap.cell < 0) ++unsnapped;
              }
            });
  out.files.push_back(path);
  if (unsnapped > 0)
    out.warnings.push_back(fmt::format("{} of {} settlements have no stream within {} m; listed in settlements.csv", unsnapped,
                                       places.size(), e.settlement_snap_m));
}

void population(const io::Scenario& s, const io::Population& pop, const model::Grid& grid, std::span<const std::uint8_t> stream,
                const ExposureStats& stats, const io::Regions* regions, const std::string& out_dir, PeopleExposure& out) {
  if (pop.total_in_raster > 0 && pop.total_on_grid < 0.999 * pop.total_in_raster)
    out.warnings.push_back(fmt::format("{:.0f} of the population raster's {:.0f} people live outside the DEM and are not counted",
                                       pop.total_in_raster - pop.total_on_grid, pop.total_in_raster));
  const auto n = static_cast<std::size_t>(grid.cells());
  const std::size_t zones = regions ? regions->names.size() : 0;
  // [species][zone]: people and people exposed; zone `zones` is the whole grid.
  std::vector<double> people(zones + 1, 0.0);
  std::vector<std::vector<double>> exposed(stats.species_count(), std::vector<double>(zones + 1, 0.0));
  for (std::size_t i = 0; i < n; ++i) {
    people[zones] += pop.people[i];
    if (regions && regions->id[i] >= 0) people[static_cast<std::size_t>(regions->id[i])] += pop.people[i];
  }
  for (std::size_t k = 0; k < stats.species_count(); ++k) {
    const double g = stats.guideline_mg_l(k);
    PeopleExposureRow& row = out.rows[k];
    row.has_population = true;
    row.population = people[zones];
    if (!(g > 0)) continue;
    std::vector<std::uint8_t> hot(n, 0);
    for (std::size_t i = 0; i < n; ++i)
      if (stream[i]) {
        const auto c = stats.at(k, static_cast<std::int64_t>(i));
        hot[i] = c && c->peak_mg_l > g ? 1 : 0;
      }
    const std::vector<std::uint8_t> near = model::regions::cells_within(grid, hot, s.exposure.near_stream_m);
    for (std::size_t i = 0; i < n; ++i) {
      if (!near[i]) continue;
      exposed[k][zones] += pop.people[i];
      if (regions && regions->id[i] >= 0) exposed[k][static_cast<std::size_t>(regions->id[i])] += pop.people[i];
    }
    row.population_exposed = exposed[k][zones];
  }
  const std::string path = (fs::path(out_dir) / "exposed_population.csv").string();
  write_csv(path, "region,species,guideline_mg_l,near_stream_m,population,population_exposed,share_exposed",
            [&](std::ofstream& f) {
              for (std::size_t k = 0; k < stats.species_count(); ++k) {
                if (!(stats.guideline_mg_l(k) > 0)) continue;
                for (std::size_t z = 0; z <= zones; ++z) {
                  if (z < zones && people[z] <= 0) continue;
                  f << fmt::format("{},{},{},{},{:.6g},{:.6g},{:.6g}\n", csv_text(z < zones ? regions->names[z] : "(whole grid)"),
                                   stats.species(k), stats.guideline_mg_l(k), s.exposure.near_stream_m, people[z],
                                   exposed[k][z], people[z] > 0 ? exposed[k][z] / people[z] : 0.0);
                }
              }
            });
  out.files.push_back(path);
}

}  // namespace

std::vector<SnappedPlace> snapped_places(const io::Scenario& s, const PeopleInputs& in, const model::Grid& grid,
                                         std::span<const double> area_m2, std::span<const std::uint8_t> stream) {
  std::vector<SnappedPlace> out;
  const model::transport::StreamCells streams{area_m2, stream, 0.0};
  for (const auto& p : in.places) {
    const auto snap = model::transport::nearest_stream_cell(grid, streams, p.point.x, p.point.y, s.exposure.settlement_snap_m);
    if (snap.cell >= 0) out.push_back({p.text(s.exposure.name_field).value_or(fmt::format("feature {}", p.fid)), snap.cell});
  }
  return out;
}

std::string write_place_attribution(const std::string& out_dir, const std::vector<SnappedPlace>& places,
                                    const std::vector<model::transport::AttributionResult>& results,
                                    const std::vector<std::string>& species, const std::string& when) {
  const std::string path = (fs::path(out_dir) / "settlement_attribution.csv").string();
  write_csv(path, "place,species,source,load_kg_day,flux_kg_day,transmission,share,steady_state_of", [&](std::ofstream& f) {
    for (std::size_t s = 0; s < results.size() && s < species.size(); ++s) {
      const auto& r = results[s];
      for (std::size_t p = 0; p < places.size() && p < r.points.size(); ++p)
        for (std::size_t src = 0; src < r.sources.size(); ++src) {
          const double flux = r.flux_kg_day[src][p];
          if (!(flux > 0)) continue;
          f << fmt::format("{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{}\n", csv_text(places[p].name), species[s],
                           csv_text(r.sources[src]), r.load_kg_day[src], flux, r.transmission[src][p], r.share[src][p],
                           when);
        }
    }
  });
  return path;
}

PeopleInputs read_people_inputs(const io::Scenario& s, const model::Grid& grid) {
  PeopleInputs in;
  if (!s.exposure.settlements.empty())
    in.places = io::read_points(s.exposure.settlements, grid.crs_wkt, s.exposure.settlements_layer);
  if (!s.exposure.population.empty()) in.population = io::read_population(s.exposure.population, grid);
  return in;
}

PeopleExposure write_people_exposure(const io::Scenario& s, const PeopleInputs& in, const model::Grid& grid,
                                     std::span<const double> area_m2,
                                     std::span<const std::uint8_t> stream, const ExposureStats& stats,
                                     const io::Regions* regions, const std::string& out_dir) {
  PeopleExposure out;
  if (!in.any()) return out;
  for (std::size_t k = 0; k < stats.species_count(); ++k) {
    PeopleExposureRow r;
    r.species = stats.species(k);
    r.guideline_mg_l = stats.guideline_mg_l(k);
    out.rows.push_back(r);
  }
  if (!in.places.empty()) settlements(s, in.places, grid, area_m2, stream, stats, out_dir, out);
  if (in.population) population(s, *in.population, grid, stream, stats, regions, out_dir, out);
  return out;
}

}  // namespace leachflow::app
