// Hybrid depression breaching after Lindsay 2016, "Efficient hybrid breaching-filling sink
// removal methods for flow path enforcement in digital elevation models" (Hydrol. Process.).
//
// Serial, on the host (the parallel path of this module is fill + flats; see condition.hpp).
// Cells are visited in Priority-Flood order (Barnes, Lehman & Mulla 2014) from the outlets,
// each remembering the cell that reached it (back-link). When a cell n is reached from c and
// lies below c's current elevation, the back-link path from c towards the outlet is carved
// down to z(n) until it meets a cell at or below z(n). If that carve would lower some cell by
// more than max_breach_depth_m, or lower more than max_breach_length_cells cells, n is filled
// up to c instead (the hybrid). Ties in the queue break by cell index (deterministic).
//
// Invariants the tests check: every processed cell has a non-increasing back-link path to an
// outlet (so after flat resolution everything drains); a raised cell never exceeds its
// Priority-Flood fill level (it is raised to the current level of the cell that reached it,
// which is at most that cell's fill level); NoData cells are copied unchanged.
#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/condition_common.hpp"
#include "model/terrain/condition.hpp"

namespace leachflow::model::terrain {

BreachStats breach_depressions(const kernels::grid_view& g, exec::device_span<const float> z_in,
                               exec::device_span<float> z_out, const ConditionOptions& options) {
  namespace kt = kernels::terrain;
  BreachStats st;
  const index_t n = g.cells();
  if (n == 0) return st;
  const std::vector<float> z0 = exec::to_host(z_in);
  const std::vector<std::uint8_t> valid = exec::to_host(g.valid);
  std::vector<float> z = z0;
  std::vector<std::int64_t> back(static_cast<std::size_t>(n), -1);
  std::vector<std::uint8_t> seen(static_cast<std::size_t>(n), 0);

  const auto is_valid = [&](index_t r, index_t c) {
    return r >= 0 && r < g.rows && c >= 0 && c < g.cols && valid[static_cast<std::size_t>(r * g.cols + c)] != 0;
  };
  using item = std::pair<float, std::int64_t>;  // (Priority-Flood level, cell)
  std::priority_queue<item, std::vector<item>, std::greater<item>> open;
  for (index_t i = 0; i < n; ++i) {
    if (valid[i] == 0) continue;
    const index_t r = i / g.cols, c = i % g.cols;
    bool outlet = r == 0 || c == 0 || r + 1 == g.rows || c + 1 == g.cols;
    for (int d = 0; d < 8 && !outlet; ++d) outlet = !is_valid(r + kt::d8_row_step(d), c + kt::d8_col_step(d));
    if (outlet) {
      seen[i] = 1;
      open.emplace(z0[i], i);
    }
  }
  while (!open.empty()) {
    const auto [lvl, c] = open.top();
    open.pop();
    const index_t r = c / g.cols, col = c % g.cols;
    for (int d = 0; d < 8; ++d) {
      const index_t rr = r + kt::d8_row_step(d), cc = col + kt::d8_col_step(d);
      if (!is_valid(rr, cc)) continue;
      const index_t m = rr * g.cols + cc;
      if (seen[m]) continue;
      seen[m] = 1;
      back[m] = c;
      if (z[m] < z[c]) {
        // Measure the carve: cells on the back-link path above z[m].
        index_t length = 0;
        float depth = 0.0f;
        for (index_t p = c; p >= 0 && z[p] > z[m]; p = back[p]) {
          ++length;
          if (z[p] - z[m] > depth) depth = z[p] - z[m];
        }
        if (depth <= options.max_breach_depth_m && length <= options.max_breach_length_cells) {
          for (index_t p = c; p >= 0 && z[p] > z[m]; p = back[p]) z[p] = z[m];
        } else {
          z[m] = z[c];
        }
      }
      open.emplace(z0[m] > lvl ? z0[m] : lvl, m);
    }
  }
  for (index_t i = 0; i < n; ++i) {
    if (valid[i] == 0) continue;
    if (z[i] > z0[i]) ++st.cells_raised;
    if (z[i] < z0[i]) ++st.cells_carved;
  }
  exec::copy(std::span<const float>(z), z_out);
  return st;
}

}  // namespace leachflow::model::terrain
