// Validation metrics: see metrics.hpp for definitions and the censoring rules.
#include "model/validation/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace leachflow::model::validation {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
double mean(std::span<const double> v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
}  // namespace

double log10_residual(const Pair& p) {
  const double m = std::max(p.model_mg_l, kModelFloorMgL);
  if (p.censored) {
    const double dl = p.detection_limit_mg_l > 0 ? p.detection_limit_mg_l : p.observed_mg_l;
    return p.model_mg_l <= dl ? 0.0 : std::log10(m / dl);
  }
  return std::log10(m / p.observed_mg_l);
}

double substituted_observation(const Pair& p) {
  if (!p.censored) return p.observed_mg_l;
  return 0.5 * (p.detection_limit_mg_l > 0 ? p.detection_limit_mg_l : p.observed_mg_l);
}

LogMetrics log_metrics(std::span<const Pair> pairs) {
  LogMetrics m;
  m.n = pairs.size();
  if (pairs.empty()) {
    m.bias_log10 = m.rmse_log10 = m.within_factor_2 = m.within_factor_10 = nan;
    return m;
  }
  const double f2 = std::log10(2.0);
  double s = 0, s2 = 0;
  std::size_t w2 = 0, w10 = 0;
  for (const Pair& p : pairs) {
    const double r = log10_residual(p);
    s += r;
    s2 += r * r;
    w2 += std::abs(r) <= f2 * (1 + 1e-12);
    w10 += std::abs(r) <= 1.0 + 1e-12;
  }
  const double n = static_cast<double>(pairs.size());
  m.bias_log10 = s / n;
  m.rmse_log10 = std::sqrt(s2 / n);
  m.within_factor_2 = static_cast<double>(w2) / n;
  m.within_factor_10 = static_cast<double>(w10) / n;
  return m;
}

std::vector<double> average_ranks(std::span<const double> v) {
  std::vector<std::size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    const double r = 0.5 * static_cast<double>(i + j) + 1.0;  // mean of ranks i+1 .. j+1
    for (std::size_t k = i; k <= j; ++k) rank[idx[k]] = r;
    i = j + 1;
  }
  return rank;
}

double pearson(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size() || x.size() < 2) return nan;
  const double mx = mean(x), my = mean(y);
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return nan;
  return sxy / std::sqrt(sxx * syy);
}

double spearman(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size() || x.size() < 2) return nan;
  const auto rx = average_ranks(x), ry = average_ranks(y);
  return pearson(rx, ry);
}

double Confusion::hit_rate() const {
  const std::size_t c = both_above + observed_only + model_only + both_below;
  return c == 0 ? nan : static_cast<double>(both_above + both_below) / static_cast<double>(c);
}

Confusion guideline_confusion(std::span<const Pair> pairs, double guideline_mg_l) {
  Confusion c;
  for (const Pair& p : pairs) {
    const bool model_above = p.model_mg_l > guideline_mg_l;
    bool obs_above = false;
    if (p.censored) {
      const double dl = p.detection_limit_mg_l > 0 ? p.detection_limit_mg_l : p.observed_mg_l;
      if (dl > guideline_mg_l) {
        ++c.unclassified;
        continue;
      }
    } else {
      obs_above = p.observed_mg_l > guideline_mg_l;
    }
    if (obs_above && model_above) ++c.both_above;
    else if (obs_above) ++c.observed_only;
    else if (model_above) ++c.model_only;
    else ++c.both_below;
  }
  return c;
}

double nse(std::span<const double> o, std::span<const double> s) {
  if (o.size() != s.size() || o.size() < 2) return nan;
  const double mo = mean(o);
  double num = 0, den = 0;
  for (std::size_t i = 0; i < o.size(); ++i) {
    num += (s[i] - o[i]) * (s[i] - o[i]);
    den += (o[i] - mo) * (o[i] - mo);
  }
  return den == 0 ? nan : 1.0 - num / den;
}

double kge(std::span<const double> o, std::span<const double> s) {
  if (o.size() != s.size() || o.size() < 2) return nan;
  const double mo = mean(o), ms = mean(s);
  double vo = 0, vs = 0;
  for (std::size_t i = 0; i < o.size(); ++i) vo += (o[i] - mo) * (o[i] - mo), vs += (s[i] - ms) * (s[i] - ms);
  const double r = pearson(o, s);
  if (mo == 0 || vo == 0 || std::isnan(r)) return nan;
  const double alpha = std::sqrt(vs / vo), beta = ms / mo;
  return 1.0 - std::sqrt((r - 1) * (r - 1) + (alpha - 1) * (alpha - 1) + (beta - 1) * (beta - 1));
}

}  // namespace leachflow::model::validation
