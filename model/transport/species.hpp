// Species carried by the transport solver, with their reaction parameters and cited presets.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace leachflow::model::transport {

struct Species {
  std::string name;             // e.g. "ammonium"
  std::string unit = "mg/L";    // concentration unit of outputs (mg/L == g/m³)
  double decay_per_day = 0.0;   // first-order loss (nitrification, degradation), 1/day
  double retardation = 1.0;     // R ≥ 1: sorption slows the solute relative to water
  double settling_m_day = 0.0;  // settling velocity of the particle-bound fraction, m/day
  double guideline_mg_l = 0.0;  // drinking/surface-water guideline, 0 when none
  std::string source;           // where the numbers come from
};

// Built-in presets (by name, case-insensitive): ammonium, sulfate, arsenic.
//  - ammonium (NH4-N): nitrification in streams, first-order 0.2 /day at ~20 °C (QUAL2K /
//    Chapra 1997 range 0.1–0.5 /day); the field decay of dissolved NH4+ with distance below REE
//    tailings (Lu et al. 2017, Solid Earth 8:845, leachate_and_site_facts.csv row 8) is of the
//    same order. Guideline 1.5 mg/L (WHO 2017 ammonia taste/odour threshold).
//  - sulfate: conservative (no decay, no sorption); 214–1,121 mg/L in REE mine-area streams
//    (facts row 5). Guideline 250 mg/L (WHO/EU aesthetic).
//  - arsenic: no decay; sorbs to suspended sediment and iron oxides (retardation 2, an order
//    of magnitude for Kd ≈ 10–100 L/kg at low suspended load) and settles with it (0.5 m/day).
//    Guideline 0.01 mg/L (WHO; Thailand's surface-water standard).
std::optional<Species> preset(const std::string& name);
std::vector<std::string> preset_names();

}  // namespace leachflow::model::transport
