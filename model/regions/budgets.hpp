// Mass budgets of one species over zones — regions (countries, provinces) or drainage basins —
// from the transport's per-cell budgets (TransportModel::enable_cell_budgets). Host code on host
// arrays; zones number at most in the thousands.
//
// For every zone Z, cumulative over the run (kg):
//   load_in + inflow = outflow + reacted + stored_change + imbalance
//   load_in        sources in Z's cells
//   inflow         advected into Z from cells of other zones (or of no zone)
//   outflow        advected out of Z: into other zones, into unzoned cells, and out of the
//                  domain (grid edge, NoData, sinks); left_domain is the last part alone
//   reacted        decayed + settled in Z's cells
//   stored_change  stored mass at the end minus at the start, in Z's cells
// Each cell's advected mass goes to its receivers in the flow graph's proportions (D8: all to
// the one receiver). The transport is a finite-volume scheme, so without dispersion the
// imbalance is rounding only (tests hold it below 1e-9 of the zone's throughput); with
// dispersion it is the net dispersive exchange across the zone's boundary, which the per-cell
// advective budget does not see.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kernels/exec/config.hpp"

namespace leachflow::model::regions {

using exec::index_t;

struct ZoneBudget {
  std::int64_t zone = -1;
  index_t cells = 0;
  double load_in_kg = 0, inflow_kg = 0, outflow_kg = 0, left_domain_kg = 0, reacted_kg = 0, stored_change_kg = 0;
  double imbalance_kg() const { return load_in_kg + inflow_kg - outflow_kg - reacted_kg - stored_change_kg; }
};

struct CellBudgets {                        // one species, rows × cols values each, row-major
  std::span<const std::uint8_t> valid;
  std::span<const std::uint8_t> receiver_mask;  // FlowGraph::receiver_masks(): bit d = receiver in direction d
  std::span<const float> weights;           // FlowGraph::weights(): [cell·8 + d]
  std::span<const double> sent_g, reacted_g, initial_mass_g, final_mass_g;
  std::span<const double> source_kg;
};

// zone: per cell, ≥ 0 a zone id, < 0 no zone. Returns one budget per zone id that labels at
// least one valid cell, by ascending id. Throws std::invalid_argument for spans of the wrong size.
std::vector<ZoneBudget> zone_budgets(index_t rows, index_t cols, std::span<const std::int64_t> zone,
                                     const CellBudgets& cells);

}  // namespace leachflow::model::regions
