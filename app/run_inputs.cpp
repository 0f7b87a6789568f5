#include "app/run_inputs.hpp"

#include <cmath>

#include "io/runoff_reader.hpp"

namespace leachflow::app {

using model::terrain::DepressionMethod;
using model::terrain::FlowRouter;

model::terrain::TerrainOptions terrain_options(const io::Scenario& s) {
  model::terrain::TerrainOptions o;
  o.depressions = s.terrain.depressions == "breach" ? DepressionMethod::breach
                  : s.terrain.depressions == "none" ? DepressionMethod::none
                                                     : DepressionMethod::fill;
  o.router = s.terrain.router == "dinf" ? FlowRouter::dinf : s.terrain.router == "mfd" ? FlowRouter::mfd : FlowRouter::d8;
  o.stream_threshold_m2 = s.terrain.stream_threshold_km2 * 1e6;
  return o;
}

model::hydraulics::HydraulicsOptions hydraulics_options(const io::Scenario& s) {
  model::hydraulics::HydraulicsOptions o;
  o.velocity = s.hydraulics.velocity == "manning" ? model::hydraulics::VelocityMethod::manning
                                                  : model::hydraulics::VelocityMethod::continuity;
  o.manning_n = s.hydraulics.manning_n;
  if (s.hydraulics.min_discharge_m3s > 0) o.law.min_discharge_m3s = s.hydraulics.min_discharge_m3s;
  o.start_day = s.time.start_day;
  return o;
}

model::transport::TransportOptions transport_options(const io::Scenario& s) {
  model::transport::TransportOptions o;
  o.advection = s.transport.scheme == "explicit" ? model::transport::AdvectionScheme::explicit_upwind
                                                 : model::transport::AdvectionScheme::implicit_upwind;
  o.dispersion = s.transport.dispersion;
  o.dispersivity = s.transport.dispersivity;
  o.explicit_courant = s.transport.courant;
  return o;
}

std::vector<model::transport::Species> run_species(const io::Scenario& s) {
  std::vector<model::transport::Species> out;
  for (const auto& d : s.species) {
    model::transport::Species sp = model::transport::preset(d.name).value_or(model::transport::Species{});
    if (sp.name.empty()) {
      sp.name = d.name;
      sp.source = "user-defined in the scenario";
    }
    const auto set = [](double& field, double v) {
      if (!std::isnan(v)) field = v;
    };
    set(sp.decay_per_day, d.decay_per_day);
    set(sp.retardation, d.retardation);
    set(sp.settling_m_day, d.settling_m_day);
    set(sp.guideline_mg_l, d.guideline_mg_l);
    if (!d.source.empty()) sp.source = d.source;
    out.push_back(sp);
  }
  return out;
}

model::hydraulics::Runoff run_runoff(const io::Scenario& s, const model::Grid& grid) {
  using Kind = model::hydraulics::Runoff::Kind;
  const auto& r = s.runoff;
  model::hydraulics::Runoff out;
  if (r.kind == "netcdf") {
    out = io::read_runoff_netcdf(r.path, r.variable, grid, s.time.start_day, r.units);
  } else if (r.kind == "rasters") {
    std::vector<io::RunoffRaster> list;
    for (const auto& [time, path] : r.rasters) list.push_back({time, path});
    out = io::read_runoff_rasters(list, grid, s.time.start_day, r.units);
  } else if (r.kind == "monthly") {
    out.kind = Kind::monthly;
    out.monthly_mm = r.monthly_mm;
  } else {
    out.kind = Kind::constant;
    out.constant_mm_yr = r.constant_mm_yr;
  }
  if (!r.source.empty()) out.source = r.source;
  return out;
}

model::transport::PitOptions pit_options(const io::Scenario& s, const std::vector<model::transport::Species>& species) {
  model::transport::PitOptions o;
  o.fields.id = s.pits.id_field;
  o.fields.load_kg_day = s.pits.load_fields;
  for (const auto& sp : species) o.species.push_back(sp.name);
  o.run_start_day = s.time.start_day;
  return o;
}

}  // namespace leachflow::app
