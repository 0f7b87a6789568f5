// Host memory of the CPU backends: transparent huge pages for large device buffers, and freed
// blocks kept in the heap for reuse.
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
#if defined(__GLIBC__)
#include <malloc.h>
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

// glibc gives every block of 32 MiB or more its own mapping and unmaps it on free, so each
// such block is fresh memory whose first touch costs a page fault and the zeroing of the page:
// on this project's 2-core VM that was 0.5-2 GB/s, and the terrain pipeline maps about twice
// its peak in per-cell temporaries of changing sizes (4, 8, 16 B/cell) that the buffer pool
// cannot reuse one for one. In the heap, freed neighbours coalesce and a later block reuses pages
// already touched. Called once at start-up; the heap is trimmed only beyond 2 GiB free at its top.
inline void keep_freed_pages() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 2147483647);
#endif
}

}  // namespace leachflow::exec::backend
