#include "io/gdal_support.hpp"

#include <cpl_error.h>
#include <gdal.h>

#include <mutex>

namespace leachflow::io::detail {

void ensure_gdal_registered() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

QuietGdalErrors::QuietGdalErrors() {
  CPLPushErrorHandler(CPLQuietErrorHandler);
  CPLErrorReset();
}
QuietGdalErrors::~QuietGdalErrors() { CPLPopErrorHandler(); }

std::string QuietGdalErrors::last_message() {
  const char* m = CPLGetLastErrorMsg();
  return m ? std::string(m) : std::string();
}

bool is_gdal_connection_string(const std::string& path) {
  if (path.rfind("/vsi", 0) == 0) return true;
  // DRIVER:... prefixes (NETCDF:, HDF5:, GPKG:, ...): an upper-case word then a colon, and
  // not a Windows drive letter.
  const auto colon = path.find(':');
  if (colon == std::string::npos || colon < 2) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = path[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace leachflow::io::detail
