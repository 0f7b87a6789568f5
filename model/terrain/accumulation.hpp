// Instances of the accumulation primitive x[i] = a[i] + b[i] · Σ_{j→i} w[j→i] · x[j]
// (kernels/terrain/accumulate.hpp) over a FlowGraph. Results are one double per cell, 0 on NoData,
// bitwise identical for any thread count.
//
// Conventions (DESIGN.md): contributing area counts the cell itself (minimum one cell's area),
// in m²; counts in cells are doubles (exact up to 2^53 cells, never truncated).
// Conservation (tests): with b = 1, Σ_valid a = Σ outflow (what leaves through the grid edge or
// into NoData) + Σ sinks (what ends in cells with no receivers), to rounding.
//
// Host-safe header. Custom a/b functors (transport): include kernels/terrain/accumulate.hpp in a
// device translation unit and call accumulate(graph, a, b, x) below.
#pragma once

#include "kernels/exec/memory.hpp"
#include "model/terrain/flow_graph.hpp"

namespace leachflow::model::terrain {

// Area draining through each cell including itself, m² (a = cell area of the row, b = 1).
exec::device_buffer<double> contributing_area_m2(const FlowGraph& graph);
// The same in cells (a = 1, b = 1).
exec::device_buffer<double> contributing_cells(const FlowGraph& graph);
// Σ of `weight` over the cell and everything upstream (a = weight, b = 1); weight per cell.
exec::device_buffer<double> weighted_accumulation(const FlowGraph& graph, exec::device_span<const double> weight);
// Steady routing with loss: x = load + transmission · Σ w x_upstream, e.g. transmission =
// exp(−k · travel time) for first-order decay along each cell. Both per cell.
exec::device_buffer<double> decay_accumulation(const FlowGraph& graph, exec::device_span<const double> load,
                                               exec::device_span<const double> transmission);
// General per-cell spans: x = a + b · Σ w x_upstream, written into x (size cells).
void accumulate(const FlowGraph& graph, exec::device_span<const double> a, exec::device_span<const double> b,
                exec::device_span<double> x);

// What an accumulated field x (b = 1 semantics) sends out of the domain, per cell:
// x[i] · (share of i's flow whose receiver is off the grid or NoData). 0 elsewhere.
exec::device_buffer<double> outflow_per_cell(const FlowGraph& graph, exec::device_span<const double> x);

struct FlowBudget {
  double source_total = 0;   // Σ a over valid cells (what entered)
  double outflow_total = 0;  // Σ outflow_per_cell
  double sink_total = 0;     // Σ x over valid cells with no receivers
  index_t outlet_cells = 0;  // cells that send some flow out of the domain
  index_t sink_cells = 0;    // valid cells with no receivers
  double imbalance() const { return source_total - outflow_total - sink_total; }
};
// Budget of x = accumulate(a, b = 1). Deterministic sums (fixed blocks).
FlowBudget flow_budget(const FlowGraph& graph, exec::device_span<const double> a, exec::device_span<const double> x);
// Budget of contributing_area_m2 (a = cell area).
FlowBudget area_budget(const FlowGraph& graph, exec::device_span<const double> area_m2);

}  // namespace leachflow::model::terrain
