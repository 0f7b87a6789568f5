// Samples CSV reader: see io/samples.hpp for the columns and conventions.
#include "io/samples.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "io/errors.hpp"
#include "io/scenario.hpp"
#include "model/iso_time.hpp"

namespace leachflow::io {

namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

// Splits one CSV line; returns false on an unterminated quote.
bool split_csv(const std::string& line, std::vector<std::string>& out) {
  out.clear();
  std::string f;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') f += '"', ++i;
      else if (c == '"') quoted = false;
      else f += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(trim(f));
      f.clear();
    } else {
      f += c;
    }
  }
  out.push_back(trim(f));
  return !quoted;
}

std::optional<double> number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;
  const auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e || !std::isfinite(v)) return std::nullopt;
  return v;
}

const std::vector<std::string> kRequired = {"station_id", "lon", "lat", "time", "species", "value", "unit"};

}  // namespace

std::optional<double> unit_to_mg_l(std::string_view unit) {
  std::string u;
  const std::string l = lower(trim(unit));
  for (std::size_t i = 0; i < l.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(l[i]);
    if (c == ' ' || c == '*' || c == '.') continue;
    // µ (U+00B5: C2 B5) and μ (U+03BC: CE BC) → u
    if ((c == 0xC2 && i + 1 < l.size() && static_cast<unsigned char>(l[i + 1]) == 0xB5) ||
        (c == 0xCE && i + 1 < l.size() && static_cast<unsigned char>(l[i + 1]) == 0xBC)) {
      u += 'u', ++i;
      continue;
    }
    u += static_cast<char>(c);
  }
  if (u.size() > 2 && u.compare(u.size() - 2, 2, "-1") == 0) {  // mgl-1, mgm-3
    u.resize(u.size() - 2);
  } else if (u.size() > 2 && u.compare(u.size() - 2, 2, "-3") == 0) {
    u = u.substr(0, u.size() - 3) + "/m3";
  }
  if (u.size() > 1 && u.find('/') == std::string::npos) {  // "mgl" from "mg L-1"
    const std::size_t k = u.size() - 1;
    if (u[k] == 'l') u = u.substr(0, k) + "/l";
  }
  static const std::map<std::string, double> f = {
      {"mg/l", 1.0},    {"ug/l", 1e-3},   {"ng/l", 1e-6}, {"g/l", 1e3},  {"mg/m3", 1e-3},
      {"ug/m3", 1e-6},  {"g/m3", 1.0},    {"ppm", 1.0},   {"ppb", 1e-3}, {"mcg/l", 1e-3}};
  const auto it = f.find(u);
  if (it == f.end()) return std::nullopt;
  return it->second;
}

SampleTable parse_samples_text(const std::string& text, const std::string& file) {
  SampleTable t;
  t.path = file;
  std::vector<std::string> errors;
  const auto err = [&](long line, const std::string& col, const std::string& problem, const std::string& fix) {
    errors.push_back(InputError(file, col.empty() ? fmt::format("line {}", line) : fmt::format("line {}, column {}", line, col),
                                problem, fix)
                         .what());
  };
  std::istringstream in(text);
  std::string line;
  long n = 0;
  std::map<std::string, std::size_t> col;  // lower-case name → index
  std::size_t ncols = 0;
  bool header = false;
  std::vector<std::string> f;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
    if (trim(line).empty()) continue;
    if (!split_csv(line, f)) {
      err(n, "", "a quoted field is not closed", "close the quote (\"...\") or remove it");
      if (!header) break;
      continue;
    }
    if (!header) {
      header = true;
      ncols = f.size();
      for (std::size_t k = 0; k < f.size(); ++k) col.emplace(lower(f[k]), k);
      std::vector<std::string> missing;
      for (const auto& c : kRequired)
        if (!col.count(c)) missing.push_back(c);
      if (!missing.empty()) {
        err(n, fmt::format("{}", fmt::join(missing, ", ")), "the header lacks required column(s)",
            "the header must name station_id, lon, lat, time, species, value, unit (any order)");
        break;
      }
      continue;
    }
    if (f.size() != ncols) {
      err(n, "", fmt::format("{} fields where the header has {}", f.size(), ncols),
          "quote fields that contain commas and give every column a value (empty is allowed for optional ones)");
      continue;
    }
    const auto get = [&](const std::string& c) -> std::string {
      const auto it = col.find(c);
      return it == col.end() ? std::string() : f[it->second];
    };
    model::validation::Sample s;
    s.line = n;
    bool ok = true;
    s.station_id = get("station_id");
    if (s.station_id.empty()) err(n, "station_id", "empty station id", "name the station"), ok = false;
    s.species = get("species");
    if (s.species.empty()) err(n, "species", "empty species", "give a species name of the scenario"), ok = false;
    const auto lon = number(get("lon")), lat = number(get("lat"));
    if (!lon || *lon < -180 || *lon > 360)
      err(n, "lon", fmt::format("'{}' is not a longitude", get("lon")), "write decimal degrees (WGS84), e.g. 97.25"), ok = false;
    else s.lon = *lon;
    if (!lat || *lat < -90 || *lat > 90)
      err(n, "lat", fmt::format("'{}' is not a latitude", get("lat")), "write decimal degrees (WGS84) within [-90, 90]"), ok = false;
    else s.lat = *lat;
    const auto day = model::parse_iso8601_days(get("time"));
    if (!day) err(n, "time", fmt::format("'{}' is not an ISO 8601 date", get("time")), "write YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z]"), ok = false;
    else s.day = *day;
    s.unit_in = get("unit");
    const auto factor = unit_to_mg_l(s.unit_in);
    if (!factor) err(n, "unit", fmt::format("unknown unit '{}'", s.unit_in), "use mg/L, ug/L, ng/L, g/L, mg/m3 or ug/m3"), ok = false;
    // value, possibly "<DL"
    std::string vtext = get("value");
    bool less_than = false;
    if (!vtext.empty() && vtext[0] == '<') less_than = true, vtext = trim(vtext.substr(1));
    const auto value = number(vtext);
    if (!value || *value < 0)
      err(n, "value", fmt::format("'{}' is not a non-negative number", get("value")),
          "write a concentration such as 0.25, or <0.5 for below a detection limit of 0.5"), ok = false;
    // censored
    bool censored = less_than;
    if (col.count("censored")) {
      const std::string c = lower(get("censored"));
      if (c == "true" || c == "1" || c == "yes" || c == "y") censored = true;
      else if (c == "false" || c == "0" || c == "no" || c == "n" || c.empty()) censored = censored || false;
      else err(n, "censored", fmt::format("'{}' is not true or false", get("censored")), "write true/false, 1/0, yes/no or leave it empty"), ok = false;
    }
    double dl = 0;
    if (col.count("detection_limit") && !get("detection_limit").empty()) {
      const auto d = number(get("detection_limit"));
      if (!d || *d <= 0) err(n, "detection_limit", fmt::format("'{}' is not a positive number", get("detection_limit")),
                             "write the detection limit in the row's unit, or leave it empty"), ok = false;
      else dl = *d;
    }
    if (col.count("upstream_area_km2") && !get("upstream_area_km2").empty()) {
      const auto a = number(get("upstream_area_km2"));
      if (!a || *a <= 0) err(n, "upstream_area_km2", fmt::format("'{}' is not a positive area", get("upstream_area_km2")),
                             "write the station's upstream area in km2, or leave it empty"), ok = false;
      else s.upstream_area_km2 = *a;
    }
    if (!ok) continue;
    if (less_than && dl > 0 && std::abs(dl - *value) > 1e-12 * dl)
      { err(n, "detection_limit", fmt::format("value '<{}' disagrees with detection_limit {}", vtext, dl),
            "give the same limit in both or leave detection_limit empty"); continue; }
    if (censored && dl == 0) dl = *value;
    if (censored && dl <= 0) {
      err(n, "detection_limit", "a censored sample needs a positive detection limit", "write <DL in value or fill detection_limit");
      continue;
    }
    s.value_mg_l = (censored ? dl : *value) * *factor;
    s.censored = censored;
    s.detection_limit_mg_l = dl * *factor;
    t.samples.push_back(std::move(s));
  }
  if (!header && errors.empty()) err(1, "", "the file is empty", "write a header row station_id,lon,lat,time,species,value,unit and one row per sample");
  if (!errors.empty()) throw ScenarioError(file, errors);
  return t;
}

SampleTable read_samples(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open the samples file", "check the path (a CSV with station_id, lon, lat, time, species, value, unit)");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_samples_text(ss.str(), path);
}

}  // namespace leachflow::io
