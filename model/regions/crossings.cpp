// Border crossings on host arrays (see crossings.hpp).
//
// One pass over the cells finds the crossings. Then each crossing gets the first crossing on
// the flow path below its receiver ("next"), found by walking down the D8 directions with the
// end of every walked cell remembered, so each cell is walked once whatever the number of
// crossings upstream of it. A member is final when the chain of next crossings below it holds
// no member of its own group.
#include "model/regions/crossings.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>

#include "kernels/grid_view.hpp"

namespace leachflow::model::regions {

namespace {

constexpr std::uint8_t no_direction = 0xFF;

void check_size(std::size_t size, index_t cells, const char* what) {
  if (static_cast<index_t>(size) != cells)
    throw std::invalid_argument(std::string("find_crossings: ") + what + " has " + std::to_string(size) +
                                " values for " + std::to_string(cells) + " cells");
}

}  // namespace

Crossings find_crossings(index_t rows, index_t cols, std::span<const std::uint8_t> d8_direction,
                         std::span<const std::int32_t> region, std::span<const std::uint8_t> stream,
                         std::span<const std::int64_t> basin, std::span<const double> area_m2) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("find_crossings: negative grid size");
  const index_t cells = rows * cols;
  check_size(d8_direction.size(), cells, "d8_direction");
  check_size(region.size(), cells, "region");
  check_size(stream.size(), cells, "stream");
  check_size(basin.size(), cells, "basin");
  check_size(area_m2.size(), cells, "area_m2");

  const auto at = [](index_t i) { return static_cast<std::size_t>(i); };
  // The D8 receiver of i, or -1 when i has no direction or points off the grid.
  const auto receiver_of = [&](index_t i) -> index_t {
    const std::uint8_t d = d8_direction[at(i)];
    if (d == no_direction) return -1;
    if (d > 7)
      throw std::invalid_argument("find_crossings: cell " + std::to_string(i) + " has D8 direction " +
                                  std::to_string(d) + " (expected 0..7 or 0xFF)");
    const index_t r = i / cols + kernels::d8_drow[d];
    const index_t c = i % cols + kernels::d8_dcol[d];
    return (r >= 0 && r < rows && c >= 0 && c < cols) ? r * cols + c : -1;
  };

  Crossings out;
  std::unordered_map<index_t, std::size_t> crossing_at;   // cell → crossing
  for (index_t i = 0; i < cells; ++i) {
    if (stream[at(i)] == 0 || region[at(i)] < 0) continue;
    const index_t j = receiver_of(i);
    if (j < 0 || region[at(j)] < 0 || region[at(j)] == region[at(i)]) continue;
    crossing_at.emplace(i, out.crossings.size());
    out.crossings.push_back({i, j, region[at(i)], region[at(j)], basin[at(i)], area_m2[at(i)], false});
  }
  const std::size_t n = out.crossings.size();

  // Groups: same basin, same from → to; members ascending.
  std::map<std::tuple<std::int64_t, std::int32_t, std::int32_t>, std::size_t> group_of_key;
  std::vector<std::size_t> group_of(n);
  std::vector<CrossingGroup> groups;
  for (std::size_t k = 0; k < n; ++k) {
    const Crossing& c = out.crossings[k];
    const auto [it, inserted] = group_of_key.emplace(std::make_tuple(c.basin, c.from, c.to), groups.size());
    if (inserted) {
      CrossingGroup g;
      g.from = c.from;
      g.to = c.to;
      g.basin = c.basin;
      g.main = k;
      groups.push_back(std::move(g));
    }
    CrossingGroup& g = groups[it->second];
    g.members.push_back(k);
    if (c.area_m2 > out.crossings[g.main].area_m2) g.main = k;   // ties keep the smaller cell index
    group_of[k] = it->second;
  }

  // next[k]: the first crossing on the path from k's receiver down (k's receiver included), or
  // n when there is none. end_below[cell] remembers it for every walked cell (kInProgress while
  // the walk that reached the cell is still going: meeting it again means a loop).
  constexpr std::size_t kInProgress = static_cast<std::size_t>(-1);
  std::unordered_map<index_t, std::size_t> end_below;
  std::vector<std::size_t> next(n, n);
  std::vector<index_t> path;
  for (std::size_t k = 0; k < n; ++k) {
    path.clear();
    std::size_t found = n;
    for (index_t c = out.crossings[k].receiver; c >= 0; c = receiver_of(c)) {
      if (const auto it = crossing_at.find(c); it != crossing_at.end()) {
        found = it->second;
        break;
      }
      if (const auto it = end_below.find(c); it != end_below.end()) {
        if (it->second == kInProgress)
          throw std::invalid_argument("find_crossings: the flow path through cell " + std::to_string(c) + " loops");
        found = it->second;
        break;
      }
      end_below.emplace(c, kInProgress);
      path.push_back(c);
    }
    for (const index_t c : path) end_below[c] = found;
    next[k] = found;
  }

  for (CrossingGroup& g : groups) {
    for (const std::size_t k : g.members) {
      bool final = true;
      std::size_t steps = 0;
      for (std::size_t m = next[k]; m != n; m = next[m]) {
        if (group_of[m] == group_of[k]) {
          final = false;
          break;
        }
        if (++steps > n) throw std::invalid_argument("find_crossings: the flow path below cell " +
                                                     std::to_string(out.crossings[k].cell) + " loops");
      }
      out.crossings[k].final = final;
      if (final) g.finals.push_back(k);
    }
  }

  std::sort(groups.begin(), groups.end(), [&](const CrossingGroup& a, const CrossingGroup& b) {
    const Crossing& ma = out.crossings[a.main];
    const Crossing& mb = out.crossings[b.main];
    if (ma.area_m2 != mb.area_m2) return ma.area_m2 > mb.area_m2;
    return ma.cell < mb.cell;
  });
  out.groups = std::move(groups);
  return out;
}

}  // namespace leachflow::model::regions
