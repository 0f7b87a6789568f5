// The one include for code that launches kernels: spans, buffers, algorithms, atomics.
// Host-only code (io/, app/) includes memory.hpp and runtime.hpp instead.
#pragma once

#include "algorithms.hpp"
#include "atomic.hpp"
#include "config.hpp"
#include "memory.hpp"
#include "span.hpp"
