// Device buffers and the explicit copies between device and host.
//
// device_buffer<T> owns device memory (uninitialised on allocation; fill it or copy into it).
// Host code sees its contents only through a host mirror: to_host() / copy(). There is no
// implicit conversion in either direction.
#pragma once

#include <cstddef>
#include <new>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "span.hpp"

namespace leachflow::exec {

// Byte-level memory operations, implemented once per backend in kernels/exec/runtime.cpp.
// Declared here without any backend header, so host-only code (io/, app/) can hold device
// buffers and mirror them without being compiled by nvcc.
namespace memory {
void* allocate_bytes(std::size_t bytes);
void free_bytes(void* p, std::size_t bytes);
// Freed blocks are cached for reuse (kernels/exec/buffer_pool.hpp); runtime's destructor
// hands them back before the backend shuts down.
void close_pool();
// Device memory held by device_buffers now, and the most held at once since the last reset:
// the figures behind every "bytes per cell" report (host-side arrays are not counted).
std::size_t bytes_in_use();
std::size_t peak_bytes();
void reset_peak();
void copy_to_host(const void* device, std::size_t bytes, void* host);
void copy_to_device(const void* host, std::size_t bytes, void* device);
void copy_on_device(const void* src, std::size_t bytes, void* dst);
}  // namespace memory

template <class T>
class device_buffer {
  static_assert(std::is_trivially_copyable_v<T>, "device buffers hold plain data only");

 public:
  device_buffer() = default;
  explicit device_buffer(index_t size) : size_(size) {
    if (size_ > 0) {
      data_ = static_cast<T*>(memory::allocate_bytes(static_cast<std::size_t>(size_) * sizeof(T)));
      if (data_ == nullptr) throw std::bad_alloc();
    }
  }
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
  device_buffer(device_buffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  device_buffer& operator=(device_buffer&& o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~device_buffer() { release(); }

  index_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t bytes() const { return static_cast<std::size_t>(size_) * sizeof(T); }
  device_span<T> span() { return {data_, size_}; }
  device_span<const T> span() const { return {data_, size_}; }
  operator device_span<T>() { return span(); }
  operator device_span<const T>() const { return span(); }

 private:
  void release() {
    if (data_ != nullptr) memory::free_bytes(data_, bytes());
    data_ = nullptr;
    size_ = 0;
  }
  T* data_ = nullptr;
  index_t size_ = 0;
};

// A host mirror is plain host memory: std::vector.
template <class T>
using host_mirror = std::vector<T>;

namespace detail {
inline std::size_t copy_bytes(index_t a, index_t b, std::size_t elem) {
  return static_cast<std::size_t>(a < b ? a : b) * elem;
}
}  // namespace detail

// Copies min(from.size(), to.size()) elements.
template <class T>
void copy(device_span<const T> from, std::span<T> to) {
  memory::copy_to_host(from.data(), detail::copy_bytes(from.size(), static_cast<index_t>(to.size()), sizeof(T)), to.data());
}
template <class T>
void copy(std::span<const T> from, device_span<T> to) {
  memory::copy_to_device(from.data(), detail::copy_bytes(static_cast<index_t>(from.size()), to.size(), sizeof(T)), to.data());
}
template <class T>
void copy(device_span<const T> from, device_span<T> to) {
  memory::copy_on_device(from.data(), detail::copy_bytes(from.size(), to.size(), sizeof(T)), to.data());
}

template <class T>
host_mirror<std::remove_const_t<T>> to_host(device_span<T> d) {
  host_mirror<std::remove_const_t<T>> h(static_cast<std::size_t>(d.size()));
  memory::copy_to_host(d.data(), h.size() * sizeof(T), h.data());
  return h;
}
template <class T>
host_mirror<T> to_host(const device_buffer<T>& d) {
  return to_host(d.span());
}
template <class T>
device_buffer<T> to_device(std::span<const T> h) {
  device_buffer<T> d(static_cast<index_t>(h.size()));
  memory::copy_to_device(h.data(), h.size() * sizeof(T), d.span().data());
  return d;
}
template <class T>
device_buffer<T> to_device(const std::vector<T>& h) {
  return to_device(std::span<const T>(h));
}

// One element, for scalars computed on the device.
template <class T>
T read_one(device_span<const T> d, index_t i) {
  T v{};
  memory::copy_to_host(d.data() + i, sizeof(T), &v);
  return v;
}

}  // namespace leachflow::exec
