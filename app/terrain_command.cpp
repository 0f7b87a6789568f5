// `leachflow terrain DEM -o DIR`: condition, route, accumulate; write the GeoTIFFs and print
// per-stage timings. Parse → load → call → save; the science is in model/terrain/pipeline.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "io/errors.hpp"
#include "io/raster.hpp"
#include "kernels/exec/memory.hpp"
#include "kernels/exec/runtime.hpp"
#include "model/grid.hpp"
#include "model/terrain/pipeline.hpp"

namespace leachflow::app {

namespace {

namespace fs = std::filesystem;
using model::terrain::DepressionMethod;
using model::terrain::FlowRouter;
using exec::index_t;

struct TerrainCommandOptions {
  std::string dem;
  std::string out_dir;
  int band = 1;
  std::string method = "fill";
  std::string router = "d8";
  double max_breach_depth_m = -1;
  long long max_breach_length_cells = -1;
  bool overwrite = false;
  bool no_write = false;
  std::string timings_json;
  double stream_threshold_km2 = 0;
};

const std::vector<std::string> output_names = {"conditioned_dem.tif", "flat_gradient.tif", "flow_directions.tif",
                                               "contributing_area.tif", "edge_contaminated.tif", "streams.tif",
                                               "strahler.tif", "basins.tif", "links.csv", "basins.csv"};

std::size_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::size_t>(u.ru_maxrss) * 1024u;
}

void check_outputs(const TerrainCommandOptions& o) {
  if (o.no_write || o.overwrite) return;
  for (const auto& name : output_names) {
    const fs::path p = fs::path(o.out_dir) / name;
    if (fs::exists(p))
      throw io::InputError(p.string(), "", "output exists and would be replaced",
                           "pass --overwrite, or choose another -o folder");
  }
}

// links.csv and basins.csv: one row per stream link / basin, with cell centres in the grid's CRS.
void write_tables(const std::string& dir, const model::Grid& g, const model::terrain::StreamNetwork& net,
                  const model::terrain::Basins& b) {
  const auto xy = [&](index_t i) { return fmt::format("{:.6f},{:.6f}", g.x(i % g.cols), g.y(i / g.cols)); };
  {
    const fs::path final_path = fs::path(dir) / "links.csv";
    const fs::path tmp = fs::path(dir) / "links.csv.part";
    std::ofstream f(tmp);
    f << "link_id,head_x,head_y,tail_x,tail_y,downstream_link,strahler,length_m,drop_m,slope\n";
    for (std::size_t k = 0; k < net.links.size(); ++k) {
      const auto& l = net.links[k];
      f << fmt::format("{},{},{},{},{},{:.3f},{:.3f},{:.6f}\n", k, xy(l.head), xy(l.tail), l.downstream, l.strahler,
                       l.length_m, l.drop_m, l.slope);
    }
    f.close();
    fs::rename(tmp, final_path);
  }
  {
    const fs::path final_path = fs::path(dir) / "basins.csv";
    const fs::path tmp = fs::path(dir) / "basins.csv.part";
    std::ofstream f(tmp);
    f << "basin_id,outlet_x,outlet_y,area_km2,cells\n";
    for (std::size_t k = 0; k < b.outlet.size(); ++k)
      f << fmt::format("{},{},{:.6f},{}\n", k, xy(b.outlet[k]), b.area_m2[k] / 1e6, b.cells[k]);
    f.close();
    fs::rename(tmp, final_path);
  }
}

int run_terrain(const TerrainCommandOptions& o) {
  using clock = std::chrono::steady_clock;
  check_outputs(o);
  std::vector<model::terrain::StageTiming> timings;

  auto t0 = clock::now();
  io::Raster dem = io::read_raster(o.dem, o.band);
  timings.push_back({"read", std::chrono::duration<double>(clock::now() - t0).count(), 0});

  model::terrain::TerrainOptions options;
  options.depressions = o.method == "breach" ? DepressionMethod::breach
                        : o.method == "none" ? DepressionMethod::none
                                             : DepressionMethod::fill;
  options.router = o.router == "dinf" ? FlowRouter::dinf : o.router == "mfd" ? FlowRouter::mfd : FlowRouter::d8;
  if (o.max_breach_depth_m >= 0) options.condition.max_breach_depth_m = static_cast<float>(o.max_breach_depth_m);
  if (o.max_breach_length_cells >= 0) options.condition.max_breach_length_cells = o.max_breach_length_cells;

  t0 = clock::now();
  exec::memory::reset_peak();
  const model::DeviceGrid grid(dem.grid);
  exec::device_buffer<float> z = exec::to_device(dem.values);
  // Only the device copy is read from here on. Given back now, the host copy's pages go to the
  // heap, where the pipeline's first buffers reuse them instead of faulting in fresh ones.
  std::vector<float>().swap(dem.values);
  timings.push_back({"upload", std::chrono::duration<double>(clock::now() - t0).count(), exec::memory::peak_bytes()});

  options.stream_threshold_m2 = o.stream_threshold_km2 * 1e6;
  model::terrain::Terrain t = model::terrain::build_terrain(dem.grid, grid.view(), std::move(z), options);
  for (auto& s : t.timings) timings.push_back(s);
  const std::size_t device_peak = [&] {
    std::size_t p = 0;
    for (const auto& s : timings) p = std::max(p, s.peak_device_bytes);
    return p;
  }();

  if (!o.no_write) {
    t0 = clock::now();
    fs::create_directories(o.out_dir);
    const model::Grid& g = dem.grid;
    const auto path = [&](const std::string& name) { return (fs::path(o.out_dir) / name).string(); };
    {
      std::vector<float> zc = exec::to_host(t.conditioned.elevation);
      for (std::size_t i = 0; i < zc.size(); ++i)
        if (!g.valid[i]) zc[i] = -9999.0f;
      io::write_geotiff(path("conditioned_dem.tif"), g, zc, -9999.0,
                        {{"LEACHFLOW_PRODUCT", "conditioned DEM"}, {"LEACHFLOW_METHOD", o.method}});
    }
    {
      std::vector<std::int32_t> fg = std::move(t.flat_gradient);
      for (std::size_t i = 0; i < fg.size(); ++i)
        if (!g.valid[i]) fg[i] = -1;
      io::write_geotiff(path("flat_gradient.tif"), g, fg, -1.0,
                        {{"LEACHFLOW_PRODUCT", "Barnes et al. 2014 flat gradient: 0 off flats; on a flat, smaller drains "
                                               "first (routes ties on flats)"}});
    }
    {
      const bool d8 = !t.graph->multi();
      const std::vector<std::uint8_t> codes = d8 ? t.graph->esri_codes() : t.graph->receiver_masks();
      io::write_geotiff(path("flow_directions.tif"), g, codes, 255.0,
                        {{"LEACHFLOW_PRODUCT", "flow directions"},
                         {"LEACHFLOW_ROUTER", o.router},
                         {"FLOW_DIRECTION_ENCODING",
                          d8 ? "ESRI D8: 1=E 2=SE 4=S 8=SW 16=W 32=NW 64=N 128=NE 0=outlet/sink"
                             : "receiver bit mask: bit0=E bit1=SE bit2=S bit3=SW bit4=W bit5=NW bit6=N bit7=NE"}});
    }
    {
      std::vector<double> a = exec::to_host(t.area_m2);
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!g.valid[i]) a[i] = -1.0;
      io::write_geotiff(path("contributing_area.tif"), g, a, -1.0,
                        {{"LEACHFLOW_PRODUCT", "contributing area including the cell itself"}, {"UNITS", "m2"}});
    }
    {
      std::vector<std::uint8_t> m = exec::to_host(t.edge_contaminated);
      for (std::size_t i = 0; i < m.size(); ++i)
        if (!g.valid[i]) m[i] = 255;
      io::write_geotiff(path("edge_contaminated.tif"), g, m, 255.0,
                        {{"LEACHFLOW_PRODUCT", "1 where upstream area may continue beyond NoData or the grid edge"}});
    }
    {
      std::vector<std::uint8_t> m = exec::to_host(t.network->stream);
      for (std::size_t i = 0; i < m.size(); ++i)
        if (!g.valid[i]) m[i] = 255;
      io::write_geotiff(path("streams.tif"), g, m, 255.0,
                        {{"LEACHFLOW_PRODUCT", "stream cells (1): contributing area >= threshold"},
                         {"STREAM_THRESHOLD_M2", fmt::format("{}", t.stream_threshold_m2)}});
      std::vector<std::int32_t> order = exec::to_host(t.network->strahler);
      for (std::size_t i = 0; i < order.size(); ++i)
        if (!g.valid[i]) order[i] = -1;
      io::write_geotiff(path("strahler.tif"), g, order, -1.0, {{"LEACHFLOW_PRODUCT", "Strahler (1957) stream order; 0 off streams"}});
      std::vector<std::int64_t> basin = exec::to_host(t.basins->id);
      io::write_geotiff(path("basins.tif"), g, basin, -1.0,
                        {{"LEACHFLOW_PRODUCT", "basin id by outlet (see basins.csv)"}});
      write_tables(o.out_dir, g, *t.network, *t.basins);
    }
    timings.push_back({"write", std::chrono::duration<double>(clock::now() - t0).count(), 0});
  }

  const double cells = static_cast<double>(dem.grid.cells());
  std::printf("leachflow terrain: %s, %lld x %lld = %.0f cells, backend %s (%d threads)\n", o.dem.c_str(),
              static_cast<long long>(dem.grid.cols), static_cast<long long>(dem.grid.rows), cells,
              exec::backend_name().c_str(), exec::concurrency());
  const auto& st = t.conditioned.stats;
  std::printf("conditioning (%s): %lld cells raised, %lld carved, %lld depressions", o.method.c_str(),
              static_cast<long long>(st.cells_raised), static_cast<long long>(st.cells_carved),
              static_cast<long long>(st.depressions));
  if (st.depressions_raised > 0)
    std::printf(" (%lld filled part way for the breach limits)", static_cast<long long>(st.depressions_raised));
  std::printf(", %lld flats\n", static_cast<long long>(st.flats));
  std::printf("%-12s %10s %10s %14s\n", "stage", "seconds", "Mcells/s", "device B/cell");
  for (const auto& s : timings)
    std::printf("%-12s %10.3f %10.1f %14.1f\n", s.name.c_str(), s.seconds,
                s.seconds > 0 ? cells / s.seconds / 1e6 : 0.0, static_cast<double>(s.peak_device_bytes) / cells);
  std::printf("peak device memory %.1f B/cell; process peak RSS %.1f B/cell\n",
              static_cast<double>(device_peak) / cells, static_cast<double>(peak_rss_bytes()) / cells);
  std::printf("streams: threshold %.3f km2, %zu links, max Strahler order %d; %zu basins\n", t.stream_threshold_m2 / 1e6,
              t.network->links.size(), [&] { int m = 0; for (const auto& l : t.network->links) m = std::max(m, static_cast<int>(l.strahler)); return m; }(),
              t.basins->outlet.size());
  if (!o.no_write)
    std::printf("wrote %s/{%s}.tif and links.csv, basins.csv\n", o.out_dir.c_str(),
                "conditioned_dem,flat_gradient,flow_directions,contributing_area,edge_contaminated,streams,strahler,basins");

  if (!o.timings_json.empty()) {
    nlohmann::json j;
    j["dem"] = o.dem;
    j["cells"] = dem.grid.cells();
    j["backend"] = exec::backend_name();
    j["threads"] = exec::concurrency();
    j["peak_device_bytes"] = device_peak;
    j["peak_rss_bytes"] = peak_rss_bytes();
    for (const auto& s : timings)
      j["stages"].push_back({{"name", s.name}, {"seconds", s.seconds}, {"peak_device_bytes", s.peak_device_bytes}});
    std::ofstream f(o.timings_json);
    f << j.dump(2) << "\n";
  }
  return 0;
}

}  // namespace

void register_terrain_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<TerrainCommandOptions>();
  CLI::App* c = app.add_subcommand(
      "terrain", "Condition a DEM, route flow and accumulate: writes conditioned_dem.tif, flow_directions.tif "
                 "(ESRI D8 codes), contributing_area.tif (m2), edge_contaminated.tif, streams.tif, strahler.tif, "
                 "basins.tif, links.csv and basins.csv");
  c->add_option("DEM", o->dem, "any GDAL raster, north-up")->required();
  c->add_option("-o,--output", o->out_dir, "output folder")->required();
  c->add_option("--band", o->band, "raster band")->capture_default_str();
  c->add_option("--method", o->method, "depressions: fill (Priority-Flood), breach (breach-fill hybrid after Lindsay 2016), none")
      ->check(CLI::IsMember({"fill", "breach", "none"}))
      ->capture_default_str();
  c->add_option("--router", o->router, "flow router: d8, dinf (Tarboton 1997), mfd (Freeman 1991)")
      ->check(CLI::IsMember({"d8", "dinf", "mfd"}))
      ->capture_default_str();
  const CLI::Validator not_negative(
      [](const std::string& v) { return !v.empty() && v[0] == '-' ? std::string("must be 0 or more") : std::string(); },
      ">= 0");
  c->add_option("--max-breach-depth", o->max_breach_depth_m,
                 "breach: fill a depression (part way) where its cut would be deeper (m)")
      ->check(not_negative);
  c->add_option("--max-breach-length", o->max_breach_length_cells,
                 "breach: fill a depression (part way) where its cut would lower more cells")
      ->check(not_negative);
  c->add_option("--stream-threshold-km2", o->stream_threshold_km2,
                 "streams where contributing area >= this (km2); default: max(1 km2, 100 cells)");
  c->add_flag("--overwrite", o->overwrite, "replace existing outputs");
  c->add_flag("--no-write", o->no_write, "compute and time only (benchmarks)");
  c->add_option("--timings-json", o->timings_json, "write per-stage timings and memory as JSON");
  c->callback([o, &action] {
    if ((o->max_breach_depth_m >= 0 || o->max_breach_length_cells >= 0) && o->method != "breach")
      throw CLI::ValidationError("--max-breach-depth/--max-breach-length", "limit the breach: add --method breach");
    action = [o] { return run_terrain(*o); };
  });
}

}  // namespace leachflow::app
