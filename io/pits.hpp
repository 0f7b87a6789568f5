// The pit layer in: any OGR point layer (GeoJSON, GeoPackage, Shapefile, CSV with lon/lat) as
// plain records for model/transport/pits, which interprets, validates and snaps them.
#pragma once

#include <string>

#include "model/grid.hpp"
#include "model/transport/pits.hpp"

namespace leachflow::io {

// Reads every feature: point in the grid's CRS (grid_wkt; no reprojection when empty),
// longitude/latitude (WGS84) for reports, and every non-null field as text under its
// lower-case name. A CSV without a CRS is taken as EPSG:4326 (lon/lat, longitude/latitude or
// x/y columns). layer: a layer name, or empty for the first.
// Throws io::InputError for a missing or unreadable file, a layer not found, a layer without
// a CRS, and features that are not single points (naming every one of them).
model::transport::PitLayer read_pit_layer(const std::string& path, const std::string& grid_wkt,
                                          const std::string& layer = "");

// What `leachflow run` calls: read_pit_layer, then model::transport::pit_sources (validation,
// snapping, Sources), with model::transport::PitError turned into io::InputError.
model::transport::PitSources load_pit_sources(const std::string& path, const model::Grid& grid,
                                              const model::transport::StreamCells& streams,
                                              const model::transport::PitOptions& options,
                                              const model::transport::SnapOptions& snap,
                                              const std::string& layer = "");

}  // namespace leachflow::io
