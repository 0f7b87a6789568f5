// Calibration by a batched ensemble (model/validation/calibration.hpp).
#include "model/validation/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "kernels/exec/exec.hpp"
#include "model/validation/metrics.hpp"

namespace leachflow::model::validation {

namespace mt = model::transport;
using exec::index_t;

namespace {

// out[k] = M[cell_k] / (R · V[cell_k]) for the observations k of one ensemble species due at
// one output step (the concentration TransportModel::concentration_mg_l gives, at those cells).
struct gather_concentration {
  exec::device_span<const double> mass_g;     // one ensemble species, per cell
  exec::device_span<const double> volume_m3;  // per cell
  exec::device_span<const index_t> cell;      // per observation of this step and species
  double retardation = 1.0;
  exec::device_span<double> out;
  LF_HD void operator()(index_t k) const {
    const index_t i = cell[k];
    out[k] = mass_g[i] / (retardation * volume_m3[i]);
  }
};

// Deterministic uniform in [0, 1) from a 64-bit generator (portable, unlike std distributions).
double uniform01(std::uint64_t& state) {
  // splitmix64 (Steele et al. 2014)
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

// Lower Cholesky factor of a symmetric positive definite n × n matrix (row-major); a
// non-positive pivot (rounding) is floored at a tiny positive value.
std::vector<double> cholesky(const std::vector<double>& a, std::size_t n) {
  std::vector<double> l(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i == j ? std::sqrt(std::max(s, 1e-300)) : s / l[j * n + j];
    }
  return l;
}

// Standard normal quantile Φ⁻¹(p), 0 < p < 1: Acklam's rational approximation (relative error
// < 1.2e-9), ample for sampling.
double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  const double lo = 0.02425;
  if (p < lo) {
    const double q = std::sqrt(-2.0 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  if (p > 1.0 - lo) return -normal_quantile(1.0 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

double to_unit(const CalibrationParameter& p, double v) { return p.log_scale() ? std::log10(v) : v; }
double from_unit(const CalibrationParameter& p, double u) { return p.log_scale() ? std::pow(10.0, u) : u; }

// The observed species in order of first appearance, and each species' slot (−1: not observed).
std::vector<int> observed_species(const CalibrationProblem& pr, std::vector<int>& slot) {
  std::vector<int> list;
  slot.assign(pr.species.size(), -1);
  for (const Observation& o : pr.observations) {
    const auto s = static_cast<std::size_t>(o.species);
    if (slot[s] < 0) {
      slot[s] = static_cast<int>(list.size());
      list.push_back(o.species);
    }
  }
  return list;
}

bool matches(const CalibrationProblem& pr, const std::string& target, const std::string& pit_id) {
  if (target == "*" || target == pit_id) return true;
  const auto c = pr.clusters.find(pit_id);
  return c != pr.clusters.end() && c->second == target;
}

// Output step index (k ≥ 1) of an observation: the step end covering its day.
index_t covering_step(double day, double dt_day) {
  const double k = std::ceil(day / dt_day - 1e-9);
  return std::max<index_t>(1, static_cast<index_t>(k));
}

}  // namespace

std::string CalibrationParameter::name() const {
  return (kind == ParameterKind::load_multiplier ? "multiplier:" : "decay:") + target;
}

void check_calibration(const CalibrationProblem& pr, std::span<const CalibrationParameter> parameters) {
  if (pr.graph == nullptr || pr.hydraulics == nullptr) throw std::invalid_argument("calibration: no model given");
  if (!(pr.dt_day > 0.0) || !std::isfinite(pr.dt_day)) throw std::invalid_argument("calibration: the time step must be > 0");
  if (pr.observations.empty()) throw std::invalid_argument("calibration: no observations to calibrate against");
  const index_t cells = pr.graph->cells();
  for (const Observation& o : pr.observations) {
    if (o.species < 0 || o.species >= static_cast<int>(pr.species.size()))
      throw std::invalid_argument("calibration: observation of sample " + std::to_string(o.sample) +
                                  " has a species index out of range");
    if (o.cell < 0 || o.cell >= cells)
      throw std::invalid_argument("calibration: observation of sample " + std::to_string(o.sample) +
                                  " is not on the grid (cell " + std::to_string(o.cell) + ")");
    if (!(o.model_day >= 0.0) || !std::isfinite(o.model_day))
      throw std::invalid_argument("calibration: observation of sample " + std::to_string(o.sample) +
                                  " is before the run start");
  }
  if (parameters.empty()) throw std::invalid_argument("calibration: no parameters to fit");
  std::vector<int> slot;
  observed_species(pr, slot);
  for (const CalibrationParameter& p : parameters) {
    if (!(p.lo < p.hi) || !std::isfinite(p.lo) || !std::isfinite(p.hi))
      throw std::invalid_argument("calibration: " + p.name() + ": the range needs lo < hi (got " + std::to_string(p.lo) +
                                  ".." + std::to_string(p.hi) + ")");
    if (p.kind == ParameterKind::load_multiplier) {
      if (!(p.lo > 0.0)) throw std::invalid_argument("calibration: " + p.name() + ": a multiplier range must be > 0");
      bool any = false;
      for (const mt::PointLoad& l : pr.sources.loads) any = any || matches(pr, p.target, l.pit_id);
      for (const mt::PulseRelease& l : pr.sources.pulses) any = any || matches(pr, p.target, l.pit_id);
      if (!any)
        throw std::invalid_argument("calibration: " + p.name() + ": no cluster or pit '" + p.target +
                                    "' has a load (known clusters come from the pits' cluster field)");
    } else {
      if (!(p.lo >= 0.0)) throw std::invalid_argument("calibration: " + p.name() + ": decay must be ≥ 0");
      const auto it = std::find_if(pr.species.begin(), pr.species.end(),
                                   [&](const mt::Species& s) { return s.name == p.target; });
      if (it == pr.species.end()) throw std::invalid_argument("calibration: " + p.name() + ": no species '" + p.target + "' in the run");
      if (slot[static_cast<std::size_t>(it - pr.species.begin())] < 0)
        throw std::invalid_argument("calibration: " + p.name() + ": species '" + p.target + "' has no observations");
    }
  }
}

int members_per_run(const CalibrationProblem& pr, const CalibrationOptions& o) {
  if (o.max_members_per_run > 0) return o.max_members_per_run;
  std::vector<int> slot;
  const double j = static_cast<double>(observed_species(pr, slot).size());
  const double per_member = j * static_cast<double>(pr.graph->cells()) * 8.0 *
                            (pr.transport.advection == mt::AdvectionScheme::explicit_upwind ? 5.0 : 4.0);
  return static_cast<int>(std::clamp(std::floor(o.device_budget_bytes / per_member), 1.0, 1e6));
}

double objective_log10_rmse(std::span<const Observation> obs, std::span<const double> model) {
  std::vector<Pair> pairs(obs.size());
  for (std::size_t k = 0; k < obs.size(); ++k)
    pairs[k] = {obs[k].value_mg_l, model[k], obs[k].censored, obs[k].detection_limit_mg_l};
  return log_metrics(pairs).rmse_log10;
}

std::vector<std::vector<double>> ensemble_model_values(const CalibrationProblem& pr,
                                                       std::span<const CalibrationParameter> parameters,
                                                       const std::vector<std::vector<double>>& sets,
                                                       int batch_max, double* max_ledger_error) {
  check_calibration(pr, parameters);
  if (batch_max < 1) throw std::invalid_argument("calibration: members per run must be ≥ 1");
  std::vector<int> slot;
  const std::vector<int> obs_species = observed_species(pr, slot);
  const auto nj = static_cast<int>(obs_species.size());
  const std::size_t nobs = pr.observations.size();

  // Output steps and, per step and observed species, the observations due then.
  std::vector<index_t> step_of(nobs);
  for (std::size_t k = 0; k < nobs; ++k) step_of[k] = covering_step(pr.observations[k].model_day, pr.dt_day);
  std::vector<index_t> steps(step_of);
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  std::vector<double> output_days;
  for (const index_t s : steps) output_days.push_back(static_cast<double>(s) * pr.dt_day);
  // due[step][j]: observation indices; cells on the device.
  std::vector<std::vector<std::vector<std::size_t>>> due(steps.size(), std::vector<std::vector<std::size_t>>(nj));
  for (std::size_t k = 0; k < nobs; ++k) {
    const auto t = static_cast<std::size_t>(std::lower_bound(steps.begin(), steps.end(), step_of[k]) - steps.begin());
    due[t][static_cast<std::size_t>(slot[static_cast<std::size_t>(pr.observations[k].species)])].push_back(k);
  }
  std::vector<std::vector<exec::device_buffer<index_t>>> due_cells(steps.size());
  std::vector<std::size_t> due_count(steps.size(), 0);
  for (std::size_t t = 0; t < steps.size(); ++t)
    for (int j = 0; j < nj; ++j) {
      std::vector<index_t> c;
      for (const std::size_t k : due[t][static_cast<std::size_t>(j)]) c.push_back(pr.observations[k].cell);
      due_count[t] += c.size();
      due_cells[t].push_back(exec::to_device(c));
    }

  std::vector<std::vector<double>> values(sets.size(), std::vector<double>(nobs, 0.0));
  double ledger = 0.0;
  for (std::size_t first = 0; first < sets.size(); first += static_cast<std::size_t>(batch_max)) {
    const std::size_t m = std::min(static_cast<std::size_t>(batch_max), sets.size() - first);
    std::vector<mt::Species> species;
    mt::Sources sources;
    for (std::size_t b = 0; b < m; ++b) {
      const std::vector<double>& v = sets[first + b];
      if (v.size() != parameters.size()) throw std::invalid_argument("calibration: a parameter set has the wrong size");
      for (int j = 0; j < nj; ++j) {
        mt::Species s = pr.species[static_cast<std::size_t>(obs_species[static_cast<std::size_t>(j)])];
        for (std::size_t p = 0; p < parameters.size(); ++p)
          if (parameters[p].kind == ParameterKind::decay_per_day && parameters[p].target == s.name) s.decay_per_day = v[p];
        species.push_back(std::move(s));
      }
      const auto scale = [&](const std::string& pit) {
        double f = 1.0;
        for (std::size_t p = 0; p < parameters.size(); ++p)
          if (parameters[p].kind == ParameterKind::load_multiplier && matches(pr, parameters[p].target, pit)) f *= v[p];
        return f;
      };
      const int base = static_cast<int>(b) * nj;
      for (const mt::PointLoad& l : pr.sources.loads) {
        const int j = slot[static_cast<std::size_t>(l.species)];
        if (j < 0) continue;
        mt::PointLoad c = l;
        c.species = base + j;
        c.load_kg_day *= scale(l.pit_id);
        sources.loads.push_back(std::move(c));
      }
      for (const mt::PulseRelease& l : pr.sources.pulses) {
        const int j = slot[static_cast<std::size_t>(l.species)];
        if (j < 0) continue;
        mt::PulseRelease c = l;
        c.species = base + j;
        c.mass_kg *= scale(l.pit_id);
        sources.pulses.push_back(std::move(c));
      }
    }
    mt::TransportModel model(*pr.graph, *pr.hydraulics, species, sources, pr.transport);
    if (pr.steady_start) {
      pr.hydraulics->update(0.0);
      const std::vector<double> c = exec::to_host(mt::steady_concentration_mg_l(
          *pr.graph, pr.hydraulics->state(), species, sources, 0.0, pr.hydraulics->options().law.min_discharge_m3s));
      const std::vector<double> volume = exec::to_host(pr.hydraulics->state().volume_m3);
      const std::size_t n = volume.size();
      std::vector<double> mass(n);
      for (std::size_t k = 0; k < species.size(); ++k) {
        for (std::size_t i = 0; i < n; ++i) mass[i] = c[k * n + i] * volume[i] * species[k].retardation;
        model.set_mass_g(static_cast<int>(k), mass);
      }
    }
    // One device buffer per output step for all (member, observation) values, one copy back.
    std::size_t t = 0;
    const auto record = [&](double, const mt::TransportModel& tm) {
      exec::device_buffer<double> out(static_cast<index_t>(m * due_count[t]));
      const auto volume = exec::device_span<const double>(pr.hydraulics->state().volume_m3.span());
      index_t offset = 0;
      for (std::size_t b = 0; b < m; ++b)
        for (int j = 0; j < nj; ++j) {
          const exec::device_buffer<index_t>& c = due_cells[t][static_cast<std::size_t>(j)];
          if (c.size() == 0) continue;
          const int s = static_cast<int>(b) * nj + j;
          exec::for_each_index(c.size(), gather_concentration{tm.mass_g(s), volume, c.span(),
                                                              tm.species()[static_cast<std::size_t>(s)].retardation,
                                                              out.span().subspan(offset, c.size())});
          offset += c.size();
        }
      const std::vector<double> host = exec::to_host(out);
      std::size_t h = 0;
      for (std::size_t b = 0; b < m; ++b)
        for (int j = 0; j < nj; ++j)
          for (const std::size_t k : due[t][static_cast<std::size_t>(j)]) values[first + b][k] = host[h++];
      ++t;
    };
    model.run_until(output_days.back(), pr.dt_day, output_days, record);
    if (t != steps.size()) throw std::logic_error("calibration: the run missed an output step");
    ledger = std::max(ledger, model.max_relative_ledger_error());
  }
  if (max_ledger_error != nullptr) *max_ledger_error = ledger;
  return values;
}

CalibrationResult calibrate(const CalibrationProblem& pr, std::vector<CalibrationParameter> parameters,
                            const CalibrationOptions& o) {
  check_calibration(pr, parameters);
  if (o.members < 2 || o.rounds < 1) throw std::invalid_argument("calibration: need at least 2 members and 1 round");
  CalibrationResult r;
  r.parameters = parameters;
  r.observations = pr.observations.size();
  r.members_per_run = members_per_run(pr, o);
  const std::size_t np = parameters.size();

  // The scenario's own parameters: multiplier 1, the preset decay.
  for (const CalibrationParameter& p : parameters) {
    double v = 1.0;
    if (p.kind == ParameterKind::decay_per_day)
      for (const mt::Species& s : pr.species)
        if (s.name == p.target) v = s.decay_per_day;
    r.baseline_values.push_back(v);
  }

  std::vector<double> lo0(np), hi0(np);  // transformed ranges
  for (std::size_t p = 0; p < np; ++p) {
    lo0[p] = to_unit(parameters[p], parameters[p].lo);
    hi0[p] = to_unit(parameters[p], parameters[p].hi);
  }
  std::vector<double> mean(np), chol(np * np, 0.0);  // elite Gaussian (rounds > 1), lower Cholesky
  std::uint64_t state = o.seed;
  const auto m = static_cast<std::size_t>(o.members);
  for (int round = 0; round < o.rounds; ++round) {
    // Latin hypercube in probability: one stratum per member and parameter, permuted per parameter.
    std::vector<std::vector<double>> u(m, std::vector<double>(np));
    for (std::size_t p = 0; p < np; ++p) {
      std::vector<std::size_t> perm(m);
      std::iota(perm.begin(), perm.end(), 0);
      for (std::size_t i = m - 1; i > 0; --i)
        std::swap(perm[i], perm[static_cast<std::size_t>(uniform01(state) * static_cast<double>(i + 1))]);
      for (std::size_t i = 0; i < m; ++i) u[i][p] = (static_cast<double>(perm[i]) + uniform01(state)) / static_cast<double>(m);
    }
    std::vector<std::vector<double>> sets(m, std::vector<double>(np));
    for (std::size_t i = 0; i < m; ++i) {
      std::vector<double> z(np);
      for (std::size_t p = 0; p < np; ++p) z[p] = normal_quantile(std::clamp(u[i][p], 1e-12, 1.0 - 1e-12));
      for (std::size_t p = 0; p < np; ++p) {
        double x = lo0[p] + u[i][p] * (hi0[p] - lo0[p]);
        if (round > 0) {
          x = mean[p];
          for (std::size_t q = 0; q <= p; ++q) x += chol[p * np + q] * z[q];
        }
        sets[i][p] = from_unit(parameters[p], std::clamp(x, lo0[p], hi0[p]));
      }
    }
    if (round == 0) sets.push_back(r.baseline_values);  // rides along in the first ensemble
    double ledger = 0.0;
    const std::vector<std::vector<double>> values = ensemble_model_values(pr, parameters, sets, r.members_per_run, &ledger);
    r.runs += static_cast<int>((sets.size() + static_cast<std::size_t>(r.members_per_run) - 1) /
                               static_cast<std::size_t>(r.members_per_run));
    r.max_ledger_relative_error = std::max(r.max_ledger_relative_error, ledger);
    for (std::size_t i = 0; i < m; ++i)
      r.members.push_back({round, sets[i], objective_log10_rmse(pr.observations, values[i])});
    if (round == 0) r.baseline_rmse_log10 = objective_log10_rmse(pr.observations, values[m]);

    // The elite of all members so far: mean and inflated covariance for the next round.
    std::vector<std::size_t> order(r.members.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return r.members[a].rmse_log10 < r.members[b].rmse_log10; });
    const std::size_t ne = std::min(order.size(), std::max(np + 2, static_cast<std::size_t>(std::ceil(
                                                                       o.elite_fraction * static_cast<double>(m)))));
    std::fill(mean.begin(), mean.end(), 0.0);
    for (std::size_t i = 0; i < ne; ++i)
      for (std::size_t p = 0; p < np; ++p) mean[p] += to_unit(parameters[p], r.members[order[i]].values[p]) / static_cast<double>(ne);
    std::vector<double> cov(np * np, 0.0);
    for (std::size_t i = 0; i < ne; ++i)
      for (std::size_t p = 0; p < np; ++p)
        for (std::size_t q = 0; q < np; ++q)
          cov[p * np + q] += (to_unit(parameters[p], r.members[order[i]].values[p]) - mean[p]) *
                             (to_unit(parameters[q], r.members[order[i]].values[q]) - mean[q]) *
                             o.inflation * o.inflation / static_cast<double>(ne - 1);
    for (std::size_t p = 0; p < np; ++p) {
      const double floor = o.min_width_fraction * (hi0[p] - lo0[p]);
      cov[p * np + p] += floor * floor;
    }
    chol = cholesky(cov, np);
  }

  // Best set and spread.
  std::vector<std::size_t> order(r.members.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return r.members[a].rmse_log10 < r.members[b].rmse_log10; });
  r.best = order.front();
  const double best = r.members[r.best].rmse_log10;
  const std::size_t top = std::max<std::size_t>(2, static_cast<std::size_t>(std::ceil(o.top_fraction * static_cast<double>(order.size()))));
  for (std::size_t p = 0; p < np; ++p) {
    ParameterSpread s;
    s.best = s.min_within = s.max_within = r.members[r.best].values[p];
    for (const CalibrationMember& mm : r.members)
      if (mm.rmse_log10 <= best + o.tolerance_log10) {
        s.min_within = std::min(s.min_within, mm.values[p]);
        s.max_within = std::max(s.max_within, mm.values[p]);
      }
    const std::size_t n = std::min(top, order.size());
    double avg = 0.0, sq = 0.0;
    for (std::size_t i = 0; i < n; ++i) avg += to_unit(parameters[p], r.members[order[i]].values[p]);
    avg /= static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double d = to_unit(parameters[p], r.members[order[i]].values[p]) - avg;
      sq += d * d;
    }
    s.sd_top = n > 1 ? std::sqrt(sq / static_cast<double>(n - 1)) : 0.0;
    const double covered = (to_unit(parameters[p], s.max_within) - to_unit(parameters[p], s.min_within)) / (hi0[p] - lo0[p]);
    s.identifiable = covered <= o.identifiability_fraction;
    r.spread.push_back(s);
  }
  return r;
}

}  // namespace leachflow::model::validation
