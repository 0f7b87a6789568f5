// NetcdfReader reads back what NetcdfWriter writes: grid, CRS, output times as days since 1970,
// static fields and single-cell series with _FillValue as NaN; lon/lat → grid CRS round trip.
#include "io/netcdf_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "io/crs.hpp"
#include "io/errors.hpp"
#include "io/netcdf_writer.hpp"
#include "model/iso_time.hpp"
#include "temp_dir.hpp"

namespace io = leachflow::io;
using leachflow::test::TempDir;

TEST(NetcdfReader, ReadsBackGridTimesStaticFieldsAndCellSeries) {
  const TempDir dir;
  const int rows = 4, cols = 3;
  const auto grid = leachflow::model::make_grid(rows, cols, {500000, 100, 0, 2800000, 0, -100}, io::epsg_wkt(32647), false);
  io::NcFileOptions o;
  o.path = dir.file("run.nc");
  o.title = "t";
  o.source = "test";
  o.history = "test";
  o.time_units = "days since 2025-01-01 00:00:00";
  {
    io::NetcdfWriter w(grid, o, {{"sulfate", "sulfate", "mg L-1", "", ""}, {"tracer", "tracer", "mg L-1", "", ""}});
    std::vector<float> area(rows * cols), f(rows * cols);
    for (int i = 0; i < rows * cols; ++i) area[static_cast<std::size_t>(i)] = 0.01f * static_cast<float>(i + 1);
    w.write_static({"contributing_area", "area", "km2", "", ""}, area);
    std::vector<std::int32_t> stream(rows * cols, 0);
    stream[5] = 1;
    stream[0] = -1;  // fill
    w.write_static({"stream", "stream", "1", "", ""}, stream, -1);
    for (int t = 0; t < 3; ++t) {
      const std::size_t k = w.append_time(0.5 + t);
      for (std::size_t v = 0; v < 2; ++v) {
        for (int i = 0; i < rows * cols; ++i) f[static_cast<std::size_t>(i)] = static_cast<float>(100 * v + 10 * t + i);
        f[7] = std::nanf("");  // a cell off the output mask
        w.write_field(v, k, f);
      }
    }
    w.finish();
  }
  const io::NetcdfReader r(dir.file("run.nc"));
  EXPECT_EQ(r.grid().rows, rows);
  EXPECT_EQ(r.grid().cols, cols);
  EXPECT_EQ(r.grid().geotransform, grid.geotransform);
  EXPECT_FALSE(r.grid().geographic);
  ASSERT_EQ(r.times_day().size(), 3u);
  const double d0 = leachflow::model::days_from_civil(2025, 1, 1);
  EXPECT_DOUBLE_EQ(r.times_day()[0], d0 + 0.5);
  EXPECT_DOUBLE_EQ(r.times_day()[2], d0 + 2.5);
  EXPECT_EQ(r.field_names(), (std::vector<std::string>{"sulfate", "tracer"}));
  const auto area = r.read_static("contributing_area");
  EXPECT_NEAR(area[11], 0.12, 1e-7);
  const auto stream = r.read_static("stream");
  EXPECT_EQ(stream[5], 1.0);
  EXPECT_EQ(stream[4], 0.0);
  EXPECT_TRUE(std::isnan(stream[0]));
  // Cell (row 1, col 2) = index 5 of tracer: 100 + 10 t + 5.
  EXPECT_EQ(r.read_cell_series("tracer", 1, 2), (std::vector<double>{105, 115, 125}));
  const auto off = r.read_cell_series("sulfate", 2, 1);  // index 7
  ASSERT_EQ(off.size(), 3u);
  EXPECT_TRUE(std::isnan(off[0]) && std::isnan(off[2]));
  EXPECT_THROW(r.read_cell_series("arsenic", 0, 0), io::InputError);
  // lon/lat of a cell centre back to the grid's coordinates.
  std::vector<double> x{grid.x(2)}, y{grid.y(1)};
  io::to_lonlat(grid.crs_wkt, x, y);
  io::from_lonlat(r.grid().crs_wkt, x, y);
  EXPECT_NEAR(x[0], grid.x(2), 1e-6);
  EXPECT_NEAR(y[0], grid.y(1), 1e-6);
}

TEST(NetcdfReader, MissingOrNotNetcdfIsAnInputError) {
  const TempDir dir;
  EXPECT_THROW(io::NetcdfReader(dir.file("none.nc")), io::InputError);
  {
    std::FILE* f = std::fopen(dir.file("text.nc").c_str(), "w");
    std::fputs("not netcdf\n", f);
    std::fclose(f);
  }
  try {
    io::NetcdfReader bad(dir.file("text.nc"));
    FAIL() << "no error";
  } catch (const io::InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(dir.file("text.nc") + ": ", 0), 0u) << e.what();
  }
}
