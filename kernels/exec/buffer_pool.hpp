// A cache of freed device blocks, reused by later device_buffers of a similar size.
//
// Why: the terrain pipeline allocates and frees per-cell temporaries stage after stage. On the
// CPU backends every fresh large block is a new mapping whose pages the kernel zeroes on first
// touch (measured at 4096²: clear_page was 28 % of all CPU time of `leachflow terrain`); on
// CUDA, cudaMalloc/cudaFree synchronise the device. A freed block of at least `min_bytes` is
// kept and handed to the next request that it fits without wasting more than half of it.
//
// Footprint bound: live + cached bytes never exceed the most live bytes ever needed at once
// (plus the request being served); cached blocks are released, largest first, to stay under it.
// Contents of a reused block are stale, as device_buffer documents (uninitialised).
// Host code only; backend-agnostic: the real allocator is passed in.
#pragma once

#include <cstddef>
#include <iterator>
#include <map>
#include <mutex>
#include <unordered_map>

namespace leachflow::exec::memory {

class buffer_pool {
 public:
  using allocate_fn = void* (*)(std::size_t);
  using free_fn = void (*)(void*);
  static constexpr std::size_t min_bytes = std::size_t{1} << 20;

  buffer_pool(allocate_fn a, free_fn f) : allocate_(a), free_(f) {}
  buffer_pool(const buffer_pool&) = delete;
  buffer_pool& operator=(const buffer_pool&) = delete;

  void* allocate(std::size_t bytes) {
    if (bytes < min_bytes || closed_) return allocate_(bytes);
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = cached_.lower_bound(bytes);
    if (it != cached_.end() && it->first <= 2 * bytes) {
      void* p = it->second;
      live_[p] = it->first;
      live_bytes_ += it->first;
      cached_bytes_ -= it->first;
      cached_.erase(it);
      return p;
    }
    // No fit: make room under the high-water mark before growing the footprint.
    const std::size_t limit = high_water_ > live_bytes_ + bytes ? high_water_ : live_bytes_ + bytes;
    while (!cached_.empty() && live_bytes_ + cached_bytes_ + bytes > limit) {
      auto largest = std::prev(cached_.end());
      cached_bytes_ -= largest->first;
      free_(largest->second);
      cached_.erase(largest);
    }
    void* p = allocate_(bytes);
    if (p == nullptr && !cached_.empty()) {  // out of memory: give everything back and retry
      release_cached_locked();
      p = allocate_(bytes);
    }
    if (p == nullptr) return nullptr;
    live_[p] = bytes;
    live_bytes_ += bytes;
    if (live_bytes_ > high_water_) high_water_ = live_bytes_;
    return p;
  }

  void free(void* p) {
    if (p == nullptr) return;
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto it = live_.find(p);
    if (it == live_.end()) {  // small, or allocated before the pool closed
      free_(p);
      return;
    }
    const std::size_t capacity = it->second;
    live_.erase(it);
    live_bytes_ -= capacity;
    if (closed_) {
      free_(p);
      return;
    }
    cached_.emplace(capacity, p);
    cached_bytes_ += capacity;
  }

  // Frees every cached block; later frees go straight to the backend (before its shutdown).
  void close() {
    const std::lock_guard<std::mutex> lock(mutex_);
    release_cached_locked();
    closed_ = true;
  }

  std::size_t cached_bytes() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return cached_bytes_;
  }

 private:
  void release_cached_locked() {
    for (const auto& [capacity, p] : cached_) free_(p);
    cached_.clear();
    cached_bytes_ = 0;
  }

  allocate_fn allocate_;
  free_fn free_;
  mutable std::mutex mutex_;
  std::multimap<std::size_t, void*> cached_;        // capacity -> block
  std::unordered_map<void*, std::size_t> live_;     // block -> capacity
  std::size_t live_bytes_ = 0, cached_bytes_ = 0, high_water_ = 0;
  bool closed_ = false;
};

}  // namespace leachflow::exec::memory
