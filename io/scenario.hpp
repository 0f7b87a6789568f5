// Scenario files: one TOML file describes a whole run (DEM, terrain, runoff, species, pits,
// regions, time, transport, outputs). Every key, its unit and default: scenarios/README.md.
// Parsed with toml++ in scenario.cpp only (toml++ does not compile under nvcc).
//
// Relative paths are resolved against the scenario file's folder, so a scenario can be run from
// anywhere. Problems are collected, not stopped at: parse_scenario throws ScenarioError with one
// line per problem (file:line, what is wrong, the fix), and `leachflow run` prints them all.
#pragma once

#include <array>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "io/errors.hpp"

namespace leachflow::io {

struct ScenarioDem {
  std::string path;                                // any GDAL raster
  int band = 1;
  std::optional<std::array<double, 4>> crop_lonlat;  // west, south, east, north (degrees)
};

struct ScenarioTerrain {
  std::string depressions = "fill";   // fill | breach | none
  std::string router = "d8";          // d8 | dinf | mfd
  double stream_threshold_km2 = 0;    // ≤ 0: the default (model/terrain/pipeline.hpp)
};

struct ScenarioRunoff {
  std::string kind = "constant";      // constant | monthly | netcdf | rasters
  double constant_mm_yr = 0;          // kind = constant
  std::array<double, 12> monthly_mm{};  // kind = monthly: Jan..Dec, mm per month
  std::string path;                   // kind = netcdf: the file
  std::string variable;               // kind = netcdf: the variable
  std::string units;                  // netcdf/rasters: override the file's units (empty: file's)
  std::vector<std::pair<std::string, std::string>> rasters;  // kind = rasters: (ISO time, path)
  std::string source;                 // citation or description, for metadata
};

struct ScenarioHydraulics {
  std::string velocity = "continuity";  // continuity | manning
  double manning_n = 0.035;
  double min_discharge_m3s = -1;        // < 0: the default of kernels/hydraulics
};

// A species: a preset name (ammonium, sulfate, arsenic) with optional overrides, or any other
// name with its parameters given. Unset (NaN) fields take the preset's value (0 for non-presets,
// retardation 1).
struct ScenarioSpecies {
  std::string name;
  double decay_per_day = std::numeric_limits<double>::quiet_NaN();
  double retardation = std::numeric_limits<double>::quiet_NaN();
  double settling_m_day = std::numeric_limits<double>::quiet_NaN();
  double guideline_mg_l = std::numeric_limits<double>::quiet_NaN();
  std::string source;
  int line = 0;  // where it was declared, for later messages
};

struct ScenarioPits {
  std::string path;                   // any OGR point layer
  std::string layer;                  // empty: the first
  std::string id_field = "id";
  std::string cluster_field;          // optional: attribution by pit cluster (field value) instead of pit
  std::map<std::string, std::string> load_fields;  // species → field holding kg/day
  double snap_distance_m = 500;
  bool keep_unsnapped = false;
};

struct ScenarioRegions {
  std::string path;                   // any OGR polygon layer (countries, states); empty: none
  std::string layer;
  std::string name_field = "name";
};

struct ScenarioExposure {
  std::string settlements;            // OGR point layer of places; empty: none
  std::string settlements_layer;      // empty: the first
  std::string name_field = "name";
  std::string population_field = "population";
  double settlement_snap_m = 1000;    // a place drinks from the nearest stream cell within this
  std::string population;             // raster of people per cell; empty: none
  double near_stream_m = 1000;        // people within this of a stream above a guideline are exposed
};

struct ScenarioTime {
  std::string start;                  // ISO 8601 date or date-time (required)
  std::string end;                    // ISO 8601, after start (required)
  double step_days = 1;               // > 0
  double start_day = 0;               // start as days since 1970-01-01 (filled by the parser)
  double end_day = 0;                 // end as days since 1970-01-01
};

struct ScenarioTransport {
  std::string scheme = "implicit";    // implicit | explicit
  bool dispersion = false;
  double dispersivity = 0;            // α (multiple of the cell's flow length)
  double courant = 1.0;               // explicit scheme only, (0, 1]
  bool steady_state_start = false;    // start from the steady state of the first day's loads
};

struct ScenarioOutput {
  double every_days = 1;              // interval of the concentration fields, > 0, multiple of step
  std::vector<std::string> species;   // empty: all
  std::string mask = "streams";       // streams | all (cells written; others are _FillValue)
  std::string netcdf = "leachflow.nc";
  bool static_fields = true;          // elevation, area, streams, order, basins, mean discharge
  bool map_png = true;                // a PNG of peak concentration (needs python3-matplotlib)
};

struct Scenario {
  std::string file;                   // the scenario's path as given
  std::string folder;                 // its folder (relative paths resolve against it)
  std::string text;                   // the file's text, for the NetCDF `scenario` attribute
  std::string title;
  std::string institution;            // left to the user; empty: not written
  ScenarioDem dem;
  ScenarioTerrain terrain;
  ScenarioRunoff runoff;
  ScenarioHydraulics hydraulics;
  std::vector<ScenarioSpecies> species;  // at least one
  ScenarioPits pits;
  ScenarioRegions regions;
  ScenarioExposure exposure;
  ScenarioTime time;
  ScenarioTransport transport;
  ScenarioOutput output;
};

// All the problems found in one scenario file; what() is the lines joined with '\n', each in
// io::InputError's form: "FILE (line N): problem; fix: ...".
class ScenarioError : public InputError {
 public:
  ScenarioError(std::string file, std::vector<std::string> lines);
  const std::vector<std::string>& lines() const { return lines_; }
  // All the lines (the base InputError alone would hold only the first).
  const char* what() const noexcept override { return text_.c_str(); }

 private:
  std::vector<std::string> lines_;
  std::string text_;
};

// Reads and checks a scenario: TOML syntax, unknown keys (with the nearest known key as the
// fix), wrong types, missing required keys, out-of-range values, unknown enum values, dates,
// and that every referenced input file exists. Paths in the result are resolved (absolute or
// relative to the current directory). Throws ScenarioError listing every problem.
Scenario parse_scenario(const std::string& path);
// The same, from text (tests); folder resolves relative paths.
Scenario parse_scenario_text(const std::string& text, const std::string& file, const std::string& folder);

}  // namespace leachflow::io
