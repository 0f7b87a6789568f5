// The report's tables and sentences as plain text, shared by the HTML and Markdown writers.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "app/report_render.hpp"

namespace leachflow::app::report {

namespace {

Table crossing_table(const Report& r) {
  Table t;
  t.id = "crossing-table";
  t.title = "Border crossings: flux per species";
  bool area = false;
  for (const auto& c : r.crossings) area = area || c.contributing_area_km2.has_value();
  t.header = {"Crossing", "From", "To", "River basin", "Lat", "Lon", "Mean Q (m3/s)"};
  if (area) t.header.push_back("Upstream area (km2)");
  for (const char* h : {"Species", "Mean flux (kg/day)", "Peak flux (kg/day)", "Peak flux date", "Peak concentration",
                        "Guideline (mg/L)"})
    t.header.push_back(h);
  t.numeric.assign(t.header.size(), false);
  for (std::size_t k : {0u, 4u, 5u, 6u}) t.numeric[k] = true;
  const std::size_t off = area ? 8 : 7;
  if (area) t.numeric[7] = true;
  for (std::size_t k : {1u, 2u, 4u, 5u}) t.numeric[off + k] = true;
  t.note = "Rows in the order of the paragraphs above (largest flux first), then crossings that carried nothing.";
  std::map<std::size_t, std::vector<const Crossing*>> by_id;
  for (const auto& c : r.crossings) by_id[c.id].push_back(&c);
  for (std::size_t id : crossing_order(r))
    for (const Crossing* c : by_id[id]) {
      std::vector<std::string> row = {fmt::format("{}", c->id), c->from, c->to, c->river_basin,
                                      fmt::format("{:.3f}", c->lat), fmt::format("{:.3f}", c->lon),
                                      table_number(c->mean_discharge_m3s)};
      if (area) row.push_back(c->contributing_area_km2 ? table_number(*c->contributing_area_km2) : "");
      const Species* sp = r.find_species(c->species);
      row.insert(row.end(), {c->species, table_number(c->mean_flux_kg_day), table_number(c->peak_flux_kg_day), c->peak_date,
                             table_number(c->peak_concentration) + " " + c->unit,
                             sp && sp->guideline_mg_l > 0 ? table_number(sp->guideline_mg_l) : "-"});
      t.rows.push_back(std::move(row));
    }
  return t;
}

Table peak_table(const Report& r) {
  Table t;
  t.id = "peaks";
  t.title = "Peak concentrations";
  t.note = "The highest concentration anywhere on the grid over the run, and the area whose peak exceeded the guideline.";
  t.header = {"Species", "Peak", "Date", "Lat", "Lon", "Guideline (mg/L)", "Area above guideline (km2)"};
  t.numeric = {false, true, false, true, true, true, true};
  for (const auto& s : r.species) {
    const bool g = s.guideline_mg_l > 0;
    if (s.peak)
      t.rows.push_back({s.name, table_number(s.peak->value) + " " + s.peak->unit, s.peak->time, fmt::format("{:.3f}", s.peak->lat),
                        fmt::format("{:.3f}", s.peak->lon), g ? table_number(s.guideline_mg_l) : "-",
                        g ? table_number(s.area_above_guideline_km2) : "-"});
    else
      t.rows.push_back({s.name, "no output step written", "", "", "", g ? table_number(s.guideline_mg_l) : "-", "-"});
  }
  return t;
}

Table exposure_table(const Report& r) {
  Table t;
  t.id = "exposure";
  t.title = "Exposure above drinking-water guidelines";
  t.note = "From exposure.csv: cells and area above each species' guideline, and the most days any cell spent above it.";
  t.header = {"Species", "Guideline (mg/L)", "Cells above", "Area above (km2)", "Most days above"};
  t.numeric = {false, true, true, true, true};
  for (const auto& e : r.exposure)
    t.rows.push_back({e.species, e.guideline_mg_l > 0 ? table_number(e.guideline_mg_l) : "-", fmt::format("{}", e.cells_above),
                      table_number(e.area_above_km2), table_number(e.max_days_above)});
  return t;
}

Table people_table(const Report& r) {
  Table t;
  t.id = "people";
  t.title = "People downstream";
  t.note = "From summary.json: settlements whose stream exceeded the guideline at some time, and people living near "
           "streams that did (a screening measure of who lives along contaminated rivers, not of who drinks from them).";
  t.header = {"Species", "Guideline (mg/L)", "Settlements above", "People in them", "People near streams above",
              "Population"};
  t.numeric = {false, true, true, true, true, true};
  for (const auto& p : r.people) {
    if (!(p.guideline_mg_l > 0)) continue;
    t.rows.push_back({p.species, table_number(p.guideline_mg_l),
                      p.settlements > 0 ? fmt::format("{} of {}", p.settlements_above, p.settlements) : "-",
                      p.settlements > 0 ? table_number(p.settlement_people_above) : "-",
                      p.has_population ? fmt::format("{} (within {:g} m)", table_number(p.population_exposed), p.near_stream_m) : "-",
                      p.has_population ? table_number(p.population) : "-"});
  }
  return t;
}

Table places_table(const Report& r) {
  Table t;
  t.id = "places";
  t.title = "Settlements on streams above a guideline";
  t.note = "From settlements.csv, most exceeded first (at most 50 rows; the file has them all).";
  t.header = {"Place", "Species", "Peak (mg/L)", "Guideline (mg/L)", "Times the guideline", "Days above", "Population"};
  t.numeric = {false, false, true, true, true, true, true};
  for (std::size_t k = 0; k < r.places_above.size() && k < 50; ++k) {
    const Place& p = r.places_above[k];
    t.rows.push_back({p.name, p.species, table_number(p.peak_mg_l), table_number(p.guideline_mg_l),
                      table_number(p.peak_mg_l / p.guideline_mg_l), table_number(p.days_above),
                      std::isnan(p.population) ? "-" : table_number(p.population)});
  }
  return t;
}

Table ledger_table(const Report& r) {
  Table t;
  t.id = "ledger";
  t.title = "Mass ledger (kg over the run)";
  t.note = "Sources + initially stored = outflow + stored + reacted + settled; the last column is the relative imbalance.";
  t.header = {"Species", "Sources", "Initially stored", "Outflow", "Stored at end", "Reacted", "Settled", "Relative error"};
  t.numeric = {false, true, true, true, true, true, true, true};
  for (const auto& s : r.species) {
    const auto& l = s.ledger;
    t.rows.push_back({s.name, table_number(l.sources), table_number(l.initial_stored), table_number(l.outflow),
                      table_number(l.stored), table_number(l.reacted), table_number(l.settled),
                      fmt::format("{:.2e}", l.relative_error)});
  }
  return t;
}

Table budget_table(const Report& r) {
  Table t;
  t.id = "budgets";
  t.title = "Budgets (kg over the run)";
  t.note = "From budgets.csv: what entered, left and reacted in each basin or region.";
  t.header = {"Kind", "Name", "Species", "Load in (kg)", "Load out (kg)", "Reacted (kg)"};
  t.numeric = {false, false, false, true, true, true};
  for (const auto& b : r.budgets)
    t.rows.push_back({b.kind, b.name, b.species, table_number(b.load_in_kg), table_number(b.load_out_kg),
                      table_number(b.reacted_kg)});
  return t;
}

Table attribution_table(const Report& r) {
  Table t;
  t.id = "attribution";
  t.title = "Attribution: which sources feed each crossing";
  t.note = "From attribution.csv: a source's load, the part of it reaching the crossing (flux = load x transmission) "
           "and its share of the crossing's flux.";
  t.header = {"Crossing", "From", "To", "Species", "Source", "Load (kg/day)", "Flux at crossing (kg/day)", "Transmission",
              "Share (%)"};
  t.numeric = {true, false, false, false, false, true, true, true, true};
  std::vector<const Attribution*> rows;
  for (const auto& a : r.attribution) rows.push_back(&a);
  std::stable_sort(rows.begin(), rows.end(), [](const Attribution* a, const Attribution* b) {
    if (a->crossing_id != b->crossing_id) return a->crossing_id < b->crossing_id;
    if (a->species != b->species) return a->species < b->species;
    return a->share > b->share;
  });
  for (const Attribution* a : rows)
    t.rows.push_back({fmt::format("{}", a->crossing_id), a->from, a->to, a->species, a->source, table_number(a->load_kg_day),
                      table_number(a->flux_kg_day), table_number(a->transmission), table_number(100.0 * a->share)});
  return t;
}

}  // namespace

std::vector<Table> report_tables(const Report& r) {
  std::vector<Table> t;
  if (!r.crossings.empty()) t.push_back(crossing_table(r));
  t.push_back(peak_table(r));
  if (r.has_exposure) t.push_back(exposure_table(r));
  if (!r.people.empty()) t.push_back(people_table(r));
  if (!r.places_above.empty()) t.push_back(places_table(r));
  t.push_back(ledger_table(r));
  if (r.has_budgets) t.push_back(budget_table(r));
  if (r.has_attribution) t.push_back(attribution_table(r));
  return t;
}

std::string run_sentence(const Report& r) {
  std::string s = fmt::format("{} of {} steps of {} day{} from {} to {}", r.steps_done, r.steps_total, r.step_days,
                              r.step_days == 1 ? "" : "s", r.start, r.end);
  if (!r.complete) s += fmt::format(" (STOPPED EARLY: {})", r.stopped_because.empty() ? "unknown reason" : r.stopped_because);
  s += fmt::format("; {} grid cells, {} valid, {} on streams", r.cells, r.valid_cells, r.stream_cells);
  if (r.pits > 0) s += fmt::format("; {} pits snapped to streams (largest move {:.0f} m)", r.pits, r.largest_snap_m);
  s += fmt::format("; mass balance relative error {:.2e}.", r.relative_error);
  return s;
}

std::string crossings_note(const Report& r, std::size_t stories) {
  if (!r.has_crossings && r.crossings.empty())
    return "This run had no regions layer, so no border crossings were computed (add [regions] to the scenario).";
  if (r.crossings.empty()) return "No river crosses between the regions of this run.";
  const std::size_t with_flux = crossings_with_flux(r);
  std::size_t groups = 0;
  {
    std::vector<std::size_t> ids;
    for (const auto& c : r.crossings) ids.push_back(c.id);
    std::sort(ids.begin(), ids.end());
    groups = static_cast<std::size_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
  }
  std::string s = fmt::format("{} river{} cross{} between regions; {} carried leachate.", groups, groups == 1 ? "" : "s",
                              groups == 1 ? "es" : "", with_flux);
  if (with_flux > stories)
    s += fmt::format(" The {} largest are described above; the other {} are in the table below.", stories, with_flux - stories);
  return s;
}

}  // namespace leachflow::app::report
