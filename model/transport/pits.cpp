// Pit fields → validated pits → snapped point sources. See pits.hpp for the field conventions.
#include "model/transport/pits.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "model/iso_time.hpp"
#include "model/transport/species.hpp"

namespace leachflow::model::transport {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(const std::string& s, const std::string& prefix) {
  return s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::optional<double> to_number(const std::string& text) {
  const std::string t = trim(text);
  const char* b = t.data();
  const char* e = b + t.size();
  if (b < e && *b == '+') ++b;
  double v = 0;
  const auto [p, ec] = std::from_chars(b, e, v);
  if (b == e || ec != std::errc() || p != e || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string metres(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f m", v);
  return buf;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

// One kind of problem and every feature that has it.
struct Problem {
  std::string what;
  std::string fix;
  std::vector<std::pair<std::int64_t, std::string>> offenders;  // feature, detail (may be empty)

  void add(std::int64_t feature, std::string detail) {
    for (auto& o : offenders)
      if (o.first == feature) {  // one entry per feature; details joined
        if (!detail.empty()) o.second += (o.second.empty() ? "" : ", ") + detail;
        return;
      }
    offenders.emplace_back(feature, std::move(detail));
  }
};

// Problems in the order they are reported; the first non-empty one is thrown.
class Problems {
 public:
  Problem& operator[](const std::string& key) {
    for (auto& [k, p] : kinds_)
      if (k == key) return p;
    kinds_.emplace_back(key, Problem{});
    return kinds_.back().second;
  }
  void declare(const std::string& key, std::string what, std::string fix) {
    Problem& p = (*this)[key];
    p.what = std::move(what);
    p.fix = std::move(fix);
  }
  // Throws the first kind with offenders, naming every one of them.
  void throw_first(const std::string& path) const {
    const Problem* first = nullptr;
    std::vector<std::string> others;
    for (const auto& [k, p] : kinds_) {
      if (p.offenders.empty()) continue;
      if (!first) first = &p;
      else others.push_back(p.what);
    }
    if (!first) return;
    std::string where = first->offenders.size() == 1 ? "feature " : "features ";
    std::string details;
    constexpr std::size_t max_details = 20;  // every feature is named; details are capped to keep the line readable
    std::size_t shown = 0;
    for (std::size_t i = 0; i < first->offenders.size(); ++i) {
      const auto& [f, d] = first->offenders[i];
      where += (i ? ", " : "") + std::to_string(f);
      if (d.empty()) continue;
      if (shown < max_details) details += (details.empty() ? "" : "; ") + std::to_string(f) + ": " + d;
      ++shown;
    }
    if (shown > max_details) details += "; ... " + std::to_string(shown - max_details) + " more";
    std::string problem = first->what + (details.empty() ? "" : " (" + details + ")");
    if (!others.empty()) {
      problem += "; also " + std::to_string(others.size()) + " other kind" + (others.size() == 1 ? "" : "s") +
                 " of problem: " + quoted_list(others);
    }
    throw PitError(path, where, problem, first->fix);
  }

 private:
  std::vector<std::pair<std::string, Problem>> kinds_;
};

std::string format_line(const std::string& file, const std::string& where, const std::string& problem,
                        const std::string& fix) {
  std::string s = file;
  if (!where.empty()) s += " (" + where + ")";
  s += ": " + problem;
  if (!fix.empty()) s += "; fix: " + fix;
  return s;
}

// How a field name is read.
enum class FieldRole { other, id, rate, start, end, release_time, load, concentration, release_mass };
struct FieldMeaning {
  FieldRole role = FieldRole::other;
  std::string species;  // lower case, for load/concentration/release_mass
};

FieldMeaning classify(const std::string& name, const PitFieldNames& f,
                      const std::map<std::string, std::string>& load_override_by_field) {
  if (name == lower(f.id)) return {FieldRole::id, {}};
  if (name == lower(f.leachate_m3_day)) return {FieldRole::rate, {}};
  if (name == lower(f.start)) return {FieldRole::start, {}};
  if (name == lower(f.end)) return {FieldRole::end, {}};
  if (name == lower(f.release_time)) return {FieldRole::release_time, {}};
  if (auto it = load_override_by_field.find(name); it != load_override_by_field.end())
    return {FieldRole::load, it->second};
  if (ends_with(name, "_kg_day")) return {FieldRole::load, name.substr(0, name.size() - 7)};
  if (ends_with(name, "_mg_l")) return {FieldRole::concentration, name.substr(0, name.size() - 5)};
  if (starts_with(name, "release_") && ends_with(name, "_kg") && name.size() > 11)
    return {FieldRole::release_mass, name.substr(8, name.size() - 11)};
  return {};
}

// Fractional grid position of a point: (0.5, 0.5) is the centre of cell (0, 0).
std::pair<double, double> grid_position(const Grid& g, double x, double y) {
  return {(y - g.geotransform[3]) / g.geotransform[5], (x - g.geotransform[0]) / g.geotransform[1]};
}

bool cell_valid(const Grid& g, index_t i) { return g.valid.empty() || g.valid[static_cast<std::size_t>(i)] != 0; }

}  // namespace

PitError::PitError(std::string file, std::string where, std::string problem, std::string fix)
    : std::runtime_error(format_line(file, where, problem, fix)),
      file_(std::move(file)),
      where_(std::move(where)),
      problem_(std::move(problem)),
      fix_(std::move(fix)) {}

ValidatedPits validate_pits(const PitLayer& layer, const Grid& grid, const PitOptions& options) {
  const PitFieldNames& f = options.fields;
  const std::size_t n_species = options.species.size();
  std::map<std::string, std::size_t> species_index;  // lower-case name → run index
  for (std::size_t s = 0; s < n_species; ++s) species_index[lower(options.species[s])] = s;
  std::map<std::string, std::string> load_override_by_field;  // field → species
  for (const auto& [sp, field] : f.load_kg_day) load_override_by_field[lower(field)] = lower(sp);

  Problems problems;
  const std::string date_fix = "write dates as ISO 8601, e.g. 2024-05-01 or 2024-05-01T06:00:00Z";
  problems.declare("missing id", "missing id (field '" + f.id + "' absent or empty)",
                   "give every pit an id in field '" + f.id + "', or name the id field in the scenario");
  problems.declare("duplicate id", "duplicate ids", "make every pit id unique");
  problems.declare("not a number", "values that are not numbers", "write plain numbers such as 12.5 (no units)");
  problems.declare("negative", "negative loads, concentrations, rates or masses", "loads, concentrations, rates and masses must be ≥ 0");
  problems.declare("unknown species", "unknown species",
                   "declare the species in the scenario or rename the field; run species: " + quoted_list(options.species) +
                       "; presets: " + quoted_list(preset_names()));
  problems.declare("date", "unparseable dates", date_fix);
  problems.declare("end before start", "end is not after start", "give an end date later than the start date");
  problems.declare("both", "both loads (<species>_kg_day) and a leachate rate (" + f.leachate_m3_day + ")",
                   "give either loads per species or a leachate rate with concentrations, not both");
  problems.declare("rate without conc", "leachate rate without concentrations (<species>_mg_l)",
                   "add a concentration field per species, e.g. ammonium_mg_l");
  problems.declare("conc without rate", "concentrations without a leachate rate (" + f.leachate_m3_day + ")",
                   "add the leachate rate in m³/day, or give loads as <species>_kg_day");
  problems.declare("release", "incomplete release (needs " + f.release_time + " and release_<species>_kg)",
                   "give both the release time and the released masses, or neither");
  problems.declare("no source", "neither loads nor a leachate rate (nor a release)",
                   "give <species>_kg_day, or " + f.leachate_m3_day + " with <species>_mg_l");
  problems.declare("outside", "outside the DEM", "remove these pits or use a DEM that covers them (check the layer's CRS)");
  problems.declare("nodata", "on NoData cells of the DEM", "move these pits onto the DEM's valid cells or fill the DEM's holes");

  ValidatedPits out;
  std::set<std::string> warned_fields;
  std::map<std::string, std::vector<std::int64_t>> features_by_id;

  for (const PitRecord& rec : layer.records) {
    Pit pit;
    pit.feature = rec.feature;
    pit.x = rec.x;
    pit.y = rec.y;
    pit.lon = rec.lon;
    pit.lat = rec.lat;
    pit.load_kg_day.assign(n_species, 0.0);
    pit.release_kg.assign(n_species, 0.0);
    std::vector<double> conc_mg_l(n_species, 0.0);
    bool has_loads = false, has_conc = false, has_release_mass = false;
    std::optional<double> rate, start, end, release;
    bool ok = true;

    const auto number = [&](const std::string& field, const std::string& text) -> std::optional<double> {
      const auto v = to_number(text);
      if (!v) {
        problems["not a number"].add(rec.feature, field + " = '" + text + "'");
        ok = false;
        return std::nullopt;
      }
      if (*v < 0) {
        problems["negative"].add(rec.feature, field + " = " + num(*v));
        ok = false;
        return std::nullopt;
      }
      return v;
    };
    const auto date = [&](const std::string& field, const std::string& text) -> std::optional<double> {
      const auto d = parse_iso8601_days(text);
      if (!d) {
        problems["date"].add(rec.feature, field + " = '" + text + "'");
        ok = false;
        return std::nullopt;
      }
      return *d - options.run_start_day;
    };
    // Index of a species named in a field, or nullopt (with the problem or warning recorded).
    const auto species_of = [&](const std::string& field, const std::string& sp) -> std::optional<std::size_t> {
      if (auto it = species_index.find(sp); it != species_index.end()) return it->second;
      if (preset(sp)) {
        if (warned_fields.insert(field).second)
          out.warnings.push_back(layer.path + ": field " + field + " ignored: " + sp + " is not one of the run's species (" +
                                 quoted_list(options.species) + ")");
      } else {
        problems["unknown species"].add(rec.feature, "'" + sp + "' in " + field);
        ok = false;
      }
      return std::nullopt;
    };

    for (const auto& [raw_name, text] : rec.fields) {
      const std::string name = lower(raw_name);
      const FieldMeaning m = classify(name, f, load_override_by_field);
      switch (m.role) {
        case FieldRole::other: break;
        case FieldRole::id: pit.id = trim(text); break;
        case FieldRole::rate: rate = number(raw_name, text); break;
        case FieldRole::start: start = date(raw_name, text); break;
        case FieldRole::end: end = date(raw_name, text); break;
        case FieldRole::release_time: release = date(raw_name, text); break;
        case FieldRole::load:
          has_loads = true;
          if (auto s = species_of(raw_name, m.species))
            if (auto v = number(raw_name, text)) pit.load_kg_day[*s] = *v;
          break;
        case FieldRole::concentration:
          has_conc = true;
          if (auto s = species_of(raw_name, m.species))
            if (auto v = number(raw_name, text)) conc_mg_l[*s] = *v;
          break;
        case FieldRole::release_mass:
          has_release_mass = true;
          if (auto s = species_of(raw_name, m.species))
            if (auto v = number(raw_name, text)) pit.release_kg[*s] = *v;
          break;
      }
    }
    const bool has_rate_field = std::any_of(rec.fields.begin(), rec.fields.end(), [&](const auto& kv) {
      return lower(kv.first) == lower(f.leachate_m3_day);
    });
    const bool has_release_time = std::any_of(rec.fields.begin(), rec.fields.end(), [&](const auto& kv) {
      return lower(kv.first) == lower(f.release_time);
    });

    if (pit.id.empty()) problems["missing id"].add(rec.feature, "");
    else features_by_id[pit.id].push_back(rec.feature);
    if (start && end && *end <= *start) problems["end before start"].add(rec.feature, "");
    if (has_loads && has_rate_field) problems["both"].add(rec.feature, "");
    else if (has_rate_field && !has_conc) problems["rate without conc"].add(rec.feature, "");
    else if (has_conc && !has_rate_field) problems["conc without rate"].add(rec.feature, "");
    if (has_release_time != has_release_mass)
      problems["release"].add(rec.feature, has_release_time ? "no release_<species>_kg" : "no " + f.release_time);
    if (!has_loads && !has_rate_field && !has_conc && !has_release_time && !has_release_mass)
      problems["no source"].add(rec.feature, "");

    const auto [row_f, col_f] = grid_position(grid, rec.x, rec.y);
    const bool inside = std::isfinite(row_f) && std::isfinite(col_f) && row_f >= 0 && col_f >= 0 &&
                        row_f < static_cast<double>(grid.rows) && col_f < static_cast<double>(grid.cols);
    if (!inside) {
      problems["outside"].add(rec.feature, "x " + num(rec.x) + ", y " + num(rec.y));
      ok = false;
    } else {
      pit.row = static_cast<index_t>(std::floor(row_f));
      pit.col = static_cast<index_t>(std::floor(col_f));
      if (!cell_valid(grid, grid.index(pit.row, pit.col))) {
        problems["nodata"].add(rec.feature, "row " + std::to_string(pit.row) + ", col " + std::to_string(pit.col));
        ok = false;
      }
    }
    if (!ok) continue;

    // Leachate: kg/day = m³/day × mg/L / 1000, because 1 mg/L = 1 g/m³.
    if (rate && has_conc && !has_loads)
      for (std::size_t s = 0; s < n_species; ++s) pit.load_kg_day[s] = *rate * conc_mg_l[s] / 1000.0;
    if (start) pit.start_day = *start;
    if (end) pit.end_day = *end;
    if (release) {
      pit.has_release = true;
      pit.release_day = *release;
    }
    out.pits.push_back(std::move(pit));
  }
  for (const auto& [id, features] : features_by_id) {
    if (features.size() < 2) continue;
    std::string list;
    for (auto fe : features) list += (list.empty() ? "" : ", ") + std::to_string(fe);
    for (auto fe : features) problems["duplicate id"].add(fe, "'" + id + "' also in features " + list);
  }
  // Duplicates were gathered per id: report them in layer order.
  {
    auto& d = problems["duplicate id"].offenders;
    std::map<std::int64_t, std::size_t> order;
    for (std::size_t i = 0; i < layer.records.size(); ++i) order.emplace(layer.records[i].feature, i);
    std::stable_sort(d.begin(), d.end(), [&](const auto& a, const auto& b) { return order[a.first] < order[b.first]; });
  }
  problems.throw_first(layer.path);
  return out;
}

double grid_distance_m(const Grid& g, double row_f, double col_f, index_t r, index_t c) {
  const auto pr = static_cast<std::size_t>(std::clamp<index_t>(static_cast<index_t>(std::floor(row_f)), 0, g.rows - 1));
  const auto cr = static_cast<std::size_t>(r);
  const double width_m = 0.5 * (g.cell_width_m[pr] + g.cell_width_m[cr]);
  const double height_m = 0.5 * (g.cell_height_m[pr] + g.cell_height_m[cr]);
  const double d_col = static_cast<double>(c) + 0.5 - col_f;
  const double d_row = static_cast<double>(r) + 0.5 - row_f;
  return std::hypot(d_col * width_m, d_row * height_m);
}

namespace {

struct Candidate {
  index_t cell = -1;
  double distance_m = std::numeric_limits<double>::infinity();
  double area_m2 = 0;
};

// Nearest stream cell within max_m of the point (ties: larger area, then smaller index).
Candidate nearest_stream(const Grid& g, const StreamCells& streams, double row_f, double col_f, double max_m,
                         double min_height_m) {
  const auto is_stream = [&](index_t i) {
    const auto k = static_cast<std::size_t>(i);
    if (!cell_valid(g, i)) return false;
    return streams.mask.empty() ? streams.area_m2[k] >= streams.threshold_m2 : streams.mask[k] != 0;
  };
  // Window: rows from the smallest cell height, columns from the narrowest row in reach, so
  // every cell within max_m is inside it (plus one cell for the pit's offset in its own cell).
  const double row_reach = std::min(static_cast<double>(g.rows), std::ceil(max_m / min_height_m) + 1);
  const index_t pr = static_cast<index_t>(std::floor(row_f));
  const index_t r0 = std::max<index_t>(0, pr - static_cast<index_t>(row_reach));
  const index_t r1 = std::min<index_t>(g.rows - 1, pr + static_cast<index_t>(row_reach));
  double min_width_m = std::numeric_limits<double>::infinity();
  for (index_t r = r0; r <= r1; ++r) min_width_m = std::min(min_width_m, g.cell_width_m[static_cast<std::size_t>(r)]);
  const double col_reach = std::min(static_cast<double>(g.cols), std::ceil(max_m / min_width_m) + 1);
  const index_t pc = static_cast<index_t>(std::floor(col_f));
  const index_t c0 = std::max<index_t>(0, pc - static_cast<index_t>(col_reach));
  const index_t c1 = std::min<index_t>(g.cols - 1, pc + static_cast<index_t>(col_reach));

  Candidate best;
  for (index_t r = r0; r <= r1; ++r)
    for (index_t c = c0; c <= c1; ++c) {
      const index_t i = g.index(r, c);
      if (!is_stream(i)) continue;
      const double d = grid_distance_m(g, row_f, col_f, r, c);
      if (d > max_m) continue;
      const double a = streams.area_m2[static_cast<std::size_t>(i)];
      // Distances equal up to rounding count as ties (symmetric neighbours on a lon/lat grid).
      const double tol = 1e-9 * std::max(1.0, best.distance_m);
      const bool better = best.cell < 0 || d < best.distance_m - tol ||
                          (d <= best.distance_m + tol && (a > best.area_m2 || (a == best.area_m2 && i < best.cell)));
      if (better) best = {i, d, a};
    }
  return best;
}

}  // namespace

StreamSnap nearest_stream_cell(const Grid& g, const StreamCells& streams, double x, double y, double max_distance_m) {
  double min_height_m = std::numeric_limits<double>::infinity();
  for (double h : g.cell_height_m) min_height_m = std::min(min_height_m, h);
  const auto [row_f, col_f] = grid_position(g, x, y);
  const Candidate c = nearest_stream(g, streams, row_f, col_f, max_distance_m, min_height_m);
  return c.cell < 0 ? StreamSnap{} : StreamSnap{c.cell, c.distance_m, c.area_m2};
}

PitSources snap_pits(const ValidatedPits& pits, const Grid& g, const StreamCells& streams, const SnapOptions& options,
                     const std::string& path) {
  const auto cells = static_cast<std::size_t>(g.cells());
  if (streams.area_m2.size() != cells || (!streams.mask.empty() && streams.mask.size() != cells))
    throw std::invalid_argument("snap_pits: contributing area and stream mask must have one value per grid cell");
  if (!(options.max_distance_m >= 0))
    throw PitError(path, "", "snapping distance is negative or not a number", "give a distance in metres ≥ 0");
  double min_height_m = std::numeric_limits<double>::infinity();
  for (double h : g.cell_height_m) min_height_m = std::min(min_height_m, h);

  PitSources out;
  out.warnings = pits.warnings;
  Problem unsnapped;
  double farthest_m = 0;
  for (const Pit& p : pits.pits) {
    const auto [row_f, col_f] = grid_position(g, p.x, p.y);
    Candidate c = nearest_stream(g, streams, row_f, col_f, options.max_distance_m, min_height_m);
    SnapReport rep{p.id, p.feature, p.x, p.y, p.lon, p.lat, 0, 0, 0, 0, true};
    if (c.cell < 0) {
      // Find how far the nearest stream cell is, so the message can say how far to reach.
      Candidate far;
      const double grid_extent_m = static_cast<double>(g.rows) * min_height_m +
                                   static_cast<double>(g.cols) * *std::max_element(g.cell_width_m.begin(), g.cell_width_m.end());
      for (double reach = std::max(2.0 * options.max_distance_m, 4.0 * min_height_m); far.cell < 0; reach *= 2) {
        far = nearest_stream(g, streams, row_f, col_f, reach, min_height_m);
        if (reach > 2 * grid_extent_m) break;
      }
      const std::string nearest = far.cell < 0 ? "no stream cell in the grid" : "nearest stream cell " + metres(far.distance_m);
      if (far.cell >= 0) farthest_m = std::max(farthest_m, far.distance_m);
      if (!options.keep_unsnapped) {
        unsnapped.add(p.feature, "id " + p.id + ", " + nearest);
        continue;
      }
      out.warnings.push_back(path + " (feature " + std::to_string(p.feature) + ", id " + p.id + "): no stream cell within " +
                             metres(options.max_distance_m) + " (" + nearest + "); kept on its own cell");
      c = {g.index(p.row, p.col), grid_distance_m(g, row_f, col_f, p.row, p.col),
           streams.area_m2[static_cast<std::size_t>(g.index(p.row, p.col))]};
      rep.on_stream = false;
    }
    rep.row = c.cell / g.cols;
    rep.col = c.cell % g.cols;
    rep.distance_m = c.distance_m;
    rep.area_m2 = c.area_m2;
    out.report.push_back(rep);

    for (std::size_t s = 0; s < p.load_kg_day.size(); ++s)
      if (p.load_kg_day[s] > 0)
        out.sources.loads.push_back({c.cell, static_cast<int>(s), p.load_kg_day[s], p.start_day, p.end_day, p.id});
    if (p.has_release) {
      for (std::size_t s = 0; s < p.release_kg.size(); ++s)
        if (p.release_kg[s] > 0)
          out.sources.pulses.push_back({c.cell, static_cast<int>(s), p.release_kg[s], p.release_day, p.id});
      if (p.release_day < 0)
        out.warnings.push_back(path + " (feature " + std::to_string(p.feature) + ", id " + p.id +
                               "): release time is before the run's start");
    }
  }
  if (!unsnapped.offenders.empty()) {
    unsnapped.what = "no stream cell within " + metres(options.max_distance_m);
    unsnapped.fix = farthest_m > 0 ? "raise the snapping distance to at least " + metres(std::ceil(farthest_m)) +
                                         ", lower the stream threshold, or keep off-stream pits on their own cells"
                                   : "lower the stream threshold so the grid has stream cells";
    Problems one;
    one["unsnapped"] = unsnapped;
    one.throw_first(path);
  }
  return out;
}

PitSources pit_sources(const PitLayer& layer, const Grid& grid, const StreamCells& streams, const PitOptions& options,
                       const SnapOptions& snap) {
  return snap_pits(validate_pits(layer, grid, options), grid, streams, snap, layer.path);
}

}  // namespace leachflow::model::transport
