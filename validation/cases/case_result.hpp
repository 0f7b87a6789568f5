// What one verification case reports: the model's answer against an analytical one as error
// norms, the checks with their stated limits, and PASS/FAIL. Shared by every case family in
// validation/cases/ and written as JSON by validation/verify_main.cpp.
//
// Norms over the n compared values e_i = got_i − expected_i:
//   L1 = Σ|e_i| / n,  L2 = √(Σ e_i² / n),  L∞ = max |e_i|
// either divided by one scale (a concentration C0, a peak: "relative to ..." in the quantity)
// or, for positive fields such as areas, taken of the pointwise relative errors e_i / expected_i.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace leachflow::validation {

struct Norms {
  double l1 = 0.0, l2 = 0.0, linf = 0.0;
  long long count = 0;
};

// Absolute errors divided by `scale`.
inline Norms norms_scaled(std::span<const double> got, std::span<const double> expected, double scale = 1.0) {
  Norms n;
  double sq = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double e = std::abs(got[i] - expected[i]) / scale;
    n.l1 += e;
    sq += e * e;
    n.linf = std::max(n.linf, e);
  }
  n.count = static_cast<long long>(got.size());
  if (n.count > 0) {
    n.l1 /= static_cast<double>(n.count);
    n.l2 = std::sqrt(sq / static_cast<double>(n.count));
  }
  return n;
}

// Pointwise relative errors |got − expected| / |expected| (expected ≠ 0).
inline Norms norms_relative(std::span<const double> got, std::span<const double> expected) {
  std::vector<double> rel(got.size()), zero(got.size(), 0.0);
  for (std::size_t i = 0; i < got.size(); ++i) rel[i] = (got[i] - expected[i]) / std::abs(expected[i]);
  return norms_scaled(rel, zero);
}

// value ≤ limit (at_most) or value ≥ limit.
struct Check {
  std::string what;
  double value = 0.0;
  double limit = 0.0;
  bool at_most = true;
  bool pass() const { return std::isfinite(value) && (at_most ? value <= limit : value >= limit); }
};

struct CaseResult {
  std::string family;     // e.g. "ogata_banks"
  std::string name;       // unique case id
  std::string quantity;   // what the norms measure, with units / what they are relative to
  std::string reference;  // the analytical answer or the method compared with
  Norms norms;
  double order = NAN;     // observed convergence order (finest refinement), NaN when not refined
  std::vector<std::pair<std::string, double>> figures;  // extra measured numbers (ledger, moments...)
  std::vector<Check> checks;
  std::string note;       // why the tolerance is what it is
  bool pass() const {
    return !checks.empty() && std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.pass(); });
  }
};

// Case families (one file each in validation/cases/).
std::vector<CaseResult> ogata_banks_cases();
std::vector<CaseResult> gaussian_pulse_cases();
std::vector<CaseResult> steady_channel_cases();
std::vector<CaseResult> confluence_cases();
std::vector<CaseResult> contributing_area_cases();

}  // namespace leachflow::validation
