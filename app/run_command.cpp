// `leachflow run SCENARIO -o DIR [--check] [--overwrite] [--quiet]`. Parse → call; the
// pipeline is app/scenario_run.cpp.
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "app/scenario_run.hpp"

namespace leachflow::app {

void register_run_command(CLI::App& app, Action& action) {
  auto r = std::make_shared<RunRequest>();
  CLI::App* c = app.add_subcommand(
      "run", "Run a scenario (TOML, keys in scenarios/README.md): terrain, pits, hydraulics, transport; writes the "
             "CF-NetCDF, peak_<species>.tif, peak_map.png and summary.json into DIR and prints a summary table. "
             "Ctrl-C stops cleanly and keeps the steps done as <name>.partial.nc (exit code 130)");
  c->add_option("SCENARIO", r->scenario, "scenario file (.toml)")->required();
  c->add_option("-o,--output", r->out_dir, "output folder (required unless --check)");
  c->add_flag("--check", r->check, "validate the scenario and its inputs, print what would run and the memory needed");
  c->add_flag("--overwrite", r->overwrite, "replace existing outputs in DIR");
  c->add_flag("-q,--quiet", r->quiet, "no progress line (it is only drawn on a terminal anyway)");
  c->callback([r, &action] {
    if (!r->check && r->out_dir.empty()) throw CLI::RequiredError("-o,--output");
    std::string line = "leachflow run " + r->scenario;
    if (!r->out_dir.empty()) line += " -o " + r->out_dir;
    if (r->overwrite) line += " --overwrite";
    r->command_line = line;
    action = [r] { return run_scenario(*r); };
  });
}

}  // namespace leachflow::app
