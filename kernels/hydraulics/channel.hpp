// Per-cell hydraulics over a flow graph: discharge from runoff, flow length, channel geometry,
// velocity, water volume and travel time. Functors for the exec API (no I/O, no allocation).
//
// Discharge (m³/s): the weighted accumulation of the accumulation primitive,
//     Q_i = r_i·A_i + Σ_{j→i} w_ji·Q_j      (a = runoff_inflow, b = 1),
// r_i runoff rate (m/s, negative or NaN rates count as 0), A_i cell area (m²): the exact water
// balance. The minimum flow Q_min (geometry_law::min_discharge_m3s) is applied where the
// discharge is USED (geometry, velocity, travel time, transport: wet_discharge = max(Q, Q_min)),
// never accumulated, so dry headwaters do not add a fictitious baseflow downstream. Where
// Q < Q_min the transport carries mass with Q_min (mass is conserved; concentrations there are
// those of a trickle of Q_min).
//
// Flow length L_i (m): Σ_d w_d·(centre distance in direction d) over i's receivers, including
// shares that leave the domain (the distance to the off-grid/NoData neighbour is the cell's own
// size in that direction); a sink (no receivers) uses √(cell area).
//
// Geometry (kernels/hydraulics/hydraulic_geometry.hpp): width w, depth d from Q; velocity v by
// continuity (v = Q/(w·d)) or Manning with the slope along the flow path
// S_i = Σ_d w_d·max(z_i − z_d, 0)/dist_d (shares leaving the domain count slope 0, floored by
// manning_velocity_ms). Cross-section A_x = Q/v (= w·d exactly for continuity), volume
// V = A_x·L, travel time τ = V/Q = L/v. With Manning the flow depth is A_x/w.
//
// Hillslope cells (stream mask given and 0 there) carry overland flow, not a channel: shallow
// concentrated flow on unpaved ground, v = k·√S with k = 4.918 m/s (16.1345 ft/s; USDA NRCS
// 1986, TR-55 figure 3-1 / NEH 630 ch. 15), S floored at overland_min_slope; the flow spreads
// over the cell's width √(cell area), so depth = A_x/width.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/grid_view.hpp"
#include "kernels/hydraulics/hydraulic_geometry.hpp"
#include "kernels/terrain/accumulate.hpp"
#include "kernels/terrain/flow_graph.hpp"

namespace leachflow::kernels::hydraulics {

using exec::device_span;
using exec::index_t;

// Runoff into cell i, m³/s: a uniform rate (m/s), or a per-cell rate in mm/day (gridded series;
// NaN and negative values count as 0), times the cell area of its row.
struct runoff_inflow {
  device_span<const double> area_m2;     // per row
  terrain::row_of row;
  double uniform_rate_ms = 0.0;          // used when cell_mm_day is empty
  device_span<const float> cell_mm_day;  // per cell, or empty
  LF_HD double rate_ms(index_t i) const {
    if (cell_mm_day.empty()) return uniform_rate_ms;
    const double mm_day = static_cast<double>(cell_mm_day[i]);
    return mm_day > 0.0 ? mm_day * (1e-3 / 86400.0) : 0.0;  // NaN > 0 is false
  }
  LF_HD double operator()(index_t i) const { return rate_ms(i) * area_m2[row(i)]; }
};

enum class velocity_law : std::uint8_t { continuity, manning };

struct channel_options {
  geometry_law law;
  velocity_law velocity = velocity_law::continuity;
  double manning_n = 0.035;  // natural mountain streams, clean and winding (Chow 1959, table 5-6)
  double overland_k_ms = 4.918;      // TR-55 unpaved shallow concentrated flow, v = k·√S
  double overland_min_slope = 1e-3;  // flats still drain
};

// Shallow concentrated overland flow (TR-55): v = k·√max(S, S_min).
LF_HD inline double overland_velocity_ms(double slope, double k_ms, double min_slope) {
  return k_ms * sqrt(slope > min_slope ? slope : min_slope);
}

// Per-cell channel state, all 0 on NoData.
struct channel_state_view {
  device_span<double> width_m, depth_m, velocity_ms, cross_section_m2, flow_length_m, volume_m3,
      travel_time_s;
};

// Centre distance from a cell in row r to its neighbour in direction d, also when that
// neighbour is off the grid (north of row 0 the first row's lengths stand in).
LF_HD inline double link_length_m(const grid_view& g, index_t r, int d) {
  if (r == 0 && d >= 5) return d == 6 ? g.dy_m[0] : g.diag_m[0];
  return g.distance_m(r, d);
}

struct channel_kernel {
  terrain::flow_graph_view f;
  grid_view g;
  device_span<const double> discharge_m3s;
  device_span<const float> elevation;  // conditioned DEM; needed for Manning and overland flow
  channel_options opt;
  device_span<const std::uint8_t> stream;  // 1 on streams; empty: every cell is a channel
  channel_state_view out;

  LF_HD void operator()(index_t i) const {
    if (!g.is_valid(i)) {
      out.width_m[i] = out.depth_m[i] = out.velocity_ms[i] = out.cross_section_m2[i] = 0.0;
      out.flow_length_m[i] = out.volume_m3[i] = out.travel_time_s[i] = 0.0;
      return;
    }
    const index_t r = i / g.cols, c = i - r * g.cols;
    const std::uint8_t m = f.receiver_mask(i);
    const bool overland = !stream.empty() && stream[i] == 0;
    const bool need_slope = opt.velocity == velocity_law::manning || overland;
    double length = 0.0, slope = 0.0;
    if (m == 0) {
      length = sqrt(g.area_m2[r]);
    } else {
      for (int d = 0; d < 8; ++d) {
        if (!(m >> d & 1u)) continue;
        const double w = f.weight_to(i, d);
        const double dist = link_length_m(g, r, d);
        length += w * dist;
        if (need_slope && !elevation.empty()) {
          const index_t j = terrain::domain_neighbour(g, i, r, c, d);
          if (j >= 0) {
            const double drop = static_cast<double>(elevation[i]) - static_cast<double>(elevation[j]);
            if (drop > 0.0) slope += w * drop / dist;
          }
        }
      }
    }
    const double q = wet_discharge(discharge_m3s[i], opt.law);
    double w = channel_width_m(q, opt.law);
    double depth = channel_depth_m(q, opt.law);
    double v = continuity_velocity_ms(q, opt.law);
    double area = w * depth;
    if (overland) {
      v = overland_velocity_ms(slope, opt.overland_k_ms, opt.overland_min_slope);
      w = sqrt(g.area_m2[r]);
      area = q / v;
      depth = area / w;
    } else if (opt.velocity == velocity_law::manning) {
      v = manning_velocity_ms(q, slope, opt.manning_n, opt.law);
      area = q / v;
      depth = area / w;
    }
    const double volume = area * length;
    out.width_m[i] = w;
    out.depth_m[i] = depth;
    out.velocity_ms[i] = v;
    out.cross_section_m2[i] = area;
    out.flow_length_m[i] = length;
    out.volume_m3[i] = volume;
    out.travel_time_s[i] = volume / q;
  }
};

}  // namespace leachflow::kernels::hydraulics
