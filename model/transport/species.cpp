#include "model/transport/species.hpp"

#include <algorithm>
#include <cctype>

namespace leachflow::model::transport {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const std::vector<Species>& presets() {
  static const std::vector<Species> all = {
      {"ammonium", "mg/L", 0.2, 1.0, 0.0, 1.5,
       "nitrification 0.2/day (Chapra 1997, QUAL2K range 0.1-0.5/day); WHO 2017 guideline 1.5 mg/L"},
      {"sulfate", "mg/L", 0.0, 1.0, 0.0, 250.0, "conservative; WHO/EU aesthetic guideline 250 mg/L"},
      {"arsenic", "mg/L", 0.0, 2.0, 0.5, 0.01,
       "sorbs (R=2) and settles (0.5 m/day) with sediment; WHO and Thai surface-water standard 0.01 mg/L"},
  };
  return all;
}
}  // namespace

std::optional<Species> preset(const std::string& name) {
  const std::string key = lower(name);
  for (const auto& s : presets())
    if (s.name == key) return s;
  return std::nullopt;
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const auto& s : presets()) names.push_back(s.name);
  return names;
}

}  // namespace leachflow::model::transport
