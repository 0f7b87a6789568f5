// The backend's memory operations and runtime, compiled once per build (by nvcc for CUDA).
#include "kernels/exec/runtime.hpp"

#include <atomic>

#include "kernels/exec/backend.hpp"
#include "kernels/exec/buffer_pool.hpp"
#include "kernels/exec/memory.hpp"

namespace leachflow::exec {

runtime::runtime(int& argc, char** argv) { backend::initialize(argc, argv); }
runtime::~runtime() {
  memory::close_pool();  // cached blocks go back before the backend shuts down
  backend::finalize();
}
std::string backend_name() { return backend::name(); }
int concurrency() { return backend::concurrency(); }
bool device_is_host() { return backend::device_is_host; }
void set_thread_count(int n) {
  if (n >= 1) backend::set_thread_count(n);
}
int thread_count() { return backend::concurrency(); }

namespace memory {
namespace {
std::atomic<std::size_t> in_use{0};
std::atomic<std::size_t> peak{0};
buffer_pool& pool() {
  static buffer_pool p([](std::size_t bytes) { return backend::allocate_bytes(bytes); },
                       [](void* q) { backend::free_bytes(q); });
  return p;
}
}  // namespace

void close_pool() { pool().close(); }

void* allocate_bytes(std::size_t bytes) {
  void* p = pool().allocate(bytes);
  if (p == nullptr) return nullptr;
  const std::size_t now = in_use.fetch_add(bytes) + bytes;
  std::size_t seen = peak.load();
  while (now > seen && !peak.compare_exchange_weak(seen, now)) {
  }
  return p;
}
void free_bytes(void* p, std::size_t bytes) {
  pool().free(p);
  in_use.fetch_sub(bytes);
}
std::size_t bytes_in_use() { return in_use.load(); }
std::size_t peak_bytes() { return peak.load(); }
void reset_peak() { peak.store(in_use.load()); }
void copy_to_host(const void* device, std::size_t bytes, void* host) {
  backend::copy_to_host(static_cast<const unsigned char*>(device), static_cast<index_t>(bytes),
                        static_cast<unsigned char*>(host));
}
void copy_to_device(const void* host, std::size_t bytes, void* device) {
  backend::copy_to_device(static_cast<const unsigned char*>(host), static_cast<index_t>(bytes),
                          static_cast<unsigned char*>(device));
}
void copy_on_device(const void* src, std::size_t bytes, void* dst) {
  backend::copy_on_device(static_cast<const unsigned char*>(src), static_cast<index_t>(bytes),
                          static_cast<unsigned char*>(dst));
}
}  // namespace memory

}  // namespace leachflow::exec
