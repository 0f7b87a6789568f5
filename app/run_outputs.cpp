#include "app/run_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "app/budgets_csv.hpp"
#include "io/crs.hpp"
#include "io/raster.hpp"
#include "kernels/exec/memory.hpp"
#include "leachflow/version.hpp"
#include "kernels/exec/runtime.hpp"
#include "model/iso_time.hpp"

namespace leachflow::app {

namespace fs = std::filesystem;
using exec::index_t;

namespace {
constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();

std::string stem_of(const std::string& netcdf) { return netcdf.substr(0, netcdf.size() - 3); }

io::NcVariable concentration_variable(const model::transport::Species& s) {
  io::NcVariable v;
  v.name = s.name;
  v.long_name = s.name + " concentration in water";
  v.units = "mg L-1";
  // CF standard names exist for these dissolved species in sea water only; none is claimed.
  v.comment = fmt::format("dissolved concentration; decay {} /day, retardation {}, settling {} m/day; {}", s.decay_per_day,
                          s.retardation, s.settling_m_day, s.source);
  return v;
}
}  // namespace

std::vector<std::string> RunOutputs::planned_files(const io::Scenario& scenario, const std::string& out_dir,
                                                   const std::vector<std::string>& species_names) {
  std::vector<std::string> files = {(fs::path(out_dir) / scenario.output.netcdf).string(),
                                    (fs::path(out_dir) / (stem_of(scenario.output.netcdf) + ".partial.nc")).string(),
                                    (fs::path(out_dir) / "summary.json").string()};
  for (const auto& s : species_names) files.push_back((fs::path(out_dir) / ("peak_" + s + ".tif")).string());
  if (!scenario.regions.path.empty()) {
    files.push_back((fs::path(out_dir) / "crossings.csv").string());
    files.push_back((fs::path(out_dir) / "attribution.csv").string());
  }
  for (const auto& s : species_names)
    for (const char* kind : {"mean_", "p95_", "days_above_"}) files.push_back((fs::path(out_dir) / (kind + s + ".tif")).string());
  files.push_back((fs::path(out_dir) / "exposure.csv").string());
  files.push_back((fs::path(out_dir) / "links.csv").string());
  files.push_back((fs::path(out_dir) / "budgets.csv").string());
  if (!scenario.exposure.settlements.empty()) {
    files.push_back((fs::path(out_dir) / "settlements.csv").string());
    files.push_back((fs::path(out_dir) / "settlement_attribution.csv").string());
  }
  if (!scenario.exposure.population.empty()) files.push_back((fs::path(out_dir) / "exposed_population.csv").string());
  if (scenario.output.map_png) files.push_back((fs::path(out_dir) / "peak_map.png").string());
  return files;
}

RunOutputs::RunOutputs(const io::Scenario& scenario, const std::string& out_dir, const model::Grid& grid,
                       const model::terrain::Terrain& terrain, const std::vector<model::transport::Species>& all_species,
                       std::vector<int> species, const std::string& history, long long expected_outputs)
    : scenario_(scenario), out_dir_(out_dir), grid_(grid), terrain_(terrain), species_all_(all_species),
      species_(std::move(species)) {
  if (scenario.output.mask == "all") {
    mask_ = grid.valid;
  } else {
    mask_ = exec::to_host(terrain.network->stream);
    for (std::size_t i = 0; i < mask_.size(); ++i) mask_[i] = mask_[i] && grid.valid[i];
  }
  io::NcFileOptions o;
  o.path = (fs::path(out_dir) / scenario.output.netcdf).string();
  o.title = scenario.title;
  o.institution = scenario.institution;
  o.source = fmt::format("leachflow {} ({})", leachflow::version, exec::backend_name());
  o.history = history;
  o.scenario_text = scenario.text;
  o.references = "Scenario keys: scenarios/README.md of leachflow";
  const double day0 = std::floor(scenario.time.start_day);
  o.time_units = "days since " + model::format_iso8601_date(day0) + " 00:00:00";
  time_offset_ = scenario.time.start_day - day0;
  std::vector<io::NcVariable> vars;
  for (int s : species_) vars.push_back(concentration_variable(species_all_[static_cast<std::size_t>(s)]));
  nc_ = std::make_unique<io::NetcdfWriter>(grid, o, vars);
  nc_->set_global("leachflow_output_mask", scenario.output.mask == "all"
                                               ? "all valid cells"
                                               : fmt::format("stream cells (contributing area >= {} km2); other cells "
                                                             "are _FillValue",
                                                             terrain.stream_threshold_m2 / 1e6));
  peak_.assign(species_.size(), std::vector<float>(static_cast<std::size_t>(grid.cells()), nan_f));
  peak_where_.assign(species_.size(), PeakSummary{});
  discharge_sum_.assign(static_cast<std::size_t>(grid.cells()), 0.0);
  std::vector<std::string> names;
  std::vector<double> guidelines;
  for (int s : species_) {
    names.push_back(species_all_[static_cast<std::size_t>(s)].name);
    guidelines.push_back(species_all_[static_cast<std::size_t>(s)].guideline_mg_l);
  }
  exposure_ = std::make_unique<ExposureStats>(mask_, names, guidelines, expected_outputs);
  link_ = exec::to_host(terrain.network->link);
  const std::size_t links = terrain.network->links.size();
  link_tau_min_.assign(links, std::numeric_limits<double>::infinity());
  link_tau_max_.assign(links, 0.0);
  link_tau_sum_.assign(links, 0.0);
}

std::vector<std::pair<double, double>> RunOutputs::basin_outlets_lonlat() const {
  std::vector<double> x, y;
  for (index_t cell : terrain_.basins->outlet) x.push_back(grid_.x(cell % grid_.cols)), y.push_back(grid_.y(cell / grid_.cols));
  io::to_lonlat(grid_.crs_wkt, x, y);
  std::vector<std::pair<double, double>> outlets;
  for (std::size_t k = 0; k < x.size(); ++k) outlets.emplace_back(x[k], y[k]);
  return outlets;
}

void RunOutputs::enable_crossings(const io::Regions& regions, model::regions::Crossings crossings) {
  std::vector<std::string> names;
  for (int s : species_) names.push_back(species_all_[static_cast<std::size_t>(s)].name);
  crossings_ = std::make_unique<CrossingSeries>(grid_, regions, std::move(crossings), basin_outlets_lonlat(), names, *nc_);
}

std::string RunOutputs::write_budgets(const model::transport::TransportModel& model, const io::Regions* regions) const {
  const std::string path = (fs::path(out_dir_) / "budgets.csv").string();
  const BasinLabels basins{exec::to_host(terrain_.basins->id), basin_outlets_lonlat()};
  write_budgets_csv(path, grid_, *terrain_.graph, model, species_, regions, basins);
  return path;
}

void RunOutputs::write_step(double model_day, const model::transport::TransportModel& model,
                            const model::hydraulics::Hydraulics& hydraulics) {
  const std::size_t t = nc_->append_time(model_day + time_offset_);
  const std::size_t n = static_cast<std::size_t>(grid_.cells());
  std::vector<float> field(n);
  std::vector<std::vector<double>> concentration(species_.size());
  for (std::size_t k = 0; k < species_.size(); ++k) {
    concentration[k] = exec::to_host(model.concentration_mg_l(species_[k]));
    const std::vector<double>& c = concentration[k];
    float best = -1;
    std::size_t best_cell = 0;
    std::vector<float>& peak = peak_[k];
    for (std::size_t i = 0; i < n; ++i) {
      if (!mask_[i]) {
        field[i] = nan_f;
        continue;
      }
      const float v = static_cast<float>(c[i]);
      field[i] = v;
      if (!(peak[i] >= v)) peak[i] = v;  // NaN-safe running maximum
      if (v > best) best = v, best_cell = i;
    }
    nc_->write_field(k, t, field);
    exposure_->add(k, c, model_day - last_output_day_);
    PeakSummary& w = peak_where_[k];
    if (best >= 0 && (!w.found || static_cast<double>(best) > w.value)) {
      w.found = true;
      w.value = best;
      w.x = grid_.x(static_cast<index_t>(best_cell) % grid_.cols);
      w.y = grid_.y(static_cast<index_t>(best_cell) / grid_.cols);
      w.time = model::format_iso8601_date(scenario_.time.start_day + model_day);
    }
  }
  const std::vector<double> q = exec::to_host(hydraulics.state().discharge_m3s);
  for (std::size_t i = 0; i < n; ++i) discharge_sum_[i] += q[i];
  // Travel time of each stream link at this step: the sum of its cells' V/Q.
  const std::vector<double> tau = exec::to_host(hydraulics.state().travel_time_s);
  std::vector<double> link_tau(link_tau_sum_.size(), 0.0);
  for (std::size_t i = 0; i < n; ++i)
    if (link_[i] >= 0) link_tau[static_cast<std::size_t>(link_[i])] += tau[i];
  for (std::size_t k = 0; k < link_tau.size(); ++k) {
    link_tau_min_[k] = std::min(link_tau_min_[k], link_tau[k]);
    link_tau_max_[k] = std::max(link_tau_max_[k], link_tau[k]);
    link_tau_sum_[k] += link_tau[k];
  }
  exposure_->end_step();
  last_output_day_ = model_day;
  if (crossings_)
    crossings_->record(t, model::format_iso8601_date(scenario_.time.start_day + model_day), concentration, q, *nc_);
  ++outputs_;
}

std::string RunOutputs::write_links_csv() const {
  const auto& links = terrain_.network->links;
  std::vector<double> x, y;
  for (const auto& l : links)
    for (index_t cell : {l.head, l.tail}) x.push_back(grid_.x(cell % grid_.cols)), y.push_back(grid_.y(cell / grid_.cols));
  io::to_lonlat(grid_.crs_wkt, x, y);
  const std::string path = (fs::path(out_dir_) / "links.csv").string();
  {
    std::ofstream f(path + ".part");
    f << "link_id,head_lon,head_lat,tail_lon,tail_lat,downstream_link,strahler,length_m,slope,"
         "travel_time_h_mean,travel_time_h_min,travel_time_h_max\n";
    for (std::size_t k = 0; k < links.size(); ++k) {
      const auto& l = links[k];
      f << fmt::format("{},{:.5f},{:.5f},{:.5f},{:.5f},{},{},{:.1f},{:.6f},{:.4g},{:.4g},{:.4g}\n", k, x[2 * k], y[2 * k],
                       x[2 * k + 1], y[2 * k + 1], l.downstream, l.strahler, l.length_m, l.slope,
                       link_tau_sum_[k] / static_cast<double>(outputs_) / 3600.0, link_tau_min_[k] / 3600.0,
                       link_tau_max_[k] / 3600.0);
    }
    if (!f) throw std::runtime_error("cannot write " + path + ".part");
  }
  fs::rename(path + ".part", path);
  return path;
}

std::vector<std::string> RunOutputs::finish(bool complete, const std::string& why, RunSummary& summary) {
  std::vector<std::string> files;
  const std::size_t n = static_cast<std::size_t>(grid_.cells());
  if (scenario_.output.static_fields) {
    std::vector<float> f = exec::to_host(terrain_.conditioned.elevation);
    for (std::size_t i = 0; i < n; ++i)
      if (!grid_.valid[i]) f[i] = nan_f;
    nc_->write_static({"elevation", "conditioned surface elevation (depressions filled/breached, flats resolved)", "m",
                       "surface_altitude", ""},
                      f);
    const std::vector<double> a = exec::to_host(terrain_.area_m2);
    for (std::size_t i = 0; i < n; ++i) f[i] = grid_.valid[i] ? static_cast<float>(a[i] / 1e6) : nan_f;
    nc_->write_static({"contributing_area", "upstream contributing area including the cell", "km2", "", ""}, f);
    for (std::size_t i = 0; i < n; ++i)
      f[i] = grid_.valid[i] && outputs_ > 0 ? static_cast<float>(discharge_sum_[i] / static_cast<double>(outputs_)) : nan_f;
    nc_->write_static({"discharge", "mean discharge over the output steps", "m3 s-1", "water_volume_transport_in_river_channel", ""},
                      f);
    const std::vector<std::uint8_t> stream = exec::to_host(terrain_.network->stream);
    const std::vector<std::int32_t> order = exec::to_host(terrain_.network->strahler);
    const std::vector<std::int64_t> basin = exec::to_host(terrain_.basins->id);
    std::vector<std::int32_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = grid_.valid[i] ? stream[i] : -1;
    nc_->write_static({"stream", "stream cell (1) or hillslope (0)", "1", "", ""}, v, -1);
    for (std::size_t i = 0; i < n; ++i) v[i] = grid_.valid[i] ? order[i] : -1;
    nc_->write_static({"strahler_order", "Strahler stream order (0 off streams)", "1", "", ""}, v, -1);
    for (std::size_t i = 0; i < n; ++i) v[i] = grid_.valid[i] ? static_cast<std::int32_t>(basin[i]) : -1;
    nc_->write_static({"basin", "drainage basin id, by outlet cell", "1", "", ""}, v, -1);
  }
  for (std::size_t k = 0; k < species_.size(); ++k) {
    const auto& sp = species_all_[static_cast<std::size_t>(species_[k])];
    nc_->write_static({"peak_" + sp.name, "peak " + sp.name + " concentration over the output steps", "mg L-1", "", ""},
                      peak_[k]);
  }
  if (outputs_ > 0) {
    files.push_back(write_links_csv());
    for (auto& f : exposure_->write(out_dir_, grid_)) files.push_back(f);
    if (!exposure_->has_p95())
      summary.warnings.push_back("p95 maps skipped: the concentration series of the output cells exceed 1 GiB of host memory");
  }
  if (crossings_) {
    const std::string csv = (fs::path(out_dir_) / "crossings.csv").string();
    crossings_->write_csv(csv);
    files.push_back(csv);
    summary.crossings = crossings_->rows();
    if (!attribution_.empty()) {
      const std::string att = (fs::path(out_dir_) / "attribution.csv").string();
      crossings_->write_attribution_csv(att, attribution_, attribution_when_);
      files.push_back(att);
    }
  }
  files.push_back(complete ? nc_->finish() : nc_->finish_partial(why));
  nc_.reset();

  // Peaks located in lon/lat, and the area above each guideline.
  std::vector<double> px, py;
  for (const auto& w : peak_where_) px.push_back(w.x), py.push_back(w.y);
  io::to_lonlat(grid_.crs_wkt, px, py);
  for (std::size_t k = 0; k < species_.size(); ++k) {
    const auto& sp = species_all_[static_cast<std::size_t>(species_[k])];
    SpeciesSummary* out = nullptr;
    for (auto& s : summary.species)
      if (s.name == sp.name) out = &s;
    if (!out) continue;
    out->peak = peak_where_[k];
    out->peak.lon = px[k];
    out->peak.lat = py[k];
    if (sp.guideline_mg_l > 0) {
      for (std::size_t i = 0; i < n; ++i)
        if (peak_[k][i] > sp.guideline_mg_l) {
          ++out->cells_above_guideline;
          out->area_above_guideline_km2 += grid_.cell_area_m2[i / static_cast<std::size_t>(grid_.cols)] / 1e6;
        }
    }
    const std::string tif = (fs::path(out_dir_) / ("peak_" + sp.name + ".tif")).string();
    std::vector<float> p = peak_[k];
    for (auto& v : p)
      if (std::isnan(v)) v = -9999.0f;
    io::write_geotiff(tif, grid_, p, -9999.0,
                      {{"LEACHFLOW_PRODUCT", "peak " + sp.name + " concentration over the output steps"},
                       {"UNITS", "mg/L"},
                       {"GUIDELINE_MG_L", fmt::format("{}", sp.guideline_mg_l)}});
    files.push_back(tif);
  }
  summary.outputs_written = outputs_;
  return files;
}

}  // namespace leachflow::app
