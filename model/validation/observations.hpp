// Measured concentrations for validation and calibration: a Sample is one row of the samples
// CSV (io/samples.hpp) converted to mg/L; an Observation is a sample placed on the model grid
// (snapped station cell, run species index, time in model days), which pairing and calibration
// consume. Plain host-only structs, no I/O.
#pragma once

#include <cstddef>
#include <string>

#include "kernels/exec/config.hpp"

namespace leachflow::model::validation {

// One measured value, already in mg/L.
struct Sample {
  std::string station_id;
  double lon = 0, lat = 0;  // WGS84 degrees
  double day = 0;           // days since 1970-01-01 UTC
  std::string species;      // as written in the file
  double value_mg_l = 0;    // for a censored sample: the detection limit
  bool censored = false;    // true where below the detection limit
  double detection_limit_mg_l = 0;  // 0 when not given
  std::string unit_in;      // unit as written in the file, for reports
  long line = 0;            // 1-based line in the file, for reports
  double upstream_area_km2 = -1;  // optional column upstream_area_km2 (< 0: not given)
};

// A sample placed on the model grid: what pairing and calibration use.
struct Observation {
  std::size_t sample = 0;  // index into the sample list
  exec::index_t cell = -1;  // row * cols + col of the snapped stream cell
  int species = -1;         // index into the run's species
  double model_day = 0;     // days since the run start
  double value_mg_l = 0;
  bool censored = false;
  double detection_limit_mg_l = 0;
};

}  // namespace leachflow::model::validation
