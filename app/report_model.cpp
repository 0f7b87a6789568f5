#include "app/report_model.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/errors.hpp"

namespace leachflow::app::report {

namespace fs = std::filesystem;

namespace {

// A CSV file as header → column index and rows of fields (RFC 4180 quoting, as the run writes it).
struct Csv {
  std::string path;
  std::map<std::string, std::size_t> column;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> line_of_row;  // 1-based line numbers for error messages
};

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

Csv read_csv(const fs::path& p, const std::vector<std::string>& required) {
  Csv csv;
  csv.path = p.string();
  std::ifstream f(p);
  if (!f) throw io::InputError(csv.path, "", "cannot be opened", "check its permissions");
  std::string line;
  if (!std::getline(f, line)) throw io::InputError(csv.path, "line 1", "empty file, no header", "rerun `leachflow run`");
  const auto header = split_csv_line(line);
  for (std::size_t i = 0; i < header.size(); ++i) csv.column[header[i]] = i;
  for (const auto& name : required)
    if (!csv.column.count(name))
      throw io::InputError(csv.path, "line 1", "no column '" + name + "' in the header",
                           "rerun `leachflow run` with this version, or remove the file to skip its section");
  std::size_t n = 1;
  while (std::getline(f, line)) {
    ++n;
    if (line.empty() || line == "\r") continue;
    auto fields = split_csv_line(line);
    if (fields.size() < header.size())
      throw io::InputError(csv.path, fmt::format("line {}", n),
                           fmt::format("{} fields where the header has {}", fields.size(), header.size()),
                           "rerun `leachflow run`, or remove the file to skip its section");
    csv.rows.push_back(std::move(fields));
    csv.line_of_row.push_back(n);
  }
  return csv;
}

const std::string& field(const Csv& csv, std::size_t row, const std::string& name) {
  return csv.rows[row][csv.column.at(name)];
}

double number(const Csv& csv, std::size_t row, const std::string& name) {
  const std::string& s = field(csv, row, name);
  if (s.empty()) return std::nan("");
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw io::InputError(csv.path, fmt::format("line {}, column {}", csv.line_of_row[row], name),
                       "'" + s + "' is not a number", "rerun `leachflow run`, or remove the file to skip its section");
}

double json_number(const nlohmann::json& j, const char* key, double fallback = 0) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return fallback;
  return j[key].get<double>();
}

std::string json_string(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return {};
  return j[key].get<std::string>();
}

nlohmann::json read_summary(const fs::path& p) {
  std::ifstream f(p);
  if (!f) throw io::InputError(p.string(), "", "cannot be opened", "check its permissions");
  try {
    return nlohmann::json::parse(f);
  } catch (const nlohmann::json::parse_error& e) {
    throw io::InputError(p.string(), fmt::format("byte {}", e.byte), "not valid JSON",
                         "rerun `leachflow run` to write it again");
  }
}

std::string image_caption(const std::string& file) {
  if (file == "peak_map.png") return "Peak concentration over the run";
  if (file == "exposure_map.png") return "Exposure: where concentrations exceed the guidelines";
  std::string stem = fs::path(file).stem().string();
  std::replace(stem.begin(), stem.end(), '_', ' ');
  return stem;
}

std::vector<Image> find_images(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".png") names.push_back(e.path().filename().string());
  auto rank = [](const std::string& n) {
    if (n == "peak_map.png") return 0;
    if (n == "exposure_map.png") return 1;
    if (n.rfind("exposure", 0) == 0) return 2;
    return 3;
  };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
  });
  std::vector<Image> out;
  for (const auto& n : names) out.push_back({n, image_caption(n)});
  return out;
}

std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string with_separators(double v) {
  std::string digits = fmt::format("{:.0f}", std::abs(v));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 && digits != "0" ? "-" : "") + out;
}

}  // namespace

const Species* Report::find_species(const std::string& name) const {
  for (const auto& s : species)
    if (s.name == name) return &s;
  return nullptr;
}

std::string plain_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a < 1e-3) return fmt::format("{:.1e}", v);
  const int decimals = 1 - static_cast<int>(std::floor(std::log10(a)));
  if (decimals <= 0) return with_separators(std::round(v));
  return trim_zeros(fmt::format("{:.{}f}", v, decimals));
}

std::string table_number(double v) {
  if (!std::isfinite(v)) return "";
  const double a = std::abs(v);
  if (a >= 1e3 && a < 1e15) return with_separators(v);
  return fmt::format("{:.4g}", v);
}

std::string lat_text(double lat) { return fmt::format("{:.2f} {}", std::abs(lat), lat < 0 ? "S" : "N"); }
std::string lon_text(double lon) { return fmt::format("{:.2f} {}", std::abs(lon), lon < 0 ? "W" : "E"); }

Report read_report(const std::string& dir) {
  const fs::path d(dir);
  std::error_code ec;
  if (!fs::is_directory(d, ec))
    throw io::InputError(dir, "", fs::exists(d, ec) ? "not a directory" : "no such directory",
                         "give the output folder of `leachflow run SCENARIO -o DIR`");
  const fs::path summary = d / "summary.json";
  if (!fs::exists(summary, ec))
    throw io::InputError(summary.string(), "", "missing: not the output folder of a run, or the run failed before writing it",
                         "run `leachflow run SCENARIO -o " + dir + "` first");
  const nlohmann::json j = read_summary(summary);
  if (!j.is_object() || !j.contains("species") || !j["species"].is_array())
    throw io::InputError(summary.string(), "", "no 'species' list: not a leachflow run summary",
                         "rerun `leachflow run` to write it again");

  Report r;
  r.dir = dir;
  r.title = json_string(j, "title");
  r.scenario = json_string(j, "scenario");
  r.backend = json_string(j, "backend");
  r.complete = !j.contains("complete") || !j["complete"].is_boolean() || j["complete"].get<bool>();
  r.stopped_because = json_string(j, "stopped_because");
  if (j.contains("time")) {
    const auto& t = j["time"];
    r.start = json_string(t, "start");
    r.end = json_string(t, "end");
    r.step_days = json_number(t, "step_days");
    r.steps_done = static_cast<long long>(json_number(t, "steps_done"));
    r.steps_total = static_cast<long long>(json_number(t, "steps_total"));
  }
  if (j.contains("grid")) {
    const auto& g = j["grid"];
    r.cells = static_cast<long long>(json_number(g, "cells"));
    r.valid_cells = static_cast<long long>(json_number(g, "valid_cells"));
    r.stream_cells = static_cast<long long>(json_number(g, "stream_cells"));
  }
  if (j.contains("mass_balance")) r.relative_error = json_number(j["mass_balance"], "relative_error");

  for (const auto& e : j["species"]) {
    Species s;
    s.name = json_string(e, "name");
    if (const std::string u = json_string(e, "unit"); !u.empty()) s.unit = u;
    s.guideline_mg_l = json_number(e, "guideline");
    s.area_above_guideline_km2 = json_number(e, "area_above_guideline_km2");
    if (e.contains("ledger_kg")) {
      const auto& l = e["ledger_kg"];
      s.ledger = {json_number(l, "sources"), json_number(l, "initial_stored"), json_number(l, "outflow"),
                  json_number(l, "stored"),  json_number(l, "reacted"),        json_number(l, "settled"),
                  json_number(l, "relative_error")};
    }
    if (e.contains("peak") && e["peak"].is_object()) {
      const auto& p = e["peak"];
      Peak pk;
      pk.value = json_number(p, "value");
      pk.lon = json_number(p, "lon");
      pk.lat = json_number(p, "lat");
      pk.time = json_string(p, "time");
      if (const std::string u = json_string(p, "unit"); !u.empty()) pk.unit = u;
      s.peak = pk;
    }
    r.species.push_back(std::move(s));
  }
  if (j.contains("pits") && j["pits"].is_array()) {
    r.pits = j["pits"].size();
    for (const auto& p : j["pits"]) r.largest_snap_m = std::max(r.largest_snap_m, json_number(p, "snap_distance_m"));
  }
  if (j.contains("people") && j["people"].is_array())
    for (const auto& e : j["people"]) {
      People p;
      p.species = json_string(e, "species");
      p.guideline_mg_l = json_number(e, "guideline_mg_l");
      p.settlements = static_cast<long long>(json_number(e, "settlements"));
      p.settlements_above = static_cast<long long>(json_number(e, "settlements_above"));
      p.settlement_people_above = json_number(e, "settlement_people_above");
      p.has_population = e.contains("population");
      p.population = json_number(e, "population");
      p.population_exposed = json_number(e, "population_exposed");
      p.near_stream_m = json_number(e, "near_stream_m");
      r.people.push_back(std::move(p));
    }
  if (j.contains("warnings") && j["warnings"].is_array())
    for (const auto& w : j["warnings"])
      if (w.is_string()) r.warnings.push_back(w.get<std::string>());

  // Crossings: the summary holds every row; crossings.csv adds the contributing area.
  if (j.contains("crossings") && j["crossings"].is_array()) {
    r.has_crossings = fs::exists(d / "crossings.csv", ec) || !j["crossings"].empty();
    for (const auto& c : j["crossings"]) {
      Crossing x;
      x.id = static_cast<std::size_t>(json_number(c, "crossing_id"));
      x.from = json_string(c, "from_region");
      x.to = json_string(c, "to_region");
      x.lon = json_number(c, "lon");
      x.lat = json_number(c, "lat");
      x.river_basin = json_string(c, "river_basin");
      x.species = json_string(c, "species");
      x.mean_flux_kg_day = json_number(c, "mean_flux_kg_day");
      x.peak_flux_kg_day = json_number(c, "peak_flux_kg_day");
      x.peak_concentration = json_number(c, "peak_concentration");
      if (const std::string u = json_string(c, "unit"); !u.empty()) x.unit = u;
      x.peak_date = json_string(c, "peak_date");
      x.mean_discharge_m3s = json_number(c, "mean_discharge_m3s");
      r.crossings.push_back(std::move(x));
    }
  }
  if (fs::exists(d / "crossings.csv", ec)) {
    const Csv csv = read_csv(d / "crossings.csv", {"crossing_id", "species"});
    if (csv.column.count("contributing_area_km2")) {
      std::map<std::pair<std::size_t, std::string>, double> area;
      for (std::size_t i = 0; i < csv.rows.size(); ++i)
        area[{static_cast<std::size_t>(number(csv, i, "crossing_id")), field(csv, i, "species")}] =
            number(csv, i, "contributing_area_km2");
      for (auto& x : r.crossings)
        if (auto it = area.find({x.id, x.species}); it != area.end() && std::isfinite(it->second))
          x.contributing_area_km2 = it->second;
    }
  }

  if (fs::exists(d / "budgets.csv", ec)) {
    r.has_budgets = true;
    const Csv csv = read_csv(d / "budgets.csv", {"kind", "name", "species", "load_in_kg", "load_out_kg", "reacted_kg"});
    for (std::size_t i = 0; i < csv.rows.size(); ++i)
      r.budgets.push_back({field(csv, i, "kind"), field(csv, i, "name"), field(csv, i, "species"),
                           number(csv, i, "load_in_kg"), number(csv, i, "load_out_kg"), number(csv, i, "reacted_kg")});
  }
  if (fs::exists(d / "attribution.csv", ec)) {
    r.has_attribution = true;
    const Csv csv = read_csv(d / "attribution.csv", {"crossing_id", "from_region", "to_region", "species", "source",
                                                     "load_kg_day", "flux_kg_day", "transmission", "share"});
    for (std::size_t i = 0; i < csv.rows.size(); ++i) {
      Attribution a;
      a.crossing_id = static_cast<std::size_t>(number(csv, i, "crossing_id"));
      a.from = field(csv, i, "from_region");
      a.to = field(csv, i, "to_region");
      a.species = field(csv, i, "species");
      a.source = field(csv, i, "source");
      a.load_kg_day = number(csv, i, "load_kg_day");
      a.flux_kg_day = number(csv, i, "flux_kg_day");
      a.transmission = number(csv, i, "transmission");
      a.share = number(csv, i, "share");
      r.attribution.push_back(std::move(a));
    }
  }
  if (fs::exists(d / "exposure.csv", ec)) {
    r.has_exposure = true;
    const Csv csv = read_csv(d / "exposure.csv", {"species", "guideline_mg_l", "cells_above", "area_above_km2", "max_days_above"});
    for (std::size_t i = 0; i < csv.rows.size(); ++i)
      r.exposure.push_back({field(csv, i, "species"), number(csv, i, "guideline_mg_l"), number(csv, i, "area_above_km2"),
                            number(csv, i, "max_days_above"), static_cast<long long>(number(csv, i, "cells_above"))});
  }
  if (fs::exists(d / "settlements.csv", ec)) {
    const Csv csv = read_csv(d / "settlements.csv", {"name", "population", "species", "guideline_mg_l", "peak_mg_l",
                                                     "days_above", "above_guideline"});
    for (std::size_t i = 0; i < csv.rows.size(); ++i) {
      if (field(csv, i, "above_guideline") != "yes") continue;
      const std::string pop = field(csv, i, "population");
      r.places_above.push_back({field(csv, i, "name"), field(csv, i, "species"),
                                pop.empty() ? std::nan("") : number(csv, i, "population"), number(csv, i, "peak_mg_l"),
                                number(csv, i, "guideline_mg_l"), number(csv, i, "days_above")});
    }
    std::stable_sort(r.places_above.begin(), r.places_above.end(), [](const Place& a, const Place& b) {
      return a.peak_mg_l / a.guideline_mg_l > b.peak_mg_l / b.guideline_mg_l;
    });
  }
  r.images = find_images(d);
  return r;
}

namespace {

// Total mean flux of a crossing over species (kg/day) and whether any species moves at all.
struct Group {
  std::size_t id = 0;
  std::vector<const Crossing*> rows;
  double total_mean = 0, total_peak = 0;
};

std::vector<Group> groups_with_flux(const Report& r) {
  std::map<std::size_t, Group> by_id;
  for (const auto& c : r.crossings) {
    Group& g = by_id[c.id];
    g.id = c.id;
    g.rows.push_back(&c);
    if (std::isfinite(c.mean_flux_kg_day)) g.total_mean += c.mean_flux_kg_day;
    if (std::isfinite(c.peak_flux_kg_day)) g.total_peak += c.peak_flux_kg_day;
  }
  std::vector<Group> out;
  for (auto& [id, g] : by_id)
    if (g.total_mean > 0 || g.total_peak > 0) out.push_back(std::move(g));
  std::stable_sort(out.begin(), out.end(), [](const Group& a, const Group& b) {
    return a.total_mean != b.total_mean ? a.total_mean > b.total_mean : a.total_peak > b.total_peak;
  });
  return out;
}

std::string river_phrase(const std::string& basin) {
  if (basin.empty()) return "A river";
  if (basin.rfind("basin", 0) == 0) return "The river of " + basin;
  return "The " + basin;
}

std::string guideline_clause(double conc, const std::string& unit, const Species* sp) {
  const std::string c = plain_number(conc) + " " + unit;
  if (!sp || sp->guideline_mg_l <= 0) return "the peak concentration there was " + c + " (no guideline is set for it)";
  const std::string g = plain_number(sp->guideline_mg_l) + " mg/L";
  if (conc > sp->guideline_mg_l)
    return fmt::format("the peak concentration there, {}, is above the guideline of {} ({} times the guideline)", c, g,
                       plain_number(conc / sp->guideline_mg_l));
  return "the peak concentration there, " + c + ", is below the guideline of " + g;
}

// "75 % comes from p1 and 25 % from p2" (three largest shares), "all of it comes from p1" (one
// source with ~all of it), or "" when attribution.csv has nothing for this crossing and species.
std::string source_phrase(const Report& r, std::size_t id, const std::string& species) {
  std::vector<const Attribution*> src;
  for (const auto& a : r.attribution)
    if (a.crossing_id == id && a.species == species && a.share > 0) src.push_back(&a);
  if (src.empty()) return {};
  std::stable_sort(src.begin(), src.end(), [](const Attribution* a, const Attribution* b) { return a->share > b->share; });
  if (src.front()->share >= 0.995) return "all of it comes from " + src.front()->source;
  const std::size_t n = std::min<std::size_t>(3, src.size());
  std::string s;
  for (std::size_t k = 0; k < n; ++k)
    s += (k == 0 ? "" : k + 1 == n ? " and " : ", ") +
         fmt::format("{} % {}from {}", plain_number(100.0 * src[k]->share), k == 0 ? "comes " : "", src[k]->source);
  if (src.size() > n) s += fmt::format(" (and {} more sources)", src.size() - n);
  return s;
}

// "Of this sulfate, 75 % comes from ..." / "All of this sulfate comes from p1."
std::string source_sentence(const std::string& phrase, const std::string& what) {
  const std::string all = "all of it comes from ";
  if (phrase.rfind(all, 0) == 0) return "All of " + what + " comes from " + phrase.substr(all.size()) + ".";
  return "Of " + what + ", " + phrase + ".";
}

}  // namespace

std::size_t crossings_with_flux(const Report& r) { return groups_with_flux(r).size(); }

std::vector<std::size_t> crossing_order(const Report& r) {
  std::vector<std::size_t> ids;
  std::set<std::size_t> seen;
  for (const Group& g : groups_with_flux(r)) {
    ids.push_back(g.id);
    seen.insert(g.id);
  }
  std::set<std::size_t> rest;
  for (const auto& c : r.crossings)
    if (!seen.count(c.id)) rest.insert(c.id);
  ids.insert(ids.end(), rest.begin(), rest.end());
  return ids;
}

std::vector<CrossingStory> crossing_stories(const Report& r, std::size_t limit) {
  std::vector<CrossingStory> out;
  for (const Group& g : groups_with_flux(r)) {
    if (out.size() >= limit) break;
    const Crossing& c0 = *g.rows.front();
    std::string t = fmt::format("{} crosses from {} into {} at {}, {}.", river_phrase(c0.river_basin), c0.from, c0.to,
                                lat_text(c0.lat), lon_text(c0.lon));
    if (std::isfinite(c0.mean_discharge_m3s) && c0.mean_discharge_m3s > 0)
      t += " Its mean discharge was " + plain_number(c0.mean_discharge_m3s) + " m3/s.";
    // Per species: what it carried, then (attribution.csv) where it comes from; when every species
    // comes from the same sources in the same shares, that is said once at the end.
    std::vector<std::string> carried, sources, names;
    for (const Crossing* c : g.rows) {
      if (!(c->mean_flux_kg_day > 0) && !(c->peak_flux_kg_day > 0)) continue;
      carried.push_back(fmt::format("{} on average {} kg/day of {} (peak {} kg/day{}); {}.",
                                    carried.empty() ? "Over the run it carried" : "It also carried",
                                    plain_number(c->mean_flux_kg_day), c->species, plain_number(c->peak_flux_kg_day),
                                    c->peak_date.empty() ? "" : " on " + c->peak_date,
                                    guideline_clause(c->peak_concentration, c->unit, r.find_species(c->species))));
      sources.push_back(source_phrase(r, g.id, c->species));
      names.push_back(c->species);
    }
    const bool same = sources.size() > 1 && !sources.front().empty() &&
                      std::all_of(sources.begin(), sources.end(), [&](const std::string& x) { return x == sources.front(); });
    // (Appending piecewise: `" " + std::string` trips GCC 12's false -Wrestrict.)
    for (std::size_t i = 0; i < carried.size(); ++i) {
      t.append(" ").append(carried[i]);
      if (!same && !sources[i].empty()) t.append(" ").append(source_sentence(sources[i], "this " + names[i]));
    }
    if (same) t.append(" ").append(source_sentence(sources.front(), "this leachate"));
    out.push_back({g.id, t});
  }
  return out;
}

}  // namespace leachflow::app::report
