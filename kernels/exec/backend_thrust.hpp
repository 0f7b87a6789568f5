// Thrust backend (OpenMP device system with g++, CUDA device system under nvcc).
// Included only through exec.hpp; nothing outside kernels/exec names Thrust.
#pragma once

#include <unistd.h>

#include <cstdlib>

#include <cstddef>
#include <string>

#include <thrust/copy.h>
#include <thrust/device_free.h>
#include <thrust/device_malloc.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/scan.h>
#include <thrust/sort.h>

#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
#include <omp.h>
#endif

#include "host_pages.hpp"
#include "span.hpp"

namespace leachflow::exec::backend {

inline void* allocate_bytes(std::size_t bytes) {
  return thrust::raw_pointer_cast(thrust::device_malloc<unsigned char>(bytes));
}
inline void free_bytes(void* p) {
  thrust::device_free(thrust::device_pointer_cast(static_cast<unsigned char*>(p)));
}

template <class T>
void copy_to_host(const T* device, index_t n, T* host) {
  if (n > 0) thrust::copy(thrust::device_pointer_cast(device), thrust::device_pointer_cast(device) + n, host);
}
template <class T>
void copy_to_device(const T* host, index_t n, T* device) {
  if (n > 0) thrust::copy(host, host + n, thrust::device_pointer_cast(device));
}
template <class T>
void copy_on_device(const T* src, index_t n, T* dst) {
  if (n > 0) thrust::copy(thrust::device, src, src + n, dst);
}

// OpenMP device system: a one-index launch (the serial walk over a run of small topological
// levels in accumulate/tree_sweep, the serial frontier kernels) runs on the calling thread,
// without an OpenMP parallel region: one index cannot be split, so the region is pure overhead
// (a fork/join of every thread, costly with more threads than cores). Larger ranges always
// launch: one index may stand for a block or tile of thousands of cells (reductions, terrain
// conditioning, level scatter), so a count-based threshold would serialise big work. Under CUDA
// every launch goes to the device. Results are unchanged: f(0) is the same computation.
template <class F>
void for_each_index(index_t n, F f) {
  if (n <= 0) return;
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
  if (n == 1) {
    f(index_t{0});
    return;
  }
#endif
  thrust::for_each(thrust::device, thrust::counting_iterator<index_t>(0),
                   thrust::counting_iterator<index_t>(n), f);
}

template <class T>
void inclusive_scan(const T* in, index_t n, T* out) {
  if (n > 0) thrust::inclusive_scan(thrust::device, in, in + n, out);
}
template <class T>
void exclusive_scan(const T* in, index_t n, T* out, T init) {
  if (n > 0) thrust::exclusive_scan(thrust::device, in, in + n, out, init);
}

template <class K, class V>
void stable_sort_by_key(K* keys, index_t n, V* values) {
  if (n > 1) thrust::stable_sort_by_key(thrust::device, keys, keys + n, values);
}

inline std::string name() {
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_CUDA
  return "thrust-cuda";
#elif THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
  return "thrust-openmp";
#else
  return "thrust";
#endif
}

inline constexpr bool device_is_host = THRUST_DEVICE_SYSTEM != THRUST_DEVICE_SYSTEM_CUDA;

inline int concurrency() {
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

inline void set_thread_count([[maybe_unused]] int n) {
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
  omp_set_num_threads(n);
#endif
}

// Thrust/OpenMP: unless the user chose OMP_WAIT_POLICY, re-run this program with passive waiting.
// libgomp reads the policy once, when it is loaded (before main), hence the re-exec. Why: with
// the default policy, idle workers spin between launches and steal the core from the launching
// thread whenever another process is busy; on a shared 2-core machine the default scenario's
// transport (17,280 cells, many small launches) took 3.9 s spinning and 0.1 s passive, while
// big grids do not notice the few microseconds a futex wake costs per launch.
inline void initialize(int&, char** argv) {
#if THRUST_DEVICE_SYSTEM != THRUST_DEVICE_SYSTEM_CUDA
  keep_freed_pages();  // host memory: see host_pages.hpp
#endif
#if THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_OMP
  if (argv && !std::getenv("OMP_WAIT_POLICY")) {
    ::setenv("OMP_WAIT_POLICY", "passive", 1);
    ::execv("/proc/self/exe", argv);  // returns only on failure: then run with the default policy
  }
#else
  (void)argv;
#endif
}
inline void finalize() {}

}  // namespace leachflow::exec::backend
