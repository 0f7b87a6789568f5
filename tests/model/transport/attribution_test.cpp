// Source attribution (model/transport/attribution.hpp): one batched steady solve with one
// column per pit or cluster.
//  - Random filled terrain (~4k cells, D8 and MFD), 12 pits with random loads of three species
//    (three pairs on the same tributary, one pit with two loads, one load switched off at the
//    model day, a pulse), points at confluences downstream of pits, their outlets and random
//    cells: each pit's flux equals a separate steady_concentration_mg_l run with only that pit's
//    loads (1e-12 relative); the fluxes sum to the all-pit steady flux; shares sum to 1 at every
//    point with flux (1e-12).
//  - D8, conservative species: transmission 1 at every point on the pit's downstream path, 0
//    exactly elsewhere.
//  - Straight channel, decaying and settling species: transmission exp(−Σ λ·R·V/Q) over the cells
//    from the pit's to the point's (analytical), 0 upstream of the pit.
//  - Batch sizes 1, 5 and 64 give bitwise-identical results; clusters sum their pits' fluxes.
//  - Bad arguments throw std::invalid_argument.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "model/hydraulics/hydraulics.hpp"
#include "model/terrain/condition.hpp"
#include "model/terrain/reference_fixtures.hpp"
#include "model/terrain/routing.hpp"
#include "model/transport/attribution.hpp"
#include "model/transport/species.hpp"
#include "model/transport/transport.hpp"
#include "transport_fixtures.hpp"

namespace lf = leachflow;
namespace mh = leachflow::model::hydraulics;
namespace mt = leachflow::model::terrain;
namespace mx = leachflow::model::transport;
using lf::exec::index_t;

namespace {

const double q_min = lf::kernels::hydraulics::geometry_law{}.min_discharge_m3s;

std::vector<mx::Species> three_species() {
  return {*mx::preset("ammonium"), *mx::preset("sulfate"), *mx::preset("arsenic")};
}

// Relative closeness with an absolute floor for exact zeros.
void expect_close(double a, double b, double rel, const std::string& what) {
  EXPECT_NEAR(a, b, rel * std::max(std::abs(b), 1e-300)) << what;
}

struct Scenario {
  lf::testing::TestTerrain terrain;
  mt::Conditioned conditioned;
  std::optional<mt::FlowGraph> graph;
  std::optional<mh::Hydraulics> hydraulics;
  std::vector<std::uint8_t> dir;  // D8 directions on the host (D8 graph)
  std::vector<double> q;          // discharge on the host
  mx::Sources sources;
  std::vector<index_t> pit_cells;  // one per pit "pit-k"
  std::vector<index_t> points;
};

index_t receiver(const Scenario& s, index_t i) {
  const std::uint8_t d = s.dir[static_cast<std::size_t>(i)];
  if (d == 0xFF) return -1;
  const index_t rows = s.terrain.grid.rows, cols = s.terrain.grid.cols;
  const index_t r = i / cols + lf::kernels::d8_drow[d], c = i % cols + lf::kernels::d8_dcol[d];
  if (r < 0 || r >= rows || c < 0 || c >= cols) return -1;
  const index_t j = r * cols + c;
  return s.terrain.grid.valid[static_cast<std::size_t>(j)] ? j : -1;
}

std::vector<index_t> downstream_path(const Scenario& s, index_t i) {  // i included
  std::vector<index_t> p;
  for (; i >= 0; i = receiver(s, i)) p.push_back(i);
  return p;
}

// The scenario is always laid out on the D8 graph of the filled terrain (pits, points); the
// graph used for the transport is D8 or MFD.
std::unique_ptr<Scenario> make_scenario(bool mfd, std::uint64_t seed = 11) {
  auto s = std::make_unique<Scenario>();
  std::mt19937_64 rng(seed);
  s->terrain = lf::testing::random_terrain(rng, 60, 70, 0.03);
  s->conditioned = mt::condition(s->terrain.view(), s->terrain.z.span(), mt::DepressionMethod::fill);
  const mt::FlowGraph d8 = mt::route_d8(s->terrain.view(), s->conditioned.elevation.span(), s->conditioned.flat_gradient.span());
  s->dir = d8.d8_directions();
  if (mfd) {
    s->graph = mt::route_mfd(s->terrain.view(), s->conditioned.elevation.span(), s->conditioned.flat_gradient.span());
  } else {
    s->graph = mt::route_d8(s->terrain.view(), s->conditioned.elevation.span(), s->conditioned.flat_gradient.span());
  }
  mh::Runoff r;
  r.constant_mm_yr = 1500.0;
  s->hydraulics.emplace(*s->graph, r);
  s->q = lf::exec::to_host(s->hydraulics->state().discharge_m3s);

  const auto& valid = s->terrain.grid.valid;
  const index_t cells = s->terrain.grid.cells();
  std::vector<int> donors(static_cast<std::size_t>(cells), 0);
  for (index_t i = 0; i < cells; ++i)
    if (valid[static_cast<std::size_t>(i)] && receiver(*s, i) >= 0) ++donors[static_cast<std::size_t>(receiver(*s, i))];
  std::vector<index_t> valid_cells;
  for (index_t i = 0; i < cells; ++i)
    if (valid[static_cast<std::size_t>(i)]) valid_cells.push_back(i);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto pick = [&] {
    // A cell with a downstream path of at least 8 cells, so that pits sit on streams.
    for (;;) {
      const index_t c = valid_cells[static_cast<std::size_t>(u(rng) * static_cast<double>(valid_cells.size()))];
      if (downstream_path(*s, c).size() >= 8) return c;
    }
  };
  // 12 pits: 3 pairs on one tributary (the second a few cells below the first), 6 single pits.
  for (int k = 0; k < 3; ++k) {
    const index_t a = pick();
    const auto path = downstream_path(*s, a);
    s->pit_cells.push_back(a);
    s->pit_cells.push_back(path[2 + static_cast<std::size_t>(k)]);
  }
  for (int k = 0; k < 6; ++k) s->pit_cells.push_back(pick());
  std::set<index_t> pts;
  for (std::size_t k = 0; k < s->pit_cells.size(); ++k) {
    const auto path = downstream_path(*s, s->pit_cells[k]);
    for (std::size_t j = 3; j < path.size(); ++j)
      if (donors[static_cast<std::size_t>(path[j])] >= 2) {  // the first confluence a bit below
        pts.insert(path[j]);
        break;
      }
    pts.insert(path.back());  // where the water leaves the domain
  }
  for (int k = 0; k < 3; ++k) pts.insert(valid_cells[static_cast<std::size_t>(u(rng) * static_cast<double>(valid_cells.size()))]);
  s->points.assign(pts.begin(), pts.end());

  for (std::size_t k = 0; k < s->pit_cells.size(); ++k)
    for (int sp = 0; sp < 3; ++sp) {
      mx::PointLoad l;
      l.cell = s->pit_cells[k];
      l.species = sp;
      l.load_kg_day = 1.0 + 99.0 * u(rng);
      l.pit_id = "pit-" + std::to_string(k);
      s->sources.loads.push_back(l);
    }
  // Pit 4 has a second load on its own cell; pit 7 a load that ended before the model day; a
  // pulse (ignored by the steady state).
  mx::PointLoad extra = s->sources.loads[4 * 3 + 1];
  extra.load_kg_day = 17.0;
  s->sources.loads.push_back(extra);
  mx::PointLoad ended = s->sources.loads[7 * 3 + 0];
  ended.load_kg_day = 500.0;
  ended.start_day = 0.0;
  ended.end_day = 5.0;
  s->sources.loads.push_back(ended);
  mx::PulseRelease pulse;
  pulse.cell = s->pit_cells[0];
  pulse.mass_kg = 1000.0;
  pulse.pit_id = "pit-0";
  s->sources.pulses.push_back(pulse);
  return s;
}

constexpr double model_day = 10.0;

// Flux (kg/day) at each point of a plain steady run with the given loads.
std::vector<double> steady_flux(const Scenario& s, const mx::Sources& src, int species) {
  const auto sp = three_species();
  const auto c = lf::exec::to_host(mx::steady_concentration_mg_l(*s.graph, s.hydraulics->state(), sp, src, model_day));
  const index_t cells = s.terrain.grid.cells();
  std::vector<double> f;
  for (index_t p : s.points) {
    const double q = std::max(s.q[static_cast<std::size_t>(p)], q_min);
    f.push_back(c[static_cast<std::size_t>(species * cells + p)] * q * 86.4);
  }
  return f;
}

mx::Sources only(const mx::Sources& all, const std::set<std::string>& pits) {
  mx::Sources s;
  for (const auto& l : all.loads)
    if (pits.count(l.pit_id)) s.loads.push_back(l);
  return s;
}

void expect_shares_sum_to_one(const mx::AttributionResult& r) {
  for (std::size_t p = 0; p < r.points.size(); ++p) {
    double total = 0.0, share = 0.0;
    for (std::size_t s = 0; s < r.sources.size(); ++s) {
      total += r.flux_kg_day[s][p];
      share += r.share[s][p];
      EXPECT_GE(r.share[s][p], 0.0);
      EXPECT_GE(r.transmission[s][p], 0.0);
      EXPECT_LE(r.transmission[s][p], 1.0);
    }
    if (total > 0.0) {
      EXPECT_NEAR(share, 1.0, 1e-12) << "point " << r.points[p];
    } else {
      EXPECT_EQ(share, 0.0);
    }
  }
}

// Every pit's flux equals its own steady run; the sum equals the all-pit run; shares sum to 1.
void check_against_single_runs(const Scenario& s) {
  const auto species = three_species();
  int points_with_flux = 0;
  for (int sp = 0; sp < 3; ++sp) {
    const auto r = mx::attribute_sources(*s.graph, s.hydraulics->state(), species, sp, s.sources, s.points, model_day);
    ASSERT_EQ(r.sources.size(), 12u);
    ASSERT_EQ(r.points, s.points);
    EXPECT_EQ(r.species, sp);
    std::vector<double> sum(s.points.size(), 0.0);
    for (std::size_t k = 0; k < 12; ++k) {
      const std::string pit = "pit-" + std::to_string(k);
      EXPECT_EQ(r.sources[k], pit);
      double load = 0.0;
      for (const auto& l : s.sources.loads)
        if (l.pit_id == pit && l.species == sp && l.start_day <= model_day && model_day < l.end_day) load += l.load_kg_day;
      EXPECT_DOUBLE_EQ(r.load_kg_day[k], load);
      const auto ref = steady_flux(s, only(s.sources, {pit}), sp);
      for (std::size_t p = 0; p < s.points.size(); ++p) {
        expect_close(r.flux_kg_day[k][p], ref[p], 1e-12, pit + " species " + std::to_string(sp) + " point " + std::to_string(s.points[p]));
        expect_close(r.transmission[k][p], std::min(1.0, ref[p] / load), 1e-12, "transmission");
        sum[p] += r.flux_kg_day[k][p];
      }
    }
    const auto all = steady_flux(s, s.sources, sp);
    for (std::size_t p = 0; p < s.points.size(); ++p) {
      expect_close(sum[p], all[p], 1e-12, "sum over pits at point " + std::to_string(s.points[p]));
      if (all[p] > 0.0) ++points_with_flux;
    }
    expect_shares_sum_to_one(r);
  }
  EXPECT_GE(points_with_flux, 3 * 8);  // most points receive something
}

}  // namespace

TEST(Attribution, EachPitEqualsItsOwnSteadyRunOnD8) {
  const auto s = make_scenario(false);
  EXPECT_GE(s->points.size(), 12u);
  check_against_single_runs(*s);
}

TEST(Attribution, EachPitEqualsItsOwnSteadyRunOnMfd) {
  const auto s = make_scenario(true);
  ASSERT_TRUE(s->graph->multi());
  check_against_single_runs(*s);
}

TEST(Attribution, ConservativeTransmissionIsOneDownstreamAndZeroElsewhereOnD8) {
  const auto s = make_scenario(false);
  const auto r = mx::attribute_sources(*s->graph, s->hydraulics->state(), three_species(), 1, s->sources, s->points, model_day);
  int downstream = 0;
  for (std::size_t k = 0; k < s->pit_cells.size(); ++k) {
    const auto path = downstream_path(*s, s->pit_cells[k]);
    const std::set<index_t> on_path(path.begin(), path.end());
    for (std::size_t p = 0; p < s->points.size(); ++p) {
      if (on_path.count(s->points[p])) {
        ++downstream;
        EXPECT_NEAR(r.transmission[k][p], 1.0, 1e-12) << "pit " << k << " point " << s->points[p];
        EXPECT_NEAR(r.flux_kg_day[k][p], r.load_kg_day[k], 1e-12 * r.load_kg_day[k]);
      } else {
        EXPECT_EQ(r.transmission[k][p], 0.0) << "pit " << k << " point " << s->points[p];
      }
    }
  }
  EXPECT_GE(downstream, 24);  // every pit reaches its confluence and outlet, pairs share theirs
}

TEST(Attribution, DecayOnAStraightChannelIsExpOfSummedResidenceTime) {
  const index_t n = 40;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.5, 2.0);
  auto h = lf::testing::hand_graph(1, n, 100.0, std::vector<std::uint8_t>(n, 0));
  const double q = 2.0;
  std::vector<double> qv(n, q), area(n), len(n), depth(n);
  for (index_t i = 0; i < n; ++i) {
    area[i] = 3.0 * u(rng);
    len[i] = 100.0 * u(rng);
    depth[i] = 0.5 * u(rng);
  }
  const auto state = lf::testing::prescribed_state(h->grid.valid, qv, area, len, depth);
  const auto species = three_species();
  const std::vector<index_t> pits = {3, 10, 25}, points = {2, 5, 10, 20, 39};
  mx::Sources src;
  for (std::size_t k = 0; k < pits.size(); ++k)
    for (int sp = 0; sp < 3; ++sp) {
      mx::PointLoad l;
      l.cell = pits[k];
      l.species = sp;
      l.load_kg_day = 10.0 * static_cast<double>(k + 1);
      l.pit_id = "p";
      l.pit_id += std::to_string(k);  // (not "p" + ...: GCC 12 -Wrestrict false positive)
      src.loads.push_back(l);
    }
  for (int sp : {0, 2}) {  // ammonium: k only; arsenic: settling and retardation
    const mx::Species& s = species[static_cast<std::size_t>(sp)];
    const auto r = mx::attribute_sources(*h->graph, state, species, sp, src, points);
    for (std::size_t k = 0; k < pits.size(); ++k)
      for (std::size_t p = 0; p < points.size(); ++p) {
        if (points[p] < pits[k]) {
          EXPECT_EQ(r.transmission[k][p], 0.0);
          continue;
        }
        double exponent = 0.0;  // Σ λ·R·τ over the pit's cell to the point's cell, inclusive
        for (index_t i = pits[k]; i <= points[p]; ++i) {
          const auto ui = static_cast<std::size_t>(i);
          const double lambda = s.decay_per_day / 86400.0 + s.settling_m_day / 86400.0 / depth[ui];
          exponent += lambda * s.retardation * area[ui] * len[ui] / q;
        }
        const double expected = std::exp(-exponent);
        EXPECT_LT(expected, 1.0);
        EXPECT_NEAR(r.transmission[k][p], expected, 1e-12 * expected) << s.name << " pit " << k << " point " << points[p];
        EXPECT_NEAR(r.flux_kg_day[k][p], r.load_kg_day[k] * expected, 1e-12 * r.load_kg_day[k] * expected);
      }
    expect_shares_sum_to_one(r);
  }
}

TEST(Attribution, BatchSizeDoesNotChangeTheResult) {
  for (bool mfd : {false, true}) {
    const auto s = make_scenario(mfd, 5);
    for (int sp = 0; sp < 3; ++sp) {
      std::vector<mx::AttributionResult> runs;
      for (int batch : {1, 5, 64})
        runs.push_back(mx::attribute_sources(*s->graph, s->hydraulics->state(), three_species(), sp, s->sources, s->points,
                                             model_day, {}, q_min, batch));
      for (std::size_t b = 1; b < runs.size(); ++b) {
        EXPECT_EQ(runs[b].sources, runs[0].sources);
        EXPECT_EQ(runs[b].load_kg_day, runs[0].load_kg_day);
        EXPECT_EQ(runs[b].flux_kg_day, runs[0].flux_kg_day);  // bitwise
        EXPECT_EQ(runs[b].transmission, runs[0].transmission);
        EXPECT_EQ(runs[b].share, runs[0].share);
      }
    }
  }
}

TEST(Attribution, ClustersSumTheirPits) {
  const auto s = make_scenario(false);
  const auto species = three_species();
  // pits 0–5 (the three tributary pairs) → two clusters; 6–9 → a third; 10, 11 stay alone.
  std::map<std::string, std::string> group;
  const auto cluster_of = [](int k) { return k < 6 ? (k % 2 == 0 ? "upper" : "lower") : std::string("east"); };
  for (int k = 0; k < 10; ++k) group["pit-" + std::to_string(k)] = cluster_of(k);
  for (int sp = 0; sp < 3; ++sp) {
    const auto per_pit = mx::attribute_sources(*s->graph, s->hydraulics->state(), species, sp, s->sources, s->points, model_day);
    const auto r = mx::attribute_sources(*s->graph, s->hydraulics->state(), species, sp, s->sources, s->points, model_day,
                                         group, q_min, 2);
    ASSERT_EQ(r.sources, (std::vector<std::string>{"upper", "lower", "east", "pit-10", "pit-11"}));
    for (std::size_t c = 0; c < r.sources.size(); ++c) {
      double load = 0.0;
      std::vector<double> flux(s->points.size(), 0.0);
      for (int k = 0; k < 12; ++k) {
        const std::string name = k < 10 ? cluster_of(k) : "pit-" + std::to_string(k);
        if (name != r.sources[c]) continue;
        load += per_pit.load_kg_day[static_cast<std::size_t>(k)];
        for (std::size_t p = 0; p < flux.size(); ++p) flux[p] += per_pit.flux_kg_day[static_cast<std::size_t>(k)][p];
      }
      expect_close(r.load_kg_day[c], load, 1e-14, "cluster load");
      for (std::size_t p = 0; p < flux.size(); ++p)
        expect_close(r.flux_kg_day[c][p], flux[p], 1e-12, r.sources[c] + " point " + std::to_string(s->points[p]));
    }
    expect_shares_sum_to_one(r);
  }
}

TEST(Attribution, RejectsBadArguments) {
  const auto s = make_scenario(false);
  const auto species = three_species();
  const auto& st = s->hydraulics->state();
  EXPECT_THROW(mx::attribute_sources(*s->graph, st, species, 3, s->sources, s->points), std::invalid_argument);
  EXPECT_THROW(mx::attribute_sources(*s->graph, st, species, -1, s->sources, s->points), std::invalid_argument);
  const std::vector<index_t> outside = {s->terrain.grid.cells()}, negative = {-1};
  EXPECT_THROW(mx::attribute_sources(*s->graph, st, species, 0, s->sources, outside), std::invalid_argument);
  EXPECT_THROW(mx::attribute_sources(*s->graph, st, species, 0, s->sources, negative), std::invalid_argument);
  const auto& valid = s->terrain.grid.valid;
  const auto hole = static_cast<index_t>(std::find(valid.begin(), valid.end(), std::uint8_t{0}) - valid.begin());
  ASSERT_LT(hole, s->terrain.grid.cells());
  const std::vector<index_t> nodata = {hole};
  EXPECT_THROW(mx::attribute_sources(*s->graph, st, species, 0, s->sources, nodata), std::invalid_argument);
  EXPECT_THROW(mx::attribute_sources(*s->graph, st, species, 0, s->sources, s->points, 0.0, {}, q_min, 0), std::invalid_argument);
  mx::Sources bad = s->sources;
  bad.loads[0].species = 7;
  EXPECT_THROW(mx::attribute_sources(*s->graph, st, species, 0, bad, s->points), std::invalid_argument);
}
