// Source attribution at border crossings and named points (the "cross-border basins" issue):
// for each point, the steady flux of one species that each pit (or pit cluster) sends there,
// the fraction of the source's load that arrives, and the source's share of the point's flux.
//
// Method: the steady state (model/transport/transport.hpp, steady_concentration_mg_l) is linear
// in the loads, and its accumulation over [column][cell] treats every column independently. So
// attribution is ONE batched steady solve with one column per source: each column carries the
// species' reaction parameters and only that source's loads. Column s at cell i is then exactly
// the steady state of a run with source s alone, and the columns sum to the all-source state.
//   flux_s(p)         = C_s(p)·max(Q_p, Q_min)·86.4        kg/day (g/s → kg/day)
//   transmission_s(p) = min(1, flux_s(p) / load_s)          0..1 (0 for a source without load)
//   share_s(p)        = flux_s(p) / Σ_r flux_r(p)            0 where the point receives nothing
// Along a D8 path from the source's cell to p the transmission is Π exp(−(k + v_s/depth)·R·V/Q)
// over the cells of the path, both ends included (= 1 for a conservative species); on a
// multi-receiver graph it also carries the flow split weights.
// Invariants (tests/model/transport/attribution_test.cpp): shares sum to 1 at every point with
// flux; each source's flux equals a separate single-source steady run; results are independent
// of the batch size (bitwise: the columns do not interact).
//
// Memory: each batch of m ≤ max_columns sources is one steady_concentration_mg_l call, which
// holds m × cells doubles on the host (loads) and 3 × m × cells doubles on the device (loads,
// flux, concentration); only the point values come back to the host. Sources with no active
// load of the species get no column (their rows are zero).
//
// Host-safe header.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/transport/transport.hpp"

namespace leachflow::model::transport {

struct AttributionResult {
  std::vector<std::string> sources;  // source names: pit ids, or cluster names when grouped
  std::vector<index_t> points;       // the cells asked about
  int species = 0;                   // index into the species list
  // [source][point]: steady flux (kg/day) of this species from that source at the point
  // (Q·C leaving the point's cell), the fraction of the source's load that reaches it
  // (transmission, 0..1; 0 where the source does not drain there), and its share of the
  // point's total flux (sums to 1 over sources at every point with flux > 0, 0 elsewhere).
  std::vector<std::vector<double>> flux_kg_day, transmission, share;
  std::vector<double> load_kg_day;   // per source: its loads of this species active at model_day
};

// Steady-state attribution for the loads active at model_day under the given channel state
// (see the header comment), on the device, in batches of at most max_columns sources.
// sources: every pit id with a PointLoad in `sources` (any species, any time window), in order
// of first appearance; pulses are ignored (as in the steady state). group: optional map
// pit_id → cluster name; then the sources are the clusters (same order rule), and a pit absent
// from the map stays a source of its own under its pit id. Names are merged by string equality.
// Throws std::invalid_argument for a species index out of range, a point cell outside the grid
// or on NoData, max_columns < 1, and whatever steady_concentration_mg_l rejects (bad species
// parameters, loads with a cell or species out of range or a negative amount, Q_min ≤ 0).
AttributionResult attribute_sources(const terrain::FlowGraph& graph, const hydraulics::ChannelState& channel,
                                    const std::vector<Species>& species, int species_index, const Sources& sources,
                                    std::span<const index_t> points, double model_day = 0.0,
                                    const std::map<std::string, std::string>& group = {},
                                    double min_discharge_m3s = kernels::hydraulics::geometry_law{}.min_discharge_m3s,
                                    int max_columns = 64);

}  // namespace leachflow::model::transport
