// Hydraulics: discharge = weighted accumulation of runoff × area (bitwise, where above the
// minimum flow), the minimum flow, forcing changes (monthly climatology, gridded series),
// geometry laws, flow lengths, continuity and Manning velocities, volume and travel time.
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/iso_time.hpp"
#include "model/terrain/accumulation.hpp"
#include "model/terrain/reference_fixtures.hpp"
#include "model/terrain/routing.hpp"
#include "model/transport/transport_fixtures.hpp"

namespace lf = leachflow;
namespace mh = leachflow::model::hydraulics;
namespace mt = leachflow::model::terrain;
using lf::exec::index_t;

namespace {

constexpr double mm_yr_to_ms = 1e-3 / (365.25 * 86400.0);

mh::Runoff constant(double mm_yr) {
  mh::Runoff r;
  r.kind = mh::Runoff::Kind::constant;
  r.constant_mm_yr = mm_yr;
  return r;
}

mh::HydraulicsOptions tiny_min_flow() {
  mh::HydraulicsOptions o;
  o.law.min_discharge_m3s = 1e-300;
  return o;
}

}  // namespace

TEST(Hydraulics, DischargeIsRunoffTimesContributingAreaBitwise) {
  std::mt19937_64 rng(11);
  for (bool geographic : {false, true}) {
    auto t = lf::testing::random_terrain(rng, 37, 29, 0.05, geographic);
    const mt::FlowGraph g = mt::route_d8(t.view(), t.z.span());
    const mh::Hydraulics h(g, constant(1200.0));
    EXPECT_DOUBLE_EQ(h.uniform_runoff_ms(0.0), 1200.0 * mm_yr_to_ms);
    // weight = rate × cell area, the same product the runoff functor forms.
    std::vector<double> w(static_cast<std::size_t>(g.cells()), 0.0);
    for (index_t i = 0; i < g.cells(); ++i)
      if (t.grid.valid[static_cast<std::size_t>(i)])
        w[static_cast<std::size_t>(i)] = h.uniform_runoff_ms(0.0) * t.grid.cell_area_m2[static_cast<std::size_t>(i / g.cols())];
    const auto wd = lf::exec::to_device(w);
    const auto expected = lf::exec::to_host(mt::weighted_accumulation(g, wd.span()));
    const auto q = lf::exec::to_host(h.state().discharge_m3s);
    for (std::size_t i = 0; i < q.size(); ++i) ASSERT_EQ(q[i], expected[i]) << i;
    // Water budget: everything that falls leaves through the edge/NoData or ends in a sink.
    const auto budget = mt::flow_budget(g, wd.span(), h.state().discharge_m3s.span());
    EXPECT_NEAR(budget.imbalance(), 0.0, 1e-12 * budget.source_total);
  }
}

TEST(Hydraulics, MinimumFlowKeepsDryCellsDefinedWithoutAddingWater) {
  std::mt19937_64 rng(12);
  auto t = lf::testing::random_terrain(rng, 20, 20, 0.0);
  const mt::FlowGraph g = mt::route_d8(t.view(), t.z.span());
  mh::HydraulicsOptions o;
  o.law.min_discharge_m3s = 1e-3;
  const mh::Hydraulics h(g, constant(0.0), o);  // no runoff at all
  const auto q = lf::exec::to_host(h.state().discharge_m3s);
  const auto v = lf::exec::to_host(h.state().volume_m3);
  const auto w = lf::exec::to_host(h.state().width_m);
  const auto len = lf::exec::to_host(h.state().flow_length_m);
  const auto tau = lf::exec::to_host(h.state().travel_time_s);
  for (std::size_t k = 0; k < q.size(); ++k) {
    EXPECT_EQ(q[k], 0.0);  // the floor is not accumulated: no fictitious baseflow downstream
    EXPECT_NEAR(w[k], 12.88 * std::pow(1e-3, 0.42), 1e-12);
    EXPECT_GT(v[k], 0.0);
    EXPECT_NEAR(tau[k], v[k] / 1e-3, 1e-9 * tau[k]);  // τ = V / max(Q, Q_min)
    EXPECT_GT(len[k], 0.0);
  }
}

TEST(Hydraulics, GeometryVelocityVolumeAndTravelTime) {
  // A 3 × 3 hand graph on 30 m cells: (0,0) → SE (1,1) → E (1,2) → E off the grid; (2,2) a sink.
  const std::uint8_t none = 0xFF;
  auto hg = lf::testing::hand_graph(3, 3, 30.0, {1, none, none, none, 0, 0, none, none, none},
                                    {1, 0, 0, 0, 1, 1, 0, 0, 1});
  const mh::Hydraulics h(*hg->graph, constant(3.0e6));
  const auto& s = h.state();
  const auto q = lf::exec::to_host(s.discharge_m3s), w = lf::exec::to_host(s.width_m), d = lf::exec::to_host(s.depth_m),
             v = lf::exec::to_host(s.velocity_ms), len = lf::exec::to_host(s.flow_length_m),
             vol = lf::exec::to_host(s.volume_m3), tau = lf::exec::to_host(s.travel_time_s);
  const double cell_q = 3.0e6 * mm_yr_to_ms * 900.0;
  EXPECT_DOUBLE_EQ(q[0], cell_q);
  EXPECT_DOUBLE_EQ(q[4], 2 * cell_q);
  EXPECT_DOUBLE_EQ(q[5], 3 * cell_q);
  EXPECT_DOUBLE_EQ(len[0], std::sqrt(2.0) * 30.0);  // diagonal
  EXPECT_DOUBLE_EQ(len[4], 30.0);
  EXPECT_DOUBLE_EQ(len[5], 30.0);                   // leaves the grid: own size
  EXPECT_DOUBLE_EQ(len[8], 30.0);                   // sink: √area
  for (std::size_t i : {0u, 4u, 5u, 8u}) {
    const double qq = q[i] > 1e-4 ? q[i] : 1e-4;
    EXPECT_NEAR(w[i], 12.88 * std::pow(qq, 0.42), 1e-12 * w[i]);   // Raymond et al. 2012
    EXPECT_NEAR(d[i], 0.408 * std::pow(qq, 0.294), 1e-12 * d[i]);
    EXPECT_NEAR(v[i], qq / (w[i] * d[i]), 1e-12 * v[i]);             // continuity
    EXPECT_NEAR(vol[i], w[i] * d[i] * len[i], 1e-12 * vol[i]);
    EXPECT_NEAR(tau[i], len[i] / v[i], 1e-12 * tau[i]);
  }
  EXPECT_EQ(q[1], 0.0);  // NoData
  EXPECT_EQ(vol[1], 0.0);
}

TEST(Hydraulics, ManningUsesTheSlopeAlongTheFlowPath) {
  // A plane falling 1 m per 10 m cell to the south: D8 goes S, slope 0.1.
  std::vector<float> z(5 * 4);
  for (index_t r = 0; r < 5; ++r)
    for (index_t c = 0; c < 4; ++c) z[static_cast<std::size_t>(r * 4 + c)] = static_cast<float>(10 - r);
  auto t = lf::testing::make_terrain(5, 4, z);
  const mt::FlowGraph g = mt::route_d8(t.view(), t.z.span());
  mh::HydraulicsOptions o;
  o.velocity = mh::VelocityMethod::manning;
  o.manning_n = 0.04;
  const mh::Hydraulics h(g, constant(2.0e6), o, t.z.span());
  const auto q = lf::exec::to_host(h.state().discharge_m3s), v = lf::exec::to_host(h.state().velocity_ms),
             a = lf::exec::to_host(h.state().cross_section_m2), tau = lf::exec::to_host(h.state().travel_time_s),
             len = lf::exec::to_host(h.state().flow_length_m);
  const std::size_t i = 2 * 4 + 1;  // an inner cell
  const double qq = q[i];
  const double w = 12.88 * std::pow(qq, 0.42), d = 0.408 * std::pow(qq, 0.294);
  const double r = w * d / (w + 2 * d);
  EXPECT_NEAR(v[i], std::pow(r, 2.0 / 3.0) * std::sqrt(0.1) / 0.04, 1e-12 * v[i]);
  EXPECT_NEAR(a[i], qq / v[i], 1e-12 * a[i]);
  EXPECT_NEAR(tau[i], len[i] / v[i], 1e-12 * tau[i]);
}

TEST(Hydraulics, MonthlyAndGriddedForcingRecomputeOnlyWhenTheForcingChanges) {
  std::mt19937_64 rng(13);
  auto t = lf::testing::random_terrain(rng, 16, 16, 0.0);
  const mt::FlowGraph g = mt::route_d8(t.view(), t.z.span());
  mh::Runoff m;
  m.kind = mh::Runoff::Kind::monthly;
  for (int k = 0; k < 12; ++k) m.monthly_mm[static_cast<std::size_t>(k)] = 10.0 * (k + 1);
  mh::HydraulicsOptions o = tiny_min_flow();
  o.start_day = lf::model::days_from_civil(2024, 1, 15);
  mh::Hydraulics h(g, m, o);
  const auto q_jan = lf::exec::to_host(h.state().discharge_m3s);
  const auto v0 = h.version();
  EXPECT_FALSE(h.update(10.0));  // still January
  EXPECT_EQ(h.version(), v0);
  EXPECT_TRUE(h.update(17.0));   // 1 February 2024 (leap year: 29 days)
  const auto q_feb = lf::exec::to_host(h.state().discharge_m3s);
  // Jan: 10 mm / 31 days; Feb: 20 mm / 29 days.
  const double ratio = (20.0 / 29.0) / (10.0 / 31.0);
  for (std::size_t i = 0; i < q_jan.size(); ++i) EXPECT_NEAR(q_feb[i], q_jan[i] * ratio, 1e-12 * q_feb[i]);
  EXPECT_EQ(mh::month_of_day(lf::model::days_from_civil(2023, 12, 31)), 11);
  EXPECT_EQ(mh::month_of_day(lf::model::days_from_civil(2024, 3, 1)), 2);

  mh::Runoff gr;
  gr.kind = mh::Runoff::Kind::gridded;
  gr.grid_time_day = {0.0, 5.0};
  gr.grid_mm_day = {std::vector<float>(256, 2.0f), std::vector<float>(256, 4.0f)};
  gr.grid_mm_day[1][0] = std::nanf("");  // NaN counts as no runoff
  mh::Hydraulics hg(g, gr, tiny_min_flow());
  EXPECT_FALSE(hg.update(4.99));
  EXPECT_TRUE(hg.update(5.0));
  // The second grid: 4 mm/day everywhere but cell 0 (NaN → 0), accumulated bitwise.
  std::vector<double> w(256);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = i == 0 ? 0.0 : 4.0 * (1e-3 / 86400.0) * t.grid.cell_area_m2[i / 16];
  const auto wd = lf::exec::to_device(w);
  const auto expected = lf::exec::to_host(mt::weighted_accumulation(g, wd.span()));
  const auto q1 = lf::exec::to_host(hg.state().discharge_m3s);
  for (std::size_t i = 0; i < q1.size(); ++i) EXPECT_EQ(q1[i], expected[i]) << i;
  EXPECT_THROW(mh::Hydraulics(g, [] {
                 mh::Runoff bad;
                 bad.kind = mh::Runoff::Kind::gridded;
                 bad.grid_time_day = {0.0};
                 bad.grid_mm_day = {std::vector<float>(3, 1.0f)};
                 return bad;
               }(), tiny_min_flow()),
               std::invalid_argument);
}

TEST(Hydraulics, HillslopeCellsCarryOverlandFlowAtTr55Velocity) {
  // The plane of the Manning test (slope 0.1 to the south); column 1 is a stream, the rest hillslope.
  std::vector<float> z(5 * 4);
  for (index_t r = 0; r < 5; ++r)
    for (index_t c = 0; c < 4; ++c) z[static_cast<std::size_t>(r * 4 + c)] = static_cast<float>(10 - r);
  auto t = lf::testing::make_terrain(5, 4, z);
  const mt::FlowGraph g = mt::route_d8(t.view(), t.z.span());
  std::vector<std::uint8_t> stream(20, 0);
  for (index_t r = 0; r < 5; ++r) stream[static_cast<std::size_t>(r * 4 + 1)] = 1;
  const auto stream_d = lf::exec::to_device(stream);
  mh::HydraulicsOptions o;
  o.stream = stream_d.span();
  const mh::Hydraulics h(g, constant(2.0e6), o, t.z.span());
  const mh::Hydraulics channel_everywhere(g, constant(2.0e6), mh::HydraulicsOptions{}, t.z.span());
  const auto q = lf::exec::to_host(h.state().discharge_m3s), v = lf::exec::to_host(h.state().velocity_ms),
             a = lf::exec::to_host(h.state().cross_section_m2), tau = lf::exec::to_host(h.state().travel_time_s),
             len = lf::exec::to_host(h.state().flow_length_m), depth = lf::exec::to_host(h.state().depth_m),
             vol = lf::exec::to_host(h.state().volume_m3);
  const auto v_channel = lf::exec::to_host(channel_everywhere.state().velocity_ms);
  const double cell_area = t.grid.cell_area_m2[0];
  for (std::size_t i = 0; i < 16; ++i) {  // rows 0..3 drain south inside the grid: slope 0.1
    if (stream[i]) {
      EXPECT_EQ(v[i], v_channel[i]) << i;  // channels unchanged
      continue;
    }
    const double vo = 4.918 * std::sqrt(0.1);
    EXPECT_NEAR(v[i], vo, 1e-12 * vo) << i;
    EXPECT_NEAR(a[i], q[i] / vo, 1e-12 * a[i]) << i;
    EXPECT_NEAR(depth[i], a[i] / std::sqrt(cell_area), 1e-12 * depth[i]) << i;
    EXPECT_NEAR(vol[i], a[i] * len[i], 1e-12 * vol[i]) << i;
    EXPECT_NEAR(tau[i], len[i] / vo, 1e-12 * tau[i]) << i;
  }
  // Without an elevation the slope is unknown: the minimum slope applies.
  const mh::Hydraulics no_z(g, constant(2.0e6), o);
  const auto v0 = lf::exec::to_host(no_z.state().velocity_ms);
  EXPECT_NEAR(v0[0], 4.918 * std::sqrt(1e-3), 1e-12);
}
