// Flow accumulation instances and the outflow budget (model/terrain/accumulation.hpp).
#include "model/terrain/accumulation.hpp"

#include <stdexcept>
#include <string>

#include "kernels/exec/exec.hpp"
#include "kernels/terrain/accumulate.hpp"
#include "model/terrain/accumulate_custom.hpp"

namespace leachflow::model::terrain {

namespace kt = kernels::terrain;

namespace {

void check_size(const FlowGraph& g, exec::device_span<const double> s, const char* what) {
  if (s.size() != g.cells())
    throw std::invalid_argument(std::string("accumulation: ") + what + " size differs from rows × cols");
}

struct outflow_kernel {
  kt::flow_graph_view f;
  kernels::grid_view g;
  exec::device_span<const double> x;
  exec::device_span<double> out;
  LF_HD void operator()(index_t i) const { out[i] = x[i] * kt::exit_fraction(f, g, i); }
};

template <class A>
struct budget_terms {
  kt::flow_graph_view f;
  kernels::grid_view g;
  A a;
  exec::device_span<const double> x;
  LF_HD double source(index_t i) const { return g.is_valid(i) ? a(i) : 0.0; }
  LF_HD double outflow(index_t i) const { return x[i] * kt::exit_fraction(f, g, i); }
  LF_HD double sink(index_t i) const { return (g.is_valid(i) && f.receiver_mask(i) == 0) ? x[i] : 0.0; }
};
template <class A>
struct source_of {
  budget_terms<A> t;
  LF_HD double operator()(index_t i) const { return t.source(i); }
};
template <class A>
struct outflow_of {
  budget_terms<A> t;
  LF_HD double operator()(index_t i) const { return t.outflow(i); }
};
template <class A>
struct sink_of {
  budget_terms<A> t;
  LF_HD double operator()(index_t i) const { return t.sink(i); }
};
struct is_outlet {
  kt::flow_graph_view f;
  kernels::grid_view g;
  LF_HD index_t operator()(index_t i) const { return kt::exit_fraction(f, g, i) > 0.0 ? 1 : 0; }
};
struct is_sink {
  kt::flow_graph_view f;
  kernels::grid_view g;
  LF_HD index_t operator()(index_t i) const { return (g.is_valid(i) && f.receiver_mask(i) == 0) ? 1 : 0; }
};

template <class A>
FlowBudget budget(const FlowGraph& graph, A a, exec::device_span<const double> x) {
  const budget_terms<A> t{graph.view(), graph.grid(), a, x};
  const index_t n = graph.cells();
  FlowBudget b;
  b.source_total = exec::transform_reduce(n, source_of<A>{t}, 0.0, exec::plus<double>{});
  b.outflow_total = exec::transform_reduce(n, outflow_of<A>{t}, 0.0, exec::plus<double>{});
  b.sink_total = exec::transform_reduce(n, sink_of<A>{t}, 0.0, exec::plus<double>{});
  b.outlet_cells = exec::transform_reduce(n, is_outlet{t.f, t.g}, index_t{0}, exec::plus<index_t>{});
  b.sink_cells = exec::transform_reduce(n, is_sink{t.f, t.g}, index_t{0}, exec::plus<index_t>{});
  return b;
}

kt::coeff_per_row cell_area(const FlowGraph& g) { return kt::coeff_per_row{g.grid().area_m2, kt::row_of(g.cols())}; }

}  // namespace

exec::device_buffer<double> contributing_area_m2(const FlowGraph& graph) {
  exec::device_buffer<double> x(graph.cells());
  accumulate_with(graph, cell_area(graph), kt::coeff_one{}, x.span());
  return x;
}

exec::device_buffer<double> contributing_cells(const FlowGraph& graph) {
  exec::device_buffer<double> x(graph.cells());
  accumulate_with(graph, kt::coeff_constant{1.0}, kt::coeff_one{}, x.span());
  return x;
}

exec::device_buffer<double> weighted_accumulation(const FlowGraph& graph, exec::device_span<const double> weight) {
  check_size(graph, weight, "weight");
  exec::device_buffer<double> x(graph.cells());
  accumulate_with(graph, kt::coeff_per_cell{weight}, kt::coeff_one{}, x.span());
  return x;
}

exec::device_buffer<double> decay_accumulation(const FlowGraph& graph, exec::device_span<const double> load,
                                               exec::device_span<const double> transmission) {
  exec::device_buffer<double> x(graph.cells());
  accumulate(graph, load, transmission, x.span());
  return x;
}

void accumulate(const FlowGraph& graph, exec::device_span<const double> a, exec::device_span<const double> b,
                exec::device_span<double> x) {
  check_size(graph, a, "a");
  check_size(graph, b, "b");
  if (x.size() != graph.cells()) throw std::invalid_argument("accumulation: x size differs from rows × cols");
  accumulate_with(graph, kt::coeff_per_cell{a}, kt::coeff_per_cell{b}, x);
}

exec::device_buffer<double> outflow_per_cell(const FlowGraph& graph, exec::device_span<const double> x) {
  check_size(graph, x, "x");
  exec::device_buffer<double> out(graph.cells());
  exec::for_each_index(graph.cells(), outflow_kernel{graph.view(), graph.grid(), x, out.span()});
  return out;
}

FlowBudget flow_budget(const FlowGraph& graph, exec::device_span<const double> a, exec::device_span<const double> x) {
  check_size(graph, a, "a");
  check_size(graph, x, "x");
  return budget(graph, kt::coeff_per_cell{a}, x);
}

FlowBudget area_budget(const FlowGraph& graph, exec::device_span<const double> area_m2) {
  check_size(graph, area_m2, "area");
  return budget(graph, cell_area(graph), area_m2);
}

}  // namespace leachflow::model::terrain
