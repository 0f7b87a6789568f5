// `leachflow validate SCENARIO SAMPLES -o DIR`: the scenario's model against measured
// concentrations. Runs the scenario into DIR/run (or reads --run RUN_DIR), snaps the sampling
// stations to the run's streams, pairs each sample with the NetCDF series at its cell over a
// time window, and writes DIR/pairs.csv, DIR/unpaired.csv, DIR/unsnapped.csv,
// DIR/metrics.json, DIR/metrics.csv and PNG plots (scripts/validation_plots.py). Metrics and
// the censoring policy: model/validation/metrics.hpp.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/csv_text.hpp"
#include "app/run_inputs.hpp"
#include "app/scenario_run.hpp"
#include "app/validate_pairs.hpp"
#include "io/errors.hpp"
#include "io/netcdf_reader.hpp"
#include "io/samples.hpp"
#include "io/scenario.hpp"
#include "model/iso_time.hpp"
#include "model/validation/metrics.hpp"

namespace leachflow::app {

namespace {

namespace fs = std::filesystem;
namespace val = model::validation;
using nlohmann::json;

struct ValidateRequest {
  std::string scenario, samples, out_dir, run_dir;
  double snap_distance_m = 500, area_tolerance = 0.5, window_days = 1;
  bool overwrite = false;
  std::string command_line;
};

std::string iso_time(double day) {
  const double d0 = std::floor(day);
  const long s = std::lround((day - d0) * 86400.0);
  std::string t = model::format_iso8601_date(d0 + (s >= 86400 ? 1 : 0));
  if (s > 0 && s < 86400) t += fmt::format("T{:02}:{:02}:{:02}Z", s / 3600, (s / 60) % 60, s % 60);
  return t;
}

double json_num(double v) { return v; }

// Writes text to path via path.part + rename.
void write_file(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".part";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f) throw io::InputError(tmp.string(), "", "cannot write", "check the folder is writable and has space");
  }
  fs::rename(tmp, path);
}

json confusion_json(const val::Confusion& c, double guideline) {
  return json{{"guideline_mg_l", guideline},
              {"observed_above_model_above", c.both_above},
              {"observed_above_model_below", c.observed_only},
              {"observed_below_model_above", c.model_only},
              {"observed_below_model_below", c.both_below},
              {"unclassified_censored", c.unclassified},
              {"hit_rate", json_num(c.hit_rate())}};
}

struct Group {
  std::vector<val::Pair> pairs;
  val::Confusion confusion;
  bool has_guideline = false;
};

json group_json(const Group& g, double guideline) {
  const val::LogMetrics m = val::log_metrics(g.pairs);
  std::vector<double> o, s;
  for (const auto& p : g.pairs) o.push_back(val::substituted_observation(p)), s.push_back(p.model_mg_l);
  json j{{"n", m.n},
         {"censored", std::count_if(g.pairs.begin(), g.pairs.end(), [](const val::Pair& p) { return p.censored; })},
         {"bias_log10", m.bias_log10},
         {"rmse_log10", m.rmse_log10},
         {"within_factor_2", m.within_factor_2},
         {"within_factor_10", m.within_factor_10},
         {"spearman", val::spearman(o, s)}};
  if (g.has_guideline) j["guideline_confusion"] = confusion_json(g.confusion, guideline);
  return j;
}

std::string fmt_num(double v) { return std::isnan(v) ? std::string("") : fmt::format("{:.10g}", v); }

int run_validate(const ValidateRequest& q) {
  const io::Scenario sc = io::parse_scenario(q.scenario);
  const auto species = run_species(sc);
  const io::SampleTable samples = io::read_samples(q.samples);
  if (!(q.snap_distance_m >= 0)) throw io::InputError("--snap-distance", "", "must be a distance in metres >= 0", "e.g. --snap-distance 500");
  if (!(q.area_tolerance > 0)) throw io::InputError("--area-tolerance", "", "must be > 0", "e.g. --area-tolerance 0.5 (±50 %)");
  if (!(q.window_days >= 0)) throw io::InputError("--window-days", "", "must be >= 0", "e.g. --window-days 1");

  const fs::path dir(q.out_dir);
  fs::create_directories(dir);
  const std::vector<std::string> outputs = {"pairs.csv", "unpaired.csv", "unsnapped.csv", "metrics.json", "metrics.csv"};
  if (!q.overwrite)
    for (const auto& f : outputs)
      if (fs::exists(dir / f))
        throw io::InputError((dir / f).string(), "", "output exists and would be replaced", "pass --overwrite, or choose another -o folder");

  std::string run_dir = q.run_dir;
  if (run_dir.empty()) {
    run_dir = (dir / "run").string();
    RunRequest r;
    r.scenario = q.scenario;
    r.out_dir = run_dir;
    r.overwrite = q.overwrite;
    r.quiet = true;
    r.command_line = q.command_line;
    const int code = run_scenario(r);
    if (code != 0) return code;
  }
  const std::string nc_path = (fs::path(run_dir) / sc.output.netcdf).string();
  if (!fs::exists(nc_path))
    throw io::InputError(nc_path, "", "the run's NetCDF is missing", "give --run the output folder of `leachflow run` with this scenario");
  const io::NetcdfReader nc(nc_path);
  const model::Grid& grid = nc.grid();

  // Streams and contributing area from the run's static fields.
  const std::vector<double> stream = nc.read_static("stream");
  std::vector<double> area_m2 = nc.read_static("contributing_area");
  std::vector<std::uint8_t> mask(stream.size());
  model::Grid g = grid;
  g.valid.assign(stream.size(), 1);
  for (std::size_t i = 0; i < stream.size(); ++i) {
    mask[i] = stream[i] == 1.0;
    g.valid[i] = !std::isnan(area_m2[i]);  // NoData cells have no area
    area_m2[i] = std::isnan(area_m2[i]) ? 0.0 : area_m2[i] * 1e6;
  }
  const model::transport::StreamCells streams{area_m2, mask, 0};

  std::vector<std::string> names, fields;
  const auto written = nc.field_names();
  for (const auto& s : species) {
    names.push_back(s.name);
    fields.push_back(std::find(written.begin(), written.end(), s.name) != written.end() ? s.name : "");
  }
  const PlacedSamples placed = place_samples(samples, g, streams, names, sc.time.start_day, {q.snap_distance_m, q.area_tolerance});
  const std::vector<PairRow> rows = pair_with_run(placed, samples, nc, fields, q.window_days);

  // Outputs: pairs, unpaired, unsnapped.
  std::string pairs = "station_id,species,time,lon,lat,row,col,observed_mg_l,censored,detection_limit_mg_l,model_mg_l,log10_ratio,within_factor_2\n";
  std::string unpaired = "station_id,species,time,line,reason\n";
  Group all;
  std::vector<Group> per_species(species.size());
  std::map<std::pair<std::string, int>, std::vector<std::pair<double, val::Pair>>> per_station;  // (station, species) → (day, pair)
  std::size_t n_unpaired = 0;
  for (const PairRow& r : rows) {
    const val::Observation& o = placed.observations[r.observation];
    const auto& s = samples.samples[o.sample];
    const auto& sp = species[static_cast<std::size_t>(o.species)];
    if (!r.paired) {
      ++n_unpaired;
      unpaired += fmt::format("{},{},{},{},{}\n", csv_text(s.station_id), sp.name, iso_time(s.day), s.line, csv_text(r.reason));
      continue;
    }
    const val::Pair p{s.value_mg_l, r.model_mg_l, s.censored, s.detection_limit_mg_l};
    const double res = val::log10_residual(p);
    pairs += fmt::format("{},{},{},{:.8f},{:.8f},{},{},{:.10g},{},{},{:.10g},{:.10g},{}\n", csv_text(s.station_id), sp.name,
                         iso_time(s.day), s.lon, s.lat, o.cell / grid.cols, o.cell % grid.cols, s.value_mg_l,
                         s.censored ? "true" : "false", s.detection_limit_mg_l > 0 ? fmt_num(s.detection_limit_mg_l) : "",
                         r.model_mg_l, res, std::abs(res) <= std::log10(2.0) * (1 + 1e-12) ? "true" : "false");
    all.pairs.push_back(p);
    per_species[static_cast<std::size_t>(o.species)].pairs.push_back(p);
    per_station[{s.station_id, o.species}].emplace_back(s.day, p);
  }
  // Samples not placed: unknown species, unsnapped stations.
  std::map<std::string, std::size_t> station_index;
  for (std::size_t k = 0; k < placed.stations.size(); ++k) station_index.emplace(placed.stations[k].id, k);
  std::vector<bool> placed_sample(samples.samples.size(), false);
  for (const auto& o : placed.observations) placed_sample[o.sample] = true;
  for (std::size_t k = 0; k < samples.samples.size(); ++k) {
    if (placed_sample[k]) continue;
    const auto& s = samples.samples[k];
    const auto& sn = placed.snaps[station_index.at(s.station_id)];
    const bool known = !placed.unknown_species.count(s.species);
    ++n_unpaired;
    unpaired += fmt::format("{},{},{},{},{}\n", csv_text(s.station_id), csv_text(s.species), iso_time(s.day), s.line,
                            csv_text(!known ? "species not in the scenario" : "station not snapped: " + sn.reason));
  }
  std::string unsnapped = "station_id,lon,lat,reason\n";
  for (const auto& u : placed.unsnapped)
    unsnapped += fmt::format("{},{:.8f},{:.8f},{}\n", csv_text(u.id), u.lon, u.lat, csv_text(u.reason));

  // Metrics.
  json j;
  j["settings"] = {{"scenario", q.scenario}, {"samples", q.samples}, {"run", run_dir}, {"netcdf", nc_path},
                   {"snap_distance_m", q.snap_distance_m}, {"area_tolerance", q.area_tolerance}, {"window_days", q.window_days}};
  j["censored_policy"] =
      "log metrics: a censored pair whose model value is <= the detection limit counts as residual 0, otherwise "
      "log10(model/detection limit); Spearman, NSE and KGE use detection limit / 2 for censored observations; guideline "
      "table: censored with detection limit <= guideline counts as below, otherwise unclassified";
  j["model_floor_mg_l"] = val::kModelFloorMgL;
  j["model_floor_policy"] = fmt::format("model values <= {:g} mg/L are floored at {:g} mg/L in log metrics", val::kModelFloorMgL, val::kModelFloorMgL);
  j["residual"] = "log10(model / observed): positive when the model is higher";
  j["kge_variant"] = "Gupta et al. (2009): 1 - sqrt((r-1)^2 + (alpha-1)^2 + (beta-1)^2), alpha = sd_sim/sd_obs, beta = mean_sim/mean_obs";
  j["counts"] = {{"samples", samples.samples.size()}, {"paired", all.pairs.size()}, {"unpaired", n_unpaired},
                 {"stations", placed.stations.size()}, {"unsnapped_stations", placed.unsnapped.size()},
                 {"samples_at_unsnapped_stations", placed.samples_of_unsnapped}};
  json unknown = json::object();
  for (const auto& [name, n] : placed.unknown_species) unknown[name] = n;
  j["counts"]["unknown_species"] = unknown;
  val::Confusion total;
  bool any_guideline = false;
  json per = json::object();
  for (std::size_t s = 0; s < species.size(); ++s) {
    Group& gs = per_species[s];
    if (gs.pairs.empty()) continue;
    const double gl = species[s].guideline_mg_l;
    if (gl > 0) {
      gs.has_guideline = any_guideline = true;
      gs.confusion = val::guideline_confusion(gs.pairs, gl);
      total.both_above += gs.confusion.both_above, total.observed_only += gs.confusion.observed_only;
      total.model_only += gs.confusion.model_only, total.both_below += gs.confusion.both_below;
      total.unclassified += gs.confusion.unclassified;
    }
    per[species[s].name] = group_json(gs, gl);
  }
  all.has_guideline = false;
  j["overall"] = group_json(all, 0);
  if (any_guideline) {
    j["overall"]["guideline_confusion"] = confusion_json(total, std::nan(""));
    j["overall"]["guideline_confusion"].erase("guideline_mg_l");
  }
  j["species"] = per;
  json stations = json::array();
  for (auto& [key, v] : per_station) {
    if (v.size() < 3) continue;
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<double> o, s;
    for (const auto& [day, p] : v) o.push_back(val::substituted_observation(p)), s.push_back(p.model_mg_l);
    stations.push_back({{"station_id", key.first}, {"species", species[static_cast<std::size_t>(key.second)].name},
                        {"n", v.size()}, {"nse", val::nse(o, s)}, {"kge", val::kge(o, s)}});
  }
  j["stations"] = stations;

  std::string csv = "scope,n,bias_log10,rmse_log10,within_factor_2,within_factor_10,spearman,hit_rate\n";
  const auto csv_row = [&](const std::string& scope, const json& m) {
    const auto num = [&](const char* k) { return m.contains(k) && m[k].is_number() ? fmt_num(m[k].get<double>()) : std::string(); };
    const std::string hit = m.contains("guideline_confusion") && m["guideline_confusion"]["hit_rate"].is_number()
                                ? fmt_num(m["guideline_confusion"]["hit_rate"].get<double>()) : "";
    csv += fmt::format("{},{},{},{},{},{},{},{}\n", csv_text(scope), m["n"].get<std::size_t>(), num("bias_log10"), num("rmse_log10"),
                       num("within_factor_2"), num("within_factor_10"), num("spearman"), hit);
  };
  csv_row("all", j["overall"]);
  for (const auto& [name, m] : per.items()) csv_row(name, m);

  write_file(dir / "pairs.csv", pairs);
  write_file(dir / "unpaired.csv", unpaired);
  write_file(dir / "unsnapped.csv", unsnapped);
  write_file(dir / "metrics.json", j.dump(2) + "\n");
  write_file(dir / "metrics.csv", csv);

  // Printed table and warnings.
  for (const auto& u : placed.unsnapped)
    std::fprintf(stderr, "leachflow: warning: station %s not snapped (%s); listed in %s\n", u.id.c_str(), u.reason.c_str(),
                 (dir / "unsnapped.csv").string().c_str());
  for (const auto& [name, n] : placed.unknown_species)
    std::fprintf(stderr, "leachflow: warning: %zu sample(s) of species '%s', which the scenario does not carry, skipped\n", n, name.c_str());
  fmt::print("validation: {} samples, {} paired, {} unpaired (unpaired.csv), {} station(s) unsnapped (unsnapped.csv)\n",
             samples.samples.size(), all.pairs.size(), n_unpaired, placed.unsnapped.size());
  fmt::print("  {:<12} {:>5} {:>10} {:>10} {:>8} {:>8} {:>8}\n", "species", "n", "bias_log10", "rmse_log10", "within2", "within10", "spearman");
  const auto line = [](const std::string& name, const json& m) {
    const auto v = [&](const char* k) { return m[k].is_number() ? fmt::format("{:.3f}", m[k].get<double>()) : std::string("-"); };
    fmt::print("  {:<12} {:>5} {:>10} {:>10} {:>8} {:>8} {:>8}\n", name, m["n"].get<std::size_t>(), v("bias_log10"), v("rmse_log10"),
               v("within_factor_2"), v("within_factor_10"), v("spearman"));
  };
  line("all", j["overall"]);
  for (const auto& [name, m] : per.items()) line(name, m);

  // Plots.
  const fs::path script = fs::path(LEACHFLOW_SOURCE_DIR) / "scripts" / "validation_plots.py";
  if (!fs::exists(script) || !fs::exists("/usr/bin/python3")) {
    std::fprintf(stderr, "leachflow: warning: no plots: %s or /usr/bin/python3 is missing\n", script.string().c_str());
  } else {
    const std::string log = (dir / "plots.log").string();
    const std::string cmd = fmt::format("/usr/bin/python3 '{}' --dir '{}' > '{}' 2>&1", script.string(), dir.string(), log);
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "leachflow: warning: the plots failed; see %s\n", log.c_str());
  }
  fmt::print("wrote {}\n", dir.string());
  return 0;
}

}  // namespace

void register_validate_command(CLI::App& app, Action& action) {
  auto q = std::make_shared<ValidateRequest>();
  CLI::App* c = app.add_subcommand(
      "validate", "Compare the scenario's model with measured concentrations: pairs.csv, metrics.json/.csv (bias and RMSE "
                  "of log10 ratios, within factor 2/10, Spearman, guideline agreement, NSE/KGE per station) and plots");
  c->add_option("SCENARIO", q->scenario, "scenario TOML file")->required();
  c->add_option("SAMPLES", q->samples, "samples CSV: station_id, lon, lat, time, species, value, unit [, censored, "
                                       "detection_limit, upstream_area_km2]")->required();
  c->add_option("-o,--out", q->out_dir, "output folder")->required();
  c->add_option("--run", q->run_dir, "use this finished run folder instead of running the scenario into DIR/run");
  c->add_option("--snap-distance", q->snap_distance_m, "metres a station may move to reach a stream cell (default 500)");
  c->add_option("--area-tolerance", q->area_tolerance,
                "accepted upstream area ratio when the samples give upstream_area_km2: 1 ± this (default 0.5)");
  c->add_option("--window-days", q->window_days, "model outputs within ± half this of a sample are averaged (default 1)");
  c->add_flag("--overwrite", q->overwrite, "replace existing outputs");
  c->callback([q, &action] {
    q->command_line = "leachflow validate " + q->scenario + " " + q->samples + " -o " + q->out_dir;
    action = [q] { return run_validate(*q); };
  });
}

}  // namespace leachflow::app
