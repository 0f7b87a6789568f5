#include "app/crossing_series.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "app/csv_text.hpp"
#include "io/crs.hpp"

namespace leachflow::app {

CrossingSeries::CrossingSeries(const model::Grid& grid, const io::Regions& regions, model::regions::Crossings crossings,
                               const std::vector<std::pair<double, double>>& basin_outlet_lonlat,
                               const std::vector<std::string>& species, io::NetcdfWriter& nc)
    : crossings_(std::move(crossings)), species_(species) {
  const std::size_t n = crossings_.groups.size();
  // The crossing's place: halfway between the main member's cell and its receiver.
  std::vector<double> x, y;
  for (const auto& g : crossings_.groups) {
    const auto& c = crossings_.crossings[g.main];
    x.push_back(0.5 * (grid.x(c.cell % grid.cols) + grid.x(c.receiver % grid.cols)));
    y.push_back(0.5 * (grid.y(c.cell / grid.cols) + grid.y(c.receiver / grid.cols)));
  }
  io::to_lonlat(grid.crs_wkt, x, y);
  lon_ = x, lat_ = y;
  for (std::size_t k = 0; k < n; ++k) {
    const auto& g = crossings_.groups[k];
    from_.push_back(regions.names[static_cast<std::size_t>(g.from)]);
    to_.push_back(regions.names[static_cast<std::size_t>(g.to)]);
    const auto [olon, olat] = basin_outlet_lonlat[static_cast<std::size_t>(g.basin)];
    basin_name_.push_back(fmt::format("basin {} (outlet {:.3f} E, {:.3f} N)", g.basin, olon, olat));
    labels_.push_back(fmt::format("{} -> {}, basin {}", from_.back(), to_.back(), g.basin));
    area_km2_.push_back(crossings_.crossings[g.main].area_m2 / 1e6);
  }
  nc.define_points({"crossing", labels_, lon_, lat_});
  q_series_ = nc.define_point_series(
      "crossing", {"crossing_discharge", "discharge across the border (sum over the river's final crossing links)", "m3 s-1",
                   "water_volume_transport_in_river_channel", ""});
  for (const auto& s : species_) {
    flux_series_.push_back(nc.define_point_series(
        "crossing", {"crossing_flux_" + s, s + " flux across the border", "kg d-1", "",
                     "advective flux Q*C summed over the river's final crossing links"}));
    conc_series_.push_back(nc.define_point_series(
        "crossing", {"crossing_concentration_" + s, s + " concentration at the border (flux / discharge)", "mg L-1", "", ""}));
  }
  q_sum_.assign(n, 0.0);
  flux_sum_.assign(species_.size(), std::vector<double>(n, 0.0));
  flux_peak_ = flux_sum_;
  conc_peak_ = flux_sum_;
  peak_time_.assign(species_.size(), std::vector<std::string>(n));
}

void CrossingSeries::record(std::size_t t, const std::string& date, const std::vector<std::vector<double>>& concentration,
                            const std::vector<double>& discharge, io::NetcdfWriter& nc) {
  const std::size_t n = crossings_.groups.size();
  std::vector<double> q(n, 0.0), flux(n), conc(n);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t m : crossings_.groups[k].finals)
      q[k] += discharge[static_cast<std::size_t>(crossings_.crossings[m].cell)];
  nc.write_point_series(q_series_, t, q);
  for (std::size_t k = 0; k < n; ++k) q_sum_[k] += q[k];
  for (std::size_t s = 0; s < species_.size(); ++s) {
    for (std::size_t k = 0; k < n; ++k) {
      double f = 0;
      for (std::size_t m : crossings_.groups[k].finals) {
        const auto cell = static_cast<std::size_t>(crossings_.crossings[m].cell);
        f += discharge[cell] * concentration[s][cell] * 86.4;  // g/s → kg/day
      }
      flux[k] = f;
      conc[k] = q[k] > 0 ? f / 86.4 / q[k] : 0.0;
      flux_sum_[s][k] += f;
      if (f > flux_peak_[s][k]) flux_peak_[s][k] = f;
      if (conc[k] > conc_peak_[s][k]) conc_peak_[s][k] = conc[k], peak_time_[s][k] = date;
    }
    nc.write_point_series(flux_series_[s], t, flux);
    nc.write_point_series(conc_series_[s], t, conc);
  }
  ++steps_;
}

std::vector<CrossingRow> CrossingSeries::rows() const {
  std::vector<CrossingRow> out;
  const double steps = static_cast<double>(std::max(1LL, steps_));
  for (std::size_t k = 0; k < crossings_.groups.size(); ++k)
    for (std::size_t s = 0; s < species_.size(); ++s) {
      CrossingRow r;
      r.id = k;
      r.from = from_[k], r.to = to_[k], r.river_basin = basin_name_[k], r.species = species_[s];
      r.lon = lon_[k], r.lat = lat_[k];
      r.mean_flux_kg_day = flux_sum_[s][k] / steps;
      r.peak_flux_kg_day = flux_peak_[s][k];
      r.peak_concentration = conc_peak_[s][k];
      r.peak_time = peak_time_[s][k];
      r.mean_discharge_m3s = q_sum_[k] / steps;
      r.area_km2 = area_km2_[k];
      r.links = crossings_.groups[k].members.size();
      out.push_back(r);
    }
  return out;
}

std::vector<exec::index_t> CrossingSeries::final_cells() const {
  std::vector<exec::index_t> cells;
  for (const auto& g : crossings_.groups)
    for (std::size_t m : g.finals) cells.push_back(crossings_.crossings[m].cell);
  std::sort(cells.begin(), cells.end());
  cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
  return cells;
}

void CrossingSeries::write_attribution_csv(const std::string& path,
                                           const std::vector<model::transport::AttributionResult>& results,
                                           const std::string& when) const {
  const std::string tmp = path + ".part";
  {
    std::ofstream f(tmp);
    f << "crossing_id,from_region,to_region,species,source,load_kg_day,flux_kg_day,transmission,share,steady_state_of\n";
    for (std::size_t s = 0; s < results.size() && s < species_.size(); ++s) {
      const auto& r = results[s];
      for (std::size_t k = 0; k < crossings_.groups.size(); ++k) {
        // The group's flux from each source: the sum over its finals.
        std::vector<double> flux(r.sources.size(), 0.0);
        double total = 0;
        for (std::size_t m : crossings_.groups[k].finals) {
          const auto it = std::lower_bound(r.points.begin(), r.points.end(), crossings_.crossings[m].cell);
          const std::size_t p = static_cast<std::size_t>(it - r.points.begin());
          for (std::size_t src = 0; src < r.sources.size(); ++src) flux[src] += r.flux_kg_day[src][p];
        }
        for (double x : flux) total += x;
        if (total <= 0) continue;
        for (std::size_t src = 0; src < r.sources.size(); ++src) {
          if (flux[src] <= 0) continue;
          const double load = r.load_kg_day[src];
          f << fmt::format("{},{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{}\n", k, csv_text(from_[k]), csv_text(to_[k]),
                           species_[s], csv_text(r.sources[src]), load, flux[src], load > 0 ? flux[src] / load : 0.0,
                           flux[src] / total, when);
        }
      }
    }
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

void CrossingSeries::write_csv(const std::string& path) const {
  const std::string tmp = path + ".part";
  {
    std::ofstream f(tmp);
    f << "crossing_id,from_region,to_region,lon,lat,river_basin,species,mean_flux_kg_day,peak_flux_kg_day,"
         "peak_concentration,unit,peak_date,mean_discharge_m3s,contributing_area_km2,crossing_links\n";
    for (const auto& r : rows())
      f << fmt::format("{},{},{},{:.5f},{:.5f},{},{},{:.6g},{:.6g},{:.6g},{},{},{:.6g},{:.6g},{}\n", r.id, csv_text(r.from),
                       csv_text(r.to), r.lon, r.lat, csv_text(r.river_basin), r.species, r.mean_flux_kg_day,
                       r.peak_flux_kg_day, r.peak_concentration, r.unit, r.peak_time, r.mean_discharge_m3s, r.area_km2,
                       r.links);
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace leachflow::app
