// Samples → observations → pairs: see validate_pairs.hpp.
#include "app/validate_pairs.hpp"

#include <algorithm>
#include <cctype>

#include "io/netcdf_reader.hpp"
#include "model/validation/pairing.hpp"

namespace leachflow::app {

namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

PlacedSamples place_samples(const io::SampleTable& table, const model::Grid& grid,
                            const model::transport::StreamCells& streams, const std::vector<std::string>& species,
                            double run_start_day, const model::validation::StationSnapOptions& snap) {
  PlacedSamples out;
  std::map<std::string, std::size_t> station_of;
  std::vector<std::size_t> sample_station(table.samples.size());
  for (std::size_t k = 0; k < table.samples.size(); ++k) {
    const auto& s = table.samples[k];
    auto [it, fresh] = station_of.emplace(s.station_id, out.stations.size());
    if (fresh) {
      model::validation::Station st;
      st.id = s.station_id;
      st.lon = st.x = s.lon;
      st.lat = st.y = s.lat;
      st.upstream_area_km2 = s.upstream_area_km2;
      out.stations.push_back(st);
    }
    sample_station[k] = it->second;
  }
  std::vector<double> x, y;
  for (const auto& st : out.stations) x.push_back(st.lon), y.push_back(st.lat);
  if (grid.geographic && grid.crs_wkt.empty()) {
    // lon/lat grid without WKT: coordinates are already lon/lat
  } else {
    io::from_lonlat(grid.crs_wkt, x, y);
  }
  for (std::size_t k = 0; k < out.stations.size(); ++k) out.stations[k].x = x[k], out.stations[k].y = y[k];
  out.snaps = model::validation::snap_stations(grid, streams, out.stations, snap);
  for (std::size_t k = 0; k < out.stations.size(); ++k)
    if (out.snaps[k].cell < 0) out.unsnapped.push_back({out.stations[k].id, out.stations[k].lon, out.stations[k].lat, out.snaps[k].reason});

  std::map<std::string, int> species_index;
  for (std::size_t s = 0; s < species.size(); ++s) species_index.emplace(lower(species[s]), static_cast<int>(s));
  for (std::size_t k = 0; k < table.samples.size(); ++k) {
    const auto& s = table.samples[k];
    const auto sp = species_index.find(lower(s.species));
    if (sp == species_index.end()) {
      ++out.unknown_species[s.species];
      continue;
    }
    const auto& sn = out.snaps[sample_station[k]];
    if (sn.cell < 0) {
      ++out.samples_of_unsnapped;
      continue;
    }
    model::validation::Observation o;
    o.sample = k;
    o.cell = sn.cell;
    o.species = sp->second;
    o.model_day = s.day - run_start_day;
    o.value_mg_l = s.value_mg_l;
    o.censored = s.censored;
    o.detection_limit_mg_l = s.detection_limit_mg_l;
    out.observations.push_back(o);
  }
  return out;
}

std::vector<PairRow> pair_with_run(const PlacedSamples& placed, const io::SampleTable& table, const io::NetcdfReader& nc,
                                   const std::vector<std::string>& field_names, double window_days) {
  std::map<std::pair<exec::index_t, int>, std::vector<double>> series;  // (cell, species) → series
  const auto cols = nc.grid().cols;
  std::vector<PairRow> rows;
  for (std::size_t k = 0; k < placed.observations.size(); ++k) {
    const auto& o = placed.observations[k];
    PairRow r;
    r.observation = k;
    const std::string& var = field_names[static_cast<std::size_t>(o.species)];
    if (var.empty()) {
      r.reason = "the run did not write this species ([output] species)";
      rows.push_back(r);
      continue;
    }
    auto it = series.find({o.cell, o.species});
    if (it == series.end()) it = series.emplace(std::pair{o.cell, o.species}, nc.read_cell_series(var, o.cell / cols, o.cell % cols)).first;
    const auto v = model::validation::model_value_at(nc.times_day(), it->second, table.samples[o.sample].day, window_days);
    r.paired = v.paired;
    r.model_mg_l = v.model_mg_l;
    r.reason = v.reason;
    rows.push_back(r);
  }
  return rows;
}

}  // namespace leachflow::app
