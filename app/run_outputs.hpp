// The run's outputs as the time loop produces them: concentration fields into the NetCDF (only
// the cells of the output mask), running peaks per species and cell (for the peak maps and the
// summary), mean discharge; at the end the static fields, peak GeoTIFFs and the PNG quicklook.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/crossing_series.hpp"
#include "app/exposure.hpp"
#include "app/run_summary.hpp"
#include "io/netcdf_writer.hpp"
#include "io/scenario.hpp"
#include "model/grid.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/pipeline.hpp"
#include "model/transport/transport.hpp"

namespace leachflow::app {

class RunOutputs {
 public:
  // species: indices into the model's species list that are written.
  // expected_outputs: output steps the run will write (sizes the exposure statistics).
  RunOutputs(const io::Scenario& scenario, const std::string& out_dir, const model::Grid& grid,
             const model::terrain::Terrain& terrain, const std::vector<model::transport::Species>& all_species,
             std::vector<int> species, const std::string& history, long long expected_outputs);

  // Border crossings (D8 graphs): their series go into the NetCDF and DIR/crossings.csv.
  void enable_crossings(const io::Regions& regions, model::regions::Crossings crossings);

  const ExposureStats& exposure() const { return *exposure_; }
  bool has_crossings() const { return crossings_ != nullptr; }
  std::vector<exec::index_t> crossing_cells() const { return crossings_ ? crossings_->final_cells() : std::vector<exec::index_t>{}; }
  // Steady-state source attribution at the crossings, one result per written species (points =
  // crossing_cells()), written to DIR/attribution.csv by finish().
  void set_attribution(std::vector<model::transport::AttributionResult> results, std::string when) {
    attribution_ = std::move(results);
    attribution_when_ = std::move(when);
  }

  // DIR/budgets.csv (app/budgets_csv.hpp) from the model's per-cell budgets; regions may be
  // null. Returns the path written.
  std::string write_budgets(const model::transport::TransportModel& model, const io::Regions* regions) const;

  // One output step at model day t (days since the run's start).
  void write_step(double model_day, const model::transport::TransportModel& model,
                  const model::hydraulics::Hydraulics& hydraulics);

  // Static fields, links.csv (travel time per stream link), peaks into the summary, close the NetCDF (final or partial name), peak
  // GeoTIFFs. Returns the files written.
  std::vector<std::string> finish(bool complete, const std::string& why, RunSummary& summary);

  // The files this run would write (to refuse replacing them without --overwrite).
  static std::vector<std::string> planned_files(const io::Scenario& scenario, const std::string& out_dir,
                                                const std::vector<std::string>& species_names);

 private:
  std::string write_links_csv() const;
  std::vector<std::pair<double, double>> basin_outlets_lonlat() const;  // per basin id

  const io::Scenario& scenario_;
  std::string out_dir_;
  const model::Grid& grid_;
  const model::terrain::Terrain& terrain_;
  std::vector<model::transport::Species> species_all_;
  std::vector<int> species_;
  std::vector<std::uint8_t> mask_;              // 1 where fields are written
  std::unique_ptr<io::NetcdfWriter> nc_;
  std::vector<std::vector<float>> peak_;         // per written species, per cell (mg/L)
  std::vector<PeakSummary> peak_where_;          // per written species
  std::vector<double> discharge_sum_;
  std::unique_ptr<CrossingSeries> crossings_;
  std::unique_ptr<ExposureStats> exposure_;
  std::vector<model::transport::AttributionResult> attribution_;
  std::string attribution_when_;
  double last_output_day_ = 0;
  std::vector<std::int64_t> link_;               // stream link id per cell, -1 off streams
  std::vector<double> link_tau_min_, link_tau_max_, link_tau_sum_;  // travel time per link, s            // per cell, over output steps
  long long outputs_ = 0;
  double time_offset_ = 0;                       // model day → NetCDF time value
};

}  // namespace leachflow::app
