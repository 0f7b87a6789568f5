#include "model/regions/proximity.hpp"

#include <limits>
#include <stdexcept>

#include "model/transport/pits.hpp"

namespace leachflow::model::regions {

std::vector<std::uint8_t> cells_within(const Grid& grid, std::span<const std::uint8_t> marked, double distance_m) {
  const index_t rows = grid.rows, cols = grid.cols;
  const auto n = static_cast<std::size_t>(rows * cols);
  if (marked.size() != n) throw std::invalid_argument("cells_within: the marks need rows × cols values");
  if (!(distance_m >= 0.0)) throw std::invalid_argument("cells_within: the distance must be ≥ 0");
  std::vector<index_t> nearest(n, -1);
  std::vector<double> dist(n, std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < n; ++i)
    if (marked[i]) nearest[i] = static_cast<index_t>(i), dist[i] = 0.0;

  // Offer cell (r, c) the nearest marked cell of neighbour (r + dr, c + dc).
  const auto offer = [&](index_t r, index_t c, index_t dr, index_t dc) {
    const index_t rr = r + dr, cc = c + dc;
    if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) return;
    const index_t m = nearest[static_cast<std::size_t>(rr * cols + cc)];
    if (m < 0) return;
    const auto i = static_cast<std::size_t>(r * cols + c);
    if (nearest[i] == m) return;
    const double d = transport::grid_distance_m(grid, static_cast<double>(m / cols) + 0.5,
                                                static_cast<double>(m % cols) + 0.5, r, c);
    if (d < dist[i]) dist[i] = d, nearest[i] = m;
  };
  for (index_t r = 0; r < rows; ++r) {
    for (index_t c = 0; c < cols; ++c) {
      offer(r, c, -1, -1), offer(r, c, -1, 0), offer(r, c, -1, 1), offer(r, c, 0, -1);
    }
    for (index_t c = cols - 1; c >= 0; --c) offer(r, c, 0, 1);
  }
  for (index_t r = rows - 1; r >= 0; --r) {
    for (index_t c = cols - 1; c >= 0; --c) {
      offer(r, c, 1, 1), offer(r, c, 1, 0), offer(r, c, 1, -1), offer(r, c, 0, 1);
    }
    for (index_t c = 0; c < cols; ++c) offer(r, c, 0, -1);
  }
  std::vector<std::uint8_t> out(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = (grid.valid.empty() || grid.valid[i]) && dist[i] <= distance_m ? 1 : 0;
  return out;
}

}  // namespace leachflow::model::regions
