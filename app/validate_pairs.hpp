// Samples onto a finished run (`leachflow validate`, and calibration): stations snapped to the
// run's streams (model/validation/snap_stations.hpp), species matched to the run's species
// case-insensitively, each sample turned into an Observation (cell, species, model day), then
// paired with the run's NetCDF series at its cell (model/validation/pairing.hpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "io/netcdf_reader.hpp"
#include "io/samples.hpp"
#include "model/grid.hpp"
#include "model/transport/pits.hpp"
#include "model/validation/observations.hpp"
#include "model/validation/snap_stations.hpp"

namespace leachflow::app {

struct UnsnappedStation {
  std::string id;
  double lon = 0, lat = 0;
  std::string reason;
};

struct PlacedSamples {
  std::vector<model::validation::Observation> observations;  // samples on a stream cell, run species
  std::vector<model::validation::Station> stations;          // one per station id, file order
  std::vector<model::validation::StationSnap> snaps;         // per station
  std::vector<UnsnappedStation> unsnapped;
  std::map<std::string, std::size_t> unknown_species;  // name as written → samples skipped
  std::size_t samples_of_unsnapped = 0;                // samples at unsnapped stations
};

// species: the run's species names (Observation::species indexes them). A station's place and
// upstream area are those of its first row. run_start_day: days since 1970 of model day 0.
PlacedSamples place_samples(const io::SampleTable& samples, const model::Grid& grid,
                            const model::transport::StreamCells& streams, const std::vector<std::string>& species,
                            double run_start_day, const model::validation::StationSnapOptions& snap);

struct PairRow {
  std::size_t observation = 0;  // index into PlacedSamples::observations
  bool paired = false;
  double model_mg_l = 0;
  std::string reason;           // when not paired
};

// Pairs every observation with the run: reads only the series of the cells and species used.
// field_names[s]: the NetCDF variable of run species s (empty: not written → not paired).
std::vector<PairRow> pair_with_run(const PlacedSamples& placed, const io::SampleTable& samples,
                                   const io::NetcdfReader& nc, const std::vector<std::string>& field_names,
                                   double window_days);

}  // namespace leachflow::app
