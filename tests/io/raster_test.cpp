// GeoTIFF round trips of every sample type, reader errors, scale/offset, geographic metrics and
// the real DEM checked against GDAL itself.
#include "io/raster.hpp"

#include <gdal_priv.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>

#include <gtest/gtest.h>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "shared_data.hpp"
#include "temp_dir.hpp"

namespace lf = leachflow;
using lf::io::InputError;

namespace {

lf::model::Grid utm_grid(int rows, int cols) {
  return lf::model::make_grid(rows, cols, {376313.655, 30.0, 0.0, 3807917.828, 0.0, -30.0}, lf::io::epsg_wkt(32611), false);
}

struct GdalDs {
  explicit GdalDs(const std::string& p) : ds(GDALDataset::FromHandle(GDALOpen(p.c_str(), GA_ReadOnly))) {}
  ~GdalDs() {
    if (ds) GDALClose(GDALDataset::ToHandle(ds));
  }
  GDALDataset* ds;
};

// Creates a raster with GDAL directly (for inputs our writer would never make).
void make_raw(const std::string& path, int rows, int cols, const std::array<double, 6>& gt, std::vector<float> v,
              std::optional<double> nodata, double scale = 1.0, double offset = 0.0) {
  GDALAllRegister();
  GDALDriver* d = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDataset* ds = d->Create(path.c_str(), cols, rows, 1, GDT_Float32, nullptr);
  ASSERT_NE(ds, nullptr);
  std::array<double, 6> g = gt;
  ds->SetGeoTransform(g.data());
  ds->SetProjection(lf::io::epsg_wkt(4326).c_str());
  GDALRasterBand* b = ds->GetRasterBand(1);
  if (nodata) b->SetNoDataValue(*nodata);
  if (scale != 1.0) b->SetScale(scale);
  if (offset != 0.0) b->SetOffset(offset);
  ASSERT_EQ(b->RasterIO(GF_Write, 0, 0, cols, rows, v.data(), cols, rows, GDT_Float32, 0, 0, nullptr), CE_None);
  GDALClose(GDALDataset::ToHandle(ds));
}

template <class T>
void round_trip(const std::string& path) {
  const auto g = utm_grid(300, 270);   // more than one 256×256 tile each way
  std::vector<T> v(static_cast<std::size_t>(g.cells()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>((i * 37) % 200 + 1);
  v[5] = static_cast<T>(0);
  lf::io::write_geotiff<T>(path, g, v, 0.0, {{"LEACHFLOW_TEST", "yes"}, {"UNITS", "m"}});
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));

  GdalDs raw(path);
  ASSERT_NE(raw.ds, nullptr);
  GDALRasterBand* b = raw.ds->GetRasterBand(1);
  int bx = 0, by = 0;
  b->GetBlockSize(&bx, &by);
  EXPECT_EQ(bx, 256);
  EXPECT_EQ(by, 256);
  EXPECT_STREQ(raw.ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE"), "DEFLATE");
  EXPECT_STREQ(raw.ds->GetMetadataItem("LEACHFLOW_TEST"), "yes");

  const lf::io::Raster r = lf::io::read_raster(path);
  EXPECT_EQ(r.grid.rows, 300);
  EXPECT_EQ(r.grid.cols, 270);
  EXPECT_EQ(r.grid.geotransform, g.geotransform);
  EXPECT_EQ(r.epsg, 32611);
  EXPECT_TRUE(r.has_nodata);
  EXPECT_EQ(r.nodata, 0.0);
  EXPECT_EQ(r.nodata_cells, 1);
  EXPECT_EQ(r.grid.valid[5], 0);
  EXPECT_TRUE(std::isnan(r.values[5]));
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i == 5) continue;
    ASSERT_EQ(r.values[i], static_cast<float>(v[i])) << i;
  }
}

}  // namespace

TEST(WriteGeotiff, RoundTripsEveryType) {
  lf::test::TempDir dir;
  round_trip<std::uint8_t>(dir.file("u8.tif"));
  round_trip<std::int16_t>(dir.file("i16.tif"));
  round_trip<std::uint16_t>(dir.file("u16.tif"));
  round_trip<std::int32_t>(dir.file("i32.tif"));
  round_trip<std::uint32_t>(dir.file("u32.tif"));
  round_trip<std::int64_t>(dir.file("i64.tif"));
  round_trip<float>(dir.file("f32.tif"));
  round_trip<double>(dir.file("f64.tif"));
}

TEST(WriteGeotiff, KeepsTheEarlierFileWhenWritingFails) {
  lf::test::TempDir dir;
  const auto g = utm_grid(4, 4);
  const std::vector<float> v(16, 1.0f);
  const std::string path = dir.file("out.tif");
  lf::io::write_geotiff<float>(path, g, v, std::nullopt);
  const auto size_before = std::filesystem::file_size(path);
  // Wrong length: nothing is written and the earlier result survives.
  EXPECT_THROW(lf::io::write_geotiff<float>(path, g, std::vector<float>(15, 2.0f), std::nullopt), std::invalid_argument);
  // Unwritable folder: throws, no temporary left behind.
  EXPECT_THROW(lf::io::write_geotiff<float>(dir.file("no/such/dir/out.tif"), g, v, std::nullopt), std::runtime_error);
  EXPECT_EQ(std::filesystem::file_size(path), size_before);
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
  EXPECT_EQ(lf::io::read_raster(path).values[0], 1.0f);
}

TEST(ReadRaster, AppliesScaleOffsetAndTreatsNaNAsNoData) {
  lf::test::TempDir dir;
  const std::string path = dir.file("scaled.tif");
  make_raw(path, 2, 3, {10, 0.5, 0, 50, 0, -0.5}, {1, 2, 3, -9999, std::numeric_limits<float>::quiet_NaN(), 10}, -9999.0,
           0.5, 100.0);
  const auto r = lf::io::read_raster(path);
  EXPECT_EQ(r.values[0], 100.5f);
  EXPECT_EQ(r.values[2], 101.5f);
  EXPECT_EQ(r.values[5], 105.0f);
  EXPECT_TRUE(std::isnan(r.values[3]));
  EXPECT_TRUE(std::isnan(r.values[4]));
  EXPECT_EQ(r.nodata_cells, 2);
  EXPECT_EQ(r.grid.valid_cells(), 4);
  const auto range = lf::io::value_range(r);
  EXPECT_EQ(range.min, 100.5);
  EXPECT_EQ(range.max, 105.0);
}

TEST(ReadRaster, GeographicMetricsEqualMakeGrid) {
  lf::test::TempDir dir;
  const std::string path = dir.file("geo.tif");
  const std::array<double, 6> gt{97.9, 1.0 / 120, 0, 26.2, 0, -1.0 / 120};
  make_raw(path, 4, 5, gt, std::vector<float>(20, 300.0f), std::nullopt);
  const auto r = lf::io::read_raster(path);
  EXPECT_TRUE(r.grid.geographic);
  EXPECT_EQ(r.epsg, 4326);
  const auto g = lf::model::make_grid(4, 5, gt, "", true);
  EXPECT_EQ(r.grid.cell_width_m, g.cell_width_m);
  EXPECT_EQ(r.grid.cell_height_m, g.cell_height_m);
  EXPECT_EQ(r.grid.dy_m, g.dy_m);
  EXPECT_EQ(r.grid.diagonal_m, g.diagonal_m);
  EXPECT_EQ(r.grid.cell_area_m2, g.cell_area_m2);
  const auto e = lf::io::extent_lonlat(r.grid);
  EXPECT_NEAR(e[0], 97.9, 1e-9);
  EXPECT_NEAR(e[3], 26.2, 1e-9);
  EXPECT_NEAR(e[2], 97.9 + 5.0 / 120, 1e-9);
  EXPECT_NEAR(e[1], 26.2 - 4.0 / 120, 1e-9);
}

namespace {
void expect_input_error(const std::string& path, const std::string& fragment, int band = 1) {
  try {
    (void)lf::io::read_raster(path, band);
    ADD_FAILURE() << "no error for " << path;
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
    EXPECT_NE(what.find("fix:"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}
}  // namespace

TEST(ReadRaster, RejectsBadInputsWithOneLineNamingTheFile) {
  lf::test::TempDir dir;
  expect_input_error(dir.file("missing.tif"), "not found");
  const std::string garbage = dir.file("garbage.tif");
  std::ofstream(garbage) << "this is not a raster\n";
  expect_input_error(garbage, "not a raster");

  const std::string rotated = dir.file("rotated.tif");
  make_raw(rotated, 2, 2, {0, 1, 0.2, 10, 0.1, -1}, {1, 2, 3, 4}, std::nullopt);
  expect_input_error(rotated, "rotated");
  const std::string south_up = dir.file("south_up.tif");
  make_raw(south_up, 2, 2, {0, 1, 0, 10, 0, 1}, {1, 2, 3, 4}, std::nullopt);
  expect_input_error(south_up, "south-up");
  const std::string all_nodata = dir.file("all_nodata.tif");
  make_raw(all_nodata, 2, 2, {0, 1, 0, 10, 0, -1}, {-1, -1, -1, -1}, -1.0);
  expect_input_error(all_nodata, "all cells are NoData");
  expect_input_error(south_up, "band out of range", 2);
}

TEST(ReadRaster, RealDemMatchesGdal) {
  const auto path = lf::test::shared_data("bigtujunga_srtm30m_utm11n.tif");
  LEACHFLOW_REQUIRE_SHARED_DATA(path);
  const auto r = lf::io::read_raster(path.string());
  EXPECT_EQ(r.grid.cols, 1197);
  EXPECT_EQ(r.grid.rows, 643);
  EXPECT_EQ(r.epsg, 32611);
  EXPECT_EQ(r.crs_name, "WGS 84 / UTM zone 11N");
  EXPECT_FALSE(r.grid.geographic);
  EXPECT_DOUBLE_EQ(r.grid.cell_width_m[0], 30.0);
  EXPECT_DOUBLE_EQ(r.grid.cell_area_m2[642], 900.0);

  GdalDs raw(path.string());
  ASSERT_NE(raw.ds, nullptr);
  GDALRasterBand* b = raw.ds->GetRasterBand(1);
  double minmax[2] = {0, 0};
  ASSERT_EQ(b->ComputeRasterMinMax(FALSE, minmax), CE_None);
  const auto range = lf::io::value_range(r);
  EXPECT_EQ(range.min, minmax[0]);
  EXPECT_EQ(range.max, minmax[1]);
  EXPECT_EQ(range.min, 315.0);
  EXPECT_EQ(range.max, 2295.0);
  // NoData count as GDAL's own mask sees it.
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(r.grid.cells()));
  ASSERT_EQ(b->GetMaskBand()->RasterIO(GF_Read, 0, 0, 1197, 643, mask.data(), 1197, 643, GDT_Byte, 0, 0, nullptr), CE_None);
  const auto gdal_nodata = std::count(mask.begin(), mask.end(), std::uint8_t{0});
  EXPECT_EQ(r.nodata_cells, gdal_nodata);
  EXPECT_EQ(r.grid.valid_cells(), r.grid.cells() - gdal_nodata);
}
