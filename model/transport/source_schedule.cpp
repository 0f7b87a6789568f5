// Sources over one time step (model/transport/source_schedule.hpp).
#include "model/transport/source_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace leachflow::model::transport {

double StepSources::total_kg() const {
  double s = 0.0;
  for (double m : mass_kg) s += m;
  return s;
}

namespace {
void check(index_t cell, int sp, double amount, const std::string& id, index_t cells, int species,
           const std::vector<std::uint8_t>& valid, const char* what) {
  const std::string who = std::string(what) + (id.empty() ? "" : " of pit '" + id + "'");
  if (cell < 0 || cell >= cells) throw std::invalid_argument(who + ": cell " + std::to_string(cell) + " is outside the grid");
  if (!valid.empty() && !valid[static_cast<std::size_t>(cell)])
    throw std::invalid_argument(who + ": cell " + std::to_string(cell) + " is NoData");
  if (sp < 0 || sp >= species) throw std::invalid_argument(who + ": species index " + std::to_string(sp) + " is out of range");
  if (!(amount >= 0.0) || !std::isfinite(amount)) throw std::invalid_argument(who + ": amount must be finite and ≥ 0");
}
}  // namespace

void validate_sources(const Sources& sources, index_t cells, int species, const std::vector<std::uint8_t>& valid) {
  for (const PointLoad& l : sources.loads) {
    check(l.cell, l.species, l.load_kg_day, l.pit_id, cells, species, valid, "load");
    if (!(l.start_day <= l.end_day)) throw std::invalid_argument("load of pit '" + l.pit_id + "': start after end");
  }
  for (const PulseRelease& p : sources.pulses) {
    check(p.cell, p.species, p.mass_kg, p.pit_id, cells, species, valid, "release");
    if (!std::isfinite(p.time_day)) throw std::invalid_argument("release of pit '" + p.pit_id + "': time is not finite");
  }
}

StepSources step_sources(const Sources& sources, index_t cells, double t0_day, double t1_day) {
  // std::map keeps the slots sorted; within a slot, masses are added in input order (loads,
  // then pulses), so the merged value is deterministic.
  std::map<index_t, double> merged;
  for (const PointLoad& l : sources.loads) {
    const double lo = std::max(t0_day, l.start_day), hi = std::min(t1_day, l.end_day);
    if (!(hi > lo) || l.load_kg_day == 0.0) continue;
    merged[static_cast<index_t>(l.species) * cells + l.cell] += l.load_kg_day * (hi - lo);
  }
  for (const PulseRelease& p : sources.pulses) {
    if (p.time_day >= t0_day && p.time_day < t1_day && p.mass_kg > 0.0)
      merged[static_cast<index_t>(p.species) * cells + p.cell] += p.mass_kg;
  }
  StepSources s;
  s.slot.reserve(merged.size());
  s.mass_kg.reserve(merged.size());
  for (const auto& [k, v] : merged) {
    s.slot.push_back(k);
    s.mass_kg.push_back(v);
  }
  return s;
}

}  // namespace leachflow::model::transport
