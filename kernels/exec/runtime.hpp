// Start-up and shut-down of the backend (Kokkos needs both), and what it is.
// Declarations only: implemented in kernels/exec/runtime.cpp, so host-only code can use it.
#pragma once

#include <string>

namespace leachflow::exec {

// Hold one for the life of the program, before any device_buffer exists.
class runtime {
 public:
  runtime(int& argc, char** argv);
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;
  ~runtime();
};

std::string backend_name();
int concurrency();  // threads (CPU backends) or 1

}  // namespace leachflow::exec
