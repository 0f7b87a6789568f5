// Station snapping: see snap_stations.hpp.
#include "model/validation/snap_stations.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <cstdio>
#include <string>

namespace leachflow::model::validation {

namespace {

bool is_stream(const transport::StreamCells& s, std::size_t i) {
  return s.mask.empty() ? s.area_m2[i] >= s.threshold_m2 : s.mask[i] != 0;
}

// The stream cell within max_distance_m whose area is closest in log ratio to target_m2.
StationSnap closest_area(const Grid& g, const transport::StreamCells& streams, const Station& st, double max_distance_m,
                         double target_m2) {
  const double row_f = (st.y - g.geotransform[3]) / g.geotransform[5];
  const double col_f = (st.x - g.geotransform[0]) / g.geotransform[1];
  double min_h = std::numeric_limits<double>::infinity(), min_w = min_h;
  for (double h : g.cell_height_m) min_h = std::min(min_h, h);
  for (double w : g.cell_width_m) min_w = std::min(min_w, w);
  const auto reach_r = static_cast<index_t>(std::ceil(max_distance_m / min_h)) + 1;
  const auto reach_c = static_cast<index_t>(std::ceil(max_distance_m / min_w)) + 1;
  const auto r0 = static_cast<index_t>(std::floor(row_f)), c0 = static_cast<index_t>(std::floor(col_f));
  StationSnap best;
  double best_score = std::numeric_limits<double>::infinity();
  for (index_t r = std::max<index_t>(0, r0 - reach_r); r <= std::min(g.rows - 1, r0 + reach_r); ++r)
    for (index_t c = std::max<index_t>(0, c0 - reach_c); c <= std::min(g.cols - 1, c0 + reach_c); ++c) {
      const auto i = static_cast<std::size_t>(g.index(r, c));
      if (!g.valid.empty() && !g.valid[i]) continue;
      if (!is_stream(streams, i)) continue;
      const double d = transport::grid_distance_m(g, row_f, col_f, r, c);
      if (d > max_distance_m) continue;
      const double score = std::abs(std::log(streams.area_m2[i] / target_m2));
      if (score < best_score - 1e-12 || (score <= best_score + 1e-12 && d < best.distance_m)) {
        best_score = score;
        best = StationSnap{g.index(r, c), d, streams.area_m2[i] / 1e6, ""};
      }
    }
  return best;
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

}  // namespace

std::vector<StationSnap> snap_stations(const Grid& g, const transport::StreamCells& streams,
                                       std::span<const Station> stations, const StationSnapOptions& o) {
  std::vector<StationSnap> out;
  out.reserve(stations.size());
  for (const Station& st : stations) {
    const double col_f = (st.x - g.geotransform[0]) / g.geotransform[1];
    const double row_f = (st.y - g.geotransform[3]) / g.geotransform[5];
    const double far = o.max_distance_m / std::max(1e-9, std::min(g.cell_height_m.front(), g.cell_width_m.front()));
    if (row_f < -far || col_f < -far || row_f > static_cast<double>(g.rows) + far || col_f > static_cast<double>(g.cols) + far) {
      out.push_back(StationSnap{-1, 0, 0, "outside the model grid"});
      continue;
    }
    if (st.upstream_area_km2 > 0) {
      StationSnap s = closest_area(g, streams, st, o.max_distance_m, st.upstream_area_km2 * 1e6);
      if (s.cell < 0) {
        s.reason = "no stream cell within " + num(o.max_distance_m) + " m";
      } else {
        const double ratio = s.area_km2 / st.upstream_area_km2;
        if (ratio < 1 - o.area_tolerance || ratio > 1 + o.area_tolerance) {
          s.reason = "closest upstream area within " + num(o.max_distance_m) + " m is " + num(s.area_km2) + " km2, not " +
                     num(st.upstream_area_km2) + " km2 (ratio " + num(ratio) + ", tolerance ±" + num(100 * o.area_tolerance) + " %)";
          s.cell = -1;
        }
      }
      out.push_back(s);
      continue;
    }
    const transport::StreamSnap s = transport::nearest_stream_cell(g, streams, st.x, st.y, o.max_distance_m);
    if (s.cell < 0) out.push_back(StationSnap{-1, 0, 0, "no stream cell within " + num(o.max_distance_m) + " m"});
    else out.push_back(StationSnap{s.cell, s.distance_m, s.area_m2 / 1e6, ""});
  }
  return out;
}

}  // namespace leachflow::model::validation
