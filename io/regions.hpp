// Regions (countries, provinces, basins' administrative owners) from an OGR polygon layer,
// burnt into the grid: every valid cell gets the id of the polygon that contains its centre.
// Used to find the flow links that cross from one region to another
// (model/regions/crossings.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/grid.hpp"

namespace leachflow::io {

struct Regions {
  std::string path;
  std::vector<std::string> names;   // region id → name (from name_field)
  std::vector<std::int32_t> id;     // per grid cell (row-major, grid.cells()), -1 outside every region or on NoData
};

// Labels every valid cell of the grid with the polygon containing its centre (GDAL's
// rasterizer, GDALRasterizeGeometries on a MEM dataset with the grid's geotransform, without
// ALL_TOUCHED, so a cell belongs to a polygon when its centre lies inside it).
//
// - Any OGR polygon layer (GeoJSON, GeoPackage, Shapefile, TopoJSON, ...); layer empty → the
//   first layer. Polygon and MultiPolygon features (and the polygons inside a
//   GeometryCollection) are used; features without geometry, points and lines are ignored.
// - A layer without a CRS (e.g. world-atlas TopoJSON countries-10m.json) is taken as lon/lat
//   WGS84. Geometries are clipped to the grid's extent (in the layer's CRS, with a margin) and
//   then transformed into the grid's CRS (grid.crs_wkt; lon/lat in traditional GIS order), so
//   polygons far from the grid or across the antimeridian never need to be projected. A grid
//   without a CRS is taken to be in the layer's CRS.
// - Features with the same name are one region; a feature whose name is null or empty is named
//   "feature <fid>". Where polygons overlap, the later feature in the layer wins.
// - Region ids are in order of first appearance in the layer, counting only regions that label
//   at least one valid cell; names.size() is the number of such regions.
//
// Throws io::InputError for: a missing file, a file OGR cannot read, a layer not found (listing
// the layers), a layer declared as points or lines, the name field missing (listing the fields),
// a geometry that cannot be transformed into the grid's CRS, and no polygon covering any valid
// cell centre of the grid.
Regions rasterize_regions(const std::string& path, const std::string& layer, const std::string& name_field,
                          const model::Grid& grid);

}  // namespace leachflow::io
