// Writing single-band GeoTIFFs: tiled, compressed, BigTIFF when needed, renamed into place only
// when complete (DESIGN.md, Errors).
#include <gdal_priv.h>

#include <cpl_string.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <type_traits>

#include <fmt/format.h>

#include "io/gdal_support.hpp"
#include "io/raster.hpp"

namespace leachflow::io {

namespace {

template <class T>
constexpr GDALDataType gdal_type() {
  if constexpr (std::is_same_v<T, std::uint8_t>) return GDT_Byte;
  else if constexpr (std::is_same_v<T, std::int16_t>) return GDT_Int16;
  else if constexpr (std::is_same_v<T, std::uint16_t>) return GDT_UInt16;
  else if constexpr (std::is_same_v<T, std::int32_t>) return GDT_Int32;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return GDT_UInt32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return GDT_Int64;
  else if constexpr (std::is_same_v<T, float>) return GDT_Float32;
  else if constexpr (std::is_same_v<T, double>) return GDT_Float64;
  else static_assert(sizeof(T) == 0, "unsupported GeoTIFF sample type");
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(fmt::format("{}: cannot write GeoTIFF: {}", path, what));
}

}  // namespace

template <class T>
void write_geotiff(const std::string& path, const model::Grid& g, std::span<const T> values,
                   std::optional<double> nodata, const std::map<std::string, std::string>& metadata) {
  if (static_cast<model::index_t>(values.size()) != g.cells())
    throw std::invalid_argument(fmt::format("write_geotiff {}: {} values for a {} × {} grid", path, values.size(), g.cols, g.rows));
  if (g.rows <= 0 || g.cols <= 0 || g.rows > INT32_MAX || g.cols > INT32_MAX)
    throw std::invalid_argument(fmt::format("write_geotiff {}: grid size {} × {} not writable", path, g.cols, g.rows));
  detail::ensure_gdal_registered();
  detail::QuietGdalErrors quiet;
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  if (!driver) fail(path, "GDAL has no GTiff driver");

  const std::string tmp = path + ".part";
  constexpr GDALDataType type = gdal_type<T>();
  // Horizontal differencing (2) helps integers, floating-point prediction (3) helps floats.
  const char* predictor = std::is_floating_point_v<T> ? "PREDICTOR=3" : "PREDICTOR=2";
  const char* options[] = {"TILED=YES",     "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE",
                           predictor,       "BIGTIFF=IF_SAFER", "NUM_THREADS=ALL_CPUS", nullptr};
  const int cols = static_cast<int>(g.cols);
  const int rows = static_cast<int>(g.rows);
  try {
    GDALDataset* ds = driver->Create(tmp.c_str(), cols, rows, 1, type, const_cast<char**>(options));
    if (!ds) fail(path, quiet.last_message());
    bool ok = true;
    std::string why;
    auto check = [&](CPLErr e, const char* what) {
      if (e != CE_None && ok) {
        ok = false;
        why = std::string(what) + ": " + quiet.last_message();
      }
    };
    std::array<double, 6> gt = g.geotransform;
    check(ds->SetGeoTransform(gt.data()), "geotransform");
    if (!g.crs_wkt.empty()) check(ds->SetProjection(g.crs_wkt.c_str()), "CRS");
    for (const auto& [key, value] : metadata) check(ds->SetMetadataItem(key.c_str(), value.c_str()), "metadata");
    GDALRasterBand* b = ds->GetRasterBand(1);
    if (nodata) {
      if constexpr (std::is_same_v<T, std::int64_t>)
        check(b->SetNoDataValueAsInt64(static_cast<std::int64_t>(*nodata)), "NoData");
      else
        check(b->SetNoDataValue(*nodata), "NoData");
    }
    // Strips of 256 rows, one tile row at a time.
    for (int row0 = 0; ok && row0 < rows; row0 += 256) {
      const int nrows = std::min(256, rows - row0);
      T* src = const_cast<T*>(values.data()) + static_cast<std::size_t>(row0) * static_cast<std::size_t>(cols);
      check(b->RasterIO(GF_Write, 0, row0, cols, nrows, src, cols, nrows, type, 0, 0, nullptr), "write");
    }
    CPLErrorReset();
    GDALClose(GDALDataset::ToHandle(ds));  // flushes; GDAL 3.6 reports failures only via CPLError
    if (ok && CPLGetLastErrorType() >= CE_Failure) {
      ok = false;
      why = "closing: " + quiet.last_message();
    }
    if (!ok) fail(path, why);
    std::filesystem::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
}

#define LEACHFLOW_WRITE_GEOTIFF(T)                                                                              \
  template void write_geotiff<T>(const std::string&, const model::Grid&, std::span<const T>, std::optional<double>, \
                                 const std::map<std::string, std::string>&);
LEACHFLOW_WRITE_GEOTIFF(std::uint8_t)
LEACHFLOW_WRITE_GEOTIFF(std::int16_t)
LEACHFLOW_WRITE_GEOTIFF(std::uint16_t)
LEACHFLOW_WRITE_GEOTIFF(std::int32_t)
LEACHFLOW_WRITE_GEOTIFF(std::uint32_t)
LEACHFLOW_WRITE_GEOTIFF(std::int64_t)
LEACHFLOW_WRITE_GEOTIFF(float)
LEACHFLOW_WRITE_GEOTIFF(double)
#undef LEACHFLOW_WRITE_GEOTIFF

}  // namespace leachflow::io
