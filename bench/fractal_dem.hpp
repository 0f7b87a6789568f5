// Fractal test DEMs synthesised in process, the same kind bench/make_fractal_dem.py writes:
// fBm value noise, 1500 m of relief, rounded to 0.1 m so that flats exist (as in integer DEMs).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/exec/config.hpp"

namespace leachflow::bench {

using exec::index_t;

inline std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// fBm value noise: octaves of lattice noise (uniform in [−1, 1]) interpolated with smoothstep
// weights, wavelengths n/2 ... 2 cells, amplitude ∝ wavelength^hurst; scaled to
// [200, 200 + relief] m and rounded to 0.1 m (flats, as in integer DEMs).
inline std::vector<float> fractal_dem(index_t n, std::uint64_t seed, double hurst = 0.6, double relief_m = 1500.0) {
  std::vector<double> z(static_cast<std::size_t>(n * n), 0.0);
  std::uint64_t state = mix(seed);
  for (index_t wave = n / 2; wave >= 2; wave /= 2) {
    const double amp = std::pow(static_cast<double>(wave), hurst);
    const index_t m = n / wave + 2;
    std::vector<double> lat(static_cast<std::size_t>(m * m));
    for (double& v : lat) v = static_cast<double>((state = mix(state)) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
    std::vector<index_t> l(static_cast<std::size_t>(n));
    std::vector<double> t(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) {
      const double f = static_cast<double>(i % wave) / static_cast<double>(wave);
      l[static_cast<std::size_t>(i)] = i / wave;
      t[static_cast<std::size_t>(i)] = f * f * (3 - 2 * f);
    }
    for (index_t r = 0; r < n; ++r) {
      const index_t lr = l[static_cast<std::size_t>(r)];
      const double sr = t[static_cast<std::size_t>(r)];
      const double* row0 = &lat[static_cast<std::size_t>(lr * m)];
      const double* row1 = row0 + m;
      double* out = &z[static_cast<std::size_t>(r * n)];
      for (index_t c = 0; c < n; ++c) {
        const index_t lc = l[static_cast<std::size_t>(c)];
        const double sc = t[static_cast<std::size_t>(c)];
        out[c] += amp * ((row0[lc] * (1 - sc) + row0[lc + 1] * sc) * (1 - sr) + (row1[lc] * (1 - sc) + row1[lc + 1] * sc) * sr);
      }
    }
  }
  const auto [lo, hi] = std::minmax_element(z.begin(), z.end());
  const double zmin = *lo, scale = relief_m / std::max(*hi - *lo, 1e-12);
  std::vector<float> out(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) out[i] = static_cast<float>(std::round(((z[i] - zmin) * scale + 200.0) * 10.0) / 10.0);
  return out;
}

}  // namespace leachflow::bench
