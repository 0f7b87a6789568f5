// Transparent huge pages for large device buffers of the CPU backends.
//
// The terrain kernels read neighbours, pointer chains and frontier queues all over per-cell
// arrays of hundreds of MB; with 4 KiB pages nearly every such access misses the TLB, and every
// first touch is a page fault. Debian's default THP mode is "madvise", so large blocks ask for
// 2 MiB pages here. Advice only: nothing changes where the kernel cannot or will not oblige.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace leachflow::exec::backend {

inline void advise_huge_pages(void* p, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  if (p == nullptr || bytes < 2 * huge) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + huge - 1) & ~(huge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(huge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace leachflow::exec::backend
