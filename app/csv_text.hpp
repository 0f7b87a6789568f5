// One CSV field as RFC 4180 wants it: quoted (with doubled quotes) when it holds a comma, a
// quote or a line break; as is otherwise. For the run's CSV outputs (region and river names).
#pragma once

#include <string>

namespace leachflow::app {

inline std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace leachflow::app
