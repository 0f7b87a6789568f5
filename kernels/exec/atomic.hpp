// Atomic read-modify-write on device memory, callable inside kernels on every backend.
#pragma once

#include <cstdint>

#include "config.hpp"

#if defined(LEACHFLOW_EXEC_KOKKOS)
#include <Kokkos_Core.hpp>
#else
#include <atomic>
#endif

namespace leachflow::exec {

// Adds v to *addr and returns the value before the addition.
LF_HD inline double atomic_fetch_add(double* addr, double v) {
#if defined(LEACHFLOW_EXEC_KOKKOS)
  return Kokkos::atomic_fetch_add(addr, v);
#elif defined(__CUDA_ARCH__)
  return atomicAdd(addr, v);
#else
  return std::atomic_ref<double>(*addr).fetch_add(v, std::memory_order_relaxed);
#endif
}

LF_HD inline std::int64_t atomic_fetch_add(std::int64_t* addr, std::int64_t v) {
#if defined(LEACHFLOW_EXEC_KOKKOS)
  return Kokkos::atomic_fetch_add(addr, v);
#elif defined(__CUDA_ARCH__)
  return static_cast<std::int64_t>(atomicAdd(reinterpret_cast<unsigned long long*>(addr),
                                             static_cast<unsigned long long>(v)));
#else
  return __atomic_fetch_add(addr, v, __ATOMIC_ACQ_REL);
#endif
}

LF_HD inline std::int32_t atomic_fetch_add(std::int32_t* addr, std::int32_t v) {
#if defined(LEACHFLOW_EXEC_KOKKOS)
  return Kokkos::atomic_fetch_add(addr, v);
#elif defined(__CUDA_ARCH__)
  return atomicAdd(reinterpret_cast<int*>(addr), static_cast<int>(v));
#else
  return __atomic_fetch_add(addr, v, __ATOMIC_ACQ_REL);
#endif
}

// Lowers *addr to v if v is smaller; returns the value before.
LF_HD inline std::int64_t atomic_fetch_min(std::int64_t* addr, std::int64_t v) {
#if defined(LEACHFLOW_EXEC_KOKKOS)
  return Kokkos::atomic_fetch_min(addr, v);
#elif defined(__CUDA_ARCH__)
  return static_cast<std::int64_t>(atomicMin(reinterpret_cast<long long*>(addr), static_cast<long long>(v)));
#else
  std::int64_t old = __atomic_load_n(addr, __ATOMIC_RELAXED);
  while (v < old && !__atomic_compare_exchange_n(addr, &old, v, true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
  }
  return old;
#endif
}

LF_HD inline std::int32_t atomic_fetch_min(std::int32_t* addr, std::int32_t v) {
#if defined(LEACHFLOW_EXEC_KOKKOS)
  return Kokkos::atomic_fetch_min(addr, v);
#elif defined(__CUDA_ARCH__)
  return atomicMin(reinterpret_cast<int*>(addr), static_cast<int>(v));
#else
  std::int32_t old = __atomic_load_n(addr, __ATOMIC_RELAXED);
  while (v < old && !__atomic_compare_exchange_n(addr, &old, v, true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
  }
  return old;
#endif
}

// Lowers *addr to v if v is smaller (neither may be NaN). CUDA has no float atomicMin: a
// compare-and-swap loop on the bits.
LF_HD inline void atomic_min(float* addr, float v) {
#if defined(LEACHFLOW_EXEC_KOKKOS)
  (void)Kokkos::atomic_fetch_min(addr, v);
#elif defined(__CUDA_ARCH__)
  int* bits = reinterpret_cast<int*>(addr);
  int old = *bits;
  while (v < __int_as_float(old)) {
    const int seen = atomicCAS(bits, old, __float_as_int(v));
    if (seen == old) break;
    old = seen;
  }
#else
  std::atomic_ref<float> a(*addr);
  float old = a.load(std::memory_order_relaxed);
  while (v < old && !a.compare_exchange_weak(old, v, std::memory_order_relaxed)) {
  }
#endif
}

// Between plain stores and a later atomic that hands the data to another thread, and between
// that atomic and the other thread's plain loads. The host atomics above (and Kokkos' host
// atomics) are already full barriers; GPU atomics are relaxed, so a GPU fences here.
LF_HD inline void fence_for_handoff() {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  __threadfence();
#endif
}

template <class T>
LF_HD inline void atomic_add(T* addr, T v) {
  (void)atomic_fetch_add(addr, v);
}

}  // namespace leachflow::exec
