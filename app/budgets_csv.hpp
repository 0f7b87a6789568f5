// DIR/budgets.csv: the mass budget of every written species per region that it reached (when
// the scenario has regions) and per drainage basin that received a load (model/regions/budgets.hpp), cumulative
// over the run. Columns: kind (region|basin), id, name, species, cells, load_in_kg, inflow_kg,
// load_out_kg (all that left: into other zones and out of the domain), left_domain_kg,
// reacted_kg, stored_change_kg, imbalance_kg (rounding without dispersion; the net dispersive
// exchange across the zone's boundary with it).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "io/regions.hpp"
#include "model/grid.hpp"
#include "model/terrain/flow_graph.hpp"
#include "model/transport/transport.hpp"

namespace leachflow::app {

struct BasinLabels {
  std::vector<std::int64_t> id;                           // per cell, -1 none
  std::vector<std::pair<double, double>> outlet_lonlat;   // per basin id
};

// species: indices (into the model's species) to write. regions may be null. Needs
// model.cell_budgets_enabled(). Writes path via path.part + rename; returns the rows written.
std::size_t write_budgets_csv(const std::string& path, const model::Grid& grid, const model::terrain::FlowGraph& graph,
                              const model::transport::TransportModel& model, const std::vector<int>& species,
                              const io::Regions* regions, const BasinLabels& basins);

}  // namespace leachflow::app
