// Runoff forcing: a NetCDF and a pair of GeoTIFFs at 0.05° read onto a 0.025° DEM grid.
#include "io/runoff_reader.hpp"

#include <gdal_priv.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "io/raster.hpp"
#include "model/iso_time.hpp"
#include "temp_dir.hpp"

namespace leachflow::io {
namespace {

// Source value at (row, col) of time step b (1-based): 100·b + 4·row + col.
float source_value(int b, int r, int c) { return static_cast<float>(100 * b + 4 * r + c); }

// A 3×4 NetCDF at 0.05° from 98.0 E, 26.0 N, variable `var` with `steps` time steps (0, 31, ...
// days since 2024-01-01) written through GDAL's netCDF driver.
void write_netcdf(const std::string& path, const std::string& var, const std::string& units, int steps,
                  const std::string& time_units = "days since 2024-01-01") {
  GDALAllRegister();
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  std::unique_ptr<GDALDataset> ds(mem->Create("", 4, 3, steps, GDT_Float32, nullptr));
  double gt[6] = {98.0, 0.05, 0, 26.0, 0, -0.05};
  ds->SetGeoTransform(gt);
  ds->SetProjection(epsg_wkt(4326).c_str());
  std::string values;
  for (int b = 0; b < steps; ++b) {
    if (b) values += ',';
    values += std::to_string(31 * b);
  }
  if (steps > 1) {
    ds->SetMetadataItem("NETCDF_DIM_EXTRA", "{time}");
    const std::string def = fmt::format("{{{},6}}", steps), all = fmt::format("{{{}}}", values);
    ds->SetMetadataItem("NETCDF_DIM_time_DEF", def.c_str());
    ds->SetMetadataItem("NETCDF_DIM_time_VALUES", all.c_str());
    ds->SetMetadataItem("time#units", time_units.c_str());
  }
  for (int b = 1; b <= steps; ++b) {
    std::vector<float> v(12);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) v[static_cast<std::size_t>(4 * r + c)] = source_value(b, r, c);
    GDALRasterBand* band = ds->GetRasterBand(b);
    ASSERT_EQ(band->RasterIO(GF_Write, 0, 0, 4, 3, v.data(), 4, 3, GDT_Float32, 0, 0, nullptr), CE_None);
    band->SetMetadataItem("NETCDF_VARNAME", var.c_str());
    if (steps > 1) band->SetMetadataItem("NETCDF_DIM_time", std::to_string(31 * (b - 1)).c_str());
    if (!units.empty()) band->SetMetadataItem("units", units.c_str());
  }
  GDALDriver* nc = GetGDALDriverManager()->GetDriverByName("netCDF");
  ASSERT_NE(nc, nullptr);
  GDALClose(nc->CreateCopy(path.c_str(), ds.get(), FALSE, nullptr, nullptr, nullptr));
}

// DEM grid of 0.025° cells from 98.0 E, 26.0 N: cell (r, c) takes source cell (r/2, c/2).
model::Grid dem_grid(model::index_t rows = 6, model::index_t cols = 8) {
  return model::make_grid(rows, cols, {98.0, 0.025, 0, 26.0, 0, -0.025}, epsg_wkt(4326), true);
}

std::string input_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError thrown";
  return {};
}

TEST(RunoffNetcdf, ResampledByNearestNeighbourWithTimesFromTheRunStart) {
  test::TempDir dir;
  const std::string path = dir.file("runoff.nc");
  write_netcdf(path, "runoff", "mm/day", 2);
  model::Grid dem = dem_grid();
  dem.valid[static_cast<std::size_t>(dem.index(5, 7))] = 0;
  const auto r = read_runoff_netcdf(path, "runoff", dem, *model::parse_iso8601_days("2023-12-31"));
  EXPECT_EQ(r.kind, model::hydraulics::Runoff::Kind::gridded);
  ASSERT_EQ(r.grid_time_day.size(), 2u);
  EXPECT_DOUBLE_EQ(r.grid_time_day[0], 1.0);   // 2024-01-01 is day 1 of a run starting 2023-12-31
  EXPECT_DOUBLE_EQ(r.grid_time_day[1], 32.0);  // 2024-02-01
  ASSERT_EQ(r.grid_mm_day.size(), 2u);
  for (int b = 1; b <= 2; ++b)
    for (int row = 0; row < 6; ++row)
      for (int col = 0; col < 8; ++col) {
        const float v = r.grid_mm_day[static_cast<std::size_t>(b - 1)][static_cast<std::size_t>(dem.index(row, col))];
        if (row == 5 && col == 7) EXPECT_TRUE(std::isnan(v));  // DEM NoData
        else EXPECT_EQ(v, source_value(b, row / 2, col / 2)) << b << " " << row << " " << col;
      }
}

TEST(RunoffNetcdf, UnitConversions) {
  test::TempDir dir;
  const model::Grid dem = dem_grid();
  const std::string a = dir.file("flux.nc"), m = dir.file("monthly.nc");
  write_netcdf(a, "mrro", "kg m-2 s-1", 2);
  write_netcdf(m, "ro", "mm/month", 2);
  const auto flux = read_runoff_netcdf(a, "mrro", dem, 0);
  EXPECT_FLOAT_EQ(flux.grid_mm_day[0][0], 100.0f * 86400.0f);  // 1 kg/m²/s of water is 86,400 mm/day
  const auto monthly = read_runoff_netcdf(m, "ro", dem, 0);
  EXPECT_FLOAT_EQ(monthly.grid_mm_day[0][0], 100.0f / 31.0f);  // January
  EXPECT_FLOAT_EQ(monthly.grid_mm_day[1][0], 200.0f / 29.0f);  // February 2024
  EXPECT_EQ(runoff_factor_to_mm_day("MM DAY**-1", 2024, 1), 1.0);
  EXPECT_FALSE(runoff_factor_to_mm_day("furlongs/fortnight", 2024, 1));
}

TEST(RunoffNetcdf, ErrorsSayWhatIsWrong) {
  test::TempDir dir;
  const std::string path = dir.file("runoff.nc");
  write_netcdf(path, "runoff", "mm/day", 2);
  std::string m = input_error([&] { read_runoff_netcdf(path, "precip", dem_grid(), 0); });
  EXPECT_EQ(m.rfind(path + " (variable precip): no variable 'precip' (variables: runoff)", 0), 0u) << m;

  // DEM twice as wide as the runoff grid: half of it is not covered.
  m = input_error([&] { read_runoff_netcdf(path, "runoff", dem_grid(6, 16), 0); });
  EXPECT_NE(m.find("does not cover the DEM: 50.0 % of the DEM's valid cells (48 of 96)"), std::string::npos) << m;

  m = input_error([&] { read_runoff_netcdf(path, "runoff", dem_grid(), 0, "furlongs/fortnight"); });
  EXPECT_NE(m.find("unknown runoff units 'furlongs/fortnight'"), std::string::npos) << m;

  const std::string flat = dir.file("flat.nc");
  write_netcdf(flat, "runoff", "mm/day", 1);
  m = input_error([&] { read_runoff_netcdf(flat, "runoff", dem_grid(), 0); });
  EXPECT_NE(m.find("no time axis"), std::string::npos) << m;

  const std::string odd = dir.file("odd.nc");
  write_netcdf(odd, "runoff", "mm/day", 2, "fortnights since 2024-01-01");
  m = input_error([&] { read_runoff_netcdf(odd, "runoff", dem_grid(), 0); });
  EXPECT_NE(m.find("time units 'fortnights since 2024-01-01' are not CF"), std::string::npos) << m;
}

TEST(RunoffRasters, GeoTiffPairWithDatesAndNoData) {
  test::TempDir dir;
  const model::Grid src = model::make_grid(3, 4, {98.0, 0.05, 0, 26.0, 0, -0.05}, epsg_wkt(4326), true);
  std::vector<std::string> paths;
  for (int b = 1; b <= 2; ++b) {
    std::vector<float> v(12);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) v[static_cast<std::size_t>(4 * r + c)] = source_value(b, r, c);
    v[0] = -9999.0f;  // NoData in the north-west source cell
    paths.push_back(dir.file(fmt::format("runoff_{}.tif", b)));
    write_geotiff<float>(paths.back(), src, v, -9999.0);
  }
  const model::Grid dem = dem_grid();
  const auto r = read_runoff_rasters({{"2024-07-01", paths[0]}, {"2024-07-15T12:00:00Z", paths[1]}}, dem,
                                     *model::parse_iso8601_days("2024-06-01"), "mm/day");
  ASSERT_EQ(r.grid_time_day.size(), 2u);
  EXPECT_DOUBLE_EQ(r.grid_time_day[0], 30.0);
  EXPECT_DOUBLE_EQ(r.grid_time_day[1], 44.5);
  for (int b = 1; b <= 2; ++b)
    for (int row = 0; row < 6; ++row)
      for (int col = 0; col < 8; ++col) {
        const float v = r.grid_mm_day[static_cast<std::size_t>(b - 1)][static_cast<std::size_t>(dem.index(row, col))];
        if (row < 2 && col < 2) EXPECT_TRUE(std::isnan(v));  // the four DEM cells inside the NoData cell
        else EXPECT_EQ(v, source_value(b, row / 2, col / 2));
      }

  std::string m = input_error([&] { read_runoff_rasters({{"2024-07-01", paths[0]}}, dem, 0, ""); });
  EXPECT_NE(m.find("runoff units not stated"), std::string::npos) << m;
  m = input_error([&] { read_runoff_rasters({{"July", paths[0]}}, dem, 0, "mm/day"); });
  EXPECT_EQ(m.rfind(paths[0] + " (time 'July'): unparseable time stamp", 0), 0u) << m;
  m = input_error([&] { read_runoff_rasters({{"2024-07-15", paths[0]}, {"2024-07-01", paths[1]}}, dem, 0, "mm/day"); });
  EXPECT_NE(m.find("time stamps are not increasing"), std::string::npos) << m;
}

}  // namespace
}  // namespace leachflow::io
