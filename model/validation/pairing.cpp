// Sample ↔ model pairing in time: see pairing.hpp.
#include "model/validation/pairing.hpp"

#include <cmath>
#include <cstddef>

namespace leachflow::model::validation {

ModelValue model_value_at(std::span<const double> t, std::span<const double> c, double day, double window) {
  ModelValue v;
  if (t.empty() || t.size() != c.size()) {
    v.reason = "the run wrote no output times";
    return v;
  }
  const double half = 0.5 * window;
  if (day < t.front() - half - 1e-9 || day > t.back() + half + 1e-9) {
    v.reason = "outside the run's period";
    return v;
  }
  double sum = 0;
  int n = 0;
  bool missing = false;
  std::size_t nearest = 0;
  for (std::size_t k = 0; k < t.size(); ++k) {
    if (std::abs(t[k] - day) < std::abs(t[nearest] - day)) nearest = k;
    if (t[k] < day - half - 1e-9 || t[k] > day + half + 1e-9) continue;
    if (std::isnan(c[k])) {
      missing = true;
      continue;
    }
    sum += c[k];
    ++n;
  }
  if (n > 0) {
    v.paired = true;
    v.model_mg_l = sum / n;
    v.outputs_used = n;
    return v;
  }
  if (missing || std::isnan(c[nearest])) {
    v.reason = "the model has no value at the station's cell (not on the output mask)";
    return v;
  }
  v.paired = true;
  v.model_mg_l = c[nearest];
  v.outputs_used = 1;
  return v;
}

}  // namespace leachflow::model::validation
