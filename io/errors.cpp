#include "io/errors.hpp"

namespace leachflow::io {

namespace {
std::string format_line(const std::string& file, const std::string& where, const std::string& problem,
                        const std::string& fix) {
  std::string s = file;
  if (!where.empty()) s += " (" + where + ")";
  s += ": " + problem;
  if (!fix.empty()) s += "; fix: " + fix;
  return s;
}
}  // namespace

InputError::InputError(std::string file, std::string where, std::string problem, std::string fix)
    : std::runtime_error(format_line(file, where, problem, fix)), file_(std::move(file)) {}

}  // namespace leachflow::io
