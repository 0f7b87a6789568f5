// Turning raw non-negative shares into stored flow proportions for multi-receiver routers.
//
// Postcondition (the flow_graph.hpp invariant): the stored weights are multiples of 2^-24, exact
// in float, and sum to exactly 1; a share that rounds to 0 is dropped from the receiver mask.
// The rounding error per weight is at most 2^-25 plus the correction on the largest share
// (at most 4 · 2^-24).
#pragma once

#include <cstdint>

#include "kernels/exec/config.hpp"
#include "kernels/terrain/flow_graph.hpp"

namespace leachflow::kernels::terrain {

// share[d] >= 0 for the directions in mask, total = their sum > 0. Writes weight[0..7] (zeros
// outside the mask) and returns the mask of non-zero weights.
LF_HD inline std::uint8_t store_proportions(const double (&share)[8], std::uint8_t mask, double total,
                                            float* weight) {
  std::int64_t q[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::int64_t sum = 0;
  int largest = -1;
  for (int d = 0; d < 8; ++d) {
    if (!(mask >> d & 1u)) continue;
    q[d] = static_cast<std::int64_t>(share[d] / total * static_cast<double>(weight_unit) + 0.5);
    sum += q[d];
    if (largest < 0 || q[d] > q[largest]) largest = d;
  }
  q[largest] += weight_unit - sum;
  std::uint8_t out = 0;
  for (int d = 0; d < 8; ++d) {
    weight[d] = static_cast<float>(static_cast<double>(q[d]) / static_cast<double>(weight_unit));
    if (q[d] > 0) out = static_cast<std::uint8_t>(out | (1u << d));
  }
  return out;
}

// A single receiver (the D8 fallback of multi-receiver routers): weight 1 in direction d.
LF_HD inline std::uint8_t store_single(std::uint8_t d, float* weight) {
  for (int k = 0; k < 8; ++k) weight[k] = 0.0f;
  if (d == no_receiver) return 0;
  weight[d] = 1.0f;
  return static_cast<std::uint8_t>(1u << d);
}

}  // namespace leachflow::kernels::terrain
