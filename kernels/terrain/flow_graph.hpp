// The flow graph every router produces and every accumulation consumes (RichDEM's
// "proportions", one representation for D8, D-infinity and MFD).
//
// Per cell, up to 8 receivers in the D8 neighbour order of kernels/grid_view.hpp
// (0 = E, 1 = SE, 2 = S, 3 = SW, 4 = W, 5 = NW, 6 = N, 7 = NE):
//   single-receiver graphs (D8): one byte per cell, the direction index 0..7 or no_receiver;
//   multi-receiver graphs (D-infinity, MFD): one byte per cell, the receiver bit mask
//     (bit d set = flow goes to the neighbour in direction d), plus 8 float weights per cell
//     (layout [cell * 8 + d], 0 where the bit is clear).
//
// Invariants (checked by tests/model/terrain/routing_test.cpp):
//   - NoData cells have no receivers; a valid cell with no receivers is a sink.
//   - A valid cell with receivers sends all of its flow: its weights are multiples of 2^-24 that
//     sum to exactly 1 (so sums in double are exact and the area budget closes to rounding).
//   - A receiver may lie off the grid or on a NoData cell: that share leaves the domain and is
//     booked as outflow (exit_fraction below).
//   - The graph is acyclic (every router descends in (elevation, flat gradient) order).
//
// Derived per cell, once per graph: the donor mask (bit d set = the neighbour in direction d
// drains into this cell). Accumulation pulls from donors in ascending direction order, which
// makes every sum independent of thread count.
#pragma once

#include <cstdint>

#include "kernels/exec/config.hpp"
#include "kernels/exec/span.hpp"
#include "kernels/grid_view.hpp"

namespace leachflow::kernels::terrain {

using exec::device_span;
using exec::index_t;

inline constexpr std::uint8_t no_receiver = 0xFF;

// Weights are stored as multiples of 2^-24 (exact in float; 8 of them sum exactly in double).
inline constexpr std::int64_t weight_unit = std::int64_t{1} << 24;

// Bits set in a neighbour mask, without a loop (the number of donors is a coin toss: a loop
// over the bits mispredicts its exit).
LF_HD inline int popcount8(std::uint8_t m) {
  unsigned v = m;
  v = v - ((v >> 1) & 0x55u);
  v = (v & 0x33u) + ((v >> 2) & 0x33u);
  return static_cast<int>((v + (v >> 4)) & 0x0Fu);
}
// Index of the lowest set bit of a nonzero neighbour mask.
LF_HD inline int lowest_direction(std::uint8_t m) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  return __ffs(static_cast<int>(m)) - 1;
#else
  return __builtin_ctz(static_cast<unsigned>(m));
#endif
}

// Cells a topological-level walker keeps on its own stack (kernels/terrain/topological_order.hpp).
inline constexpr int walk_stack = 32;

struct flow_graph_view {
  index_t rows = 0;
  index_t cols = 0;
  bool multi = false;                      // false: code is a D8 direction; true: a receiver mask
  device_span<const std::uint8_t> code;    // per cell
  device_span<const float> weight;         // multi only: [cell * 8 + d]
  device_span<const std::uint8_t> donors;  // per cell: bit d = neighbour d drains into this cell

  LF_HD index_t cells() const { return rows * cols; }

  // Bit mask of the directions cell i sends flow to (0 for sinks and NoData).
  LF_HD std::uint8_t receiver_mask(index_t i) const {
    if (multi) return code[i];
    const std::uint8_t d = code[i];
    return d == no_receiver ? std::uint8_t{0} : static_cast<std::uint8_t>(1u << d);
  }
  // Share of cell i's flow sent in direction d (d must be a receiver of i).
  LF_HD double weight_to(index_t i, int d) const {
    return multi ? static_cast<double>(weight[i * 8 + d]) : 1.0;
  }
  // Index offset of the neighbour in direction d (valid only when that neighbour is on the grid).
  LF_HD index_t offset(int d) const {
    constexpr int dr[8] = {0, 1, 1, 1, 0, -1, -1, -1};
    constexpr int dc[8] = {1, 1, 0, -1, -1, -1, 0, 1};
    return dr[d] * cols + dc[d];
  }
  // Share of the flow of i's neighbour in direction d that goes into i (d must be a donor of i).
  LF_HD double weight_from(index_t i, int d) const {
    if (!multi) return 1.0;
    return static_cast<double>(weight[(i + offset(d)) * 8 + d8_opposite(d)]);
  }
};

// A contiguous range of the topological order: one parallel launch over one level, or one
// thread walking several consecutive small levels in order.
struct level_segment {
  index_t begin = 0;
  index_t end = 0;
  bool parallel = false;
};

// Receiver of cell i in direction d as a cell index, or -1 when that share leaves the domain
// (off the grid or onto NoData). r, c: the row and column of i (callers compute them once; a
// 64-bit division per neighbour would cost more than the rest of a router).
LF_HD inline index_t domain_neighbour(const grid_view& g, index_t i, index_t r, index_t c, int d) {
  constexpr int dr[8] = {0, 1, 1, 1, 0, -1, -1, -1};
  constexpr int dc[8] = {1, 1, 0, -1, -1, -1, 0, 1};
  if (!g.inside(r + dr[d], c + dc[d])) return -1;
  const index_t j = i + dr[d] * g.cols + dc[d];
  return g.is_valid(j) ? j : index_t{-1};
}

// All 8 domain neighbours of a cell (-1 = off the grid or NoData), with one division; or
// with none when the caller knows the row and column (row kernels): interior cells then skip
// the 8 bounds tests.
struct domain_neighbours {
  index_t row = 0;
  index_t j[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  LF_HD domain_neighbours(const grid_view& g, index_t i) {
    row = i / g.cols;
    set(g, i, i - row * g.cols);
  }
  LF_HD domain_neighbours(const grid_view& g, index_t i, index_t r, index_t c) : row(r) { set(g, i, c); }

 private:
  LF_HD void set(const grid_view& g, index_t i, index_t c) {
    if (row > 0 && c > 0 && row + 1 < g.rows && c + 1 < g.cols) {
      const index_t o[8] = {1, g.cols + 1, g.cols, g.cols - 1, -1, -g.cols - 1, -g.cols, -g.cols + 1};
      for (int d = 0; d < 8; ++d) j[d] = g.valid[i + o[d]] != 0 ? i + o[d] : index_t{-1};
    } else {
      for (int d = 0; d < 8; ++d) j[d] = domain_neighbour(g, i, row, c, d);
    }
  }
};

LF_HD inline index_t receiver_in_domain(const grid_view& g, index_t i, int d) {
  const index_t r = i / g.cols;
  return domain_neighbour(g, i, r, i - r * g.cols, d);
}

// Fraction of cell i's flow that leaves the domain (0 for sinks, NoData and inner cells).
// Summed in direction order; exact because the weights are multiples of 2^-24.
LF_HD inline double exit_fraction(const flow_graph_view& f, const grid_view& g, index_t i) {
  const std::uint8_t m = f.receiver_mask(i);
  if (m == 0) return 0.0;
  const index_t r = i / g.cols, c = i - r * g.cols;
  double out = 0.0;
  for (int d = 0; d < 8; ++d)
    if ((m >> d & 1u) && domain_neighbour(g, i, r, c, d) < 0) out += f.weight_to(i, d);
  return out;
}

// donors[i]: bit d set when the neighbour of i in direction d is valid and sends flow to i.
// NoData cells have no donors (flow into them leaves the domain).
// One launch index per grid row.
struct donor_mask_kernel {
  flow_graph_view f;  // code and weight only; donors is being written
  grid_view g;
  device_span<std::uint8_t> donors;
  LF_HD void operator()(index_t r) const {
    const index_t row = r * g.cols;
    if (r == 0 || r + 1 >= g.rows || g.cols < 3) {
      for (index_t c = 0; c < g.cols; ++c) cell(row + c, r, c);
      return;
    }
    cell(row, r, 0);
    interior(row + 1, g.cols - 2);
    cell(row + g.cols - 1, r, g.cols - 1);
  }
  LF_HD void cell(index_t i, index_t r, index_t c) const {
    std::uint8_t m = 0;
    if (g.is_valid(i)) {
      const domain_neighbours nb(g, i, r, c);
      for (int d = 0; d < 8; ++d) {
        const index_t j = nb.j[d];
        if (j >= 0 && (f.receiver_mask(j) >> d8_opposite(d) & 1u)) m = static_cast<std::uint8_t>(m | (1u << d));
      }
    }
    donors[i] = m;
  }
  // Cells i0 .. i0 + count − 1 of an interior row (all eight neighbours on the grid): one loop
  // over the cells, neighbours through local row pointers, no branch (GCC vectorises it).
  LF_HD void interior(index_t i0, index_t count) const {
    const std::uint8_t *code = f.code.data() + i0, *valid = g.valid.data() + i0;
    const std::uint8_t *cu = code - g.cols, *cd = code + g.cols, *vu = valid - g.cols, *vd = valid + g.cols;
    std::uint8_t* out = donors.data() + i0;
    if (f.multi) {
      for (index_t k = 0; k < count; ++k) out[k] = donor_bits<true>(cu, code, cd, vu, valid, vd, k);
    } else {
      for (index_t k = 0; k < count; ++k) out[k] = donor_bits<false>(cu, code, cd, vu, valid, vd, k);
    }
  }
  // Neighbour d sends to the cell when it is valid and its D8 code is the opposite direction
  // (or, for receiver masks, has that bit).
  template <bool Multi>
  LF_HD static std::uint8_t donor_bits(const std::uint8_t* cu, const std::uint8_t* cm, const std::uint8_t* cd,
                                       const std::uint8_t* vu, const std::uint8_t* vm, const std::uint8_t* vd, index_t k) {
    const unsigned c[8] = {cm[k + 1], cd[k + 1], cd[k], cd[k - 1], cm[k - 1], cu[k - 1], cu[k], cu[k + 1]};
    const unsigned v[8] = {vm[k + 1], vd[k + 1], vd[k], vd[k - 1], vm[k - 1], vu[k - 1], vu[k], vu[k + 1]};
    unsigned m = 0;
    for (int d = 0; d < 8; ++d) {
      const auto opposite = static_cast<unsigned>(d8_opposite(d));
      const unsigned sends = Multi ? (c[d] >> opposite) & 1u : (c[d] == opposite ? 1u : 0u);
      m |= (sends & (v[d] != 0 ? 1u : 0u)) << d;
    }
    return static_cast<std::uint8_t>(vm[k] != 0 ? m : 0u);
  }
};

}  // namespace leachflow::kernels::terrain
