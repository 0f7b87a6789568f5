#include "app/run_summary.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace leachflow::app {

double RunSummary::relative_error() const {
  double e = 0;
  for (const auto& s : species) e = std::max(e, s.ledger.relative_error());
  return e;
}

void print_summary(const RunSummary& s, std::FILE* out) {
  fmt::print(out, "\n{}: {} of {} steps of {} day{} ({} to {}){}\n", s.title, s.steps_done, s.steps_total, s.step_days,
             s.step_days == 1 ? "" : "s", s.start, s.end,
             s.complete ? "" : fmt::format(" - STOPPED: {}", s.stopped_because));
  fmt::print(out, "grid {} cells ({} valid, {} on streams >= {:.3g} km2); terrain {:.1f} s, transport {:.1f} s, writing {:.1f} s\n",
             s.cells, s.valid_cells, s.stream_cells, s.stream_threshold_km2, s.terrain_s, s.transport_s, s.write_s);
  fmt::print(out, "\nmass ledger (kg)   {:>12} {:>12} {:>12} {:>12} {:>12} {:>10}\n", "sources", "outflow", "stored", "reacted",
             "settled", "rel.error");
  for (const auto& sp : s.species) {
    const auto& l = sp.ledger;
    fmt::print(out, "  {:<16} {:>12.5g} {:>12.5g} {:>12.5g} {:>12.5g} {:>12.5g} {:>10.2e}\n", sp.name,
               l.source_kg + l.initial_stored_kg, l.outflow_kg, l.stored_kg, l.decayed_kg, l.settled_kg, l.relative_error());
  }
  fmt::print(out, "\npeak concentration  {:>12} {:>10} {:>10} {:>12} {:>12}\n", "mg/L", "lon", "lat", "date",
             "km2 > guide");
  for (const auto& sp : s.species) {
    if (!sp.peak.found) {
      fmt::print(out, "  {:<17} (no output step written)\n", sp.name);
      continue;
    }
    fmt::print(out, "  {:<17} {:>12.4g} {:>10.4f} {:>10.4f} {:>12} {:>12}\n", sp.name, sp.peak.value, sp.peak.lon, sp.peak.lat,
               sp.peak.time,
               sp.guideline_mg_l > 0 ? fmt::format("{:.4g} ({:g})", sp.area_above_guideline_km2, sp.guideline_mg_l) : "-");
  }
  if (!s.regions.empty()) {
    std::size_t groups = 0;
    for (const auto& r : s.crossings) groups = std::max(groups, r.id + 1);
    fmt::print(out, "\nborder crossings: {} rivers cross between regions of {}\n", groups, s.regions);
    if (groups > 0) {
      fmt::print(out, "  {:<34} {:>9} {:>8} {:>8}  mean flux kg/day:", "crossing (largest rivers first)", "lon", "lat", "Q m3/s");
      fmt::print(out, "\n  {:<34} {:>9} {:>8} {:>8} ", "", "", "", "");
      for (const auto& sp : s.species) fmt::print(out, " {:>14}", sp.name);
      fmt::print(out, "\n");
      const std::size_t per = s.species.size();
      for (std::size_t g = 0; g < std::min<std::size_t>(groups, 12); ++g) {
        const auto& r0 = s.crossings[g * per];
        fmt::print(out, "  {:<34} {:>9.3f} {:>8.3f} {:>8.1f} ", (r0.from + " -> " + r0.to).substr(0, 34), r0.lon, r0.lat,
                   r0.mean_discharge_m3s);
        for (std::size_t k = 0; k < per; ++k) fmt::print(out, " {:>14.4g}", s.crossings[g * per + k].mean_flux_kg_day);
        fmt::print(out, "\n");
      }
      if (groups > 12) fmt::print(out, "  ... {} more in crossings.csv\n", groups - 12);
    }
  }
  if (!s.pits.empty()) {
    double far = 0;
    for (const auto& p : s.pits) far = std::max(far, p.distance_m);
    fmt::print(out, "\n{} pits snapped to streams (largest move {:.0f} m)\n", s.pits.size(), far);
  }
  if (!s.people.empty()) {
    fmt::print(out, "\npeople downstream (screening: places on, and people within {:.0f} m of, rivers above a guideline)\n",
               s.near_stream_m);
    for (const auto& p : s.people) {
      if (!(p.guideline_mg_l > 0)) continue;
      fmt::print(out, "  {:<10} > {:g} mg/L:", p.species, p.guideline_mg_l);
      if (p.settlements > 0)
        fmt::print(out, " {} of {} settlements ({:.0f} people)", p.settlements_above, p.settlements, p.settlement_people_above);
      if (p.has_population)
        fmt::print(out, "{} {:.0f} of {:.0f} people near such rivers", p.settlements > 0 ? ";" : "", p.population_exposed,
                   p.population);
      fmt::print(out, "\n");
    }
  }
  for (const auto& w : s.warnings) fmt::print(out, "warning: {}\n", w);
  fmt::print(out, "mass balance relative error {:.2e}\n", s.relative_error());
}

void write_summary_json(const RunSummary& s, const std::string& path) {
  nlohmann::json j;
  j["scenario"] = s.scenario;
  j["title"] = s.title;
  j["backend"] = s.backend;
  j["threads"] = s.threads;
  j["complete"] = s.complete;
  if (!s.complete) j["stopped_because"] = s.stopped_because;
  j["grid"] = {{"cells", s.cells}, {"valid_cells", s.valid_cells}, {"stream_cells", s.stream_cells},
               {"stream_threshold_km2", s.stream_threshold_km2}};
  j["time"] = {{"start", s.start},           {"end", s.end},
               {"step_days", s.step_days},   {"steps_done", s.steps_done},
               {"steps_total", s.steps_total}, {"outputs_written", s.outputs_written}};
  j["seconds"] = {{"terrain", s.terrain_s}, {"transport", s.transport_s}, {"write", s.write_s}};
  double sources = 0, imbalance = 0;
  for (const auto& sp : s.species) {
    sources += sp.ledger.source_kg + sp.ledger.initial_stored_kg;
    imbalance += std::abs(sp.ledger.imbalance_kg());
  }
  j["mass_balance"] = {{"relative_error", s.relative_error()},
                       {"definition", "max over species of |sources + initial - (outflow + stored + decayed + settled)| / "
                                      "(sources + initial)"},
                       {"sources_kg", sources},
                       {"imbalance_kg", imbalance}};
  j["species"] = nlohmann::json::array();
  for (const auto& sp : s.species) {
    const auto& l = sp.ledger;
    nlohmann::json e = {{"name", sp.name},
                        {"unit", sp.unit},
                        {"guideline", sp.guideline_mg_l},
                        {"ledger_kg",
                         {{"sources", l.source_kg},
                          {"initial_stored", l.initial_stored_kg},
                          {"outflow", l.outflow_kg},
                          {"stored", l.stored_kg},
                          {"reacted", l.decayed_kg},
                          {"settled", l.settled_kg},
                          {"relative_error", l.relative_error()}}},
                        {"cells_above_guideline", sp.cells_above_guideline},
                        {"area_above_guideline_km2", sp.area_above_guideline_km2}};
    if (sp.peak.found)
      e["peak"] = {{"value", sp.peak.value}, {"unit", sp.unit}, {"lon", sp.peak.lon}, {"lat", sp.peak.lat},
                   {"x", sp.peak.x},         {"y", sp.peak.y},   {"time", sp.peak.time}};
    else
      e["peak"] = nullptr;
    j["species"].push_back(e);
  }
  j["pits"] = nlohmann::json::array();
  for (const auto& p : s.pits)
    j["pits"].push_back({{"id", p.id},
                         {"lon", p.lon},
                         {"lat", p.lat},
                         {"snapped_row", p.row},
                         {"snapped_col", p.col},
                         {"snap_distance_m", p.distance_m},
                         {"contributing_area_km2", p.area_m2 / 1e6},
                         {"on_stream", p.on_stream}});
  j["crossings"] = nlohmann::json::array();
  for (const auto& r : s.crossings)
    j["crossings"].push_back({{"crossing_id", r.id},
                              {"from_region", r.from},
                              {"to_region", r.to},
                              {"lon", r.lon},
                              {"lat", r.lat},
                              {"river_basin", r.river_basin},
                              {"species", r.species},
                              {"mean_flux_kg_day", r.mean_flux_kg_day},
                              {"peak_flux_kg_day", r.peak_flux_kg_day},
                              {"peak_concentration", r.peak_concentration},
                              {"unit", r.unit},
                              {"peak_date", r.peak_time},
                              {"mean_discharge_m3s", r.mean_discharge_m3s}});
  j["people"] = nlohmann::json::array();
  for (const auto& p : s.people) {
    nlohmann::json e = {{"species", p.species},
                        {"guideline_mg_l", p.guideline_mg_l},
                        {"settlements", p.settlements},
                        {"settlements_above", p.settlements_above},
                        {"settlement_people_above", p.settlement_people_above}};
    if (p.has_population) {
      e["population"] = p.population;
      e["population_exposed"] = p.population_exposed;
      e["near_stream_m"] = s.near_stream_m;
    }
    j["people"].push_back(e);
  }
  j["warnings"] = s.warnings;
  j["outputs"] = s.outputs;
  const std::string tmp = path + ".part";
  {
    std::ofstream f(tmp);
    f << j.dump(2) << "\n";
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace leachflow::app
