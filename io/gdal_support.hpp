// Internal to io/: GDAL start-up and error capture, shared by the raster and vector readers.
#pragma once

#include <string>

namespace leachflow::io::detail {

// Registers GDAL's drivers once per process (thread-safe).
void ensure_gdal_registered();

// While alive, GDAL's own messages are not printed; last_message() returns the latest one so
// our one-line errors can quote it.
class QuietGdalErrors {
 public:
  QuietGdalErrors();
  ~QuietGdalErrors();
  QuietGdalErrors(const QuietGdalErrors&) = delete;
  QuietGdalErrors& operator=(const QuietGdalErrors&) = delete;
  static std::string last_message();
};

// True for names GDAL resolves itself (NETCDF:file:var, /vsizip/..., HDF5:...) rather than
// plain paths that must exist on disk.
bool is_gdal_connection_string(const std::string& path);

}  // namespace leachflow::io::detail
