// Start-up and shut-down of the backend (Kokkos needs both), and what it is.
#pragma once

#include <string>

#include "backend.hpp"

namespace leachflow::exec {

// Hold one for the life of the program, before any device_buffer exists.
class runtime {
 public:
  runtime(int& argc, char** argv) { backend::initialize(argc, argv); }
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;
  ~runtime() { backend::finalize(); }
};

inline std::string backend_name() { return backend::name(); }
inline int concurrency() { return backend::concurrency(); }

}  // namespace leachflow::exec
