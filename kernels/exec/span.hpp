// device_span: a non-owning view of device memory, the only thing kernels receive.
//
// It is deliberately *not* convertible to std::span or any host view: the only way to see
// device data on the host is an explicit copy through a host mirror (memory.hpp). Code that
// would dereference device memory on the host therefore fails to compile on every backend,
// not only under CUDA.
#pragma once

#include <type_traits>

#include "config.hpp"

namespace leachflow::exec {

template <class T>
class device_span {
 public:
  using value_type = std::remove_cv_t<T>;

  LF_HD device_span() = default;
  LF_HD device_span(T* data, index_t size) : data_(data), size_(size) {}
  // Non-const to const only.
  template <class U, class = std::enable_if_t<std::is_same_v<const U, T>>>
  LF_HD device_span(const device_span<U>& other) : data_(other.data()), size_(other.size()) {}

  LF_HD T& operator[](index_t i) const { return data_[i]; }
  LF_HD index_t size() const { return size_; }
  LF_HD bool empty() const { return size_ == 0; }
  // Raw device pointer, for backend code in kernels/exec only.
  LF_HD T* data() const { return data_; }
  LF_HD device_span subspan(index_t offset, index_t count) const {
    return device_span(data_ + offset, count);
  }

 private:
  T* data_ = nullptr;
  index_t size_ = 0;
};

// `count` elements of T starting `first_byte` bytes into the memory of s: one block serving
// several arrays of different types in turn (a scratch arena). The caller keeps the views inside
// s and aligned for T; the memory holds no objects of U that are read afterwards.
template <class T, class U>
LF_HD device_span<T> reinterpret_span(device_span<U> s, index_t first_byte, index_t count) {
  return device_span<T>(reinterpret_cast<T*>(reinterpret_cast<unsigned char*>(s.data()) + first_byte), count);
}

}  // namespace leachflow::exec
