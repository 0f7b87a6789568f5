// Exposure statistics per species and output cell over the run: mean, 95th percentile and peak
// concentration, and days above the species' guideline (WHO/Thai values in
// model/transport/species.cpp). Written as GeoTIFFs (mean_/p95_/days_above_<species>.tif) and
// DIR/exposure.csv.
//
// Mean and days above are running sums. The 95th percentile needs each cell's whole series: it
// is kept in host memory (float per masked cell and output step) when that fits the budget
// (1 GiB by default), otherwise p95 is skipped with a warning. Percentile: nearest rank,
// the ⌈0.95·n⌉-th smallest of the n output values. Days above: the output interval (days since
// the previous output) counted when the concentration at the output exceeds the guideline, so
// it is exact for outputs every step and an approximation for coarser outputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/grid.hpp"

namespace leachflow::app {

struct ExposureRow {
  std::string species;
  double guideline_mg_l = 0;
  long long cells_above = 0;     // cells whose peak exceeded the guideline
  double area_above_km2 = 0;
  double max_days_above = 0;     // the most days above the guideline at any cell
  double max_mean_mg_l = 0, max_p95_mg_l = 0;
};

class ExposureStats {
 public:
  // mask: 1 for the cells written; guideline per species (0: none); outputs: expected number of
  // output steps (sizes the p95 store).
  ExposureStats(const std::vector<std::uint8_t>& mask, std::vector<std::string> species, std::vector<double> guideline,
                long long outputs, double memory_budget_bytes = 1024.0 * 1024.0 * 1024.0);

  // One output step of species k: concentration per cell (mg/L); interval_days since the last output.
  void add(std::size_t k, const std::vector<double>& concentration, double interval_days);
  void end_step() { ++steps_; }

  bool has_p95() const { return keep_series_; }
  // One cell's statistics for species k; nullopt when the cell is not an output cell.
  struct CellStats {
    double peak_mg_l = 0, mean_mg_l = 0, days_above = 0;
  };
  std::optional<CellStats> at(std::size_t k, std::int64_t cell) const;
  const std::string& species(std::size_t k) const { return species_[k]; }
  double guideline_mg_l(std::size_t k) const { return guideline_[k]; }
  std::size_t species_count() const { return species_.size(); }
  std::vector<ExposureRow> rows(const model::Grid& grid) const;
  // GeoTIFFs and exposure.csv into dir; returns the files written.
  std::vector<std::string> write(const std::string& dir, const model::Grid& grid) const;

 private:
  std::vector<std::int64_t> cells_;  // masked cell indices
  std::vector<std::string> species_;
  std::vector<double> guideline_;
  long long capacity_ = 0, steps_ = 0;
  bool keep_series_ = false;
  std::vector<std::vector<double>> sum_, days_;      // [species][masked cell]
  std::vector<std::vector<float>> peak_;             // [species][masked cell]
  std::vector<std::vector<float>> series_;           // [species][step * cells + j]
};

}  // namespace leachflow::app
