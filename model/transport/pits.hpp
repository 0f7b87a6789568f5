// Leaching pits → point sources on stream cells: interpret the pit layer's fields (loads per
// species, or leachate rate × concentrations; time windows; pond-failure releases), validate
// every feature, snap each pit to the nearest stream cell within a metric distance, and build
// the Sources the transport solver consumes. Host code: pits number in the thousands.
//
// Field conventions (names case-insensitive; <species> is a name from the run's species list):
//   id                      pit id (configurable), unique, required
//   <species>_kg_day        load, kg/day                       } either loads
//   leachate_m3_day         leachate rate, m³/day              } or a rate with
//   <species>_mg_l          concentration in the leachate, mg/L } concentrations:
//                           load kg/day = m³/day × mg/L / 1000 (1 mg/L = 1 g/m³)
//   start, end              ISO 8601 dates; the load applies on [start, end)
//   release_time            ISO 8601 date-time of a pond failure
//   release_<species>_kg    mass released at release_time, kg
// A pit with only a release (no continuous load) is accepted; a pit with none of these is not.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/grid.hpp"
#include "model/transport/sources.hpp"

namespace leachflow::model::transport {

// One feature of the pit layer as read by io::read_pit_layer: a point and its fields as text.
struct PitRecord {
  std::int64_t feature = 0;  // OGR feature id, as `ogrinfo` numbers it
  double x = 0, y = 0;       // in the grid's CRS
  double lon = std::numeric_limits<double>::quiet_NaN();  // WGS84, for reports
  double lat = std::numeric_limits<double>::quiet_NaN();
  std::map<std::string, std::string> fields;  // lower-case field name → text; absent when null
};

struct PitLayer {
  std::string path;  // for error messages
  std::vector<PitRecord> records;
};

struct PitFieldNames {
  std::string id = "id";
  std::string leachate_m3_day = "leachate_m3_day";
  std::string start = "start";
  std::string end = "end";
  std::string release_time = "release_time";
  // species → field name, replacing "<species>_kg_day" for that species.
  std::map<std::string, std::string> load_kg_day;
};

struct PitOptions {
  PitFieldNames fields;
  // The run's species in the run's order: PointLoad::species indexes this list. Fields naming
  // a preset species not in the list are ignored with a warning; other names are an error.
  std::vector<std::string> species;
  double run_start_day = 0;  // the run's start as days since 1970-01-01 (model/iso_time.hpp)
};

// A validated pit, still on the cell it falls in.
struct Pit {
  std::string id;
  std::int64_t feature = 0;
  double x = 0, y = 0, lon = 0, lat = 0;
  index_t row = 0, col = 0;
  std::vector<double> load_kg_day;  // per run species, 0 when not given
  double start_day = -std::numeric_limits<double>::infinity();  // model days
  double end_day = std::numeric_limits<double>::infinity();
  bool has_release = false;
  double release_day = 0;
  std::vector<double> release_kg;  // per run species
};

// Bad pit input: the same one-line form as io::InputError (file (where): problem; fix: ...),
// which io::load_pit_sources turns it into. model/ cannot throw io::InputError itself because
// io links model, not the other way round.
class PitError : public std::runtime_error {
 public:
  PitError(std::string file, std::string where, std::string problem, std::string fix);
  const std::string& file() const { return file_; }
  const std::string& where() const { return where_; }
  const std::string& problem() const { return problem_; }
  const std::string& fix() const { return fix_; }

 private:
  std::string file_, where_, problem_, fix_;
};

struct ValidatedPits {
  std::vector<Pit> pits;
  std::vector<std::string> warnings;
};

// Interprets and checks every feature. Throws PitError naming every offending feature of the
// first kind of problem found (checked in this order: missing ids, duplicate ids, not numbers,
// negative values, unknown species, unparseable dates, end before start, both loads and
// leachate rate, leachate rate without concentrations, concentrations without a rate, release
// masses without a time or a time without masses, no source at all, outside the DEM, on NoData),
// and says how many other kinds of problem there are.
ValidatedPits validate_pits(const PitLayer& layer, const Grid& grid, const PitOptions& options);

// Where streams are. area_m2: contributing area per cell including the cell (m², as the terrain
// pipeline computes it), used for ties and reports. mask: 1 for a stream cell; when empty,
// streams are the valid cells with area_m2 ≥ threshold_m2.
struct StreamCells {
  std::span<const double> area_m2;
  std::span<const std::uint8_t> mask;
  double threshold_m2 = 0;
};

struct SnapOptions {
  double max_distance_m = 500;
  // Keep a pit with no stream cell within max_distance_m on its own cell (with a warning)
  // instead of failing.
  bool keep_unsnapped = false;
};

struct SnapReport {
  std::string id;
  std::int64_t feature = 0;
  double x = 0, y = 0, lon = 0, lat = 0;  // where the pit was (grid CRS; WGS84)
  index_t row = 0, col = 0;               // the cell it was moved to
  double distance_m = 0;                  // from the pit to that cell's centre
  double area_m2 = 0;                     // contributing area of that cell
  bool on_stream = true;                  // false when kept off-stream (keep_unsnapped)
};

struct PitSources {
  Sources sources;
  std::vector<SnapReport> report;  // one per pit, in layer order
  std::vector<std::string> warnings;
};

// The nearest stream cell within max_distance_m of the point (x, y) in the grid's CRS (ties:
// larger contributing area, then smaller cell index); cell = -1 when there is none. What pits,
// sampling stations and settlements snap with.
struct StreamSnap {
  index_t cell = -1;
  double distance_m = 0;
  double area_m2 = 0;
};
StreamSnap nearest_stream_cell(const Grid& grid, const StreamCells& streams, double x, double y, double max_distance_m);

// Distance in metres from a point at fractional grid position (row_f, col_f) (0.5 = centre of
// cell 0) to the centre of cell (r, c): E–W cell widths and N–S heights averaged between the
// point's row and the cell's row, so geographic grids are measured in metres per row.
double grid_distance_m(const Grid& grid, double row_f, double col_f, index_t r, index_t c);

// Moves each pit to the nearest stream cell within options.max_distance_m (ties: larger
// contributing area, then smaller cell index) and builds its PointLoads (one per species with
// a positive load) and PulseReleases. Throws PitError listing every pit without a stream cell in
// reach, with the distance to its nearest stream cell, unless options.keep_unsnapped.
// path: the pit layer's file, for messages. spans must have grid.cells() elements.
PitSources snap_pits(const ValidatedPits& pits, const Grid& grid, const StreamCells& streams,
                     const SnapOptions& options, const std::string& path);

// validate_pits then snap_pits.
PitSources pit_sources(const PitLayer& layer, const Grid& grid, const StreamCells& streams,
                       const PitOptions& options, const SnapOptions& snap);

}  // namespace leachflow::model::transport
