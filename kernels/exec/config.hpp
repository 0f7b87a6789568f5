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

// A hint that p will be read soon: CPU kernels that hop through memory in a known order (a BFS
// frontier) hide the cache misses of the next few cells behind the current one. No-op on GPUs,
// whose warps hide latency by switching.
LF_HD inline void prefetch(const void* p) {
#if defined(__GNUC__) && !defined(__CUDA_ARCH__) && !defined(__HIP_DEVICE_COMPILE__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

}  // namespace leachflow::exec
