// Runoff forcing: the water each cell yields, as a depth rate. Discharge follows by weighted
// accumulation (Q = Σ upstream runoff × cell area), per time step.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace leachflow::model::hydraulics {

struct Runoff {
  enum class Kind { constant, monthly, gridded };
  Kind kind = Kind::constant;
  // constant: one rate everywhere, all year.
  double constant_mm_yr = 0.0;
  // monthly climatology: one uniform rate per calendar month (Jan..Dec), mm/month.
  std::array<double, 12> monthly_mm = {};
  // gridded time series: one host raster (row-major, one value per cell, mm/day, NaN = none)
  // per time stamp; each applies from its time until the next (days since the run's start).
  std::vector<double> grid_time_day;
  std::vector<std::vector<float>> grid_mm_day;
  std::string source;  // file or description, for metadata
};

}  // namespace leachflow::model::hydraulics
