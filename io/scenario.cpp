// Scenario files: TOML text → io::Scenario. Every check records a problem and goes on, so one
// run of `leachflow run` lists everything wrong with a file; the problems are thrown together at
// the end as one ScenarioError, sorted by line. toml++ stays in this file (it does not compile
// under nvcc). The keys, units and defaults are documented in scenarios/README.md.
#include "io/scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "io/gdal_support.hpp"
#include "io/runoff_reader.hpp"
#include "model/iso_time.hpp"
#include "model/transport/species.hpp"

namespace leachflow::io {

namespace {

namespace fs = std::filesystem;
using Line = std::uint32_t;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

std::string quoted_list(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + in_quotes(v[i]);
  return s;
}

std::string num(double v) { return fmt::format("{}", v); }

// Optimal string alignment distance (Levenshtein plus swaps of neighbours), ignoring case.
std::size_t edit_distance(const std::string& a0, const std::string& b0) {
  const std::string a = lower(a0), b = lower(b0);
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The candidate nearest to `word` if it is plausibly a misspelling of it (at most 2 edits, or a
// third of the candidate's length), else empty.
std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  if (!best.empty() && best_d <= std::max<std::size_t>(2, best.size() / 3)) return best;
  // A shortened key ("decay" for "decay_per_day") or one with extra words.
  const std::string w = lower(word);
  if (w.size() >= 4)
    for (const auto& c : candidates)
      if (c.rfind(w, 0) == 0 || w.rfind(lower(c), 0) == 0) return c;
  return {};
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

// A TOML date or date-time written without quotes, as the ISO 8601 text iso_time.hpp reads.
std::string iso_text(const toml::date& d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }
std::string iso_text(const toml::time& t) {
  std::string s = fmt::format("{:02}:{:02}:{:02}", t.hour, t.minute, t.second);
  if (t.nanosecond) s += fmt::format(".{:09}", t.nanosecond);
  return s;
}
std::string iso_text(const toml::date_time& dt) {
  std::string s = iso_text(dt.date) + "T" + iso_text(dt.time);
  if (dt.offset) {
    const int m = dt.offset->minutes;
    s += m == 0 ? std::string("Z") : fmt::format("{}{:02}:{:02}", m < 0 ? '-' : '+', std::abs(m) / 60, std::abs(m) % 60);
  }
  return s;
}

template <class T>
struct Val {
  T v;
  Line line;
};

// A table of the file as the checks see it: the table (null when absent), how messages name
// it, and the line of its header (1 for the top level and for absent tables).
struct Section {
  const toml::table* t = nullptr;
  std::string name;    // "[dem]", "[[species]] number 2"; empty for the top level
  Line line = 1;
  std::string dotted;  // "pits" for [pits]: the prefix of its sub-tables' names; empty otherwise
  std::string in() const { return name.empty() ? "at the top level" : "in " + name; }
  std::string under() const { return name.empty() ? "at the top of the file (before any [table])" : "under " + name; }
};

class Checker {
 public:
  Checker(std::string file, std::string folder) : file_(std::move(file)), folder_(std::move(folder)) {}

  void add(Line line, const std::string& problem, const std::string& fix) {
    problems_.emplace_back(line, InputError(file_, "line " + std::to_string(line), problem, fix).what());
  }
  std::vector<std::string> lines() {
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (auto& p : problems_) out.push_back(std::move(p.second));
    return out;
  }

  static Line line_of(const toml::node& n, Line fallback) {
    const Line l = n.source().begin.line;
    return l ? l : fallback;
  }
  static Line line_of(const toml::key& k, Line fallback) {
    const Line l = k.source().begin.line;
    return l ? l : fallback;
  }

  // Names every key of `s` that is not in `known`, with the nearest known key as the fix.
  // `tables` are the known keys that are sub-tables (or arrays of tables), for the wording.
  void unknown_keys(const Section& s, const std::vector<std::string>& known, const std::vector<std::string>& tables = {}) {
    if (!s.t) return;
    for (auto&& [k, node] : *s.t) {
      const std::string key(k.str());
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      const Line line = line_of(k, line_of(node, s.line));
      const bool is_table = node.is_table() || node.is_array_of_tables();
      const std::string prefix = s.dotted.empty() ? "" : s.dotted + ".";
      std::string problem, guess;
      if (is_table) {
        const std::string brackets = node.is_array_of_tables() ? "[[" : "[";
        const std::string closing = node.is_array_of_tables() ? "]]" : "]";
        problem = "unknown table " + brackets + prefix + key + closing;
        guess = nearest(key, tables.empty() ? known : tables);
        if (!guess.empty()) guess = brackets + prefix + guess + closing;
      } else {
        problem = "unknown key " + in_quotes(key) + " " + s.in();
        guess = nearest(key, known);
        if (!guess.empty()) guess = in_quotes(guess);
      }
      if (!guess.empty()) misspelt_.insert({s.t, nearest(key, is_table && !tables.empty() ? tables : known)});
      if (!guess.empty())
        add(line, problem, "did you mean " + guess + "?");
      else if (is_table && !tables.empty())
        add(line, problem, "remove it; the tables known " + s.in() + " are " + quoted_list(tables));
      else
        add(line, problem, "remove it; the keys known " + s.in() + " are " + quoted_list(known));
    }
  }

  // A sub-table (absent → Section with t == null, unless required: then a problem).
  Section table(const Section& parent, const std::string& key, bool required, const std::string& example) {
    Section out;
    out.dotted = (parent.dotted.empty() ? "" : parent.dotted + ".") + key;
    out.name = "[" + out.dotted + "]";
    out.line = parent.line;
    const toml::node* n = parent.t ? parent.t->get(key) : nullptr;
    if (!n) {
      if (required && !misspelt_.count({parent.t, key}))
        add(parent.line, "missing required table " + out.name, "add it, for example:  " + example);
      return out;
    }
    if (!n->is_table()) {
      add(line_of(*n, parent.line), in_quotes(key) + " " + parent.in() + " must be a table, not " + type_name(*n),
          "write it as a table, for example:  " + example);
      return out;
    }
    out.t = n->as_table();
    out.line = line_of(*n, parent.line);
    return out;
  }

  const toml::node* get(const Section& s, const std::string& key, bool required, const std::string& example) {
    const toml::node* n = s.t ? s.t->get(key) : nullptr;
    // A required key reported as misspelt above is not reported missing as well.
    if (!n && required && s.t && !misspelt_.count({s.t, key}))
      add(s.line, "missing required key " + in_quotes(key) + " " + s.in(), "add  " + example + "  " + s.under());
    return n;
  }

  void wrong_type(const Section& s, const std::string& key, const toml::node& n, const std::string& expected,
                  const std::string& example) {
    add(line_of(n, s.line), in_quotes(key) + " " + s.in() + " must be " + expected + ", not " + type_name(n),
        "write it like  " + example);
  }

  std::optional<Val<double>> number(const Section& s, const std::string& key, bool required, const std::string& example) {
    const toml::node* n = get(s, key, required, example);
    if (!n) return std::nullopt;
    if (const auto* i = n->as_integer()) return Val<double>{static_cast<double>(i->get()), line_of(*n, s.line)};
    if (const auto* f = n->as_floating_point()) return Val<double>{f->get(), line_of(*n, s.line)};
    wrong_type(s, key, *n, "a number", example);
    return std::nullopt;
  }

  std::optional<Val<std::int64_t>> integer(const Section& s, const std::string& key, bool required,
                                           const std::string& example) {
    const toml::node* n = get(s, key, required, example);
    if (!n) return std::nullopt;
    if (const auto* i = n->as_integer()) return Val<std::int64_t>{i->get(), line_of(*n, s.line)};
    wrong_type(s, key, *n, "an integer", example);
    return std::nullopt;
  }

  std::optional<Val<std::string>> string(const Section& s, const std::string& key, bool required,
                                         const std::string& example) {
    const toml::node* n = get(s, key, required, example);
    if (!n) return std::nullopt;
    if (const auto* v = n->as_string()) return Val<std::string>{v->get(), line_of(*n, s.line)};
    wrong_type(s, key, *n, "a string (in double quotes)", example);
    return std::nullopt;
  }

  std::optional<Val<bool>> boolean(const Section& s, const std::string& key, const std::string& example) {
    const toml::node* n = get(s, key, false, example);
    if (!n) return std::nullopt;
    if (const auto* v = n->as_boolean()) return Val<bool>{v->get(), line_of(*n, s.line)};
    wrong_type(s, key, *n, "true or false (no quotes)", example);
    return std::nullopt;
  }

  // A date: a string or a bare TOML date / date-time; returned as ISO text with its day number.
  std::optional<std::pair<std::string, double>> date(const Section& s, const std::string& key, bool required,
                                                     const std::string& example) {
    const toml::node* n = get(s, key, required, example);
    if (!n) return std::nullopt;
    std::string text;
    if (const auto* v = n->as_string())
      text = v->get();
    else if (const auto* d = n->as_date())
      text = iso_text(d->get());
    else if (const auto* dt = n->as_date_time())
      text = iso_text(dt->get());
    else {
      wrong_type(s, key, *n, "a date", example);
      return std::nullopt;
    }
    const auto day = model::parse_iso8601_days(text);
    if (!day) {
      add(line_of(*n, s.line), in_quotes(key) + " = " + in_quotes(text) + " " + s.in() + " is not a date",
          "write an ISO 8601 date such as \"2025-01-31\" or date-time such as \"2025-01-31T06:00:00Z\"");
      return std::nullopt;
    }
    return std::make_pair(text, *day);
  }

  // A value from a fixed list, compared ignoring case and stored in its canonical spelling.
  // Returns false when the value is given but not valid.
  bool choice(const Section& s, const std::string& key, const std::vector<std::string>& allowed, std::string& out) {
    const toml::node* n = s.t ? s.t->get(key) : nullptr;
    const auto v = string(s, key, false, key + " = " + in_quotes(allowed.front()));
    if (!v) return n == nullptr;
    for (const auto& a : allowed)
      if (lower(v->v) == a) {
        out = a;
        return true;
      }
    const std::string guess = nearest(v->v, allowed);
    add(v->line, "unknown value " + in_quotes(v->v) + " for " + in_quotes(key) + " " + s.in() + " (allowed: " + quoted_list(allowed) + ")",
        guess.empty() ? "use one of " + quoted_list(allowed) : "did you mean " + in_quotes(guess) + "?");
    return false;
  }

  // Checks a number against a rule, naming the key, its value and the rule.
  bool in_range(const Section& s, const std::string& key, const Val<double>& v, bool ok, const std::string& rule,
                const std::string& example) {
    if (ok) return true;
    add(v.line, in_quotes(key) + " = " + num(v.v) + " " + s.in() + " is out of range: it must be " + rule,
        "give a value " + rule + ", for example  " + example);
    return false;
  }

  // A number with a lower bound (inclusive or not) stored into `out` when valid.
  void bounded(const Section& s, const std::string& key, double lo, bool inclusive, const std::string& example,
               double& out, bool required = false) {
    const auto v = number(s, key, required, example);
    if (!v) return;
    const bool ok = inclusive ? v->v >= lo : v->v > lo;  // false for NaN
    const std::string rule = (inclusive ? ">= " : "> ") + num(lo);
    if (in_range(s, key, *v, ok && std::isfinite(v->v), rule, example)) out = v->v;
  }

  // A path to an input file: resolved against the scenario's folder and required to exist.
  // GDAL connection strings (/vsizip/..., NETCDF:file:var) are passed on as written.
  std::string resolve(const std::string& p) const {
    if (detail::is_gdal_connection_string(p)) return p;
    const fs::path path(p);
    if (path.is_absolute() || folder_.empty()) return path.lexically_normal().string();
    return (fs::path(folder_) / path).lexically_normal().string();
  }
  std::optional<std::string> existing_file(const Section& s, const std::string& key, const Val<std::string>& v,
                                           const std::string& what) {
    if (v.v.empty()) {
      add(v.line, in_quotes(key) + " " + s.in() + " is empty", "give the path of the " + what);
      return std::nullopt;
    }
    const std::string resolved = resolve(v.v);
    if (!detail::is_gdal_connection_string(resolved)) {
      std::error_code ec;
      if (!fs::exists(resolved, ec)) {
        const std::string where = folder_.empty() ? "the current folder" : "the scenario's folder " + in_quotes(folder_);
        add(v.line,
            what + " " + in_quotes(v.v) + " (" + in_quotes(key) + " " + s.in() + ") not found" +
                (resolved != v.v ? " at " + in_quotes(resolved) : ""),
            "check the path; relative paths are taken from " + where);
      }
    }
    return resolved;
  }
  std::optional<std::string> path(const Section& s, const std::string& key, bool required, const std::string& what,
                                  const std::string& example) {
    const auto v = string(s, key, required, example);
    if (!v) return std::nullopt;
    return existing_file(s, key, *v, what);
  }

 private:
  std::string file_;
  std::string folder_;
  std::vector<std::pair<Line, std::string>> problems_;
  std::set<std::pair<const toml::table*, std::string>> misspelt_;  // (table, known key suggested)
};

const std::vector<std::string> kTopKeys = {"title",   "institution", "dem",      "terrain", "runoff",    "hydraulics", "species",
                                           "pits",    "regions",     "exposure", "time",    "transport", "output"};
const std::vector<std::string> kTopTables = {"dem",     "terrain",  "runoff", "hydraulics", "species", "pits",
                                             "regions", "exposure", "time",   "transport",  "output"};

void parse_dem(Checker& c, const Section& top, ScenarioDem& dem) {
  const Section s = c.table(top, "dem", true, "[dem] path = \"data/dem.tif\"");
  if (!s.t) return;
  c.unknown_keys(s, {"path", "band", "crop"});
  if (auto p = c.path(s, "path", true, "DEM", "path = \"data/dem.tif\"")) dem.path = *p;
  if (auto b = c.integer(s, "band", false, "band = 1")) {
    if (b->v >= 1 && b->v <= 1000000)
      dem.band = static_cast<int>(b->v);
    else
      c.add(b->line, "\"band\" = " + std::to_string(b->v) + " in [dem] is out of range: bands are numbered from 1",
            "give a band number >= 1 (`gdalinfo` lists the bands)");
  }
  const std::string crop_example = "crop = [97.9, 25.6, 98.7, 26.2]";
  if (const toml::node* n = c.get(s, "crop", false, crop_example)) {
    const Line line = Checker::line_of(*n, s.line);
    const toml::array* a = n->as_array();
    std::array<double, 4> v{};
    bool ok = a && a->size() == 4;
    for (std::size_t i = 0; ok && i < 4; ++i) {
      const toml::node& e = *a->get(i);
      if (e.is_integer())
        v[i] = static_cast<double>(e.as_integer()->get());
      else if (e.is_floating_point())
        v[i] = e.as_floating_point()->get();
      else
        ok = false;
    }
    if (!ok) {
      c.add(line, "\"crop\" in [dem] must be an array of 4 numbers [west, south, east, north] in degrees, not " +
                      (a ? "an array of " + std::to_string(a->size()) + " values" + (a->size() == 4 ? " (not all numbers)" : "")
                         : type_name(*n)),
            "write it like  " + crop_example);
    } else {
      std::vector<std::string> bad;
      for (int i : {0, 2})
        if (!(std::abs(v[static_cast<std::size_t>(i)]) <= 180)) bad.push_back((i ? "east " : "west ") + num(v[static_cast<std::size_t>(i)]) + " is not within -180..180");
      for (int i : {1, 3})
        if (!(std::abs(v[static_cast<std::size_t>(i)]) <= 90)) bad.push_back((i == 1 ? "south " : "north ") + num(v[static_cast<std::size_t>(i)]) + " is not within -90..90");
      if (bad.empty() && !(v[0] < v[2])) bad.push_back("west " + num(v[0]) + " is not less than east " + num(v[2]));
      if (bad.empty() && !(v[1] < v[3])) bad.push_back("south " + num(v[1]) + " is not less than north " + num(v[3]));
      if (bad.empty())
        dem.crop_lonlat = v;
      else
        for (const auto& b : bad)
          c.add(line, "\"crop\" in [dem]: " + b, "give [west, south, east, north] in degrees of longitude and latitude, for example  " + crop_example);
    }
  }
}

void parse_terrain(Checker& c, const Section& top, ScenarioTerrain& t) {
  const Section s = c.table(top, "terrain", false, "[terrain] router = \"d8\"");
  if (!s.t) return;
  c.unknown_keys(s, {"depressions", "router", "stream_threshold_km2"});
  c.choice(s, "depressions", {"fill", "breach", "none"}, t.depressions);
  c.choice(s, "router", {"d8", "dinf", "mfd"}, t.router);
  c.bounded(s, "stream_threshold_km2", 0, true, "stream_threshold_km2 = 5", t.stream_threshold_km2);
}

void parse_runoff(Checker& c, const Section& top, ScenarioRunoff& r) {
  const Section s = c.table(top, "runoff", true, "[runoff] kind = \"constant\" and constant_mm_yr = 1500");
  if (!s.t) return;
  c.unknown_keys(s, {"kind", "constant_mm_yr", "monthly_mm", "path", "variable", "rasters", "units", "source"},
                 {"rasters"});
  const bool kind_ok = c.choice(s, "kind", {"constant", "monthly", "netcdf", "rasters"}, r.kind);
  if (auto v = c.string(s, "source", false, "source = \"GloH2O / GRUN runoff climatology\"")) r.source = v->v;
  if (!kind_ok) return;  // which keys belong cannot be judged

  // Keys that belong to another kind: most likely a kind left at its default by mistake.
  const std::vector<std::pair<std::string, std::vector<std::string>>> belongs = {
      {"constant_mm_yr", {"constant"}}, {"monthly_mm", {"monthly"}},          {"path", {"netcdf"}},
      {"variable", {"netcdf"}},         {"rasters", {"rasters"}},            {"units", {"netcdf", "rasters"}}};
  for (const auto& [key, kinds] : belongs) {
    const toml::node* n = s.t->get(key);
    if (!n || std::find(kinds.begin(), kinds.end(), r.kind) != kinds.end()) continue;
    c.add(Checker::line_of(*n, s.line),
          in_quotes(key) + " in [runoff] applies only to kind = " + in_quotes(kinds.front()) +
              (kinds.size() > 1 ? " or " + in_quotes(kinds.back()) : "") + ", but kind is " + in_quotes(r.kind),
          "set kind = " + in_quotes(kinds.front()) + ", or remove " + in_quotes(key));
  }

  if (r.kind == "constant") {
    c.bounded(s, "constant_mm_yr", 0, true, "constant_mm_yr = 1500", r.constant_mm_yr, true);
  } else if (r.kind == "monthly") {
    const std::string example = "monthly_mm = [10, 15, 30, 80, 200, 350, 400, 380, 250, 120, 40, 15]";
    if (const toml::node* n = c.get(s, "monthly_mm", true, example)) {
      const Line line = Checker::line_of(*n, s.line);
      const toml::array* a = n->as_array();
      if (!a || a->size() != 12) {
        c.add(line, "\"monthly_mm\" in [runoff] must be an array of 12 numbers (January to December), not " +
                        (a ? "an array of " + std::to_string(a->size()) + " values" : type_name(*n)),
              "give 12 monthly runoff depths in mm, for example  " + example);
      } else {
        for (std::size_t i = 0; i < 12; ++i) {
          const toml::node& e = *a->get(i);
          const auto v = e.value<double>();
          if (!(e.is_integer() || e.is_floating_point()) || !v) {
            c.add(line, "\"monthly_mm\" value " + std::to_string(i + 1) + " in [runoff] must be a number, not " + type_name(e),
                  "give 12 monthly runoff depths in mm, for example  " + example);
          } else if (!(*v >= 0) || !std::isfinite(*v)) {
            c.add(line, "\"monthly_mm\" value " + std::to_string(i + 1) + " in [runoff] is " + num(*v) + "; runoff must be >= 0",
                  "give runoff depths >= 0 mm");
          } else {
            r.monthly_mm[i] = *v;
          }
        }
      }
    }
  } else if (r.kind == "netcdf") {
    if (auto p = c.path(s, "path", true, "runoff NetCDF", "path = \"data/runoff.nc\"")) r.path = *p;
    if (auto v = c.string(s, "variable", true, "variable = \"runoff\"")) {
      if (v->v.empty())
        c.add(v->line, "\"variable\" in [runoff] is empty", "name the runoff variable (`ncdump -h` lists them)");
      r.variable = v->v;
    }
  } else if (r.kind == "rasters") {
    const std::string example = "rasters = [{time = \"2025-01-01\", path = \"data/runoff-2025-01.tif\"}, ...]";
    if (const toml::node* n = c.get(s, "rasters", true, example)) {
      const toml::array* a = n->as_array();
      if (!a || (!a->empty() && !a->is_array_of_tables())) {
        c.wrong_type(s, "rasters", *n, "an array of tables {time, path}", example);
      } else if (a->empty()) {
        c.add(Checker::line_of(*n, s.line), "\"rasters\" in [runoff] is empty", "list at least one {time, path}: " + example);
      } else {
        double previous = -std::numeric_limits<double>::infinity();
        for (std::size_t i = 0; i < a->size(); ++i) {
          const toml::node& e = *a->get(i);
          Section rs{e.as_table(), "[runoff] rasters entry " + std::to_string(i + 1), Checker::line_of(e, s.line), {}};
          c.unknown_keys(rs, {"time", "path"});
          const auto when = c.date(rs, "time", true, "time = \"2025-01-01\"");
          const auto p = c.path(rs, "path", true, "runoff raster", "path = \"data/runoff-2025-01.tif\"");
          if (when && when->second <= previous)
            c.add(rs.line, "runoff raster times are not increasing at entry " + std::to_string(i + 1) + " (" + when->first + ")",
                  "list the rasters in time order, each time once");
          if (when) previous = when->second;
          if (when && p) r.rasters.emplace_back(when->first, *p);
        }
      }
    }
  }
  const bool gridded = r.kind == "netcdf" || r.kind == "rasters";
  if (auto u = gridded ? c.string(s, "units", false, "units = \"mm/day\"") : std::nullopt) {
    if (!runoff_factor_to_mm_day(u->v, 2001, 1))
      c.add(u->line, "unknown runoff units " + in_quotes(u->v) + " in [runoff]",
            "use one of \"mm/day\", \"mm/month\", \"kg m-2 s-1\", \"mm/s\", \"m/day\" (see io/runoff_reader.hpp), or remove it to use the file's");
    else
      r.units = u->v;
  }
}

void parse_hydraulics(Checker& c, const Section& top, ScenarioHydraulics& h) {
  const Section s = c.table(top, "hydraulics", false, "[hydraulics] velocity = \"continuity\"");
  if (!s.t) return;
  c.unknown_keys(s, {"velocity", "manning_n", "min_discharge_m3s"});
  c.choice(s, "velocity", {"continuity", "manning"}, h.velocity);
  c.bounded(s, "manning_n", 0, false, "manning_n = 0.035", h.manning_n);
  c.bounded(s, "min_discharge_m3s", 0, false, "min_discharge_m3s = 0.001", h.min_discharge_m3s);
}

bool valid_species_name(const std::string& n) {
  if (n.empty() || !std::isalpha(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](unsigned char ch) { return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.' || ch == '+'; });
}

void parse_species(Checker& c, const toml::table& root, std::vector<ScenarioSpecies>& out) {
  const std::string example = "[[species]] name = \"sulfate\" (presets: " + quoted_list(model::transport::preset_names()) + ")";
  const toml::node* n = root.get("species");
  if (!n) {
    c.add(1, "no species declared", "add at least one  " + example);
    return;
  }
  const Line line = Checker::line_of(*n, 1);
  const toml::array* a = n->as_array();
  if (n->is_table()) {
    c.add(line, "\"species\" must be an array of tables, written [[species]] (double brackets)",
          "write [[species]] instead of [species], one block per species");
    return;
  }
  if (!a) {
    c.add(line, "\"species\" must be an array of tables, not " + type_name(*n), "declare each species in a block  " + example);
    return;
  }
  if (a->empty()) {
    c.add(line, "no species declared (\"species\" is empty)", "add at least one  " + example);
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const Line el = Checker::line_of(e, line);
    if (!e.is_table()) {
      c.add(el, "species " + std::to_string(i + 1) + " must be a table, not " + type_name(e), "declare each species in a block  " + example);
      continue;
    }
    Section s{e.as_table(), "[[species]] number " + std::to_string(i + 1), el, {}};
    ScenarioSpecies sp;
    sp.line = static_cast<int>(el);
    const auto name = c.string(s, "name", true, "name = \"sulfate\"");
    if (name) {
      sp.name = name->v;
      s.name = "[[species]] " + in_quotes(name->v);
      if (!valid_species_name(name->v))
        c.add(name->line, "species name " + in_quotes(name->v) + " is not usable as a NetCDF variable name",
              "start with a letter and use only letters, digits, '_', '-', '.' or '+'");
      else if (!seen.insert(lower(name->v)).second)
        c.add(name->line, "species " + in_quotes(name->v) + " is declared twice", "declare each species once (names ignore case)");
    }
    c.unknown_keys(s, {"name", "decay_per_day", "retardation", "settling_m_day", "guideline_mg_l", "source"});
    c.bounded(s, "decay_per_day", 0, true, "decay_per_day = 0.2", sp.decay_per_day);
    c.bounded(s, "retardation", 1, true, "retardation = 2", sp.retardation);
    c.bounded(s, "settling_m_day", 0, true, "settling_m_day = 0.5", sp.settling_m_day);
    c.bounded(s, "guideline_mg_l", 0, true, "guideline_mg_l = 0.01", sp.guideline_mg_l);
    if (auto src = c.string(s, "source", false, "source = \"Chapra 1997\"")) sp.source = src->v;
    if (name) out.push_back(sp);
  }
}

// A name that must be one of the declared species.
void check_declared(Checker& c, Line line, const std::string& what, const std::string& name,
                    const std::vector<ScenarioSpecies>& species) {
  std::vector<std::string> names;
  for (const auto& s : species) {
    if (s.name == name) return;
    names.push_back(s.name);
  }
  const std::string guess = nearest(name, names);
  c.add(line, what + " " + in_quotes(name) + " is not a declared species (declared: " + quoted_list(names) + ")",
        guess.empty() ? "declare it in a [[species]] block, or use one of the declared names"
                      : "did you mean " + in_quotes(guess) + "? (or declare it in a [[species]] block)");
}

void parse_pits(Checker& c, const Section& top, ScenarioPits& p, const std::vector<ScenarioSpecies>& species) {
  const Section s = c.table(top, "pits", true, "[pits] path = \"data/pits.geojson\"");
  if (!s.t) return;
  c.unknown_keys(s, {"path", "layer", "id_field", "cluster_field", "snap_distance_m", "keep_unsnapped", "load_fields"},
                 {"load_fields"});
  if (auto v = c.path(s, "path", true, "pit layer", "path = \"data/pits.geojson\"")) p.path = *v;
  if (auto v = c.string(s, "layer", false, "layer = \"pits\"")) p.layer = v->v;
  if (auto v = c.string(s, "id_field", false, "id_field = \"id\"")) {
    if (v->v.empty())
      c.add(v->line, "\"id_field\" in [pits] is empty", "name the field holding each pit's id, for example  id_field = \"id\"");
    else
      p.id_field = v->v;
  }
  if (auto v = c.string(s, "cluster_field", false, "cluster_field = \"cluster\"")) p.cluster_field = v->v;
  c.bounded(s, "snap_distance_m", 0, false, "snap_distance_m = 500", p.snap_distance_m);
  if (auto v = c.boolean(s, "keep_unsnapped", "keep_unsnapped = false")) p.keep_unsnapped = v->v;
  const Section lf = c.table(s, "load_fields", false, "[pits.load_fields] sulfate = \"SO4_kg_d\"");
  if (!lf.t) return;
  for (auto&& [k, node] : *lf.t) {
    const std::string key(k.str());
    const Line line = Checker::line_of(k, Checker::line_of(node, lf.line));
    check_declared(c, line, "[pits.load_fields] key", key, species);
    if (const auto* str = node.as_string()) {
      if (str->get().empty())
        c.add(line, "load field for " + in_quotes(key) + " in [pits.load_fields] is empty", "name the field holding kg/day of " + key);
      else
        p.load_fields[key] = str->get();
    } else {
      c.add(line, in_quotes(key) + " in [pits.load_fields] must be a field name (a string), not " + type_name(node),
            "write it like  " + key + " = \"" + key + "_kg_day\"");
    }
  }
}

void parse_regions(Checker& c, const Section& top, ScenarioRegions& r) {
  const Section s = c.table(top, "regions", false, "[regions] path = \"data/countries.gpkg\"");
  if (!s.t) return;
  c.unknown_keys(s, {"path", "layer", "name_field"});
  if (auto v = c.path(s, "path", true, "region layer", "path = \"data/countries.gpkg\"")) r.path = *v;
  if (auto v = c.string(s, "layer", false, "layer = \"countries\"")) r.layer = v->v;
  if (auto v = c.string(s, "name_field", false, "name_field = \"name\"")) {
    if (v->v.empty())
      c.add(v->line, "\"name_field\" in [regions] is empty", "name the field holding each region's name");
    else
      r.name_field = v->v;
  }
}

void parse_exposure(Checker& c, const Section& top, ScenarioExposure& e) {
  const Section s = c.table(top, "exposure", false, "[exposure] settlements = \"data/villages.gpkg\"");
  if (!s.t) return;
  c.unknown_keys(s, {"settlements", "settlements_layer", "name_field", "population_field", "settlement_snap_m", "population",
                     "near_stream_m"});
  if (auto v = c.path(s, "settlements", false, "settlement layer", "settlements = \"data/villages.gpkg\"")) e.settlements = *v;
  if (auto v = c.string(s, "settlements_layer", false, "settlements_layer = \"villages\"")) e.settlements_layer = v->v;
  for (auto [key, target] : {std::pair{"name_field", &e.name_field}, std::pair{"population_field", &e.population_field}}) {
    if (auto v = c.string(s, key, false, std::string(key) + " = \"...\"")) {
      if (v->v.empty())
        c.add(v->line, in_quotes(key) + " in [exposure] is empty", "name the settlement layer's field, or leave the key out");
      else
        *target = v->v;
    }
  }
  c.bounded(s, "settlement_snap_m", 0, false, "settlement_snap_m = 1000", e.settlement_snap_m);
  if (auto v = c.path(s, "population", false, "population raster", "population = \"data/population.tif\"")) e.population = *v;
  c.bounded(s, "near_stream_m", 0, false, "near_stream_m = 1000", e.near_stream_m);
}

void parse_time(Checker& c, const Section& top, ScenarioTime& t, bool& valid) {
  valid = false;
  const Section s = c.table(top, "time", true, "[time] start = \"2025-01-01\" and end = \"2025-12-31\"");
  if (!s.t) return;
  c.unknown_keys(s, {"start", "end", "step_days"});
  const auto start = c.date(s, "start", true, "start = \"2025-01-01\"");
  const auto end = c.date(s, "end", true, "end = \"2025-12-31\"");
  if (start) t.start = start->first, t.start_day = start->second;
  if (end) t.end = end->first, t.end_day = end->second;
  bool ok = start && end;
  if (ok && !(end->second > start->second)) {
    c.add(Checker::line_of(*s.t->get("end"), s.line),
          "end " + in_quotes(end->first) + " in [time] is not after start " + in_quotes(start->first),
          "give an end later than the start");
    ok = false;
  }
  const auto step = c.number(s, "step_days", false, "step_days = 1");
  if (step) {
    if (c.in_range(s, "step_days", *step, step->v > 0 && std::isfinite(step->v), "> 0", "step_days = 1"))
      t.step_days = step->v;
    else
      ok = false;
  }
  valid = ok;
}

void parse_transport(Checker& c, const Section& top, ScenarioTransport& t) {
  const Section s = c.table(top, "transport", false, "[transport] scheme = \"implicit\"");
  if (!s.t) return;
  c.unknown_keys(s, {"scheme", "dispersion", "dispersivity", "courant", "steady_state_start"});
  c.choice(s, "scheme", {"implicit", "explicit"}, t.scheme);
  if (auto v = c.boolean(s, "dispersion", "dispersion = true")) t.dispersion = v->v;
  c.bounded(s, "dispersivity", 0, true, "dispersivity = 0.1", t.dispersivity);
  if (auto v = c.number(s, "courant", false, "courant = 0.9"))
    if (c.in_range(s, "courant", *v, v->v > 0 && v->v <= 1, "in (0, 1]", "courant = 0.9")) t.courant = v->v;
  if (auto v = c.boolean(s, "steady_state_start", "steady_state_start = true")) t.steady_state_start = v->v;
}

void parse_output(Checker& c, const Section& top, ScenarioOutput& o, const ScenarioTime& time, bool time_valid,
                  const std::vector<ScenarioSpecies>& species) {
  o.every_days = time.step_days;
  const Section s = c.table(top, "output", false, "[output] every_days = 1");
  if (!s.t) return;
  c.unknown_keys(s, {"every_days", "species", "mask", "netcdf", "static_fields", "map_png"});
  if (auto v = c.number(s, "every_days", false, "every_days = 1")) {
    if (c.in_range(s, "every_days", *v, v->v > 0 && std::isfinite(v->v), "> 0", "every_days = 1")) {
      o.every_days = v->v;
      const double ratio = v->v / time.step_days;
      if (time_valid && (std::round(ratio) < 1 || std::abs(ratio - std::round(ratio)) > 1e-9 * ratio)) {
        const double k = std::max(1.0, std::round(ratio));
        c.add(v->line,
              "\"every_days\" = " + num(v->v) + " in [output] is not a whole multiple of [time] step_days = " + num(time.step_days),
              "use a multiple of the step, for example  every_days = " + num(k * time.step_days));
      }
    }
  }
  const std::string sp_example = "species = [\"sulfate\"]";
  if (const toml::node* n = c.get(s, "species", false, sp_example)) {
    const Line line = Checker::line_of(*n, s.line);
    if (const toml::array* a = n->as_array()) {
      for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        if (const auto* str = e.as_string()) {
          check_declared(c, Checker::line_of(e, line), "output species", str->get(), species);
          if (std::find(o.species.begin(), o.species.end(), str->get()) != o.species.end())
            c.add(Checker::line_of(e, line), "output species " + in_quotes(str->get()) + " is listed twice", "list each species once");
          else
            o.species.push_back(str->get());
        } else {
          c.add(Checker::line_of(e, line), "\"species\" in [output] must list species names (strings), not " + type_name(e),
                "write it like  " + sp_example);
        }
      }
    } else {
      c.wrong_type(s, "species", *n, "an array of species names", sp_example);
    }
  }
  c.choice(s, "mask", {"streams", "all"}, o.mask);
  if (auto v = c.string(s, "netcdf", false, "netcdf = \"leachflow.nc\"")) {
    const std::string& f = v->v;
    if (f.find('/') != std::string::npos || f.find('\\') != std::string::npos)
      c.add(v->line, "\"netcdf\" = " + in_quotes(f) + " in [output] must be a bare file name, not a path",
            "give a file name such as \"leachflow.nc\"; the output folder is chosen on the command line");
    else if (f.size() <= 3 || f.compare(f.size() - 3, 3, ".nc") != 0)
      c.add(v->line, "\"netcdf\" = " + in_quotes(f) + " in [output] must be a file name ending in .nc", "give a file name such as \"leachflow.nc\"");
    else
      o.netcdf = f;
  }
  if (auto v = c.boolean(s, "static_fields", "static_fields = true")) o.static_fields = v->v;
  if (auto v = c.boolean(s, "map_png", "map_png = true")) o.map_png = v->v;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (std::size_t i = 0; i < lines.size(); ++i) s += (i ? "\n" : "") + lines[i];
  return s;
}

}  // namespace

ScenarioError::ScenarioError(std::string file, std::vector<std::string> lines)
    : InputError(file, "", lines.empty() ? "invalid scenario" : lines.front(), ""),
      lines_(std::move(lines)),
      text_(join_lines(lines_)) {}

Scenario parse_scenario_text(const std::string& text, const std::string& file, const std::string& folder) {
  Scenario sc;
  sc.file = file;
  sc.folder = folder;
  sc.text = text;

  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    const Line line = b.line ? b.line : 1;
    throw ScenarioError(file, {InputError(file, "line " + std::to_string(line),
                                          "TOML syntax error at column " + std::to_string(b.column) + ": " +
                                              std::string(e.description()),
                                          "correct the TOML there (strings need double quotes, tables are written [name], "
                                          "arrays [a, b]; see https://toml.io)")
                                   .what()});
  }

  Checker c(file, folder);
  const Section top{&root, "", 1, {}};
  c.unknown_keys(top, kTopKeys, kTopTables);
  if (auto v = c.string(top, "title", true, "title = \"Chipwi leaching pits, dry season 2025\"")) {
    if (v->v.empty())
      c.add(v->line, "\"title\" is empty", "give the scenario a title; it is written into every output");
    sc.title = v->v;
  }
  if (auto v = c.string(top, "institution", false, "institution = \"...\"")) sc.institution = v->v;

  bool time_valid = false;
  parse_time(c, top, sc.time, time_valid);
  parse_dem(c, top, sc.dem);
  parse_terrain(c, top, sc.terrain);
  parse_runoff(c, top, sc.runoff);
  parse_hydraulics(c, top, sc.hydraulics);
  parse_species(c, root, sc.species);
  parse_pits(c, top, sc.pits, sc.species);
  parse_regions(c, top, sc.regions);
  parse_exposure(c, top, sc.exposure);
  parse_transport(c, top, sc.transport);
  parse_output(c, top, sc.output, sc.time, time_valid, sc.species);

  auto lines = c.lines();
  if (!lines.empty()) throw ScenarioError(file, std::move(lines));
  return sc;
}

Scenario parse_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || fs::is_directory(path, ec))
    throw ScenarioError(path, {InputError(path, "", "cannot read the scenario file",
                                          "check the path (relative paths are taken from the current folder)")
                                   .what()});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario_text(text.str(), path, fs::path(path).parent_path().string());
}

}  // namespace leachflow::io
