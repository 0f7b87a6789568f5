// Downstream hydraulic geometry and velocities of a channel cell (pure functions).
//
// Width and depth follow power laws of discharge (Leopold & Maddock 1953):
//   width_m = a·Q^b,   depth_m = c·Q^f,   velocity = Q / (width·depth)   (continuity),
// with defaults from Raymond et al. (2012, Limnol. Oceanogr.: Fluids Environ. 2:41–53), fitted to
// 2,954 US stream measurements: w = 12.88 Q^0.42, d = 0.408 Q^0.294 (Q in m³/s). Manning's
// equation with the conditioned slope is the alternative velocity:
//   v = (1/n) · R^(2/3) · S^(1/2),  R ≈ depth for wide channels.
#pragma once

#include <cmath>

#include "kernels/exec/config.hpp"

namespace leachflow::kernels::hydraulics {

struct geometry_law {
  double width_coef = 12.88;   // a, m / (m³/s)^b
  double width_exp = 0.42;     // b
  double depth_coef = 0.408;   // c, m / (m³/s)^f
  double depth_exp = 0.294;    // f
  double min_discharge_m3s = 1e-4;  // keeps dry cells well-defined (0.1 L/s)
};

LF_HD inline double wet_discharge(double q_m3s, const geometry_law& g) {
  return q_m3s > g.min_discharge_m3s ? q_m3s : g.min_discharge_m3s;
}

LF_HD inline double channel_width_m(double q_m3s, const geometry_law& g) {
  return g.width_coef * pow(wet_discharge(q_m3s, g), g.width_exp);
}

LF_HD inline double channel_depth_m(double q_m3s, const geometry_law& g) {
  return g.depth_coef * pow(wet_discharge(q_m3s, g), g.depth_exp);
}

// Continuity: v = Q / (w·d).
LF_HD inline double continuity_velocity_ms(double q_m3s, const geometry_law& g) {
  const double q = wet_discharge(q_m3s, g);
  return q / (channel_width_m(q, g) * channel_depth_m(q, g));
}

// Manning: v = R^(2/3) S^(1/2) / n, with the hydraulic radius of a wide rectangular channel
// (R = w·d / (w + 2d)) and a floor on the slope so flats still move water.
LF_HD inline double manning_velocity_ms(double q_m3s, double slope, double manning_n, const geometry_law& g,
                                        double min_slope = 1e-5) {
  const double q = wet_discharge(q_m3s, g);
  const double w = channel_width_m(q, g);
  const double d = channel_depth_m(q, g);
  const double r = w * d / (w + 2.0 * d);
  const double s = slope > min_slope ? slope : min_slope;
  return pow(r, 2.0 / 3.0) * sqrt(s) / manning_n;
}

}  // namespace leachflow::kernels::hydraulics
