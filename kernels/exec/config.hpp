// Backend-neutral basics for kernels: the host/device function marker and the index type.
// Kernels include this (or exec.hpp) and nothing backend-specific.
#pragma once

#include <cstdint>

#if defined(__CUDACC__) || defined(__HIPCC__)
#define LF_HD __host__ __device__
#else
#define LF_HD
#endif

namespace leachflow::exec {

// Cell indices are 64-bit everywhere: grids beyond 2^31 cells must work.
using index_t = std::int64_t;

}  // namespace leachflow::exec
