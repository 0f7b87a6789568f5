// Parallel algorithms over index ranges and device spans, the same on every backend.
//
// Include this only from translation units that launch kernels (model/ and tests): under the
// cuda preset they are compiled by nvcc.
//
// Floating-point results are deterministic: reductions use fixed-size blocks whose partial
// results are combined in a fixed order, so the answer does not depend on the thread count
// (DESIGN.md: bitwise-identical output regardless of threads).
#pragma once

#include <cstdint>

#include "backend.hpp"
#include "memory.hpp"
#include "span.hpp"

namespace leachflow::exec {

// f(i) for every i in [0, n), in parallel, in no particular order.
template <class F>
void for_each_index(index_t n, F f) {
  backend::for_each_index(n, f);
}

template <class T>
struct plus {
  LF_HD T operator()(const T& a, const T& b) const { return a + b; }
};
template <class T>
struct minimum {
  LF_HD T operator()(const T& a, const T& b) const { return b < a ? b : a; }
};
template <class T>
struct maximum {
  LF_HD T operator()(const T& a, const T& b) const { return a < b ? b : a; }
};

namespace detail {

inline constexpr index_t reduce_block = 4096;

template <class T, class F, class Op>
struct block_reduce {
  F f;
  Op op;
  index_t n;
  device_span<T> partial;
  LF_HD void operator()(index_t b) const {
    const index_t lo = b * reduce_block;
    const index_t hi = lo + reduce_block < n ? lo + reduce_block : n;
    T acc = f(lo);
    for (index_t i = lo + 1; i < hi; ++i) acc = op(acc, f(i));
    partial[b] = acc;
  }
};

template <class T>
struct read_span {
  device_span<const T> s;
  LF_HD T operator()(index_t i) const { return s[i]; }
};

template <class T>
struct fill_with {
  device_span<T> s;
  T value;
  LF_HD void operator()(index_t i) const { s[i] = value; }
};

template <class T>
struct iota_from {
  device_span<T> s;
  T start;
  LF_HD void operator()(index_t i) const { s[i] = start + static_cast<T>(i); }
};

template <class K>
struct segment_heads {
  device_span<const K> keys;
  device_span<index_t> heads;
  LF_HD void operator()(index_t i) const { heads[i] = (i == 0 || !(keys[i] == keys[i - 1])) ? 1 : 0; }
};

template <class K>
struct segment_starts {
  device_span<const K> keys;
  device_span<const index_t> heads;
  device_span<const index_t> slot;
  device_span<K> keys_out;
  device_span<index_t> start;
  LF_HD void operator()(index_t i) const {
    if (heads[i]) {
      keys_out[slot[i]] = keys[i];
      start[slot[i]] = i;
    }
  }
};

template <class V, class Op>
struct segment_reduce {
  device_span<const V> values;
  device_span<const index_t> start;  // one past the last segment holds n
  device_span<V> values_out;
  Op op;
  LF_HD void operator()(index_t s) const {
    V acc = values[start[s]];
    for (index_t i = start[s] + 1; i < start[s + 1]; ++i) acc = op(acc, values[i]);
    values_out[s] = acc;
  }
};

}  // namespace detail

// init op f(0) op f(1) ... op f(n-1), with op associative; returns init when n == 0.
template <class T, class F, class Op>
T transform_reduce(index_t n, F f, T init, Op op) {
  if (n <= 0) return init;
  const index_t blocks = (n + detail::reduce_block - 1) / detail::reduce_block;
  device_buffer<T> partial(blocks);
  for_each_index(blocks, detail::block_reduce<T, F, Op>{f, op, n, partial.span()});
  if (blocks > detail::reduce_block) {
    return transform_reduce(blocks, detail::read_span<T>{partial.span()}, init, op);
  }
  const host_mirror<T> h = to_host(partial);
  T acc = init;
  for (const T& v : h) acc = op(acc, v);
  return acc;
}

template <class T, class Op = plus<T>>
T reduce(device_span<const T> in, T init, Op op = {}) {
  return transform_reduce(in.size(), detail::read_span<T>{in}, init, op);
}

template <class T>
void fill(device_span<T> s, T value) {
  for_each_index(s.size(), detail::fill_with<T>{s, value});
}

// s[i] = start + i
template <class T>
void sequence(device_span<T> s, T start = T{}) {
  for_each_index(s.size(), detail::iota_from<T>{s, start});
}

// out[i] = in[0] + ... + in[i]. in and out may be the same span.
template <class T>
void inclusive_scan(device_span<const T> in, device_span<T> out) {
  backend::inclusive_scan(in.data(), in.size(), out.data());
}

// out[i] = init + in[0] + ... + in[i-1]. in and out may be the same span.
template <class T>
void exclusive_scan(device_span<const T> in, device_span<T> out, T init = T{}) {
  backend::exclusive_scan(in.data(), in.size(), out.data(), init);
}

// Sorts keys ascending and applies the same permutation to values; equal keys keep their order.
template <class K, class V>
void sort_by_key(device_span<K> keys, device_span<V> values) {
  backend::stable_sort_by_key(keys.data(), keys.size(), values.data());
}

// For each run of equal consecutive keys, writes the key and the op-reduction of its values
// (in input order, so the result is deterministic). Returns the number of runs.
// keys_out and values_out need room for keys.size() entries in the worst case.
template <class K, class V, class Op = plus<V>>
index_t reduce_by_key(device_span<const K> keys, device_span<const V> values,
                      device_span<K> keys_out, device_span<V> values_out, Op op = {}) {
  const index_t n = keys.size();
  if (n == 0) return 0;
  device_buffer<index_t> heads(n), slot(n), start(n + 1);
  for_each_index(n, detail::segment_heads<K>{keys, heads.span()});
  exclusive_scan<index_t>(heads.span(), slot.span(), 0);
  const index_t runs = read_one<index_t>(slot.span(), n - 1) + read_one<index_t>(heads.span(), n - 1);
  for_each_index(n, detail::segment_starts<K>{keys, heads.span(), slot.span(), keys_out, start.span()});
  copy(std::span<const index_t>(&n, 1), start.span().subspan(runs, 1));
  for_each_index(runs, detail::segment_reduce<V, Op>{values, start.span(), values_out, op});
  return runs;
}

}  // namespace leachflow::exec
