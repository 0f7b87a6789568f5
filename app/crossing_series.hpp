// Border crossings through the run: per crossing group (one river between two regions,
// model/regions/crossings.hpp), discharge, flux (kg/day) and concentration per species at every
// output step, as point series in the run's NetCDF; at the end DIR/crossings.csv (one row per
// crossing and species) and the crossing table of the summary.
//
// Flux across a group = Σ over its final members of Q·C (m³/s · g/m³ = g/s → kg/day × 86.4),
// with Q the cell's discharge and C its dissolved concentration: the advective flux the implicit
// upwind scheme sends from the cell to its receiver. Concentration at the crossing = flux / ΣQ.
#pragma once

#include <string>
#include <vector>

#include "io/netcdf_writer.hpp"
#include "io/regions.hpp"
#include "model/grid.hpp"
#include "model/regions/crossings.hpp"
#include "model/transport/attribution.hpp"

namespace leachflow::app {

struct CrossingRow {  // one group and species, over the run
  std::size_t id = 0;
  std::string from, to, river_basin, species, unit = "mg/L";
  double lon = 0, lat = 0;
  double mean_flux_kg_day = 0, peak_flux_kg_day = 0, peak_concentration = 0;
  std::string peak_time;
  double mean_discharge_m3s = 0, area_km2 = 0;
  std::size_t links = 0;  // crossing links in the group
};

class CrossingSeries {
 public:
  // Defines the point set "crossing" and its series in nc. basin_outlet_lonlat: per basin id,
  // the outlet's lon/lat (names the river basin).
  CrossingSeries(const model::Grid& grid, const io::Regions& regions, model::regions::Crossings crossings,
                 const std::vector<std::pair<double, double>>& basin_outlet_lonlat, const std::vector<std::string>& species,
                 io::NetcdfWriter& nc);

  std::size_t groups() const { return crossings_.groups.size(); }
  // At one output step: concentration per species (mg/L, per cell) and discharge (m³/s).
  void record(std::size_t t, const std::string& date, const std::vector<std::vector<double>>& concentration,
              const std::vector<double>& discharge, io::NetcdfWriter& nc);
  std::vector<CrossingRow> rows() const;
  // The cells whose flux counts (every group's finals), ascending and unique: the points to
  // attribute.
  std::vector<exec::index_t> final_cells() const;
  // attribution.csv: per crossing with flux, species and source, the source's steady load,
  // flux at the crossing, transmission and share (model/transport/attribution.hpp); points of
  // each result = final_cells(). when: the flows and loads used, for the file's note column.
  void write_attribution_csv(const std::string& path, const std::vector<model::transport::AttributionResult>& results,
                             const std::string& when) const;
  // Writes path via path.part and a rename.
  void write_csv(const std::string& path) const;

 private:
  model::regions::Crossings crossings_;
  std::vector<std::string> species_, labels_, from_, to_, basin_name_;
  std::vector<double> lon_, lat_, area_km2_;
  std::size_t q_series_ = 0;
  std::vector<std::size_t> flux_series_, conc_series_;   // per species
  long long steps_ = 0;
  std::vector<double> q_sum_;                             // per group
  std::vector<std::vector<double>> flux_sum_, flux_peak_, conc_peak_;  // [species][group]
  std::vector<std::vector<std::string>> peak_time_;
};

}  // namespace leachflow::app
