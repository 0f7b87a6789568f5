// `leachflow run SCENARIO -o DIR`: the pipeline of DESIGN.md driven by one scenario file:
// read inputs → terrain → pits on streams → hydraulics → transport in time → NetCDF, peak maps,
// summary.json and the printed summary table.
#pragma once

#include <string>

namespace leachflow::app {

struct RunRequest {
  std::string scenario;
  std::string out_dir;
  bool check = false;      // validate inputs and print the plan, run nothing
  bool overwrite = false;  // replace existing outputs
  bool quiet = false;      // no progress line
  std::string command_line;  // for the NetCDF `history`
};

// Returns the exit code: 0 done, 2 bad input, 130 stopped by Ctrl-C (partial outputs kept).
int run_scenario(const RunRequest& request);

}  // namespace leachflow::app
