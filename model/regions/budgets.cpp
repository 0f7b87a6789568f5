#include "model/regions/budgets.hpp"

#include <map>
#include <stdexcept>

namespace leachflow::model::regions {

namespace {

// kernels/grid_view.hpp order: 0=E, 1=SE, 2=S, 3=SW, 4=W, 5=NW, 6=N, 7=NE.
constexpr int dr[8] = {0, 1, 1, 1, 0, -1, -1, -1};
constexpr int dc[8] = {1, 1, 0, -1, -1, -1, 0, 1};

}  // namespace

std::vector<ZoneBudget> zone_budgets(index_t rows, index_t cols, std::span<const std::int64_t> zone,
                                     const CellBudgets& b) {
  const auto n = static_cast<std::size_t>(rows * cols);
  for (const std::size_t size : {zone.size(), b.valid.size(), b.receiver_mask.size(), b.sent_g.size(), b.reacted_g.size(),
                                 b.initial_mass_g.size(), b.final_mass_g.size(), b.source_kg.size()})
    if (size != n) throw std::invalid_argument("zone budgets: a per-cell array does not have rows × cols values");
  if (b.weights.size() != 8 * n) throw std::invalid_argument("zone budgets: weights need 8 values per cell");

  std::map<std::int64_t, ZoneBudget> by_zone;
  const auto budget_of = [&](std::int64_t z) -> ZoneBudget& {
    ZoneBudget& zb = by_zone[z];
    zb.zone = z;
    return zb;
  };
  for (index_t r = 0; r < rows; ++r) {
    for (index_t c = 0; c < cols; ++c) {
      const auto i = static_cast<std::size_t>(r * cols + c);
      if (!b.valid[i]) continue;
      const std::int64_t z = zone[i];
      const double sent_kg = b.sent_g[i] * 1e-3;
      if (z >= 0) {
        ZoneBudget& zb = budget_of(z);
        ++zb.cells;
        zb.load_in_kg += b.source_kg[i];
        zb.reacted_kg += b.reacted_g[i] * 1e-3;
        zb.stored_change_kg += (b.final_mass_g[i] - b.initial_mass_g[i]) * 1e-3;
      }
      if (sent_kg == 0.0) continue;
      const std::uint8_t mask = b.receiver_mask[i];
      if (mask == 0) {  // a sink: what reaches it leaves the domain
        if (z >= 0) {
          ZoneBudget& zb = budget_of(z);
          zb.outflow_kg += sent_kg;
          zb.left_domain_kg += sent_kg;
        }
        continue;
      }
      for (int d = 0; d < 8; ++d) {
        if (!(mask & (1u << d))) continue;
        const double part = sent_kg * static_cast<double>(b.weights[i * 8 + static_cast<std::size_t>(d)]);
        const index_t rr = r + dr[d], cc = c + dc[d];
        const bool on_grid = rr >= 0 && rr < rows && cc >= 0 && cc < cols;
        const std::size_t j = on_grid ? static_cast<std::size_t>(rr * cols + cc) : 0;
        if (!on_grid || !b.valid[j]) {
          if (z >= 0) {
            ZoneBudget& zb = budget_of(z);
            zb.outflow_kg += part;
            zb.left_domain_kg += part;
          }
          continue;
        }
        const std::int64_t zj = zone[j];
        if (zj == z) continue;
        if (z >= 0) budget_of(z).outflow_kg += part;
        if (zj >= 0) budget_of(zj).inflow_kg += part;
      }
    }
  }
  std::vector<ZoneBudget> out;
  for (auto& [z, zb] : by_zone)
    if (zb.cells > 0) out.push_back(zb);
  return out;
}

}  // namespace leachflow::model::regions
