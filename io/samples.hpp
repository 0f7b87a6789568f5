// Measured concentrations for `leachflow validate` and calibration: a CSV with a header row and
// the columns station_id, lon, lat, time, species, value, unit (any order, names
// case-insensitive, other columns ignored), optional censored, detection_limit and
// upstream_area_km2. Values are converted to mg/L; every bad row is reported, not just the first.
//
// Conventions:
//   time       YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z] (model/iso_time.hpp), UTC.
//   unit       mg/L, ug/L (µg/L), ng/L, g/L, mg/m3, ug/m3, also mg/l, mgL-1, "mg L-1";
//              ppm and ppb are read as mg/L and ug/L (water, density 1 kg/L).
//   censored   true/false/1/0/yes/no/y/n or empty (false); a value written "<0.5" is censored
//              with detection limit 0.5 (in the row's unit).
//   detection_limit  in the row's unit; for a censored row without one, the value is the limit.
//   lon, lat   WGS84 degrees.
// Fields may be quoted ("a,b"; "" inside quotes is one quote).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/validation/observations.hpp"

namespace leachflow::io {

struct SampleTable {
  std::string path;
  std::vector<model::validation::Sample> samples;  // in file order
};

// Factor from a unit as written to mg/L (nullopt when the unit is not known).
std::optional<double> unit_to_mg_l(std::string_view unit);

// Reads the file. Throws InputError when the file cannot be read, and ScenarioError (several
// lines, io/scenario.hpp; the CLI prints each) listing every bad row as
// "FILE (line N, column NAME): problem; fix: ...".
SampleTable read_samples(const std::string& path);
// The same from text (tests); file names the source in messages.
SampleTable parse_samples_text(const std::string& text, const std::string& file);

}  // namespace leachflow::io
