// DEM conditioning: depression filling or breaching, then flat resolution (DESIGN.md, Terrain).
//
//   fill    Priority-Flood (Barnes, Lehman & Mulla 2014) computed in parallel from drainage
//           basins and their spill graph (Barnes 2016's reduce-to-a-small-graph idea);
//           bit-for-bit equal to the serial Priority-Flood.  kernels/terrain/condition_fill.hpp
//   breach  breach-fill hybrid after Lindsay 2016, in parallel: every depression is drained by a
//           channel cut from its lowest cell along the filled DEM's D8 path down to the first
//           lower cell; where the cut would be deeper or longer than the limits, the
//           depression is first filled part way, to the lowest level at which it fits.
//           kernels/terrain/condition_breach.hpp
//   none    the DEM is copied unchanged.
//   flats   Barnes, Lehman & Mulla 2014 flat gradient (towards lower + away from higher
//           terrain), in parallel, equal to the serial algorithm. kernels/terrain/condition_flats.hpp
//
// Outlets: valid cells on the grid edge or next to NoData drain out of the domain; they are
// never raised and are never NO_FLOW. NoData cells are copied unchanged (NaN stays NaN).
// After fill or breach plus the flat gradient, every valid non-outlet cell has a strictly
// lower valid neighbour or an equal-elevation neighbour with a smaller positive gradient.
// Precondition: valid cells hold finite elevations.
#pragma once

#include <cstdint>
#include <limits>

#include "kernels/exec/memory.hpp"  // host-safe: app/ includes this header
#include "kernels/grid_view.hpp"

namespace leachflow::model::terrain {

using exec::index_t;

enum class DepressionMethod { fill, breach, none };

struct ConditionOptions {
  bool resolve_flats = true;
  // Breach-fill hybrid: a depression whose channel would lower some cell by more than this
  // many metres, or lower more than this many cells, is filled up to the lowest level at which
  // its channel keeps within both (at worst, to its spill level). Defaults: complete breaching.
  float max_breach_depth_m = std::numeric_limits<float>::infinity();
  index_t max_breach_length_cells = std::numeric_limits<index_t>::max();
};

struct ConditionStats {
  index_t cells_raised = 0;          // valid cells whose elevation went up
  index_t cells_carved = 0;          // valid cells whose elevation went down (breach)
  index_t pits = 0;                  // basins not drained by an outlet (local minima; fill, breach)
  index_t depressions = 0;           // pits whose water level is above the pit (fill, breach)
  index_t depressions_raised = 0;    // breach: depressions filled part way for the limits
  index_t spill_edges = 0;           // cell pairs in the spill graph (fill)
  index_t flats = 0;                 // flats given a gradient
  index_t flat_cells = 0;            // cells with flat_gradient > 0 (incl. low edges)
  index_t unresolved_flat_cells = 0; // NO_FLOW cells without a way out (only with `none`)
};

struct Conditioned {
  // Conditioned DEM; NoData cells keep their input value (the mask is in the grid).
  exec::device_buffer<float> elevation;
  // Barnes 2014 flat mask: 0 off flats; on a flat, smaller = closer to the outlet. D8 routes
  // a NO_FLOW cell to the equal-elevation neighbour with the smallest positive value below
  // its own (low edges, value 2, keep their downslope direction).
  exec::device_buffer<std::int32_t> flat_gradient;
  ConditionStats stats;
};

Conditioned condition(const kernels::grid_view& g, exec::device_span<const float> elevation,
                      DepressionMethod m, const ConditionOptions& options = {});
// The same, consuming the DEM: fill raises it in place and the buffer becomes the conditioned
// DEM, so the input costs no device memory of its own (the pipeline's peak, DESIGN.md).
Conditioned condition(const kernels::grid_view& g, exec::device_buffer<float>&& elevation,
                      DepressionMethod m, const ConditionOptions& options = {});

// The steps, for callers that need only one.
struct FillStats {
  index_t pits = 0, depressions = 0, spill_edges = 0, cells_raised = 0;
};
// z_out = Priority-Flood filled z_in (z_out may not alias z_in).
FillStats fill_depressions(const kernels::grid_view& g, exec::device_span<const float> z_in,
                           exec::device_span<float> z_out);
// Width of the per-cell labels (cell indices) of the fill and the flats: 32 bits where the grid
// has fewer than 2^31 cells (half the memory and traffic), else 64. `wide` forces 64 bits, so
// that tests run that path on small grids.
enum class LabelWidth { automatic, wide };
// z = Priority-Flood filled z, in place.
FillStats fill_depressions_in_place(const kernels::grid_view& g, exec::device_span<float> z,
                                    LabelWidth width = LabelWidth::automatic);

struct BreachStats {
  index_t cells_raised = 0, cells_carved = 0, pits = 0, depressions = 0;
  index_t depressions_raised = 0;  // breach level above the pit: filled part way for the limits
  index_t level_rounds = 0;        // rounds to the levels' fixed point (0 without limits)
};
BreachStats breach_depressions(const kernels::grid_view& g, exec::device_span<const float> z_in,
                               exec::device_span<float> z_out, const ConditionOptions& options = {});

struct FlatStats {
  index_t flats = 0, flat_cells = 0, unresolved_cells = 0;
};
// serial_frontier_below: BFS frontiers smaller than this are expanded by one thread, many
// levels per launch; -1 picks from the backend (a CPU with up to 4 threads runs the two BFSs at
// once, a whole BFS per thread). The distances are the same either way: tests pass 0 to send
// every level through the parallel launch.
FlatStats resolve_flats(const kernels::grid_view& g, exec::device_span<const float> z,
                        exec::device_span<std::int32_t> flat_gradient, LabelWidth width = LabelWidth::automatic,
                        index_t serial_frontier_below = -1);

}  // namespace leachflow::model::terrain
