// Start-up and shut-down of the backend (Kokkos needs both), and what it is.
// Declarations only: implemented in kernels/exec/runtime.cpp, so host-only code can use it.
#pragma once

#include <string>

namespace leachflow::exec {

// Hold one for the life of the program, before any device_buffer exists.
class runtime {
 public:
  runtime(int& argc, char** argv);
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;
  ~runtime();
};

std::string backend_name();
int concurrency();  // threads (CPU backends) or 1
bool device_is_host();  // kernels run on CPU threads over host memory (not a GPU)

// Host threads that later launches from this thread may use. Thrust/OpenMP:
// omp_set_num_threads(n) (n ≥ 1), and thread_count() is omp_get_max_threads(). Every other
// backend (Kokkos, whose thread pool is fixed at initialisation; Thrust/CUDA): a no-op, and
// thread_count() is concurrency(). Tests use it to run one scenario at several thread counts
// in one process (DESIGN.md: bitwise-identical output regardless of thread count).
void set_thread_count(int n);
int thread_count();

}  // namespace leachflow::exec
