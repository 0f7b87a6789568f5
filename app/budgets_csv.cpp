#include "app/budgets_csv.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "app/csv_text.hpp"
#include "kernels/exec/memory.hpp"
#include "model/regions/budgets.hpp"

namespace leachflow::app {

std::size_t write_budgets_csv(const std::string& path, const model::Grid& grid, const model::terrain::FlowGraph& graph,
                              const model::transport::TransportModel& model, const std::vector<int>& species,
                              const io::Regions* regions, const BasinLabels& basins) {
  const auto n = static_cast<std::size_t>(grid.cells());
  const std::vector<std::uint8_t> masks = graph.receiver_masks();
  const std::vector<float> weights = graph.weights();
  std::vector<std::int64_t> region_zone;
  if (regions) region_zone.assign(regions->id.begin(), regions->id.end());

  const std::string tmp = path + ".part";
  std::size_t rows = 0;
  {
    std::ofstream f(tmp);
    f << "kind,id,name,species,cells,load_in_kg,inflow_kg,load_out_kg,left_domain_kg,reacted_kg,stored_change_kg,"
         "imbalance_kg\n";
    for (int s : species) {
      const std::vector<double> sent = exec::to_host(model.sent_g(s));
      const std::vector<double> reacted = exec::to_host(model.reacted_g(s));
      const std::vector<double> initial = exec::to_host(model.initial_mass_g(s));
      const std::vector<double> final_mass = exec::to_host(model.mass_g(s));
      const auto first = model.cell_source_kg().begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(s) * n);
      const std::vector<double> source(first, first + static_cast<std::ptrdiff_t>(n));
      const model::regions::CellBudgets cb{grid.valid, masks, weights, sent, reacted, initial, final_mass, source};
      const std::string& name = model.species()[static_cast<std::size_t>(s)].name;
      const auto row = [&](const char* kind, const model::regions::ZoneBudget& b, const std::string& zone_name) {
        f << fmt::format("{},{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.3g}\n", kind, b.zone,
                         csv_text(zone_name), name, b.cells, b.load_in_kg, b.inflow_kg, b.outflow_kg, b.left_domain_kg,
                         b.reacted_kg, b.stored_change_kg, b.imbalance_kg());
        ++rows;
      };
      if (regions) {
        // Regions the species never reached (all terms zero) are left out.
        for (const auto& b : model::regions::zone_budgets(grid.rows, grid.cols, region_zone, cb))
          if (b.load_in_kg != 0 || b.inflow_kg != 0 || b.stored_change_kg != 0)
            row("region", b, regions->names.at(static_cast<std::size_t>(b.zone)));
      }
      // Basins: only those that received a load (a DEM has thousands of edge basins).
      for (const auto& b : model::regions::zone_budgets(grid.rows, grid.cols, basins.id, cb)) {
        if (!(b.load_in_kg > 0.0)) continue;
        const auto [lon, lat] = basins.outlet_lonlat.at(static_cast<std::size_t>(b.zone));
        row("basin", b, fmt::format("basin {} (outlet {:.3f} E, {:.3f} N)", b.zone, lon, lat));
      }
    }
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
  return rows;
}

}  // namespace leachflow::app
