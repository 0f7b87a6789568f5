// Host memory of the CPU backends: freed blocks kept in the heap for reuse.
//
// No transparent huge pages (no MADV_HUGEPAGE): on this project's VM, whose balloon driver hands
// free 2 MiB blocks back to the host, a fresh huge page is backed again on first touch at
// 0.3-0.7 GB/s against 2.5 GB/s for 4 KiB pages (1 GiB touched after a pause, 3 runs each), and
// the tiled and lane-wise kernels no longer gain user time from the larger pages: at 4096² the
// advice cost the condition stage 0.6-0.9 s of system time (0.13-0.15 s without) for no user
// time saved.
#pragma once

#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace leachflow::exec::backend {

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
