// buffer_pool against a counting fake allocator: reuse, the waste limit, the footprint bound
// (live + cached never above the live high-water mark plus the request) and close().
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <map>

#include <gtest/gtest.h>

#include "kernels/exec/buffer_pool.hpp"

namespace {

using leachflow::exec::memory::buffer_pool;

struct fake_allocator {
  static inline std::map<void*, std::size_t> live;
  static inline int allocations = 0;
  static void* allocate(std::size_t bytes) {
    void* p = std::malloc(1);  // a distinct address; the size is only booked
    live[p] = bytes;
    ++allocations;
    return p;
  }
  static void release(void* p) {
    live.erase(p);
    std::free(p);
  }
  static std::size_t footprint() {
    std::size_t s = 0;
    for (const auto& [p, b] : live) s += b;
    return s;
  }
  static void reset() {
    live.clear();
    allocations = 0;
  }
};

constexpr std::size_t MiB = std::size_t{1} << 20;

class BufferPool : public ::testing::Test {
 protected:
  void SetUp() override { fake_allocator::reset(); }
  buffer_pool pool{&fake_allocator::allocate, &fake_allocator::release};
};

TEST_F(BufferPool, FreedBlockIsReusedForTheSameOrASmallerRequest) {
  void* a = pool.allocate(8 * MiB);
  pool.free(a);
  EXPECT_EQ(pool.cached_bytes(), 8 * MiB);
  void* b = pool.allocate(8 * MiB);
  EXPECT_EQ(b, a);
  pool.free(b);
  void* c = pool.allocate(5 * MiB);  // 8 MiB wastes less than half
  EXPECT_EQ(c, a);
  EXPECT_EQ(fake_allocator::allocations, 1);
  pool.free(c);
}

TEST_F(BufferPool, NoReuseWhenMoreThanHalfWouldBeWastedOrTooSmall) {
  void* a = pool.allocate(8 * MiB);
  pool.free(a);
  void* small = pool.allocate(3 * MiB);  // 8 > 2 x 3: a new block (and the 8 MiB one is
  EXPECT_EQ(fake_allocator::allocations, 2);  // released: it would exceed the high-water mark)
  EXPECT_EQ(pool.cached_bytes(), 0u);
  EXPECT_EQ(fake_allocator::footprint(), 3 * MiB);
  void* big = pool.allocate(9 * MiB);  // nothing cached fits
  EXPECT_EQ(fake_allocator::allocations, 3);
  pool.free(small);
  pool.free(big);
}

TEST_F(BufferPool, FootprintStaysUnderTheLiveHighWaterMark) {
  // A block serves requests down to half its size, so live blocks hold at most twice the live
  // request; the footprint must then stay under twice the largest live request seen.
  void* a = pool.allocate(8 * MiB);
  void* b = pool.allocate(8 * MiB);
  pool.free(a);
  pool.free(b);
  std::size_t peak = 16 * MiB, live = 0;
  const std::size_t sizes[] = {3, 7, 2, 12, 5, 9, 1, 15, 4};
  void* held[9] = {};
  for (int k = 0; k < 9; ++k) {
    const std::size_t bytes = sizes[k] * MiB;
    held[k] = pool.allocate(bytes);
    live += bytes;
    peak = std::max(peak, live);
    EXPECT_LE(fake_allocator::footprint(), 2 * peak) << "step " << k;
    if (k % 2 == 1) {  // free every second pair
      pool.free(held[k - 1]);
      pool.free(held[k]);
      live -= sizes[k - 1] * MiB + bytes;
      held[k - 1] = held[k] = nullptr;
    }
  }
  for (void* p : held) pool.free(p);
  EXPECT_LE(fake_allocator::footprint(), 2 * peak);
  EXPECT_LT(fake_allocator::allocations, 11);  // some requests were served from the cache
}

TEST_F(BufferPool, SmallBlocksBypassAndCloseReleasesEverything) {
  void* s = pool.allocate(1024);
  pool.free(s);
  EXPECT_EQ(pool.cached_bytes(), 0u);
  void* a = pool.allocate(4 * MiB);
  void* b = pool.allocate(4 * MiB);
  pool.free(a);
  pool.close();
  EXPECT_EQ(pool.cached_bytes(), 0u);
  EXPECT_EQ(fake_allocator::footprint(), 4 * MiB);  // only b is left
  pool.free(b);  // after close: straight to the backend
  EXPECT_EQ(fake_allocator::footprint(), 0u);
  EXPECT_TRUE(fake_allocator::live.empty());
}

}  // namespace
