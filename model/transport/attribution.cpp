// Source attribution (model/transport/attribution.hpp): batched steady_concentration_mg_l runs
// with one column per source, and a gather of the point fluxes on the device.
#include "model/transport/attribution.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "kernels/exec/exec.hpp"
#include "model/transport/source_schedule.hpp"

namespace leachflow::model::transport {

namespace {

// flux[c·points + p] = C[c·cells + cell_p]·max(Q_p, Q_min)·86.4, kg/day, over index c·points + p.
struct gather_point_flux {
  exec::device_span<const double> concentration_mg_l;  // [column][cell]
  exec::device_span<const double> discharge_m3s;       // per cell
  exec::device_span<const index_t> point_cell;
  exec::device_span<double> flux_kg_day;               // [column][point]
  index_t cells = 0;
  index_t points = 0;
  double min_discharge_m3s = 0.0;
  LF_HD void operator()(index_t k) const {
    const index_t c = k / points, p = k - c * points;
    const index_t i = point_cell[p];
    const double x = discharge_m3s[i];
    const double q = x > min_discharge_m3s ? x : min_discharge_m3s;
    flux_kg_day[k] = concentration_mg_l[c * cells + i] * q * 86.4;
  }
};

}  // namespace

AttributionResult attribute_sources(const terrain::FlowGraph& graph, const hydraulics::ChannelState& channel,
                                    const std::vector<Species>& species, int species_index, const Sources& sources,
                                    std::span<const index_t> points, double model_day,
                                    const std::map<std::string, std::string>& group, double min_discharge_m3s,
                                    int max_columns) {
  const index_t cells = graph.cells();
  if (species_index < 0 || species_index >= static_cast<int>(species.size()))
    throw std::invalid_argument("attribution: species index " + std::to_string(species_index) + " is out of range (" +
                                std::to_string(species.size()) + " species)");
  if (max_columns < 1) throw std::invalid_argument("attribution: max_columns must be at least 1");
  if (!(min_discharge_m3s > 0.0)) throw std::invalid_argument("attribution: the minimum discharge must be positive");
  for (const index_t cell : points) {
    if (cell < 0 || cell >= cells)
      throw std::invalid_argument("attribution: point cell " + std::to_string(cell) + " is outside the grid (" +
                                  std::to_string(cells) + " cells)");
    if (exec::read_one(graph.grid().valid, cell) == 0)
      throw std::invalid_argument("attribution: point cell " + std::to_string(cell) + " is on NoData");
  }
  validate_sources(sources, cells, static_cast<int>(species.size()));

  AttributionResult r;
  r.species = species_index;
  r.points.assign(points.begin(), points.end());

  // Sources in order of first appearance; the source index of every load.
  std::unordered_map<std::string, std::size_t> index_of;
  std::vector<std::size_t> source_of(sources.loads.size());
  for (std::size_t k = 0; k < sources.loads.size(); ++k) {
    const std::string& pit = sources.loads[k].pit_id;
    const auto g = group.find(pit);
    const std::string& name = g == group.end() ? pit : g->second;
    const auto [it, inserted] = index_of.emplace(name, r.sources.size());
    if (inserted) r.sources.push_back(name);
    source_of[k] = it->second;
  }
  const std::size_t ns = r.sources.size(), np = points.size();
  r.load_kg_day.assign(ns, 0.0);
  r.flux_kg_day.assign(ns, std::vector<double>(np, 0.0));
  r.transmission.assign(ns, std::vector<double>(np, 0.0));
  r.share.assign(ns, std::vector<double>(np, 0.0));

  // The loads that count (this species, active at model_day), grouped by source.
  std::vector<std::vector<const PointLoad*>> active(ns);
  for (std::size_t k = 0; k < sources.loads.size(); ++k) {
    const PointLoad& l = sources.loads[k];
    if (l.species != species_index || !(l.start_day <= model_day && model_day < l.end_day)) continue;
    active[source_of[k]].push_back(&l);
    r.load_kg_day[source_of[k]] += l.load_kg_day;
  }
  std::vector<std::size_t> columns;  // sources with a positive load
  for (std::size_t s = 0; s < ns; ++s)
    if (r.load_kg_day[s] > 0.0) columns.push_back(s);

  if (np > 0 && !columns.empty()) {
    const exec::device_buffer<index_t> point_cell = exec::to_device(std::vector<index_t>(points.begin(), points.end()));
    const auto batch_max = static_cast<std::size_t>(max_columns);
    for (std::size_t first = 0; first < columns.size(); first += batch_max) {
      const std::size_t m = std::min(batch_max, columns.size() - first);
      const std::vector<Species> batch_species(m, species[static_cast<std::size_t>(species_index)]);
      Sources batch;
      for (std::size_t c = 0; c < m; ++c)
        for (const PointLoad* l : active[columns[first + c]]) {
          batch.loads.push_back(*l);
          batch.loads.back().species = static_cast<int>(c);
        }
      const exec::device_buffer<double> conc =
          steady_concentration_mg_l(graph, channel, batch_species, batch, model_day, min_discharge_m3s);
      const auto n = static_cast<index_t>(m * np);
      exec::device_buffer<double> flux(n);
      exec::for_each_index(n, gather_point_flux{conc.span(), channel.discharge_m3s.span(), point_cell.span(),
                                                flux.span(), cells, static_cast<index_t>(np), min_discharge_m3s});
      const std::vector<double> host = exec::to_host(flux);
      for (std::size_t c = 0; c < m; ++c) {
        const std::size_t s = columns[first + c];
        for (std::size_t p = 0; p < np; ++p) {
          const double f = host[c * np + p];
          r.flux_kg_day[s][p] = f;
          r.transmission[s][p] = std::min(1.0, f / r.load_kg_day[s]);  // ≤ 1 against rounding
        }
      }
    }
  }

  // Shares: summed over sources in their fixed order, so independent of the batch size.
  for (std::size_t p = 0; p < np; ++p) {
    double total = 0.0;
    for (std::size_t s = 0; s < ns; ++s) total += r.flux_kg_day[s][p];
    if (total > 0.0)
      for (std::size_t s = 0; s < ns; ++s) r.share[s][p] = r.flux_kg_day[s][p] / total;
  }
  return r;
}

}  // namespace leachflow::model::transport
