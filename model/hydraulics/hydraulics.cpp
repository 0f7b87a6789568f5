// Hydraulics (model/hydraulics/hydraulics.hpp): forcing in force, discharge sweep, channel state.
#include "model/hydraulics/hydraulics.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "kernels/exec/exec.hpp"
#include "kernels/hydraulics/channel.hpp"
#include "model/terrain/accumulate_custom.hpp"
#include "model/iso_time.hpp"

namespace leachflow::model::hydraulics {

namespace kh = kernels::hydraulics;

namespace {

constexpr double seconds_per_day = 86400.0;

// Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil inverse).
void civil_from_days(long long z, int& year, int& month) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long m = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  month = static_cast<int>(m);
}

}  // namespace

int month_of_day(double days_since_1970) {
  int y = 1970, m = 1;
  civil_from_days(static_cast<long long>(std::floor(days_since_1970)), y, m);
  return m - 1;
}

ChannelState::ChannelState(index_t cells)
    : discharge_m3s(cells), width_m(cells), depth_m(cells), velocity_ms(cells), cross_section_m2(cells),
      flow_length_m(cells), volume_m3(cells), travel_time_s(cells) {}

Hydraulics::Hydraulics(const terrain::FlowGraph& graph, HydraulicsOptions options, ChannelState state)
    : graph_(&graph), options_(options), prescribed_(true), key_(0), version_(1), state_(std::move(state)) {}

Hydraulics::Hydraulics(const terrain::FlowGraph& graph, Runoff runoff, HydraulicsOptions options,
                       exec::device_span<const float> elevation)
    : graph_(&graph), runoff_(std::move(runoff)), options_(options), elevation_(elevation), state_(graph.cells()) {
  const index_t n = graph.cells();
  if (!elevation_.empty() && elevation_.size() != n)
    throw std::invalid_argument("hydraulics: elevation size differs from rows × cols");
  if (options_.velocity == VelocityMethod::manning && elevation_.empty())
    throw std::invalid_argument("hydraulics: Manning velocities need the conditioned elevation");
  if (options_.law.min_discharge_m3s <= 0.0)
    throw std::invalid_argument("hydraulics: the minimum discharge must be positive");
  if (runoff_.kind == Runoff::Kind::gridded) {
    if (runoff_.grid_mm_day.empty() || runoff_.grid_mm_day.size() != runoff_.grid_time_day.size())
      throw std::invalid_argument("hydraulics: gridded runoff needs one time per grid and at least one grid");
    for (std::size_t k = 0; k < runoff_.grid_mm_day.size(); ++k) {
      if (static_cast<index_t>(runoff_.grid_mm_day[k].size()) != n)
        throw std::invalid_argument("hydraulics: runoff grid " + std::to_string(k) + " size differs from rows × cols");
      if (k > 0 && !(runoff_.grid_time_day[k] > runoff_.grid_time_day[k - 1]))
        throw std::invalid_argument("hydraulics: runoff grid times must increase");
    }
  }
  update(0.0);
}

Hydraulics Hydraulics::prescribed(const terrain::FlowGraph& graph, ChannelState state) {
  const index_t n = graph.cells();
  for (const exec::device_buffer<double>* b :
       {&state.discharge_m3s, &state.width_m, &state.depth_m, &state.velocity_ms, &state.cross_section_m2,
        &state.flow_length_m, &state.volume_m3, &state.travel_time_s})
    if (b->size() != n) throw std::invalid_argument("hydraulics: prescribed channel state size differs from rows × cols");
  return Hydraulics(graph, HydraulicsOptions{}, std::move(state));
}

long long Hydraulics::forcing_key(double model_day) const {
  switch (runoff_.kind) {
    case Runoff::Kind::constant: return 0;
    case Runoff::Kind::monthly: return month_of_day(options_.start_day + model_day);
    case Runoff::Kind::gridded: {
      long long k = 0;
      while (k + 1 < static_cast<long long>(runoff_.grid_time_day.size()) &&
             runoff_.grid_time_day[static_cast<std::size_t>(k + 1)] <= model_day)
        ++k;
      return k;
    }
  }
  return 0;
}

double Hydraulics::uniform_runoff_ms(double model_day) const {
  switch (runoff_.kind) {
    case Runoff::Kind::constant: return runoff_.constant_mm_yr * 1e-3 / (365.25 * seconds_per_day);
    case Runoff::Kind::monthly: {
      const double day = options_.start_day + model_day;
      int y = 1970, m = 1;
      civil_from_days(static_cast<long long>(std::floor(day)), y, m);
      return runoff_.monthly_mm[static_cast<std::size_t>(m - 1)] * 1e-3 / (days_in_month(y, m) * seconds_per_day);
    }
    case Runoff::Kind::gridded: return std::nan("");
  }
  return 0.0;
}

bool Hydraulics::update(double model_day) {
  if (prescribed_) return false;
  const long long key = forcing_key(model_day);
  if (key == key_) return false;
  compute(key, model_day);
  key_ = key;
  ++version_;
  return true;
}

void Hydraulics::compute(long long key, double model_day) {
  const terrain::FlowGraph& graph = *graph_;
  const kernels::grid_view g = graph.grid();
  const auto f = graph.view();
  const index_t n = graph.cells();

  kh::runoff_inflow inflow{g.area_m2, kernels::terrain::row_of(g.cols), 0.0, {}};
  if (runoff_.kind == Runoff::Kind::gridded) {
    grid_mm_day_ = exec::to_device(runoff_.grid_mm_day[static_cast<std::size_t>(key)]);
    inflow.cell_mm_day = grid_mm_day_.span();
  } else {
    const double rate = uniform_runoff_ms(model_day);
    inflow.uniform_rate_ms = rate > 0.0 ? rate : 0.0;
  }

  terrain::accumulate_with(graph, inflow, kernels::terrain::coeff_one{}, state_.discharge_m3s.span());

  kh::channel_options opt{options_.law,
                          options_.velocity == VelocityMethod::manning ? kh::velocity_law::manning
                                                                       : kh::velocity_law::continuity,
                          options_.manning_n, options_.overland_k_ms, options_.overland_min_slope};
  kh::channel_state_view out{state_.width_m.span(),          state_.depth_m.span(),       state_.velocity_ms.span(),
                             state_.cross_section_m2.span(), state_.flow_length_m.span(), state_.volume_m3.span(),
                             state_.travel_time_s.span()};
  exec::for_each_index(n, kh::channel_kernel{f, g, state_.discharge_m3s.span(), elevation_, opt, options_.stream, out});
}

std::size_t Hydraulics::device_bytes() const {
  return state_.discharge_m3s.bytes() * 8 + grid_mm_day_.bytes();
}

}  // namespace leachflow::model::hydraulics
