// Kokkos backend: whatever execution space the installed Kokkos defaults to (Serial, OpenMP,
// CUDA, HIP, SYCL). Included only through exec.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include <Kokkos_Core.hpp>

#include "host_pages.hpp"
#include "span.hpp"

namespace leachflow::exec::backend {

using exec_space = Kokkos::DefaultExecutionSpace;
using mem_space = exec_space::memory_space;
using range = Kokkos::RangePolicy<exec_space, Kokkos::IndexType<index_t>>;

template <class T, class Space>
using unmanaged = Kokkos::View<T*, Space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

inline void* allocate_bytes(std::size_t bytes) {
  return Kokkos::kokkos_malloc<mem_space>("leachflow::device_buffer", bytes);
}
inline void free_bytes(void* p) { Kokkos::kokkos_free<mem_space>(p); }

template <class T>
void copy_to_host(const T* device, index_t n, T* host) {
  if (n <= 0) return;
  Kokkos::deep_copy(unmanaged<T, Kokkos::HostSpace>(host, n),
                    unmanaged<const T, mem_space>(device, n));
}
template <class T>
void copy_to_device(const T* host, index_t n, T* device) {
  if (n <= 0) return;
  Kokkos::deep_copy(unmanaged<T, mem_space>(device, n),
                    unmanaged<const T, Kokkos::HostSpace>(host, n));
}
template <class T>
void copy_on_device(const T* src, index_t n, T* dst) {
  if (n <= 0) return;
  Kokkos::deep_copy(unmanaged<T, mem_space>(dst, n), unmanaged<const T, mem_space>(src, n));
}

template <class F>
void for_each_index(index_t n, F f) {
  if (n <= 0) return;
  Kokkos::parallel_for("leachflow::for_each", range(0, n), f);
  Kokkos::fence();
}

template <class T>
struct scan_functor {
  const T* in;
  T* out;
  T init;
  bool inclusive;
  KOKKOS_INLINE_FUNCTION void operator()(index_t i, T& update, bool final) const {
    const T v = in[i];  // read before write: in-place scans are allowed
    if (final && !inclusive) out[i] = init + update;
    update += v;
    if (final && inclusive) out[i] = update;
  }
};

template <class T>
void inclusive_scan(const T* in, index_t n, T* out) {
  if (n <= 0) return;
  Kokkos::parallel_scan("leachflow::inclusive_scan", range(0, n), scan_functor<T>{in, out, T{}, true});
  Kokkos::fence();
}
template <class T>
void exclusive_scan(const T* in, index_t n, T* out, T init) {
  if (n <= 0) return;
  Kokkos::parallel_scan("leachflow::exclusive_scan", range(0, n), scan_functor<T>{in, out, init, false});
  Kokkos::fence();
}

// Stable LSD radix sort by one bit at a time (split by scan), on (key - min_key) so only the
// bits the key range needs are visited. Portable to every Kokkos backend; Kokkos 3.4 has no
// sort_by_key of its own.
template <class K>
KOKKOS_INLINE_FUNCTION std::uint64_t radix_key(K k) {
  if constexpr (std::is_signed_v<K>) {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(k)) ^ (std::uint64_t{1} << 63);
  } else {
    return static_cast<std::uint64_t>(k);
  }
}

template <class K>
struct radix_flags {
  const K* keys;
  std::uint64_t base;
  int bit;
  index_t* zeros;
  KOKKOS_INLINE_FUNCTION void operator()(index_t i) const {
    zeros[i] = ((radix_key(keys[i]) - base) >> bit & 1u) ? 0 : 1;
  }
};

template <class K, class V>
struct radix_scatter {
  const K* keys_in;
  const V* vals_in;
  K* keys_out;
  V* vals_out;
  const index_t* zero_pos;  // exclusive scan of the zero flags
  const index_t* zeros;
  index_t total_zeros;
  KOKKOS_INLINE_FUNCTION void operator()(index_t i) const {
    const index_t dst = zeros[i] ? zero_pos[i] : total_zeros + (i - zero_pos[i]);
    keys_out[dst] = keys_in[i];
    vals_out[dst] = vals_in[i];
  }
};

template <class K, class V>
void stable_sort_by_key(K* keys, index_t n, V* values) {
  if (n <= 1) return;
  std::uint64_t lo = 0, hi = 0;
  Kokkos::parallel_reduce(
      "leachflow::sort_range", range(0, n),
      KOKKOS_LAMBDA(index_t i, std::uint64_t & l) {
        const std::uint64_t k = radix_key(keys[i]);
        if (k < l) l = k;
      },
      Kokkos::Min<std::uint64_t>(lo));
  Kokkos::parallel_reduce(
      "leachflow::sort_range", range(0, n),
      KOKKOS_LAMBDA(index_t i, std::uint64_t & h) {
        const std::uint64_t k = radix_key(keys[i]);
        if (k > h) h = k;
      },
      Kokkos::Max<std::uint64_t>(hi));
  int bits = 0;
  for (std::uint64_t span = hi - lo; span != 0; span >>= 1) ++bits;
  if (bits == 0) return;

  const auto bytes = [n](std::size_t s) { return static_cast<std::size_t>(n) * s; };
  K* keys_tmp = static_cast<K*>(allocate_bytes(bytes(sizeof(K))));
  V* vals_tmp = static_cast<V*>(allocate_bytes(bytes(sizeof(V))));
  index_t* zeros = static_cast<index_t*>(allocate_bytes(bytes(sizeof(index_t))));
  index_t* pos = static_cast<index_t*>(allocate_bytes(bytes(sizeof(index_t))));
  K* k_in = keys;
  V* v_in = values;
  K* k_out = keys_tmp;
  V* v_out = vals_tmp;
  for (int bit = 0; bit < bits; ++bit) {
    for_each_index(n, radix_flags<K>{k_in, lo, bit, zeros});
    exclusive_scan<index_t>(zeros, n, pos, 0);
    index_t last_pos = 0, last_zero = 0;
    copy_to_host(pos + n - 1, 1, &last_pos);
    copy_to_host(zeros + n - 1, 1, &last_zero);
    for_each_index(n, radix_scatter<K, V>{k_in, v_in, k_out, v_out, pos, zeros, last_pos + last_zero});
    std::swap(k_in, k_out);
    std::swap(v_in, v_out);
  }
  if (k_in != keys) {
    copy_on_device(k_in, n, keys);
    copy_on_device(v_in, n, values);
  }
  free_bytes(keys_tmp);
  free_bytes(vals_tmp);
  free_bytes(zeros);
  free_bytes(pos);
}

inline std::string name() { return std::string("kokkos-") + exec_space::name(); }
inline int concurrency() { return exec_space().concurrency(); }
inline constexpr bool device_is_host = std::is_same_v<mem_space, Kokkos::HostSpace>;
// Kokkos fixes its thread pool at initialisation (Serial has none): nothing to change.
inline void set_thread_count(int) {}

inline void initialize(int& argc, char** argv) {
  if constexpr (std::is_same_v<mem_space, Kokkos::HostSpace>) keep_freed_pages();  // host_pages.hpp
  if (!Kokkos::is_initialized()) Kokkos::initialize(argc, argv);
}
inline void finalize() {
  if (Kokkos::is_initialized()) Kokkos::finalize();
}

}  // namespace leachflow::exec::backend
