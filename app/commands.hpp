// Subcommands of `leachflow`: each registers itself on the CLI11 app and sets the action that
// main() runs after parsing (so exceptions surface in main, not inside CLI11).
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace leachflow::app {

using Action = std::function<int()>;   // returns the exit code

// `leachflow info DEM [--json] [--band N]`
void register_info_command(CLI::App& app, Action& action);

// `leachflow terrain DEM -o DIR [--method fill|breach|none] [--router d8|dinf|mfd] ...`
void register_terrain_command(CLI::App& app, Action& action);

// `leachflow run SCENARIO -o DIR [--check] [--overwrite]`
void register_run_command(CLI::App& app, Action& action);

// `leachflow report RUN_DIR` (writes RUN_DIR/report.html and report.md)
void register_report_command(CLI::App& app, Action& action);

// `leachflow validate SCENARIO SAMPLES -o DIR [--run RUN_DIR] ...` (app/validate_command.cpp)
void register_validate_command(CLI::App& app, Action& action);

// `leachflow calibrate SCENARIO SAMPLES -o DIR --param KIND:TARGET=LO..HI ...` (app/calibrate_command.cpp)
void register_calibrate_command(CLI::App& app, Action& action);

}  // namespace leachflow::app
