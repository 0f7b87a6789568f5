// Selects the backend chosen at configure time. The only file that branches on the backend.
#pragma once

#if defined(LEACHFLOW_EXEC_KOKKOS)
#include "backend_kokkos.hpp"
#elif defined(LEACHFLOW_EXEC_THRUST)
#include "backend_thrust.hpp"
#else
#error "leachflow: no exec backend selected (define LEACHFLOW_EXEC_THRUST or LEACHFLOW_EXEC_KOKKOS)"
#endif
