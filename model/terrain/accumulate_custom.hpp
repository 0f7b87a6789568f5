// The accumulation primitive over a FlowGraph with caller-supplied a and b functors
// (LF_HD double(index_t cell), or (index_t field, index_t cell) for columns), for transport and
// other model code. Device translation units only: includes the backend through exec.hpp.
// See kernels/terrain/accumulate.hpp for the contract and the determinism argument.
#pragma once

#include <span>

#include "kernels/terrain/accumulate.hpp"
#include "model/terrain/flow_graph.hpp"

namespace leachflow::model::terrain {

template <class A, class B>
void accumulate_with(const FlowGraph& graph, A a, B b, exec::device_span<double> x) {
  kernels::terrain::accumulate(graph.view(), graph.order(), std::span(graph.schedule()), a, b, x);
}

// k fields in one sweep; x layout [field][cell] (x.size() == fields * cells).
template <class A, class B>
void accumulate_columns_with(const FlowGraph& graph, index_t fields, A a, B b, exec::device_span<double> x) {
  kernels::terrain::accumulate_columns(graph.view(), graph.order(), std::span(graph.schedule()), fields, a, b, x);
}

}  // namespace leachflow::model::terrain
