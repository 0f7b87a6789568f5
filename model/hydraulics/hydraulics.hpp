// Hydraulics: runoff → discharge in every cell → channel geometry, velocity, water volume and
// travel time per cell (DESIGN.md, model::Hydraulics). The formulas, minimum flow and flow-length
// conventions are in kernels/hydraulics/channel.hpp; geometry defaults (Raymond et al. 2012) in
// kernels/hydraulics/hydraulic_geometry.hpp.
//
// Forcing in force at model day t (days since the run's start):
//   constant  constant_mm_yr / (365.25 days);
//   monthly   monthly_mm[month] / days in that month, month of the calendar date start_day + t
//             (start_day: days since 1970-01-01, model/iso_time.hpp);
//   gridded   the last grid with time ≤ t (before the first time stamp, the first grid), mm/day.
// update(t) recomputes only when the forcing in force changes (another month, another grid).
//
// Invariant (tests): discharge equals the weighted accumulation of runoff × cell area bitwise,
// and the water budget closes (Σ inflow = outflow + sinks). The minimum flow applies where Q is
// used (geometry, travel time, transport), not to the accumulated discharge.
// Host-safe header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/exec/memory.hpp"
#include "kernels/hydraulics/hydraulic_geometry.hpp"
#include "model/hydraulics/runoff.hpp"
#include "model/terrain/flow_graph.hpp"

namespace leachflow::model::hydraulics {

using exec::index_t;

enum class VelocityMethod : std::uint8_t { continuity, manning };

struct HydraulicsOptions {
  kernels::hydraulics::geometry_law law;  // width/depth power laws and the minimum discharge
  VelocityMethod velocity = VelocityMethod::continuity;
  double manning_n = 0.035;               // Chow (1959): clean winding natural streams
  // Stream cells (1) as the terrain pipeline maps them: the other cells carry overland flow
  // (kernels/hydraulics/channel.hpp, TR-55). Empty: every cell is a channel. Device memory that
  // must outlive the Hydraulics.
  exec::device_span<const std::uint8_t> stream;
  double overland_k_ms = 4.918;           // TR-55 unpaved shallow concentrated flow
  double overland_min_slope = 1e-3;
  double start_day = 0.0;                 // calendar day of model time 0 (days since 1970-01-01)
};

// Per-cell channel state (device buffers, one double per cell, 0 on NoData).
struct ChannelState {
  exec::device_buffer<double> discharge_m3s;
  exec::device_buffer<double> width_m;
  exec::device_buffer<double> depth_m;
  exec::device_buffer<double> velocity_ms;
  exec::device_buffer<double> cross_section_m2;
  exec::device_buffer<double> flow_length_m;
  exec::device_buffer<double> volume_m3;
  exec::device_buffer<double> travel_time_s;
  explicit ChannelState(index_t cells = 0);
};

class Hydraulics {
 public:
  // elevation: the conditioned DEM (needed for Manning velocities; may be empty otherwise).
  // The graph (and the grid buffers behind it) must outlive this object.
  Hydraulics(const terrain::FlowGraph& graph, Runoff runoff, HydraulicsOptions options = {},
             exec::device_span<const float> elevation = {});

  // A fixed, caller-made channel state (tests, external hydraulic models). update() never
  // changes it. Throws std::invalid_argument when a buffer's size is not graph.cells().
  static Hydraulics prescribed(const terrain::FlowGraph& graph, ChannelState state);

  // Brings the state to model day t; returns true when it changed.
  bool update(double model_day);
  // Runoff rate in force at model day t as a uniform rate, m/s (constant/monthly; NaN for gridded).
  double uniform_runoff_ms(double model_day) const;

  const ChannelState& state() const { return state_; }
  const terrain::FlowGraph& graph() const { return *graph_; }
  // Increments every time the state changes (transport refreshes what it derives from it).
  std::uint64_t version() const { return version_; }
  const HydraulicsOptions& options() const { return options_; }
  std::size_t device_bytes() const;

 private:
  Hydraulics(const terrain::FlowGraph& graph, HydraulicsOptions options, ChannelState state);
  // Which forcing is in force at day t: -1 none yet; constant 0; monthly 0..11; gridded index.
  long long forcing_key(double model_day) const;
  void compute(long long key, double model_day);

  const terrain::FlowGraph* graph_ = nullptr;
  Runoff runoff_;
  HydraulicsOptions options_;
  exec::device_span<const float> elevation_;
  bool prescribed_ = false;
  long long key_ = -1;
  std::uint64_t version_ = 0;
  ChannelState state_;
  exec::device_buffer<float> grid_mm_day_;  // the gridded step in force
};

// Calendar month (0 = January) of a day number since 1970-01-01.
int month_of_day(double days_since_1970);

}  // namespace leachflow::model::hydraulics
