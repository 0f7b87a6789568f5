#include "io/population.hpp"

#include <gdal_priv.h>
#include <gdal_utils.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "io/errors.hpp"
#include "io/gdal_support.hpp"

namespace leachflow::io {

namespace {

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(GDALDataset::ToHandle(d)); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

std::string g17(double v) { return fmt::format("{:.17g}", v); }

}  // namespace

Population read_population(const std::string& path, const model::Grid& grid) {
  detail::ensure_gdal_registered();
  std::error_code ec;
  if (!detail::is_gdal_connection_string(path) && !std::filesystem::exists(path, ec))
    throw InputError(path, "", "population raster not found", "check [exposure] population in the scenario");
  detail::QuietGdalErrors quiet;
  DatasetPtr src(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!src || src->GetRasterCount() < 1)
    throw InputError(path, "", "not a raster GDAL can read (" + quiet.last_message() + ")",
                     "give a GeoTIFF (or any GDAL raster) of people per cell");
  if (!grid.crs_wkt.empty() && src->GetSpatialRef() == nullptr)
    throw InputError(path, "georeferencing", "population raster has no CRS",
                     "assign one, e.g. `gdal_translate -a_srs EPSG:4326 in.tif out.tif`");

  // The whole raster's people, and a check that counts are not negative.
  GDALRasterBand* band = src->GetRasterBand(1);
  int has_nodata = 0;
  const double nodata = band->GetNoDataValue(&has_nodata);
  Population p;
  {
    const int nx = src->GetRasterXSize(), ny = src->GetRasterYSize();
    std::vector<double> row(static_cast<std::size_t>(nx));
    for (int r = 0; r < ny; ++r) {
      if (band->RasterIO(GF_Read, 0, r, nx, 1, row.data(), nx, 1, GDT_Float64, 0, 0, nullptr) != CE_None)
        throw InputError(path, fmt::format("row {}", r), "read failed (" + quiet.last_message() + ")",
                         "check the file is complete (`gdalinfo -checksum`)");
      for (int c = 0; c < nx; ++c) {
        const double v = row[static_cast<std::size_t>(c)];
        if (std::isnan(v) || (has_nodata && v == nodata)) continue;
        if (v < 0)
          throw InputError(path, fmt::format("row {}, column {}", r, c), fmt::format("negative population {}", v),
                           "population counts must be ≥ 0; set the no-data value (`gdal_edit.py -a_nodata`) if this marks missing data");
        p.total_in_raster += v;
      }
    }
  }

  // Sum-resampled onto the DEM grid (the header's comment).
  const double x_min = grid.geotransform[0], x_max = x_min + static_cast<double>(grid.cols) * grid.geotransform[1];
  const double y_max = grid.geotransform[3], y_min = y_max + static_cast<double>(grid.rows) * grid.geotransform[5];
  std::vector<std::string> args = {"-of", "MEM", "-r", "sum", "-ot", "Float64",
                                   "-te", g17(x_min), g17(y_min), g17(x_max), g17(y_max),
                                   "-ts", std::to_string(grid.cols), std::to_string(grid.rows), "-dstnodata", "nan"};
  if (!grid.crs_wkt.empty()) {
    args.emplace_back("-t_srs");
    args.push_back(grid.crs_wkt);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::unique_ptr<GDALWarpAppOptions, decltype(&GDALWarpAppOptionsFree)> options(GDALWarpAppOptionsNew(argv.data(), nullptr),
                                                                                 &GDALWarpAppOptionsFree);
  GDALDatasetH src_h = GDALDataset::ToHandle(src.get());
  int usage_error = 0;
  DatasetPtr out(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, &src_h, options.get(), &usage_error)));
  if (!out)
    throw InputError(path, "georeferencing", "cannot resample onto the DEM grid (" + quiet.last_message() + ")",
                     "check the file's CRS and extent (`gdalinfo`)");
  const auto cells = static_cast<std::size_t>(grid.cells());
  p.people.assign(cells, 0.0);
  if (out->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, static_cast<int>(grid.cols), static_cast<int>(grid.rows), p.people.data(),
                                      static_cast<int>(grid.cols), static_cast<int>(grid.rows), GDT_Float64, 0, 0,
                                      nullptr) != CE_None)
    throw InputError(path, "", "resampled read failed (" + quiet.last_message() + ")", "check the file (`gdalinfo -checksum`)");
  bool overlaps = false;
  for (std::size_t i = 0; i < cells; ++i) {
    double& v = p.people[i];
    if (!std::isnan(v)) overlaps = true;
    if (std::isnan(v) || (!grid.valid.empty() && !grid.valid[i])) v = 0.0;
    p.total_on_grid += v;
  }
  if (!overlaps)
    throw InputError(path, "extent", "population raster does not overlap the DEM",
                     "give a raster covering the study area (compare `gdalinfo` extents)");
  return p;
}

}  // namespace leachflow::io
