// Pairing a sample with the model: the model value is the mean of the modelled concentrations
// at the station's cell over the output times within [t − window/2, t + window/2]; when no
// output time falls inside, the nearest output time. A sample before the first output time or
// after the last (by more than window/2) is outside the run's period and is not paired, and
// neither is one whose cell has no model value (NaN: not on the run's output mask). Host code.
#pragma once

#include <span>
#include <string>

namespace leachflow::model::validation {

struct ModelValue {
  bool paired = false;
  double model_mg_l = 0;
  int outputs_used = 0;   // output times averaged (1 when the nearest was taken)
  std::string reason;     // why not paired
};

// times_day: output times (ascending, same axis as sample_day); series_mg_l: the cell's
// concentration at each. window_days ≥ 0.
ModelValue model_value_at(std::span<const double> times_day, std::span<const double> series_mg_l, double sample_day,
                          double window_days);

}  // namespace leachflow::model::validation
