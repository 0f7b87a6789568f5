// Who is downstream. Two optional inputs of the scenario's [exposure] table:
//  - settlements (an OGR point layer with a name and a population per place): each place is
//    taken to draw water from the nearest stream cell within settlement_snap_m; for every
//    written species with a guideline, DIR/settlements.csv gives that cell's peak, mean and days
//    above the guideline, and whether the peak exceeded it. Places with no stream in reach are
//    listed with the reason, never dropped.
//  - a population raster (people per cell, summed onto the DEM grid, io/population.hpp): a
//    person is exposed to a species when they live within near_stream_m of a stream cell whose
//    peak exceeded its guideline (model/regions/proximity.hpp). DIR/exposed_population.csv
//    gives, per region (and for the whole grid), people and people exposed per species.
// Both are screening measures of who lives along contaminated rivers, not of who drinks from
// them: the report says so.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/exposure.hpp"
#include "io/population.hpp"
#include "io/regions.hpp"
#include "io/scenario.hpp"
#include "io/vector.hpp"
#include "model/grid.hpp"
#include "model/transport/attribution.hpp"

namespace leachflow::app {

struct PeopleExposureRow {            // one species
  std::string species;
  double guideline_mg_l = 0;
  long long settlements = 0, settlements_above = 0;
  double settlement_people_above = 0;  // sum of the population field over places above
  bool has_population = false;
  double population = 0, population_exposed = 0;  // on the DEM's valid cells
};

struct PeopleExposure {
  std::vector<PeopleExposureRow> rows;
  std::vector<std::string> files, warnings;
};

// The inputs, read (and checked) before the run starts: bad files fail in seconds, not after it.
struct PeopleInputs {
  std::vector<io::PointFeature> places;          // settlements, in the grid's CRS
  std::optional<io::Population> population;
  bool any() const { return !places.empty() || population.has_value(); }
};
PeopleInputs read_people_inputs(const io::Scenario& s, const model::Grid& grid);

// Settlements snapped to streams (the same rule as settlements.csv): name and stream cell.
struct SnappedPlace {
  std::string name;
  std::int64_t cell = -1;
};
std::vector<SnappedPlace> snapped_places(const io::Scenario& s, const PeopleInputs& in, const model::Grid& grid,
                                         std::span<const double> area_m2, std::span<const std::uint8_t> stream);

// DIR/settlement_attribution.csv: per place, species and source with flux there, the source's
// load, the flux it sends to the place's stream cell, the transmission and its share
// (model/transport/attribution.hpp; results: one per species, points = the places' cells in
// order). Returns the path.
std::string write_place_attribution(const std::string& out_dir, const std::vector<SnappedPlace>& places,
                                    const std::vector<model::transport::AttributionResult>& results,
                                    const std::vector<std::string>& species, const std::string& when);

// stats: the run's exposure statistics (output cells); area_m2 and stream: per cell.
// regions may be null (then only the whole-grid row). Nothing happens when the scenario has
// neither settlements nor population.
PeopleExposure write_people_exposure(const io::Scenario& s, const PeopleInputs& in, const model::Grid& grid, std::span<const double> area_m2,
                                     std::span<const std::uint8_t> stream, const ExposureStats& stats,
                                     const io::Regions* regions, const std::string& out_dir);

}  // namespace leachflow::app
