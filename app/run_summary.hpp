// What a run reports at the end: the mass ledger, peak concentration per species and where,
// pit snapping, and the outputs; printed as a short table and written as DIR/summary.json
// (keys: mass_balance.relative_error, species[].peak.{value,unit,lon,lat,time}, ...).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "app/crossing_series.hpp"
#include "app/people_exposure.hpp"
#include "model/transport/pits.hpp"
#include "model/transport/transport.hpp"

namespace leachflow::app {

struct PeakSummary {
  double value = 0;          // mg/L
  double lon = 0, lat = 0;   // WGS84 of the cell centre
  double x = 0, y = 0;       // grid CRS
  std::string time;          // ISO 8601 date of the output step
  bool found = false;
};

struct SpeciesSummary {
  std::string name, unit = "mg/L";
  double guideline_mg_l = 0;
  model::transport::SpeciesLedger ledger;
  PeakSummary peak;
  long long cells_above_guideline = 0;  // cells whose peak exceeds the guideline (0: none set)
  double area_above_guideline_km2 = 0;
};

struct RunSummary {
  std::string scenario, title, backend;
  int threads = 0;
  long long cells = 0, valid_cells = 0, stream_cells = 0;
  double stream_threshold_km2 = 0;
  std::string start, end;
  double step_days = 0;
  long long steps_done = 0, steps_total = 0, outputs_written = 0;
  bool complete = false;
  std::string stopped_because;  // empty when complete
  double terrain_s = 0, transport_s = 0, write_s = 0;
  std::vector<SpeciesSummary> species;
  std::vector<model::transport::SnapReport> pits;
  std::vector<CrossingRow> crossings;  // one per crossing group and species
  std::string regions;                 // the regions layer, empty when none
  std::vector<PeopleExposureRow> people;  // settlements and population near streams above guidelines
  double near_stream_m = 0;
  std::vector<std::string> warnings;
  std::vector<std::string> outputs;  // files written
  // The largest relative ledger error over species.
  double relative_error() const;
};

void print_summary(const RunSummary& s, std::FILE* out);
// Writes path via path.part and a rename.
void write_summary_json(const RunSummary& s, const std::string& path);

}  // namespace leachflow::app
