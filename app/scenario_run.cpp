#include "app/scenario_run.hpp"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "app/interrupt.hpp"
#include "app/progress.hpp"
#include "app/run_inputs.hpp"
#include "app/run_outputs.hpp"
#include "app/people_exposure.hpp"
#include "app/run_summary.hpp"
#include "app/scenario_model.hpp"
#include "io/errors.hpp"
#include "io/pits.hpp"
#include "io/raster.hpp"
#include "io/regions.hpp"
#include "model/regions/crossings.hpp"
#include "io/scenario.hpp"
#include "kernels/exec/memory.hpp"
#include "kernels/exec/runtime.hpp"
#include "model/iso_time.hpp"
#include "model/transport/pits.hpp"

namespace leachflow::app {

namespace fs = std::filesystem;
using exec::index_t;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Steps of step_days from start to end, the last one shortened to land on end.
long long step_count(const io::Scenario& s) {
  const double span = s.time.end_day - s.time.start_day;
  return static_cast<long long>(std::ceil(span / s.time.step_days - 1e-9));
}

std::vector<int> output_species(const io::Scenario& s, const std::vector<model::transport::Species>& species) {
  std::vector<int> out;
  for (int k = 0; k < static_cast<int>(species.size()); ++k) {
    const auto& want = s.output.species;
    if (want.empty() || std::find(want.begin(), want.end(), species[static_cast<std::size_t>(k)].name) != want.end())
      out.push_back(k);
  }
  return out;
}

// Device bytes per cell, from the measured stage peaks (bench/, issue 3 and 4 notes): terrain up
// to ~105 B/cell with streams and basins; hydraulics 8 doubles; transport 4 doubles per species
// plus 5 per cell. Host: the DEM, masks and one output field per species.
struct MemoryEstimate {
  double device_bytes = 0, host_bytes = 0;
};
MemoryEstimate estimate_memory(double cells, int species, int written) {
  MemoryEstimate m;
  m.device_bytes = cells * (105.0 + 64.0 + 40.0 + 56.0 * species);  // + 3 per-cell budget doubles
  m.host_bytes = cells * (4.0 + 2.0 + 16.0 + 8.0 + 4.0 * written);
  return m;
}

void refuse_existing(const std::vector<std::string>& files) {
  for (const auto& f : files)
    if (fs::exists(f))
      throw io::InputError(f, "", "output exists and would be replaced", "pass --overwrite, or choose another -o folder");
}

// The PNG quicklook: scripts/peak_map.py with Debian's python3 and matplotlib.
void draw_map(const io::Scenario& s, const std::string& out_dir, RunSummary& summary) {
  const fs::path script = fs::path(LEACHFLOW_SOURCE_DIR) / "scripts" / "peak_map.py";
  if (!fs::exists(script) || !fs::exists("/usr/bin/python3")) {
    summary.warnings.push_back("no PNG map: " + script.string() + " or /usr/bin/python3 is missing");
    return;
  }
  const std::string png = (fs::path(out_dir) / "peak_map.png").string();
  std::string cmd = fmt::format("/usr/bin/python3 '{}' --run '{}' --out '{}'", script.string(), out_dir, png);
  if (!s.regions.path.empty())
    cmd += fmt::format(" --borders '{}' --borders-layer '{}' --name-field '{}'", s.regions.path, s.regions.layer,
                       s.regions.name_field);
  if (!s.pits.path.empty()) cmd += fmt::format(" --pits '{}'", s.pits.path);
  cmd += " > '" + (fs::path(out_dir) / "peak_map.log").string() + "' 2>&1";
  if (std::system(cmd.c_str()) == 0)
    summary.outputs.push_back(png);
  else
    summary.warnings.push_back("the PNG map failed; see " + (fs::path(out_dir) / "peak_map.log").string());
}

// `--check`: everything that can be checked without the terrain (the pit layer's fields and
// places, the runoff forcing on this grid), then the plan and the memory it needs.
int check_scenario(const io::Scenario& s, const std::vector<model::transport::Species>& species,
                   const std::vector<int>& written, long long steps, long long every, const std::string& out_dir) {
  const io::Raster dem = io::read_raster(s.dem.path, s.dem.band, s.dem.crop_lonlat);
  const model::Grid& grid = dem.grid;
  const double cells = static_cast<double>(grid.cells());

  const model::transport::PitLayer layer = io::read_pit_layer(s.pits.path, grid.crs_wkt, s.pits.layer);
  try {
    const auto v = model::transport::validate_pits(layer, grid, pit_options(s, species));
    for (const auto& w : v.warnings) std::printf("warning: %s\n", w.c_str());
  } catch (const model::transport::PitError& e) {
    throw io::InputError(e.file(), e.where(), e.problem(), e.fix());
  }
  (void)run_runoff(s, grid);
  const PeopleInputs people = read_people_inputs(s, grid);
  const MemoryEstimate m = estimate_memory(cells, static_cast<int>(species.size()), static_cast<int>(written.size()));
  fmt::print("scenario {}: \"{}\"\n", s.file, s.title);
  fmt::print("DEM {}: {} x {} = {:.0f} cells ({} valid), {}{}\n", s.dem.path, grid.cols, grid.rows, cells, grid.valid_cells(),
             dem.crs_name.empty() ? "no CRS" : dem.crs_name,
             s.dem.crop_lonlat ? fmt::format(", cropped to [{}, {}, {}, {}]", (*s.dem.crop_lonlat)[0],
                                             (*s.dem.crop_lonlat)[1], (*s.dem.crop_lonlat)[2], (*s.dem.crop_lonlat)[3])
                               : "");
  fmt::print("terrain: {} depressions, {} routing, streams >= {:.3g} km2\n", s.terrain.depressions, s.terrain.router,
             model::terrain::stream_threshold_m2(s.terrain.stream_threshold_km2 * 1e6, grid) / 1e6);
  fmt::print("pits: {} features in {}\n", layer.records.size(), s.pits.path);
  if (!people.places.empty()) fmt::print("settlements: {} places in {}\n", people.places.size(), s.exposure.settlements);
  if (people.population)
    fmt::print("population: {:.0f} people on the DEM from {}\n", people.population->total_on_grid, s.exposure.population);
  fmt::print("species:");
  for (const auto& sp : species)
    fmt::print(" {} (decay {}/day, R {}, settling {} m/day)", sp.name, sp.decay_per_day, sp.retardation, sp.settling_m_day);
  fmt::print("\ntime: {} to {}, {} steps of {} day(s), fields every {} step(s) ({} outputs); runoff {}\n", s.time.start,
             s.time.end, steps, s.time.step_days, every, (steps + every - 1) / every, s.runoff.kind);
  fmt::print("memory needed (estimate): device {:.2f} GiB, host {:.2f} GiB\n", m.device_bytes / 1073741824.0,
             m.host_bytes / 1073741824.0);
  fmt::print("would write into {}: {}\n", out_dir,
             s.output.netcdf + ", summary.json, peak_<species>.tif" + (s.output.map_png ? ", peak_map.png" : ""));
  return 0;
}

}  // namespace

int run_scenario(const RunRequest& request) {
  const auto t_start = clock_type::now();
  // From here on Ctrl-C stops cleanly: before the time loop nothing is written; in it, the
  // steps done are kept as a partial NetCDF.
  InterruptGuard interrupt;
  const io::Scenario s = io::parse_scenario(request.scenario);
  const std::vector<model::transport::Species> species = run_species(s);
  const std::vector<int> written = output_species(s, species);
  std::vector<std::string> written_names;
  for (int k : written) written_names.push_back(species[static_cast<std::size_t>(k)].name);
  const long long steps = step_count(s);
  const long long every = std::max(1LL, std::llround(s.output.every_days / s.time.step_days));

  if (!request.check && !request.overwrite) refuse_existing(RunOutputs::planned_files(s, request.out_dir, written_names));

  if (request.check) return check_scenario(s, species, written, steps, every, request.out_dir);

  // Inputs, terrain, pits on streams, hydraulics (app/scenario_model.cpp).
  const std::unique_ptr<ScenarioModel> built = build_scenario_model(s);
  const model::Grid& grid = built->grid();
  const model::terrain::Terrain& terrain = built->terrain;
  model::hydraulics::Hydraulics& hydraulics = *built->hydraulics;
  RunSummary summary;
  summary.scenario = s.file;
  summary.title = s.title;
  summary.backend = exec::backend_name();
  summary.threads = exec::concurrency();
  summary.cells = grid.cells();
  summary.valid_cells = grid.valid_cells();
  summary.start = s.time.start;
  summary.end = s.time.end;
  summary.step_days = s.time.step_days;
  summary.steps_total = steps;

  summary.terrain_s = built->terrain_s;
  summary.stream_threshold_km2 = terrain.stream_threshold_m2 / 1e6;
  for (std::uint8_t v : built->stream) summary.stream_cells += v;
  summary.pits = built->pits.report;
  summary.warnings = built->pits.warnings;

  // Transport.
  const model::transport::Sources& sources = built->pits.sources;
  model::transport::TransportModel transport(*terrain.graph, hydraulics, species, sources,
                                             transport_options(s));
  if (s.transport.steady_state_start) {
    // Start from the steady state of the loads active at the start (stored mass = C·V·R).
    hydraulics.update(0.0);
    const std::vector<double> c = exec::to_host(model::transport::steady_concentration_mg_l(
        *terrain.graph, hydraulics.state(), species, sources, 0.0, hydraulics.options().law.min_discharge_m3s));
    const std::vector<double> volume = exec::to_host(hydraulics.state().volume_m3);
    const std::size_t n = volume.size();
    std::vector<double> mass(n);
    for (std::size_t k = 0; k < species.size(); ++k) {
      for (std::size_t i = 0; i < n; ++i) mass[i] = c[k * n + i] * volume[i] * species[k].retardation;
      transport.set_mass_g(static_cast<int>(k), mass);
    }
  }

  if (InterruptGuard::requested()) {
    std::fprintf(stderr, "leachflow: interrupted before the time loop started; nothing was written\n");
    return 130;
  }
  fs::create_directories(request.out_dir);
  // --overwrite: the previous run's outputs go now, so that a run stopped early never leaves an
  // old complete file beside its .partial.nc (a reader would take the stale one for the result).
  if (request.overwrite)
    for (const auto& f : RunOutputs::planned_files(s, request.out_dir, written_names)) {
      std::error_code ec;
      fs::remove(f, ec);
    }
  const std::string history = utc_now() + " " + request.command_line;
  RunOutputs outputs(s, request.out_dir, grid, terrain, species, written, history, (steps + every - 1) / every + 1);
  std::optional<io::Regions> regions;
  if (!s.regions.path.empty()) {
    summary.regions = s.regions.path;
    regions = io::rasterize_regions(s.regions.path, s.regions.layer, s.regions.name_field, grid);
    if (terrain.graph->multi()) {
      summary.warnings.push_back("border crossings need a D8 flow graph (terrain.router = \"d8\"); none reported");
    } else {
      const std::vector<std::int64_t> basin = exec::to_host(terrain.basins->id);
      outputs.enable_crossings(*regions, model::regions::find_crossings(grid.rows, grid.cols, terrain.graph->d8_directions(),
                                                                        regions->id, built->stream, basin, built->area_m2));
    }
  }
  const PeopleInputs people = read_people_inputs(s, grid);
  // Budgets per region and basin, cumulative from here (3 doubles per cell and species).
  transport.enable_cell_budgets();

  // Time loop: steps of step_days, the last one shortened to land on the end; fields every
  // `every` steps and at the end.
  Progress progress(steps, !request.quiet && stderr_is_terminal());
  const auto t0 = clock_type::now();
  double write_s = 0;
  const double span = s.time.end_day - s.time.start_day;
  std::string stopped;
  for (long long k = 1; k <= steps; ++k) {
    if (InterruptGuard::requested()) {
      stopped = fmt::format("interrupted by signal {} after {} of {} steps", InterruptGuard::signal_number(), k - 1, steps);
      break;
    }
    const double t_end = std::min(span, static_cast<double>(k) * s.time.step_days);
    transport.step(t_end - transport.time_day());
    summary.steps_done = k;
    if (k % every == 0 || k == steps) {
      const auto tw = clock_type::now();
      outputs.write_step(transport.time_day(), transport, hydraulics);
      write_s += seconds_since(tw);
    }
    progress.update(k, model::format_iso8601_date(s.time.start_day + transport.time_day()));
  }
  progress.finish();
  summary.transport_s = seconds_since(t0) - write_s;
  summary.complete = stopped.empty();
  summary.stopped_because = stopped;

  // Source attribution at the crossings and the settlements: one batched steady solve per
  // species and set of points, under the flows and loads in force at the last step.
  const std::vector<SnappedPlace> places = snapped_places(s, people, grid, built->area_m2, built->stream);
  if ((outputs.has_crossings() || !places.empty()) && summary.steps_done > 0) {
    const double day = transport.time_day() - 0.5 * s.time.step_days;
    const std::string when = "loads and flows of " + model::format_iso8601_date(s.time.start_day + day);
    const std::map<std::string, std::string>& cluster = built->cluster;
    if (!s.pits.cluster_field.empty() && cluster.empty())
      summary.warnings.push_back("no pit has a value in the cluster field \"" + s.pits.cluster_field +
                                 "\": attribution is by pit");
    const auto attribute = [&](std::span<const index_t> points) {
      std::vector<model::transport::AttributionResult> results;
      for (int k : written)
        results.push_back(model::transport::attribute_sources(*terrain.graph, hydraulics.state(), species, k, sources, points,
                                                              day, cluster, hydraulics.options().law.min_discharge_m3s));
      return results;
    };
    if (outputs.has_crossings()) outputs.set_attribution(attribute(outputs.crossing_cells()), when);
    if (!places.empty()) {
      std::vector<index_t> cells;
      for (const auto& p : places) cells.push_back(p.cell);
      summary.outputs.push_back(write_place_attribution(request.out_dir, places, attribute(cells), written_names, when));
    }
  }

  for (int k = 0; k < transport.species_count(); ++k) {
    SpeciesSummary sp;
    sp.name = species[static_cast<std::size_t>(k)].name;
    sp.unit = species[static_cast<std::size_t>(k)].unit;
    sp.guideline_mg_l = species[static_cast<std::size_t>(k)].guideline_mg_l;
    sp.ledger = transport.ledger()[static_cast<std::size_t>(k)];
    summary.species.push_back(sp);
  }
  const auto tw = clock_type::now();
  summary.outputs.push_back(outputs.write_budgets(transport, regions ? &*regions : nullptr));
  if (people.any() && summary.steps_done > 0) {
    PeopleExposure pe = write_people_exposure(s, people, grid, built->area_m2, built->stream, outputs.exposure(),
                                              regions ? &*regions : nullptr, request.out_dir);
    summary.people = std::move(pe.rows);
    summary.near_stream_m = s.exposure.near_stream_m;
    for (auto& f : pe.files) summary.outputs.push_back(f);
    for (auto& w : pe.warnings) summary.warnings.push_back(w);
  }
  for (auto& f : outputs.finish(summary.complete, stopped, summary)) summary.outputs.push_back(f);
  if (s.output.map_png && summary.outputs_written > 0) draw_map(s, request.out_dir, summary);
  summary.write_s = write_s + seconds_since(tw);
  const std::string json = (fs::path(request.out_dir) / "summary.json").string();
  summary.outputs.push_back(json);
  write_summary_json(summary, json);
  print_summary(summary, stdout);
  std::printf("outputs in %s (%.1f s in all)\n", request.out_dir.c_str(), seconds_since(t_start));
  return summary.complete ? 0 : 130;
}

}  // namespace leachflow::app
