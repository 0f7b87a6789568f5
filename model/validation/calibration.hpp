// Calibration of load multipliers and decay rates against observations by a batched ensemble
// (issue 7): many parameter sets are run as ONE transient TransportModel whose "species" are the
// members, since the cost of a transport step grows far slower than its species count.
//
// Ensemble layout: for J observed species and a batch of m members, ensemble species m·J + j is
// a copy of observed species j with the member's decay_per_day, and its PointLoads are copies of
// species j's loads (pulses too) scaled by the product of the member's multipliers whose target
// matches the load ("*", its pit's cluster, or its pit id). The columns of the transport do not
// interact (advection, dispersion and reactions are per species), so every member is exactly a
// plain run with its parameters (tests: to 1e-12).
//
// Search (deterministic; Latin hypercube after McKay et al. 1979, elite refitting as in the
// cross-entropy method, Rubinstein & Kroese 2004):
//   round 1: M members by Latin hypercube over the ranges (transformed scale: log10 for
//   multipliers, and for decay when lo > 0);
//   round r > 1: M members by Latin hypercube in probability, mapped through the normal quantile
//   to a Gaussian fitted to the elite (the best elite_fraction × M members so far: their mean
//   and full covariance, inflated by inflation², with a floor of min_width_fraction of each
//   range), clipped to the original ranges. The full covariance follows the ridges that
//   correlated parameters make (a higher load with a faster decay), where a shrinking box
//   collapses too early; an unidentifiable parameter keeps a wide elite and so a wide draw.
//   Objective of a member: log10 RMSE of model vs observed (model/validation/metrics.hpp:
//   censored rule, model floor 1e-6 mg/L).
// Model values: the model is stepped with dt from day 0 to the last observation's step end, and
// an observation at day d is paired with the concentration at the end of the step covering d
// (t_{k−1} < d ≤ t_k, t_k = k·dt, k ≥ 1). Only the observation cells are read back: one small
// device gather per output step of (members × observations due then) values.
// Memory: a member costs J × cells × 8 bytes × (4, or 5 with the explicit scheme) on the device
// (mass, flux, source, loads; scratch); a batch holds at most budget / that many members, and a
// round runs several batches when M is larger.
// Spread: for each parameter, min..max over the members whose objective is within tolerance of
// the best (default 0.05 log10 units, ~12 %), and the standard deviation of the best 10 %
// (transformed scale: log10 for log-uniform parameters); a parameter whose within-tolerance
// range covers more than identifiability_fraction of its original (transformed) range is
// flagged as not identifiable by these observations.
//
// Host-safe header; device work stays inside TransportModel and one gather kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/flow_graph.hpp"
#include "model/transport/sources.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"
#include "model/validation/observations.hpp"

namespace leachflow::model::validation {

enum class ParameterKind { load_multiplier, decay_per_day };

struct CalibrationParameter {
  ParameterKind kind = ParameterKind::load_multiplier;
  std::string target;  // multiplier: cluster name, pit id or "*"; decay: species name
  double lo = 0, hi = 0;
  // Log-uniform sampling: multipliers always (lo > 0 required), decay when lo > 0.
  bool log_scale() const { return kind == ParameterKind::load_multiplier || lo > 0.0; }
  std::string name() const;  // "multiplier:TARGET" or "decay:TARGET"
};

// What is being fitted. graph, hydraulics outlive the call; hydraulics.graph() is graph.
struct CalibrationProblem {
  const terrain::FlowGraph* graph = nullptr;
  hydraulics::Hydraulics* hydraulics = nullptr;
  std::vector<transport::Species> species;       // the scenario's species
  transport::Sources sources;                    // the scenario's loads (species indices into species)
  std::map<std::string, std::string> clusters;   // pit id → cluster name
  std::vector<Observation> observations;         // species indices into species
  double dt_day = 1.0;
  transport::TransportOptions transport;
  // Start every member from the steady state of its own loads active at day 0
  // (steady_concentration_mg_l, stored mass C·V·R), as a run with steady_state_start does;
  // otherwise from clean channels.
  bool steady_start = false;
};

struct CalibrationOptions {
  int members = 32;   // per round
  int rounds = 3;
  std::uint64_t seed = 1;
  int max_members_per_run = 0;          // 0: from device_budget_bytes
  double device_budget_bytes = 2.0e9;
  double tolerance_log10 = 0.05;        // spread: members with RMSE ≤ best + this
  double top_fraction = 0.10;           // spread: standard deviation of the best 10 %
  double identifiability_fraction = 0.5;
  double elite_fraction = 0.25;         // elite: this share of M, best of all so far (≥ parameters + 2)
  double inflation = 1.2;               // of the elite's standard deviations
  double min_width_fraction = 0.005;    // sd floor, of the original (transformed) width
};

struct CalibrationMember {
  int round = 0;
  std::vector<double> values;  // one per parameter
  double rmse_log10 = 0;
};

struct ParameterSpread {
  double best = 0;
  double min_within = 0, max_within = 0;  // over members within tolerance of the best
  double sd_top = 0;                      // transformed scale (log10 when log_scale)
  bool identifiable = true;
};

struct CalibrationResult {
  std::vector<CalibrationParameter> parameters;
  std::vector<CalibrationMember> members;  // all rounds, in run order
  std::size_t best = 0;                    // index into members
  std::vector<ParameterSpread> spread;     // one per parameter
  std::vector<double> baseline_values;     // the scenario's own (multiplier 1, preset decay)
  double baseline_rmse_log10 = 0;
  std::size_t observations = 0;
  int members_per_run = 0;                 // batch size used
  int runs = 0;                            // TransportModel runs
  double max_ledger_relative_error = 0;    // over all ensemble runs
};

// Checks the parameters against the problem (std::invalid_argument with the reason: unknown
// cluster, pit or species, a species without observations, lo ≥ hi, lo ≤ 0 for a multiplier,
// negative decay) and the problem itself (no observations, observation species or cell out of
// range, negative day).
void check_calibration(const CalibrationProblem& problem, std::span<const CalibrationParameter> parameters);

// Model values (mg/L) of every observation for each parameter set: [set][observation], by
// batched ensemble runs of at most members_per_run sets. max_ledger_error (optional) receives the
// largest relative ledger error of the ensemble runs.
std::vector<std::vector<double>> ensemble_model_values(const CalibrationProblem& problem,
                                                       std::span<const CalibrationParameter> parameters,
                                                       const std::vector<std::vector<double>>& sets,
                                                       int members_per_run, double* max_ledger_error = nullptr);

// log10 RMSE of the observations against model values (metrics.hpp rules).
double objective_log10_rmse(std::span<const Observation> observations, std::span<const double> model_mg_l);

// Members per TransportModel for the budget (at least 1).
int members_per_run(const CalibrationProblem& problem, const CalibrationOptions& options);

// The whole search (see the header comment).
CalibrationResult calibrate(const CalibrationProblem& problem, std::vector<CalibrationParameter> parameters,
                            const CalibrationOptions& options = {});

}  // namespace leachflow::model::validation
