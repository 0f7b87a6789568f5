// leachflow command line: parse → load → call → save. Subcommands live in their own files.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "io/errors.hpp"
#include "io/scenario.hpp"
#include "kernels/exec/runtime.hpp"
#include "leachflow/version.hpp"

namespace {

// DESIGN.md, "Conventions users trip over", in brief.
constexpr const char* conventions = R"(Conventions:
  - Contributing area counts the cell itself (minimum 1 cell); areas in m2 (km2 in reports),
    counts in cells, 64-bit, never truncated.
  - NoData is outside the domain: flow into NoData or off the grid edge leaves and is booked as
    outflow; cells whose upstream area may continue beyond it are flagged edge-contaminated.
  - D8 directions in GeoTIFF use ESRI codes: 1=E 2=SE 4=S 8=SW 16=W 32=NW 64=N 128=NE,
    0=outlet/sink; ties break in that order. The encoding is written into the file's metadata.
  - Geographic (lon/lat) grids need no z-factor: lengths and areas come from the ellipsoid per row.
  - GeoTIFF outputs over 4 GB become BigTIFF automatically; NetCDF outputs are NetCDF-4.
  - Outputs are written under a temporary name and renamed when complete.
Exit codes: 0 success, 1 internal error, 2 bad input or usage.)";

}  // namespace

int main(int argc, char** argv) {
  leachflow::exec::runtime rt(argc, argv);
  CLI::App app{"leachflow: GPU-accelerated hydrology and leachate transport"};
  app.set_version_flag("--version", std::string("leachflow ") + leachflow::version + " (" +
                                        leachflow::exec::backend_name() + ")");
  app.footer(conventions);
  app.require_subcommand(1);

  leachflow::app::Action action;
  leachflow::app::register_info_command(app, action);
  leachflow::app::register_terrain_command(app, action);
  leachflow::app::register_run_command(app, action);
  leachflow::app::register_report_command(app, action);
  leachflow::app::register_validate_command(app, action);
  leachflow::app::register_calibrate_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "leachflow: error: %s (see leachflow --help)\n", e.what());
    return 2;
  }
  try {
    return action ? action() : 0;
  } catch (const leachflow::io::ScenarioError& e) {
    for (const auto& line : e.lines()) std::fprintf(stderr, "leachflow: error: %s\n", line.c_str());
    return 2;
  } catch (const leachflow::io::InputError& e) {
    std::fprintf(stderr, "leachflow: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leachflow: internal error: %s\n", e.what());
    return 1;
  }
}
