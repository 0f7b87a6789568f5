// Validation metrics on small vectors computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/validation/metrics.hpp"

namespace v = leachflow::model::validation;

TEST(ValidationMetrics, LogBiasRmseAndFactorsByHand) {
  // Ratios model/obs = 1, 2, 0.1, 3 → residuals 0, log2, −1, log3.
  const std::vector<v::Pair> p = {{1.0, 1.0}, {1.0, 2.0}, {10.0, 1.0}, {2.0, 6.0}};
  const auto m = v::log_metrics(p);
  const double l2 = std::log10(2.0), l3 = std::log10(3.0);
  EXPECT_EQ(m.n, 4u);
  EXPECT_NEAR(m.bias_log10, (0 + l2 - 1 + l3) / 4, 1e-15);
  EXPECT_NEAR(m.rmse_log10, std::sqrt((l2 * l2 + 1 + l3 * l3) / 4), 1e-15);
  EXPECT_DOUBLE_EQ(m.within_factor_2, 0.5);   // ratios 1 and 2 (2 is on the line: within)
  EXPECT_DOUBLE_EQ(m.within_factor_10, 1.0);  // 0.1 is on the line: within
}

TEST(ValidationMetrics, ZeroModelIsFlooredInLogMetrics) {
  const std::vector<v::Pair> p = {{1e-3, 0.0}};
  EXPECT_NEAR(v::log_metrics(p).bias_log10, std::log10(v::kModelFloorMgL / 1e-3), 1e-12);  // −3
}

TEST(ValidationMetrics, CensoredRules) {
  // DL 0.5: model 0.3 ≤ DL → residual 0; model 5 → log10(5/0.5) = 1.
  const v::Pair below{0.5, 0.3, true, 0.5}, above{0.5, 5.0, true, 0.5};
  EXPECT_EQ(v::log10_residual(below), 0.0);
  EXPECT_NEAR(v::log10_residual(above), 1.0, 1e-15);
  EXPECT_EQ(v::substituted_observation(below), 0.25);
  EXPECT_EQ(v::substituted_observation(v::Pair{0.7, 1.0}), 0.7);
  const std::vector<v::Pair> p = {below, above};
  const auto m = v::log_metrics(p);
  EXPECT_NEAR(m.bias_log10, 0.5, 1e-15);
  EXPECT_DOUBLE_EQ(m.within_factor_2, 0.5);
}

TEST(ValidationMetrics, AverageRanksAndSpearmanWithTies) {
  const std::vector<double> x = {10, 20, 20, 30, 40};
  const auto r = v::average_ranks(x);
  EXPECT_EQ(r, (std::vector<double>{1, 2.5, 2.5, 4, 5}));
  // y ranks: {2, 1, 3, 5, 4}. Pearson of the rank vectors (both mean 3):
  // dx = {−2, −0.5, −0.5, 1, 2}, dy = {−1, −2, 0, 2, 1}
  // Σdxdy = 2 + 1 + 0 + 2 + 2 = 7; Σdx² = 4 + .25 + .25 + 1 + 4 = 9.5; Σdy² = 10
  // ρ = 7 / √95 = 0.718185...
  const std::vector<double> y = {2, 1, 3, 5, 4};
  EXPECT_NEAR(v::spearman(x, y), 7.0 / std::sqrt(95.0), 1e-14);
  // Monotone but non-linear → 1; reversed → −1.
  EXPECT_NEAR(v::spearman(std::vector<double>{1, 2, 3, 4}, std::vector<double>{1, 8, 27, 64}), 1.0, 1e-15);
  EXPECT_NEAR(v::spearman(std::vector<double>{1, 2, 3, 4}, std::vector<double>{4, 3, 2, 1}), -1.0, 1e-15);
  EXPECT_TRUE(std::isnan(v::spearman(std::vector<double>{1, 1}, std::vector<double>{1, 2})));
}

TEST(ValidationMetrics, NseAndKge) {
  const std::vector<double> o = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(v::nse(o, o), 1.0);
  EXPECT_DOUBLE_EQ(v::kge(o, o), 1.0);
  EXPECT_DOUBLE_EQ(v::nse(o, std::vector<double>(4, 2.5)), 0.0);  // the observed mean scores 0
  // sim = 2·obs: r = 1, α = 2, β = 2 → KGE = 1 − √2; NSE = 1 − Σobs²/Σ(obs−2.5)² = 1 − 30/5 = −5.
  const std::vector<double> s = {2, 4, 6, 8};
  EXPECT_NEAR(v::kge(o, s), 1.0 - std::sqrt(2.0), 1e-15);
  EXPECT_NEAR(v::nse(o, s), -5.0, 1e-15);
}

TEST(ValidationMetrics, GuidelineConfusionCounts) {
  // guideline 1: (obs, model) = (2, 3) both above; (2, .5) observed only; (.5, 3) model only;
  // (.5, .5) both below; censored DL .5 model .2 → both below; censored DL 2 → unclassified.
  const std::vector<v::Pair> p = {{2, 3}, {2, .5}, {.5, 3}, {.5, .5}, {.5, .2, true, .5}, {2, .2, true, 2}};
  const auto c = v::guideline_confusion(p, 1.0);
  EXPECT_EQ(c.both_above, 1u);
  EXPECT_EQ(c.observed_only, 1u);
  EXPECT_EQ(c.model_only, 1u);
  EXPECT_EQ(c.both_below, 2u);
  EXPECT_EQ(c.unclassified, 1u);
  EXPECT_DOUBLE_EQ(c.hit_rate(), 3.0 / 5.0);
}
