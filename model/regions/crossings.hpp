// Border crossings: the D8 flow links where a stream leaves one region (country, province)
// for another, grouped by river, with the members whose flux counts. Host code on host arrays
// (crossings number in the thousands); the region labels come from io::rasterize_regions.
//
// Definitions checked by tests/model/regions/crossings_test.cpp:
// - A crossing is a stream cell i (stream[i] = 1) whose D8 receiver j is on the grid, with
//   region[i] >= 0, region[j] >= 0 and region[i] != region[j]. Cells off streams, cells whose
//   receiver is off the grid or has no direction, and cells or receivers outside every region
//   (-1: NoData, sea, unlabelled land) are never crossings.
// - A group is the crossings of one river between two regions: the same basin and the same
//   from → to pair. Its main member has the largest contributing area (ties: smaller cell
//   index); groups are ordered by descending main area (ties: smaller main cell index).
// - A member is final when walking downstream from its receiver to the end of the flow path
//   meets no other member of its group.
//
// Why only finals count. A river that meanders across the border A → B → A → B crosses A → B
// twice. Everything upstream in A passes the last A → B crossing, including the water and
// solute that already crossed A → B at the first one and came back B → A. Summing the flux over
// all A → B members would count that water twice; the flux from A into B on that river is the
// sum over the group's finals: one per branch that enters B without coming back to cross again
// downstream (two tributaries that each cross A → B and join in B are two finals). The B → A
// crossing in between is its own group (from B to A).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/exec/config.hpp"

namespace leachflow::model::regions {

using exec::index_t;

struct Crossing {            // one flow link that leaves a region for another
  index_t cell = -1;         // stream cell in `from`
  index_t receiver = -1;     // its D8 receiver, in `to`
  std::int32_t from = -1, to = -1;   // region ids
  std::int64_t basin = -1;   // basin id of the cell
  double area_m2 = 0;        // contributing area of `cell`
  bool final = false;        // no other crossing of the same group lies downstream of it
};

struct CrossingGroup {       // crossings on the same river: same basin, same from → to
  std::int32_t from = -1, to = -1;
  std::int64_t basin = -1;
  std::vector<std::size_t> members;   // indices into crossings, ascending
  std::vector<std::size_t> finals;    // members whose flux counts (the header's comment), ascending
  std::size_t main = 0;               // the member with the largest contributing area (its place names the group)
};

struct Crossings {
  std::vector<Crossing> crossings;    // in cell index order
  std::vector<CrossingGroup> groups;  // by descending main area
};

// d8_direction: per cell 0..7 in kernels/grid_view.hpp order (0=E, 1=SE, 2=S, 3=SW, 4=W, 5=NW,
// 6=N, 7=NE), 0xFF for none (as terrain::FlowGraph::d8_directions() returns). region: per cell,
// -1 outside every region. stream: 1 on streams. basin: basin id per cell. area_m2: contributing
// area per cell. All spans hold rows × cols values, row-major.
// Throws std::invalid_argument for a span of the wrong size, a direction that is neither 0..7
// nor 0xFF, or a flow path that loops.
Crossings find_crossings(index_t rows, index_t cols, std::span<const std::uint8_t> d8_direction,
                         std::span<const std::int32_t> region, std::span<const std::uint8_t> stream,
                         std::span<const std::int64_t> basin, std::span<const double> area_m2);

}  // namespace leachflow::model::regions
