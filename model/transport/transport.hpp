// Transport of leachate species along the flow graph (DESIGN.md, model::Transport): sources,
// advection, optional longitudinal dispersion, first-order reactions, and a mass ledger every
// step. The numerics are in kernels/transport/{advection,dispersion,reaction}.hpp.
//
// One step of Δt (Lie operator splitting, first order in Δt overall):
//   1. hydraulics.update(t): the channel state in force at the start of the step;
//   2. sources over [t, t+Δt) (model/transport/source_schedule.hpp) as rates S (g/s);
//   3. advection with the sources: implicit upwind (one accumulate_columns launch set for all
//      species) or explicit upwind sub-stepped to Δt_sub ≤ courant·min R·V/Q;
//   4. dispersion (optional, D8 graphs only): implicit, tree Thomas algorithm;
//   5. reactions, exact: M ← M·exp(−(k + v_s/depth)·Δt), losses booked as decayed / settled.
// Units: mass in g on the device (kg in the ledger), concentration g/m³ = mg/L, time in days at
// the API and seconds inside.
//
// Ledger (per species, cumulative since construction, kg):
//   sources + initial stored = outflow + stored + decayed + settled
// outflow: flux off the grid, into NoData and into sinks. All sums are deterministic
// (exec::transform_reduce over fixed blocks), so a run is bitwise reproducible for any thread
// count. Tests require a relative error below 1e-9.
//
// Host-safe header: app/ can hold a TransportModel.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "kernels/exec/memory.hpp"
#include "kernels/transport/advection.hpp"  // host-safe: plain parameter structs and functors
#include "kernels/hydraulics/hydraulic_geometry.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/flow_graph.hpp"
#include "model/transport/sources.hpp"
#include "model/transport/species.hpp"

namespace leachflow::model::transport {

enum class AdvectionScheme { implicit_upwind, explicit_upwind };

struct TransportOptions {
  AdvectionScheme advection = AdvectionScheme::implicit_upwind;
  // Longitudinal dispersion: off, D = dispersivity × v × L, or a fixed D (m²/s) when ≥ 0.
  bool dispersion = false;
  double dispersivity = 0.0;       // α, dimensionless multiple of the cell's flow length
  double dispersion_m2s = -1.0;
  double explicit_courant = 1.0;   // explicit scheme: Δt_sub ≤ this × min R·V/Q (must be ≤ 1)
};

struct SpeciesLedger {
  double source_kg = 0;          // cumulative
  double initial_stored_kg = 0;  // stored when the ledger started (set_mass_g)
  double outflow_kg = 0;         // cumulative: off the grid, into NoData, into sinks
  double stored_kg = 0;          // now
  double decayed_kg = 0;         // cumulative
  double settled_kg = 0;         // cumulative
  double imbalance_kg() const {
    return source_kg + initial_stored_kg - (outflow_kg + stored_kg + decayed_kg + settled_kg);
  }
  // |imbalance| / max(sources + initial stored, 1e-300).
  double relative_error() const;
};

class TransportModel {
 public:
  // graph and hydraulics must outlive the model; hydraulics.graph() must be graph. Throws
  // std::invalid_argument on bad sources (cell outside the grid or NoData, species out of range,
  // negative amounts), on dispersion over a multi-receiver graph, or bad options.
  TransportModel(const terrain::FlowGraph& graph, hydraulics::Hydraulics& hydraulics, std::vector<Species> species,
                 Sources sources, TransportOptions options = {});

  // Advances model time by dt_day > 0.
  void step(double dt_day);
  // Steps of at most dt_day until end_day, landing exactly on every output time in
  // output_days (ascending, within (time, end_day]) and calling on_output there.
  using OutputCallback = std::function<void(double model_day, const TransportModel&)>;
  void run_until(double end_day, double dt_day, std::span<const double> output_days = {},
                 const OutputCallback& on_output = {});

  double time_day() const { return time_day_; }
  index_t steps() const { return steps_; }
  int species_count() const { return static_cast<int>(species_.size()); }
  const std::vector<Species>& species() const { return species_; }

  // Dissolved concentration of species s, mg/L (= g/m³), one double per cell (0 on NoData).
  exec::device_buffer<double> concentration_mg_l(int s) const;
  // Stored mass (dissolved + sorbed) of species s, g per cell.
  exec::device_span<const double> mass_g(int s) const;
  // Replaces the stored mass of species s (initial conditions); the ledger's initial stored
  // mass follows. host_g: one value per cell (NoData values are ignored).
  void set_mass_g(int s, std::span<const double> host_g);

  const std::vector<SpeciesLedger>& ledger() const { return ledger_; }

  // Per-cell budgets (budgets by region and basin, model/regions/budgets.hpp), cumulative from
  // the call on: the mass each cell sent downstream by advection (to its receivers by the
  // graph's weights, or out of the domain) and lost to reactions, g, [species][cell]; the
  // stored mass when they started; the source mass put into each cell (kg, host, by
  // species·cells + cell). Costs 3 doubles per cell and species on the device.
  void enable_cell_budgets();
  bool cell_budgets_enabled() const { return !sent_g_.empty(); }
  exec::device_span<const double> sent_g(int s) const;
  exec::device_span<const double> reacted_g(int s) const;
  exec::device_span<const double> initial_mass_g(int s) const;
  const std::vector<double>& cell_source_kg() const { return cell_source_kg_; }
  double max_relative_ledger_error() const;
  std::size_t device_bytes() const;
  // Explicit scheme: sub-steps used by the last step (1 for the implicit scheme).
  index_t last_substeps() const { return last_substeps_; }

 private:
  void refresh_hydraulics();
  void load_sources(double t0_day, double t1_day, double dt_s);
  void advect_implicit(double dt_s);
  void advect_explicit(double dt_s);
  void disperse(double dt_s);
  void react(double dt_s);

  const terrain::FlowGraph* graph_;
  hydraulics::Hydraulics* hydraulics_;
  std::vector<Species> species_;
  Sources sources_;
  TransportOptions options_;
  index_t cells_ = 0;
  double time_day_ = 0;
  index_t steps_ = 0;
  index_t last_substeps_ = 1;
  std::uint64_t hydraulics_version_ = 0;
  double min_residence_s_ = 0;  // min V/Q over valid cells

  exec::device_buffer<kernels::transport::species_params> species_params_;
  exec::device_buffer<double> mass_, flux_, source_, scratch_;  // [species][cell]
  exec::device_buffer<double> out_share_;                       // per cell
  exec::device_buffer<double> conductance_, fcoef_;             // dispersion, per cell
  exec::device_buffer<index_t> source_slot_;
  std::vector<index_t> source_slots_host_;
  std::vector<SpeciesLedger> ledger_;
  exec::device_buffer<double> sent_g_, reacted_g_, initial_mass_g_;  // per-cell budgets, [species][cell]
  std::vector<double> cell_source_kg_;                               // per-cell budgets, host
};

// Steady state for constant flows and the loads active at model_day: concentration (mg/L) per
// species, layout [species][cell], by ONE accumulation with the exact transmission
// exp(−(k + v_s/depth)·R·V/Q) per cell (kernels/transport/advection.hpp), with Q floored at
// min_discharge_m3s as in the transient model. Pulses are ignored.
exec::device_buffer<double> steady_concentration_mg_l(const terrain::FlowGraph& graph,
                                                      const hydraulics::ChannelState& channel,
                                                      const std::vector<Species>& species, const Sources& sources,
                                                      double model_day = 0.0,
                                                      double min_discharge_m3s = kernels::hydraulics::geometry_law{}.min_discharge_m3s);

}  // namespace leachflow::model::transport
