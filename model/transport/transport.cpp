// TransportModel and the steady state (model/transport/transport.hpp). The one translation unit
// that instantiates the transport kernels.
#include "model/transport/transport.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "kernels/exec/exec.hpp"
#include "kernels/transport/advection.hpp"
#include "kernels/transport/dispersion.hpp"
#include "kernels/transport/reaction.hpp"
#include "kernels/transport/tree_sweep.hpp"
#include "model/terrain/accumulate_custom.hpp"
#include "model/transport/source_schedule.hpp"

namespace leachflow::model::transport {

namespace kx = kernels::transport;
namespace kt = kernels::terrain;

namespace {

constexpr double seconds_per_day = 86400.0;

kx::species_params to_params(const Species& s) {
  return {s.retardation, s.decay_per_day / seconds_per_day, s.settling_m_day / seconds_per_day};
}

void check_species(const std::vector<Species>& species) {
  if (species.empty()) throw std::invalid_argument("transport: no species");
  for (const Species& s : species) {
    if (!(s.retardation >= 1.0) || !std::isfinite(s.retardation))
      throw std::invalid_argument("transport: species '" + s.name + "': retardation must be ≥ 1");
    if (!(s.decay_per_day >= 0.0) || !std::isfinite(s.decay_per_day))
      throw std::invalid_argument("transport: species '" + s.name + "': decay must be finite and ≥ 0");
    if (!(s.settling_m_day >= 0.0) || !std::isfinite(s.settling_m_day))
      throw std::invalid_argument("transport: species '" + s.name + "': settling velocity must be finite and ≥ 0");
  }
}

kx::channel_fields fields_of(const hydraulics::ChannelState& ch, const kernels::grid_view& g, double q_min) {
  return {ch.discharge_m3s.span(), ch.volume_m3.span(), ch.depth_m.span(), g.valid, q_min};
}

struct scatter_kernel {
  exec::device_span<const index_t> slot;
  exec::device_span<const double> value;  // empty: write 0
  exec::device_span<double> target;
  LF_HD void operator()(index_t k) const { target[slot[k]] = value.empty() ? 0.0 : value[k]; }
};

// c = M/(R·V), 0 on NoData.
struct concentration_from_mass {
  exec::device_span<const double> m, v;
  exec::device_span<const std::uint8_t> valid;
  double r;
  exec::device_span<double> c;
  LF_HD void operator()(index_t i) const { c[i] = valid[i] ? m[i] / (r * v[i]) : 0.0; }
};

struct zero_nodata {
  exec::device_span<const std::uint8_t> valid;
  exec::device_span<double> m;
  LF_HD void operator()(index_t i) const {
    if (!valid[i]) m[i] = 0.0;
  }
};

}  // namespace

double SpeciesLedger::relative_error() const {
  const double in = std::max(source_kg + initial_stored_kg, 1e-300);
  return std::abs(imbalance_kg()) / in;
}

TransportModel::TransportModel(const terrain::FlowGraph& graph, hydraulics::Hydraulics& hydraulics,
                               std::vector<Species> species, Sources sources, TransportOptions options)
    : graph_(&graph), hydraulics_(&hydraulics), species_(std::move(species)), sources_(std::move(sources)),
      options_(options), cells_(graph.cells()) {
  if (&hydraulics.graph() != &graph) throw std::invalid_argument("transport: hydraulics built on another flow graph");
  check_species(species_);
  if (options_.dispersion && graph.multi())
    throw std::invalid_argument("transport: implicit dispersion needs a single-receiver (D8) flow graph");
  if (options_.dispersion && options_.dispersion_m2s < 0.0 && !(options_.dispersivity >= 0.0))
    throw std::invalid_argument("transport: dispersivity must be ≥ 0");
  if (!(options_.explicit_courant > 0.0 && options_.explicit_courant <= 1.0))
    throw std::invalid_argument("transport: explicit Courant number must be in (0, 1]");
  validate_sources(sources_, cells_, species_count(), exec::to_host(graph.grid().valid));

  std::vector<kx::species_params> p;
  for (const Species& s : species_) p.push_back(to_params(s));
  species_params_ = exec::to_device(p);
  const index_t n = cells_ * species_count();
  mass_ = exec::device_buffer<double>(n);
  flux_ = exec::device_buffer<double>(n);
  source_ = exec::device_buffer<double>(n);
  exec::fill(mass_.span(), 0.0);
  exec::fill(flux_.span(), 0.0);
  exec::fill(source_.span(), 0.0);
  if (options_.advection == AdvectionScheme::explicit_upwind) scratch_ = exec::device_buffer<double>(n);
  out_share_ = exec::device_buffer<double>(cells_);
  exec::for_each_index(cells_, kx::out_share_kernel{graph.view(), graph.grid(), out_share_.span()});
  if (options_.dispersion) {
    conductance_ = exec::device_buffer<double>(cells_);
    fcoef_ = exec::device_buffer<double>(cells_);
  }
  ledger_.assign(species_.size(), SpeciesLedger{});
  refresh_hydraulics();
}

void TransportModel::refresh_hydraulics() {
  hydraulics_version_ = hydraulics_->version();
  const hydraulics::ChannelState& ch = hydraulics_->state();
  const kx::channel_fields cf = fields_of(ch, graph_->grid(), hydraulics_->options().law.min_discharge_m3s);
  min_residence_s_ = exec::transform_reduce(cells_, kx::residence_time_s{cf, 1.0}, 1e300, exec::minimum<double>{});
  if (options_.dispersion) {
    exec::for_each_index(cells_, kx::dispersion_conductance{graph_->view(), graph_->grid(), ch.cross_section_m2.span(),
                                                            ch.flow_length_m.span(), ch.velocity_ms.span(),
                                                            options_.dispersivity, options_.dispersion_m2s,
                                                            conductance_.span()});
  }
}

void TransportModel::load_sources(double t0_day, double t1_day, double dt_s) {
  if (!source_slots_host_.empty())
    exec::for_each_index(source_slot_.size(), scatter_kernel{source_slot_.span(), {}, source_.span()});
  const StepSources s = step_sources(sources_, cells_, t0_day, t1_day);
  source_slots_host_ = s.slot;
  std::vector<double> rate(s.mass_kg.size());
  for (std::size_t k = 0; k < rate.size(); ++k) {
    rate[k] = s.mass_kg[k] * 1000.0 / dt_s;  // g/s
    ledger_[static_cast<std::size_t>(s.slot[k] / cells_)].source_kg += s.mass_kg[k];
    if (!cell_source_kg_.empty()) cell_source_kg_[static_cast<std::size_t>(s.slot[k])] += s.mass_kg[k];
  }
  if (s.slot.empty()) return;
  source_slot_ = exec::to_device(s.slot);
  const exec::device_buffer<double> r = exec::to_device(rate);
  exec::for_each_index(source_slot_.size(), scatter_kernel{source_slot_.span(), r.span(), source_.span()});
}

void TransportModel::advect_implicit(double dt_s) {
  const kx::channel_fields cf = fields_of(hydraulics_->state(), graph_->grid(), hydraulics_->options().law.min_discharge_m3s);
  const kx::implicit_b b{cf, species_params_.span(), dt_s};
  const kx::implicit_a a{b, mass_.span(), source_.span(), cells_};
  terrain::accumulate_columns_with(*graph_, species_count(), a, b, flux_.span());
  exec::for_each_index(cells_ * species_count(),
                       kx::mass_from_flux{cf, species_params_.span(), flux_.span(), mass_.span(), cells_});
  for (int s = 0; s < species_count(); ++s) {
    const double out_g = exec::transform_reduce(
        cells_, kx::outflow_mass{flux_.span(), out_share_.span(), s * cells_, dt_s}, 0.0, exec::plus<double>{});
    ledger_[static_cast<std::size_t>(s)].outflow_kg += out_g * 1e-3;
  }
  if (cell_budgets_enabled())
    exec::for_each_index(cells_ * species_count(), kx::accumulate_sent{flux_.span(), sent_g_.span(), dt_s});
  last_substeps_ = 1;
}

void TransportModel::advect_explicit(double dt_s) {
  const kx::channel_fields cf = fields_of(hydraulics_->state(), graph_->grid(), hydraulics_->options().law.min_discharge_m3s);
  double min_r = species_.front().retardation;
  for (const Species& s : species_) min_r = std::min(min_r, s.retardation);
  const double limit = options_.explicit_courant * min_r * min_residence_s_;
  const auto substeps = static_cast<index_t>(std::max(1.0, std::ceil(dt_s / limit * (1.0 - 1e-12))));
  const double h = dt_s / static_cast<double>(substeps);
  const auto f = graph_->view();
  kx::explicit_upwind_step step{f, cf.valid, {}, flux_.span(), source_.span(), {}, cells_, h};
  for (int d = 0; d < 8; ++d) step.offset[d] = f.offset(d);
  std::vector<double> out_g(species_.size(), 0.0);
  for (index_t k = 0; k < substeps; ++k) {
    exec::for_each_index(cells_ * species_count(),
                         kx::flux_from_mass{cf, species_params_.span(), mass_.span(), flux_.span(), cells_});
    for (int s = 0; s < species_count(); ++s)
      out_g[static_cast<std::size_t>(s)] += exec::transform_reduce(
          cells_, kx::outflow_mass{flux_.span(), out_share_.span(), s * cells_, h}, 0.0, exec::plus<double>{});
    if (cell_budgets_enabled())
      exec::for_each_index(cells_ * species_count(), kx::accumulate_sent{flux_.span(), sent_g_.span(), h});
    step.mass_in = mass_.span();
    step.mass_out = scratch_.span();
    exec::for_each_index(cells_ * species_count(), step);
    std::swap(mass_, scratch_);
  }
  for (int s = 0; s < species_count(); ++s) ledger_[static_cast<std::size_t>(s)].outflow_kg += out_g[static_cast<std::size_t>(s)] * 1e-3;
  last_substeps_ = substeps;
}

void TransportModel::disperse(double dt_s) {
  const hydraulics::ChannelState& ch = hydraulics_->state();
  const auto f = graph_->view();
  const kx::donor_offsets off(f);
  const std::span<const kt::level_segment> schedule(graph_->schedule());
  for (int s = 0; s < species_count(); ++s) {
    const double r = species_[static_cast<std::size_t>(s)].retardation;
    exec::device_span<double> m = mass_.span().subspan(s * cells_, cells_);
    exec::device_span<double> e = flux_.span().subspan(s * cells_, cells_);  // flux is free after advection
    kx::dispersion_eliminate el{f, conductance_.span(), ch.volume_m3.span(), m, e, fcoef_.span(), r, dt_s};
    kx::dispersion_substitute su{f, ch.volume_m3.span(), fcoef_.span(), e, m, r};
    for (int d = 0; d < 8; ++d) el.offset[d] = su.offset[d] = off.offset[d];
    kx::sweep_downstream(graph_->order(), schedule, el);
    kx::sweep_upstream(graph_->order(), schedule, su);
  }
}

void TransportModel::react(double dt_s) {
  const kx::channel_fields cf = fields_of(hydraulics_->state(), graph_->grid(), hydraulics_->options().law.min_discharge_m3s);
  for (int s = 0; s < species_count(); ++s) {
    const kx::species_params p = to_params(species_[static_cast<std::size_t>(s)]);
    exec::device_span<double> m = mass_.span().subspan(s * cells_, cells_);
    const kx::reaction_sums r =
        exec::transform_reduce(cells_, kx::reaction_terms{cf, p, m, dt_s}, kx::reaction_sums{}, kx::reaction_sums_plus{});
    exec::device_span<double> lost;
    if (cell_budgets_enabled()) lost = reacted_g_.span().subspan(s * cells_, cells_);
    exec::for_each_index(cells_, kx::reaction_apply{cf, p, m, dt_s, lost});
    SpeciesLedger& l = ledger_[static_cast<std::size_t>(s)];
    l.decayed_kg += r.decayed * 1e-3;
    l.settled_kg += r.settled * 1e-3;
    l.stored_kg = r.stored * 1e-3;
  }
}

void TransportModel::step(double dt_day) {
  if (!(dt_day > 0.0) || !std::isfinite(dt_day)) throw std::invalid_argument("transport: time step must be > 0");
  hydraulics_->update(time_day_);
  if (hydraulics_->version() != hydraulics_version_) refresh_hydraulics();
  const double dt_s = dt_day * seconds_per_day;
  load_sources(time_day_, time_day_ + dt_day, dt_s);
  if (options_.advection == AdvectionScheme::implicit_upwind) {
    advect_implicit(dt_s);
  } else {
    advect_explicit(dt_s);
  }
  if (options_.dispersion) disperse(dt_s);
  react(dt_s);
  time_day_ += dt_day;
  ++steps_;
}

void TransportModel::run_until(double end_day, double dt_day, std::span<const double> output_days,
                               const OutputCallback& on_output) {
  if (!(dt_day > 0.0)) throw std::invalid_argument("transport: time step must be > 0");
  std::size_t next = 0;
  while (next < output_days.size() && output_days[next] <= time_day_) ++next;
  // Relative slack so that a step landing within rounding of a target counts as on it.
  const auto close = [](double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)); };
  while (time_day_ < end_day && !close(time_day_, end_day)) {
    double target = end_day;
    if (next < output_days.size() && output_days[next] < target) target = output_days[next];
    const double remaining = target - time_day_;
    const double n = std::ceil(remaining / dt_day * (1.0 - 1e-12));
    step(remaining / std::max(1.0, n));
    if (close(time_day_, target)) {
      time_day_ = target;
      if (next < output_days.size() && close(output_days[next], target)) {
        if (on_output) on_output(time_day_, *this);
        ++next;
      }
    }
  }
  if (next < output_days.size() && close(output_days[next], end_day) && on_output) on_output(time_day_, *this);
}

exec::device_buffer<double> TransportModel::concentration_mg_l(int s) const {
  const hydraulics::ChannelState& ch = hydraulics_->state();
  const double r = species_.at(static_cast<std::size_t>(s)).retardation;
  exec::device_buffer<double> c(cells_);
  exec::for_each_index(cells_, concentration_from_mass{mass_g(s), ch.volume_m3.span(), graph_->grid().valid, r, c.span()});
  return c;
}

exec::device_span<const double> TransportModel::mass_g(int s) const {
  if (s < 0 || s >= species_count()) throw std::out_of_range("transport: species index out of range");
  return mass_.span().subspan(s * cells_, cells_);
}

void TransportModel::set_mass_g(int s, std::span<const double> host_g) {
  if (s < 0 || s >= species_count()) throw std::out_of_range("transport: species index out of range");
  if (static_cast<index_t>(host_g.size()) != cells_) throw std::invalid_argument("transport: mass raster size differs");
  exec::device_span<double> m = mass_.span().subspan(s * cells_, cells_);
  exec::copy(host_g, m);
  exec::for_each_index(cells_, zero_nodata{graph_->grid().valid, m});
  const double stored = exec::transform_reduce(cells_, kx::stored_mass{graph_->grid().valid, m}, 0.0, exec::plus<double>{});
  SpeciesLedger& l = ledger_[static_cast<std::size_t>(s)];
  l.initial_stored_kg += stored * 1e-3 - l.stored_kg;
  l.stored_kg = stored * 1e-3;
}

void TransportModel::enable_cell_budgets() {
  const index_t n = cells_ * species_count();
  sent_g_ = exec::device_buffer<double>(n);
  reacted_g_ = exec::device_buffer<double>(n);
  initial_mass_g_ = exec::device_buffer<double>(n);
  exec::fill(sent_g_.span(), 0.0);
  exec::fill(reacted_g_.span(), 0.0);
  exec::copy(exec::device_span<const double>(mass_.span()), initial_mass_g_.span());
  cell_source_kg_.assign(static_cast<std::size_t>(n), 0.0);
}

exec::device_span<const double> TransportModel::sent_g(int s) const {
  if (s < 0 || s >= species_count() || !cell_budgets_enabled()) throw std::out_of_range("transport: no cell budget for this species");
  return sent_g_.span().subspan(s * cells_, cells_);
}

exec::device_span<const double> TransportModel::reacted_g(int s) const {
  if (s < 0 || s >= species_count() || !cell_budgets_enabled()) throw std::out_of_range("transport: no cell budget for this species");
  return reacted_g_.span().subspan(s * cells_, cells_);
}

exec::device_span<const double> TransportModel::initial_mass_g(int s) const {
  if (s < 0 || s >= species_count() || !cell_budgets_enabled()) throw std::out_of_range("transport: no cell budget for this species");
  return initial_mass_g_.span().subspan(s * cells_, cells_);
}

double TransportModel::max_relative_ledger_error() const {
  double e = 0.0;
  for (const SpeciesLedger& l : ledger_) e = std::max(e, l.relative_error());
  return e;
}

std::size_t TransportModel::device_bytes() const {
  return mass_.bytes() + flux_.bytes() + source_.bytes() + scratch_.bytes() + out_share_.bytes() + sent_g_.bytes() +
         reacted_g_.bytes() + initial_mass_g_.bytes() +
         conductance_.bytes() + fcoef_.bytes() + source_slot_.bytes() + species_params_.bytes();
}

exec::device_buffer<double> steady_concentration_mg_l(const terrain::FlowGraph& graph,
                                                      const hydraulics::ChannelState& channel,
                                                      const std::vector<Species>& species, const Sources& sources,
                                                      double model_day, double min_discharge_m3s) {
  check_species(species);
  if (!(min_discharge_m3s > 0.0)) throw std::invalid_argument("steady state: the minimum discharge must be positive");
  const index_t cells = graph.cells();
  const int ns = static_cast<int>(species.size());
  validate_sources(sources, cells, ns);
  std::vector<double> src(static_cast<std::size_t>(cells * ns), 0.0);
  for (const PointLoad& l : sources.loads)
    if (l.start_day <= model_day && model_day < l.end_day)
      src[static_cast<std::size_t>(l.species * cells + l.cell)] += l.load_kg_day * 1000.0 / seconds_per_day;  // g/s
  const exec::device_buffer<double> source = exec::to_device(src);
  std::vector<kx::species_params> p;
  for (const Species& s : species) p.push_back(to_params(s));
  const exec::device_buffer<kx::species_params> params = exec::to_device(p);
  const kx::channel_fields cf = fields_of(channel, graph.grid(), min_discharge_m3s);
  const kx::steady_b b{cf, params.span()};
  exec::device_buffer<double> flux(cells * ns);
  terrain::accumulate_columns_with(graph, ns, kx::steady_a{b, source.span(), cells}, b, flux.span());
  exec::device_buffer<double> c(cells * ns);
  exec::for_each_index(cells * ns, kx::concentration_from_flux{cf, flux.span(), c.span(), cells});
  return c;
}

}  // namespace leachflow::model::transport
