#include "app/exposure.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "io/raster.hpp"

namespace leachflow::app {

namespace fs = std::filesystem;

ExposureStats::ExposureStats(const std::vector<std::uint8_t>& mask, std::vector<std::string> species,
                             std::vector<double> guideline, long long outputs, double memory_budget_bytes)
    : species_(std::move(species)), guideline_(std::move(guideline)), capacity_(outputs) {
  for (std::size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) cells_.push_back(static_cast<std::int64_t>(i));
  const std::size_t m = cells_.size(), ns = species_.size();
  sum_.assign(ns, std::vector<double>(m, 0.0));
  days_ = sum_;
  peak_.assign(ns, std::vector<float>(m, 0.0f));
  const double series_bytes = 4.0 * static_cast<double>(m) * static_cast<double>(ns) * static_cast<double>(outputs);
  keep_series_ = outputs > 0 && series_bytes <= memory_budget_bytes;
  series_.assign(ns, {});  // grows step by step: an interrupted run never holds the whole budget
}

void ExposureStats::add(std::size_t k, const std::vector<double>& concentration, double interval_days) {
  const std::size_t m = cells_.size();
  const bool store = keep_series_ && steps_ < capacity_;
  float* row = nullptr;
  if (store) {
    series_[k].resize(static_cast<std::size_t>(steps_ + 1) * m);
    row = series_[k].data() + static_cast<std::size_t>(steps_) * m;
  }
  const double g = guideline_[k];
  for (std::size_t j = 0; j < m; ++j) {
    const double c = concentration[static_cast<std::size_t>(cells_[j])];
    sum_[k][j] += c;
    if (g > 0 && c > g) days_[k][j] += interval_days;
    peak_[k][j] = std::max(peak_[k][j], static_cast<float>(c));
    if (row) row[j] = static_cast<float>(c);
  }
}

std::optional<ExposureStats::CellStats> ExposureStats::at(std::size_t k, std::int64_t cell) const {
  const auto it = std::lower_bound(cells_.begin(), cells_.end(), cell);  // ascending by construction
  if (it == cells_.end() || *it != cell) return std::nullopt;
  const auto j = static_cast<std::size_t>(it - cells_.begin());
  return CellStats{peak_[k][j], sum_[k][j] / static_cast<double>(std::max(1LL, steps_)), days_[k][j]};
}

std::vector<ExposureRow> ExposureStats::rows(const model::Grid& grid) const {
  std::vector<ExposureRow> out;
  const double n = static_cast<double>(std::max(1LL, steps_));
  for (std::size_t k = 0; k < species_.size(); ++k) {
    ExposureRow r;
    r.species = species_[k];
    r.guideline_mg_l = guideline_[k];
    for (std::size_t j = 0; j < cells_.size(); ++j) {
      const auto i = static_cast<std::size_t>(cells_[j]);
      if (r.guideline_mg_l > 0 && peak_[k][j] > r.guideline_mg_l) {
        ++r.cells_above;
        r.area_above_km2 += grid.cell_area_m2[i / static_cast<std::size_t>(grid.cols)] / 1e6;
      }
      r.max_days_above = std::max(r.max_days_above, days_[k][j]);
      r.max_mean_mg_l = std::max(r.max_mean_mg_l, sum_[k][j] / n);
    }
    out.push_back(r);
  }
  return out;
}

std::vector<std::string> ExposureStats::write(const std::string& dir, const model::Grid& grid) const {
  std::vector<std::string> files;
  const std::size_t cells = static_cast<std::size_t>(grid.cells()), m = cells_.size();
  const double n = static_cast<double>(std::max(1LL, steps_));
  std::vector<ExposureRow> table = rows(grid);
  for (std::size_t k = 0; k < species_.size(); ++k) {
    const std::string& s = species_[k];
    std::vector<float> map(cells, -9999.0f);
    for (std::size_t j = 0; j < m; ++j) map[static_cast<std::size_t>(cells_[j])] = static_cast<float>(sum_[k][j] / n);
    const std::string mean_tif = (fs::path(dir) / ("mean_" + s + ".tif")).string();
    io::write_geotiff(mean_tif, grid, map, -9999.0,
                      {{"LEACHFLOW_PRODUCT", "mean " + s + " concentration over the output steps"}, {"UNITS", "mg/L"}});
    files.push_back(mean_tif);
    if (keep_series_ && steps_ > 0) {
      const std::size_t steps = static_cast<std::size_t>(std::min(steps_, capacity_));
      const std::size_t rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(steps))) - 1;
      std::vector<float> v(steps);
      for (std::size_t j = 0; j < m; ++j) {
        for (std::size_t t = 0; t < steps; ++t) v[t] = series_[k][t * m + j];
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank), v.end());
        map[static_cast<std::size_t>(cells_[j])] = v[rank];
        table[k].max_p95_mg_l = std::max(table[k].max_p95_mg_l, static_cast<double>(v[rank]));
      }
      const std::string p95_tif = (fs::path(dir) / ("p95_" + s + ".tif")).string();
      io::write_geotiff(p95_tif, grid, map, -9999.0,
                        {{"LEACHFLOW_PRODUCT", "95th percentile (nearest rank) of " + s + " concentration over the output steps"},
                         {"UNITS", "mg/L"}});
      files.push_back(p95_tif);
    }
    if (guideline_[k] > 0) {
      for (std::size_t j = 0; j < m; ++j) map[static_cast<std::size_t>(cells_[j])] = static_cast<float>(days_[k][j]);
      const std::string days_tif = (fs::path(dir) / ("days_above_" + s + ".tif")).string();
      io::write_geotiff(days_tif, grid, map, -9999.0,
                        {{"LEACHFLOW_PRODUCT", fmt::format("days with {} above its guideline of {} mg/L", s, guideline_[k])},
                         {"UNITS", "days"}});
      files.push_back(days_tif);
    }
  }
  const std::string csv = (fs::path(dir) / "exposure.csv").string();
  {
    std::ofstream f(csv + ".part");
    f << "species,guideline_mg_l,cells_above,area_above_km2,max_days_above,max_mean_mg_l,max_p95_mg_l\n";
    for (const auto& r : table)
      f << fmt::format("{},{},{},{:.6g},{:.6g},{:.6g},{}\n", r.species, r.guideline_mg_l, r.cells_above, r.area_above_km2,
                       r.max_days_above, r.max_mean_mg_l, keep_series_ ? fmt::format("{:.6g}", r.max_p95_mg_l) : "");
    if (!f) throw std::runtime_error("cannot write " + csv + ".part");
  }
  fs::rename(csv + ".part", csv);
  files.push_back(csv);
  return files;
}

}  // namespace leachflow::app
