// Oracle tests of DEM conditioning on 320 random DEMs (1x1 up to 60x60; iid and smooth
// surfaces, quantised elevations for flats, random pits, NoData holes as NaN or -9999):
//   parallel fill == serial Priority-Flood, bit for bit;
//   parallel breach == its serial reference (reference_breach.hpp), bit for bit, with and
//   without limits; with zero limits breach == fill;
//   parallel flat gradient == serial Barnes 2014, on the filled, breached and raw DEMs;
//   after fill or breach + flats every valid non-outlet cell drains;
//   fill never lowers; breach never exceeds the fill level; NoData cells are untouched.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "model/terrain/condition.hpp"
#include "reference_breach.hpp"
#include "reference_conditioning.hpp"

namespace lt = leachflow::model::terrain;
namespace rt = leachflow::test::terrain;
using leachflow::exec::index_t;

namespace {

std::uint32_t bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

rt::HostDem random_dem(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> small(1, 8), big(1, 60), pick(0, 99);
  rt::HostDem d;
  const bool tiny = pick(rng) < 25;
  d.rows = tiny ? small(rng) : big(rng);
  d.cols = tiny ? small(rng) : big(rng);
  const index_t n = d.cells();
  d.z.resize(n);
  d.valid.assign(n, 1);
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  const int mode = pick(rng) % 3;
  const float quantum = (pick(rng) < 60) ? 1.0f + static_cast<float>(pick(rng) % 4) : 0.0f;
  const float fx = 0.05f + 0.3f * u01(rng), fy = 0.05f + 0.3f * u01(rng), amp = 2.0f + 20.0f * u01(rng);
  for (index_t i = 0; i < n; ++i) {
    const float r = static_cast<float>(i / d.cols), c = static_cast<float>(i % d.cols);
    float v = 0.0f;
    if (mode == 0) v = amp * u01(rng);                                          // iid
    if (mode == 1) v = amp * (std::sin(fx * r) + std::cos(fy * c)) + u01(rng);  // smooth
    if (mode == 2) v = 0.3f * (r + c) + (u01(rng) < 0.1f ? -5.0f * u01(rng) : 0.0f);  // ramp + pits
    if (quantum > 0.0f) v = std::floor(v / quantum) * quantum;
    d.z[i] = v;
  }
  const int holes = pick(rng);
  const float p_hole = holes < 40 ? 0.0f : holes < 80 ? 0.05f : holes < 97 ? 0.25f : 1.0f;
  const float nodata = pick(rng) < 50 ? std::nanf("") : -9999.0f;
  for (index_t i = 0; i < n; ++i) {
    if (u01(rng) < p_hole) {
      d.valid[i] = 0;
      d.z[i] = nodata;
    }
  }
  return d;
}

struct Outcome {
  std::vector<float> z;
  std::vector<std::int32_t> gradient;
  lt::ConditionStats stats;
};

Outcome run(const rt::HostDem& h, lt::DepressionMethod m, const lt::ConditionOptions& o = {}) {
  const rt::DeviceDem d(h);
  const lt::Conditioned c = lt::condition(d.view(), d.z.span(), m, o);
  return {leachflow::exec::to_host(c.elevation), leachflow::exec::to_host(c.flat_gradient), c.stats};
}

void check_nodata_untouched(const rt::HostDem& h, const std::vector<float>& z) {
  for (index_t i = 0; i < h.cells(); ++i) {
    if (!h.valid[i]) {
      ASSERT_EQ(bits(z[i]), bits(h.z[i])) << "NoData cell " << i;
    }
  }
}

class ConditionOracle : public ::testing::TestWithParam<int> {};

TEST_P(ConditionOracle, ParallelEqualsSerialAndEverythingDrains) {
  std::mt19937_64 rng(0x5eed0000u + static_cast<std::uint64_t>(GetParam()));
  for (int k = 0; k < 40; ++k) {
    const rt::HostDem h = random_dem(rng);
    SCOPED_TRACE(::testing::Message() << "dem " << k << ": " << h.rows << "x" << h.cols);

    // Fill: bit for bit against Priority-Flood; never lowers; NoData untouched.
    const std::vector<float> pf = rt::priority_flood_fill(h);
    const Outcome f = run(h, lt::DepressionMethod::fill);
    index_t raised = 0;
    for (index_t i = 0; i < h.cells(); ++i) {
      ASSERT_EQ(bits(f.z[i]), bits(pf[i])) << "fill differs at cell " << i;
      if (h.valid[i]) {
        ASSERT_GE(f.z[i], h.z[i]);
        raised += f.z[i] > h.z[i];
      }
    }
    check_nodata_untouched(h, f.z);
    ASSERT_EQ(f.stats.cells_raised, raised);
    // Flats on the filled DEM: equal to Barnes 2014; everything drains.
    ASSERT_EQ(f.gradient, rt::barnes2014_flat_mask(h, pf));
    ASSERT_EQ(rt::first_undrained(h, f.z, f.gradient), -1);
    ASSERT_EQ(f.stats.unresolved_flat_cells, 0);

    // Raw DEM: natural flats only (undrained flats keep 0), still equal to the reference.
    const Outcome none = run(h, lt::DepressionMethod::none);
    ASSERT_EQ(none.gradient, rt::barnes2014_flat_mask(h, h.z));

    // Breach (complete, and hybrid with random limits): equal to the serial reference bit for
    // bit; never above the fill level; drains.
    // Limits: both (a short length is a running list of the highest cells), depth alone, and a
    // length of 64 cells or more (bisection over walks).
    lt::ConditionOptions hybrid, depth_only, long_cut;
    hybrid.max_breach_depth_m = static_cast<float>(rng() % 6);
    hybrid.max_breach_length_cells = static_cast<index_t>(rng() % 5);
    depth_only.max_breach_depth_m = 0.5f * static_cast<float>(rng() % 8);
    long_cut.max_breach_depth_m = static_cast<float>(rng() % 10);
    long_cut.max_breach_length_cells = 64 + static_cast<index_t>(rng() % 8);
    for (const lt::ConditionOptions& o : {lt::ConditionOptions{}, hybrid, depth_only, long_cut}) {
      SCOPED_TRACE(::testing::Message() << "breach limits " << o.max_breach_depth_m << " m, " << o.max_breach_length_cells
                                        << " cells");
      const Outcome b = run(h, lt::DepressionMethod::breach, o);
      const std::vector<float> want = rt::breach_hybrid(h, {o.max_breach_depth_m, o.max_breach_length_cells});
      index_t up = 0, down = 0;
      for (index_t i = 0; i < h.cells(); ++i) {
        ASSERT_EQ(bits(b.z[i]), bits(want[i])) << "breach differs from the reference at cell " << i;
        if (h.valid[i]) {
          ASSERT_LE(b.z[i], pf[i]) << "breach above fill at cell " << i;
          up += b.z[i] > h.z[i];
          down += b.z[i] < h.z[i];
        }
      }
      ASSERT_EQ(b.stats.cells_raised, up);
      ASSERT_EQ(b.stats.cells_carved, down);
      ASSERT_EQ(b.stats.depressions, f.stats.depressions);
      check_nodata_untouched(h, b.z);
      ASSERT_EQ(b.gradient, rt::barnes2014_flat_mask(h, b.z));
      ASSERT_EQ(rt::first_undrained(h, b.z, b.gradient), -1);
    }
    // No carve allowed (zero depth or zero length): every depression is filled, as by the fill.
    for (const bool by_depth : {true, false}) {
      lt::ConditionOptions none_allowed;
      if (by_depth) {
        none_allowed.max_breach_depth_m = 0.0f;
      } else {
        none_allowed.max_breach_length_cells = 0;
      }
      const Outcome b = run(h, lt::DepressionMethod::breach, none_allowed);
      for (index_t i = 0; i < h.cells(); ++i) ASSERT_EQ(bits(b.z[i]), bits(pf[i])) << "cell " << i;
      ASSERT_EQ(b.stats.cells_carved, 0);
    }
  }
}

// Tiles bordering hundreds of basin pairs: a pit at every (even, even) cell (about four
// distinct pairs per basin, ~250 per 16 x 16 tile, beyond the small table and the scratch
// slots of collect_spill_edges) and at every third cell (~100 per tile, beyond the slots
// only). Fill must still equal Priority-Flood bit for bit.
TEST(ConditionOracleDense, TilesWithManyBasinPairsTakeEveryPath) {
  std::mt19937_64 rng(0xdeb5u);
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  for (const int spacing : {2, 3}) {
    rt::HostDem h;
    h.rows = 70;
    h.cols = 83;
    h.z.resize(h.cells());
    h.valid.assign(h.cells(), 1);
    for (index_t i = 0; i < h.cells(); ++i) {
      const index_t r = i / h.cols, c = i % h.cols;
      const bool pit = r % spacing == 1 && c % spacing == 1;
      h.z[i] = pit ? 2.0f * u01(rng) : 3.0f + 5.0f * u01(rng);
    }
    SCOPED_TRACE(::testing::Message() << "pit spacing " << spacing);
    const std::vector<float> pf = rt::priority_flood_fill(h);
    const Outcome f = run(h, lt::DepressionMethod::fill);
    for (index_t i = 0; i < h.cells(); ++i) ASSERT_EQ(bits(f.z[i]), bits(pf[i])) << "fill differs at cell " << i;
    ASSERT_GT(f.stats.depressions, h.cells() / (2 * spacing * spacing));
    ASSERT_EQ(f.gradient, rt::barnes2014_flat_mask(h, pf));
  }
}

// Grids beyond 2^31 cells label cells with int64, smaller ones with int32; forcing the wide
// labels on small grids runs that path: the same fill and the same flats, against the oracles.
// The flats also run with every BFS frontier expanded in parallel.
TEST(ConditionOracleWideLabels, Int64LabelsGiveTheSameFillAndFlats) {
  std::mt19937_64 rng(0x31de00u);
  int pits = 0, flats = 0;
  for (int k = 0; k < 60; ++k) {
    const rt::HostDem h = random_dem(rng);
    SCOPED_TRACE(::testing::Message() << "dem " << k << ": " << h.rows << "x" << h.cols);
    const std::vector<float> pf = rt::priority_flood_fill(h);
    const std::vector<std::int32_t> mask = rt::barnes2014_flat_mask(h, pf);
    for (const lt::LabelWidth w : {lt::LabelWidth::automatic, lt::LabelWidth::wide}) {
      rt::DeviceDem d(h);
      const lt::FillStats fs = lt::fill_depressions_in_place(d.view(), d.z.span(), w);
      const std::vector<float> z = leachflow::exec::to_host(d.z);
      for (index_t i = 0; i < h.cells(); ++i) ASSERT_EQ(bits(z[i]), bits(pf[i])) << "fill differs at cell " << i;
      leachflow::exec::device_buffer<std::int32_t> gradient(h.cells());
      const lt::FlatStats st = lt::resolve_flats(d.view(), d.z.span(), gradient.span(), w);
      ASSERT_EQ(leachflow::exec::to_host(gradient), mask);
      // Every BFS level through the parallel launch (small test frontiers otherwise all take
      // the one-thread path): the same mask.
      lt::resolve_flats(d.view(), d.z.span(), gradient.span(), w, 0);
      ASSERT_EQ(leachflow::exec::to_host(gradient), mask) << "parallel frontiers";
      pits += static_cast<int>(fs.pits);
      flats += static_cast<int>(st.flats);
    }
  }
  EXPECT_GT(pits, 100);  // the DEMs do exercise both steps
  EXPECT_GT(flats, 100);
}

// Flats are labelled tile by tile (32 x 32) and joined across tile borders. A serpentine flat
// winds through every tile of a 150 x 170 grid, so its pieces join only through a long chain of
// border crossings; beside it, flats of a few cells straddle tile corners. One flat must come out
// of the serpentine (its pond sets H for all of it), with the Barnes 2014 mask, at both label widths.
TEST(ConditionOracleTiles, SerpentineFlatAcrossEveryTile) {
  std::mt19937_64 rng(0x5e27u);
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  rt::HostDem h;
  h.rows = 150;
  h.cols = 170;
  h.z.resize(h.cells());
  h.valid.assign(h.cells(), 1);
  for (index_t i = 0; i < h.cells(); ++i) h.z[i] = 20.0f + 10.0f * u01(rng);
  const auto at = [&](index_t r, index_t c) -> float& { return h.z[r * h.cols + c]; };
  for (index_t r = 1; r + 1 < h.rows; r += 4) {
    for (index_t c = 1; c + 1 < h.cols; ++c) at(r, c) = 5.0f;  // a corridor row
    const index_t turn = (r / 4) % 2 == 0 ? h.cols - 2 : 1;  // joined to the next one at alternate ends
    for (index_t k = 1; k < 4 && r + k + 1 < h.rows; ++k) at(r + k, turn) = 5.0f;
  }
  for (index_t r = 110; r < 140; ++r)  // a wide pond at the far end: away-distances up to 15,
    for (index_t c = 60; c < 90; ++c) at(r, c) = 5.0f;  // so a piece cut off would get another H
  at(1, 0) = 4.0f;  // the serpentine's one outlet, on the west edge
  for (index_t r = 31; r + 1 < h.rows; r += 32)  // 2 x 2 flats on tile corners, drained by a notch
    for (index_t c = 31; c + 1 < h.cols; c += 32) {
      if (r % 4 == 1 || (r + 1) % 4 == 1) continue;  // not on a corridor row
      at(r, c) = at(r, c + 1) = at(r + 1, c) = at(r + 1, c + 1) = 12.0f;
    }
  const std::vector<float> pf = rt::priority_flood_fill(h);
  const std::vector<std::int32_t> mask = rt::barnes2014_flat_mask(h, pf);
  std::int64_t serpentine = 0;
  for (index_t i = 0; i < h.cells(); ++i) serpentine += pf[i] == 5.0f ? 1 : 0;
  ASSERT_GT(serpentine, 5000);
  for (const lt::LabelWidth w : {lt::LabelWidth::automatic, lt::LabelWidth::wide}) {
    rt::DeviceDem d(h);
    lt::fill_depressions_in_place(d.view(), d.z.span(), w);
    leachflow::exec::device_buffer<std::int32_t> gradient(h.cells());
    lt::resolve_flats(d.view(), d.z.span(), gradient.span(), w, w == lt::LabelWidth::wide ? 0 : -1);
    const auto got = leachflow::exec::to_host(gradient);
    ASSERT_EQ(got, mask);  // H, the largest away-distance, is the whole serpentine's
    ASSERT_EQ(rt::first_undrained(h, leachflow::exec::to_host(d.z), got), -1);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, ConditionOracle, ::testing::Range(0, 8));

}  // namespace
