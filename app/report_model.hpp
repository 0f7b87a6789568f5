// What `leachflow report` shows, read from a run directory: summary.json (required) and, when
// present, crossings.csv, budgets.csv, attribution.csv, exposure.csv and the PNG maps. Plain
// data; the HTML and Markdown writers (report_html.cpp, report_markdown.cpp) only format it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace leachflow::app::report {

struct Ledger {  // kg over the run
  double sources = 0, initial_stored = 0, outflow = 0, stored = 0, reacted = 0, settled = 0, relative_error = 0;
};

struct Peak {  // highest concentration over the run
  double value = 0, lon = 0, lat = 0;
  std::string unit = "mg/L", time;
};

struct Species {
  std::string name, unit = "mg/L";
  double guideline_mg_l = 0;  // 0: none set
  Ledger ledger;
  std::optional<Peak> peak;   // absent when no output step was written
  double area_above_guideline_km2 = 0;
};

struct Crossing {  // one crossing group and species (a row of crossings.csv)
  std::size_t id = 0;
  std::string from, to, river_basin, species, unit = "mg/L", peak_date;
  double lon = 0, lat = 0;
  double mean_flux_kg_day = 0, peak_flux_kg_day = 0, peak_concentration = 0, mean_discharge_m3s = 0;
  std::optional<double> contributing_area_km2;  // from crossings.csv when present
};

struct Budget {  // budgets.csv
  std::string kind, name, species;
  double load_in_kg = 0, load_out_kg = 0, reacted_kg = 0;
};

struct Attribution {  // attribution.csv: one source's share of a crossing's flux
  std::size_t crossing_id = 0;
  std::string from, to, species, source;
  double load_kg_day = 0, flux_kg_day = 0, transmission = 0, share = 0;  // share: fraction 0..1
};

struct Exposure {  // exposure.csv
  std::string species;
  double guideline_mg_l = 0, area_above_km2 = 0, max_days_above = 0;
  long long cells_above = 0;
};

struct People {  // summary.json "people": one species
  std::string species;
  double guideline_mg_l = 0;
  long long settlements = 0, settlements_above = 0;
  double settlement_people_above = 0;
  bool has_population = false;
  double population = 0, population_exposed = 0, near_stream_m = 0;
};

struct Place {  // settlements.csv: a place whose stream exceeded a species' guideline
  std::string name, species;
  double population = 0;  // NaN when unknown
  double peak_mg_l = 0, guideline_mg_l = 0, days_above = 0;
};

struct Image {
  std::string file;     // name inside the run directory
  std::string caption;
};

struct Report {
  std::string dir;  // the run directory as given
  std::string title, scenario, backend;
  std::string start, end, stopped_because;
  double step_days = 0;
  long long steps_done = 0, steps_total = 0, cells = 0, valid_cells = 0, stream_cells = 0;
  bool complete = true;
  double relative_error = 0;
  std::vector<Species> species;
  std::size_t pits = 0;
  double largest_snap_m = 0;
  std::vector<Crossing> crossings;    // crossing id order, species order within a crossing
  std::vector<Budget> budgets;        // empty: budgets.csv absent
  std::vector<Attribution> attribution;
  std::vector<Exposure> exposure;
  std::vector<People> people;         // empty: the scenario had no [exposure] inputs
  std::vector<Place> places_above;    // by peak/guideline, largest first
  std::vector<Image> images;          // peak_map.png first, then exposure maps, then other PNGs
  std::vector<std::string> warnings;
  bool has_crossings = false, has_budgets = false, has_attribution = false, has_exposure = false;

  const Species* find_species(const std::string& name) const;
};

// Reads dir. Throws io::InputError (one line) when dir or its summary.json is missing or a
// file cannot be parsed.
Report read_report(const std::string& dir);

// One plain-language paragraph per crossing with non-zero flux, largest total mean flux first,
// at most `limit`. Plain text (the HTML writer escapes it).
struct CrossingStory {
  std::size_t id = 0;
  std::string text;
};
std::vector<CrossingStory> crossing_stories(const Report& r, std::size_t limit = 20);
// Crossings with non-zero flux (the number of stories before the limit).
std::size_t crossings_with_flux(const Report& r);
// Crossing ids in story order (non-zero flux, largest first), then the others by id.
std::vector<std::size_t> crossing_order(const Report& r);

// Number formats shared by both writers.
// Two significant digits below 100 (41, 9.9, 0.023), whole numbers with thousands separators
// from 100 (1,235), an exponent below 0.001 (3.0e-07).
std::string plain_number(double v);
std::string table_number(double v);  // 4 significant digits
std::string lat_text(double lat);    // "20.38 N"
std::string lon_text(double lon);    // "99.88 E"

}  // namespace leachflow::app::report
