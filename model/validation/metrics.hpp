// Agreement between measured and modelled concentrations: log-ratio bias and RMSE, share within
// a factor of 2 and 10, Spearman rank correlation, guideline exceedance confusion table, and per
// station time-series scores NSE (Nash & Sutcliffe 1970) and KGE (Gupta et al. 2009, the
// original form: 1 − √((r−1)² + (α−1)² + (β−1)²), α = σ_sim/σ_obs, β = μ_sim/μ_obs).
// Pure host functions.
//
// Censored observations (below a detection limit DL):
//   log metrics: a censored pair whose model value is ≤ DL is a residual of 0 (agreement),
//   otherwise log10(model/DL);
//   Spearman, NSE and KGE: the observation is replaced by DL/2.
// Model values ≤ kModelFloorMgL (zero or negative) are floored at kModelFloorMgL in log metrics.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace leachflow::model::validation {

inline constexpr double kModelFloorMgL = 1e-6;

struct Pair {
  double observed_mg_l = 0;  // for a censored pair: its detection limit
  double model_mg_l = 0;
  bool censored = false;
  double detection_limit_mg_l = 0;
};

// log10(model/observed) under the censoring and floor rules above (positive: model too high).
double log10_residual(const Pair& p);
// The observation used by rank and time-series scores: DL/2 when censored.
double substituted_observation(const Pair& p);

struct LogMetrics {
  std::size_t n = 0;
  double bias_log10 = 0;     // mean of log10(model/observed)
  double rmse_log10 = 0;     // √ mean of its square
  double within_factor_2 = 0;   // share with |residual| ≤ log10 2
  double within_factor_10 = 0;  // share with |residual| ≤ 1
};
LogMetrics log_metrics(std::span<const Pair> pairs);

// Ranks 1..n, ties get the mean of the ranks they span.
std::vector<double> average_ranks(std::span<const double> v);
// Pearson correlation of the average ranks; NaN for fewer than 2 values or a constant input.
double spearman(std::span<const double> x, std::span<const double> y);
double pearson(std::span<const double> x, std::span<const double> y);

// Observed above/below the guideline × model above/below ("above": > guideline). A censored
// observation with DL ≤ guideline is below; with DL > guideline it cannot be classed
// (unclassified).
struct Confusion {
  std::size_t both_above = 0, observed_only = 0, model_only = 0, both_below = 0, unclassified = 0;
  double hit_rate() const;  // (both_above + both_below) / classified; NaN when none
};
Confusion guideline_confusion(std::span<const Pair> pairs, double guideline_mg_l);

// NSE = 1 − Σ(sim−obs)² / Σ(obs−mean obs)²; NaN for fewer than 2 values or constant obs.
double nse(std::span<const double> observed, std::span<const double> simulated);
// KGE (Gupta et al. 2009); NaN for fewer than 2 values, zero obs mean or constant series.
double kge(std::span<const double> observed, std::span<const double> simulated);

}  // namespace leachflow::model::validation
