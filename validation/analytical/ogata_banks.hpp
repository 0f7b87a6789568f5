// Ogata & Banks (1961) solution of 1D advection–dispersion with first-order decay, for a
// constant concentration C0 at x = 0 from t = 0 into an initially clean semi-infinite channel:
//   C(x,t)/C0 = ½·exp(x(v−u)/(2D))·erfc((x − u t)/(2√(D t)))
//             + ½·exp(x(v+u)/(2D))·erfc((x + u t)/(2√(D t))),   u = √(v² + 4 k D)
// (van Genuchten & Alves 1982, solution A1 with decay). With k = 0 this is Ogata–Banks.
// Used by tests and by the verification suite in validation/.
#pragma once

#include <cmath>

namespace leachflow::validation {

inline double ogata_banks(double x_m, double t_s, double velocity_ms, double dispersion_m2s,
                          double decay_per_s = 0.0, double c0 = 1.0) {
  if (t_s <= 0.0) return 0.0;
  const double v = velocity_ms, d = dispersion_m2s;
  const double u = std::sqrt(v * v + 4.0 * decay_per_s * d);
  const double s = 2.0 * std::sqrt(d * t_s);
  // Evaluate exp·erfc in log space where the exponent is large, to avoid inf·0.
  auto term = [&](double e, double arg) {
    if (arg > 25.0) return 0.0;
    return std::exp(e + std::log(std::erfc(arg)));
  };
  return 0.5 * c0 * (term(x_m * (v - u) / (2.0 * d), (x_m - u * t_s) / s) +
                     term(x_m * (v + u) / (2.0 * d), (x_m + u * t_s) / s));
}

// Steady state of the same problem (t → ∞): C/C0 = exp(x (v − u) / (2D)); without dispersion
// this tends to exp(−k x / v) = exp(−k τ).
inline double ogata_banks_steady(double x_m, double velocity_ms, double dispersion_m2s, double decay_per_s,
                                 double c0 = 1.0) {
  const double v = velocity_ms, d = dispersion_m2s;
  const double u = std::sqrt(v * v + 4.0 * decay_per_s * d);
  return c0 * std::exp(x_m * (v - u) / (2.0 * d));
}

}  // namespace leachflow::validation
