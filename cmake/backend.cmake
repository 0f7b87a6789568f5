# Chooses the exec backend and makes the interface target leachflow::exec that carries it.
#   LEACHFLOW_BACKEND = openmp (Thrust, OpenMP device system) | cuda (Thrust/CUDA) | kokkos
set(LEACHFLOW_BACKEND "openmp" CACHE STRING "exec backend: openmp, cuda or kokkos")
set_property(CACHE LEACHFLOW_BACKEND PROPERTY STRINGS openmp cuda kokkos)

# Sources that launch kernels: compiled by nvcc when the backend is CUDA, by the C++ compiler
# otherwise. Keep this list short: each CUDA translation unit costs ~30 s and ~0.75 GB here.
function(leachflow_device_sources)
  if(LEACHFLOW_BACKEND STREQUAL "cuda")
    set_source_files_properties(${ARGN} PROPERTIES LANGUAGE CUDA)
  endif()
endfunction()

# The backend's runtime and memory operations live in one translation unit, so host-only
# code (io/, app/) can hold device buffers without including any backend header.
add_library(leachflow_exec STATIC ${PROJECT_SOURCE_DIR}/kernels/exec/runtime.cpp)
leachflow_device_sources(${PROJECT_SOURCE_DIR}/kernels/exec/runtime.cpp)
add_library(leachflow::exec ALIAS leachflow_exec)
target_include_directories(leachflow_exec PUBLIC ${PROJECT_SOURCE_DIR})

if(LEACHFLOW_BACKEND STREQUAL "openmp" OR LEACHFLOW_BACKEND STREQUAL "cuda")
  # CCCL from the CUDA toolkit where present (Thrust 2/3), else Debian's libthrust-dev (1.17).
  find_package(Thrust CONFIG REQUIRED HINTS /usr/local/cuda/lib64/cmake/thrust)
  message(STATUS "leachflow: Thrust ${Thrust_VERSION} from ${Thrust_DIR}")
  if(LEACHFLOW_BACKEND STREQUAL "cuda")
    thrust_create_target(leachflow_thrust HOST CPP DEVICE CUDA)
    find_package(CUDAToolkit REQUIRED)
    target_link_libraries(leachflow_exec PUBLIC CUDA::cudart)
  else()
    find_package(OpenMP REQUIRED)
    thrust_create_target(leachflow_thrust HOST CPP DEVICE OMP)
  endif()
  target_link_libraries(leachflow_exec PUBLIC leachflow_thrust)
  target_compile_definitions(leachflow_exec PUBLIC LEACHFLOW_EXEC_THRUST)
elseif(LEACHFLOW_BACKEND STREQUAL "kokkos")
  find_package(Kokkos REQUIRED)
  # Debian's Trilinos packaging points Kokkos::kokkos at /usr/lib/include, which does not exist.
  foreach(_t Kokkos::kokkos Kokkos::kokkoscore Kokkos::kokkoscontainers Kokkos::kokkosalgorithms)
    if(TARGET ${_t})
      get_target_property(_aliased ${_t} ALIASED_TARGET)
      if(NOT _aliased)
        set_target_properties(${_t} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${Kokkos_INCLUDE_DIRS}")
      endif()
    endif()
  endforeach()
  target_link_libraries(leachflow_exec PUBLIC Kokkos::kokkos)
  target_include_directories(leachflow_exec SYSTEM PUBLIC ${Kokkos_INCLUDE_DIRS})
  target_compile_definitions(leachflow_exec PUBLIC LEACHFLOW_EXEC_KOKKOS)
else()
  message(FATAL_ERROR "LEACHFLOW_BACKEND must be openmp, cuda or kokkos (got '${LEACHFLOW_BACKEND}')")
endif()
