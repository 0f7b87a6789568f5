// Every exec primitive against a plain serial reference, on fresh random inputs of several
// sizes (empty, one element, block boundaries, large), on whichever backend this build uses.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/exec/exec.hpp"
#include "kernels/exec/runtime.hpp"

namespace ex = leachflow::exec;
using ex::index_t;

namespace {

class ExecSizes : public ::testing::TestWithParam<index_t> {
 protected:
  std::mt19937_64 rng{static_cast<std::uint64_t>(GetParam()) * 7919u + 17u};
  std::vector<std::int64_t> random_ints(index_t n, std::int64_t lo, std::int64_t hi) {
    std::uniform_int_distribution<std::int64_t> d(lo, hi);
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    for (auto& x : v) x = d(rng);
    return v;
  }
  std::vector<double> random_doubles(index_t n) {
    std::uniform_real_distribution<double> d(-1.0, 1.0);
    std::vector<double> v(static_cast<std::size_t>(n));
    for (auto& x : v) x = d(rng);
    return v;
  }
};

struct square_index {
  ex::device_span<std::int64_t> out;
  LF_HD void operator()(index_t i) const { out[i] = i * i - 3; }
};

struct read_ints {
  ex::device_span<const std::int64_t> v;
  LF_HD std::int64_t operator()(index_t i) const { return v[i]; }
};

struct read_doubles {
  ex::device_span<const double> v;
  LF_HD double operator()(index_t i) const { return v[i]; }
};

struct histogram {
  ex::device_span<const std::int64_t> bin;
  ex::device_span<std::int64_t> count;
  ex::device_span<double> weight;
  ex::device_span<std::int32_t> count32;
  LF_HD void operator()(index_t i) const {
    ex::atomic_add(&count[bin[i]], std::int64_t{1});
    ex::atomic_add(&count32[bin[i]], std::int32_t{1});
    ex::atomic_add(&weight[bin[i]], 0.5 * static_cast<double>(bin[i] + 1));
  }
};

struct lowest {
  ex::device_span<const std::int64_t> v;
  ex::device_span<std::int64_t> min_out;
  LF_HD void operator()(index_t i) const { ex::atomic_fetch_min(&min_out[0], v[i]); }
};

}  // namespace

TEST(Exec, ReportsItsBackend) {
  const std::string name = ex::backend_name();
#if defined(LEACHFLOW_EXEC_KOKKOS)
  EXPECT_EQ(name.rfind("kokkos-", 0), 0u) << name;
#else
  EXPECT_EQ(name.rfind("thrust-", 0), 0u) << name;
#endif
  EXPECT_GE(ex::concurrency(), 1);
}

TEST_P(ExecSizes, BufferRoundTripAndMove) {
  const index_t n = GetParam();
  const auto h = random_doubles(n);
  ex::device_buffer<double> d = ex::to_device(h);
  EXPECT_EQ(d.size(), n);
  ex::device_buffer<double> moved = std::move(d);
  EXPECT_EQ(d.size(), 0);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(ex::to_host(moved), h);
  ex::device_buffer<double> copy_dst(n);
  ex::copy<double>(moved.span(), copy_dst.span());
  EXPECT_EQ(ex::to_host(copy_dst), h);
  ex::fill(copy_dst.span(), 2.5);
  EXPECT_EQ(ex::to_host(copy_dst), std::vector<double>(static_cast<std::size_t>(n), 2.5));
}

TEST_P(ExecSizes, ForEachVisitsEveryIndexOnce) {
  const index_t n = GetParam();
  ex::device_buffer<std::int64_t> out(n);
  ex::fill<std::int64_t>(out.span(), -99);
  ex::for_each_index(n, square_index{out.span()});
  const auto h = ex::to_host(out);
  for (index_t i = 0; i < n; ++i) ASSERT_EQ(h[static_cast<std::size_t>(i)], i * i - 3) << "at " << i;
}

TEST_P(ExecSizes, TransformReduceMatchesSerial) {
  const index_t n = GetParam();
  const auto ints = random_ints(n, -1000000, 1000000);
  const auto dbl = random_doubles(n);
  const auto di = ex::to_device(ints);
  const auto dd = ex::to_device(dbl);

  const std::int64_t ref_sum = std::accumulate(ints.begin(), ints.end(), std::int64_t{7});
  EXPECT_EQ(ex::transform_reduce(n, read_ints{di.span()}, std::int64_t{7}, ex::plus<std::int64_t>{}), ref_sum);

  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t ref_min = std::accumulate(ints.begin(), ints.end(), big,
                                               [](auto a, auto b) { return std::min(a, b); });
  EXPECT_EQ(ex::transform_reduce(n, read_ints{di.span()}, big, ex::minimum<std::int64_t>{}), ref_min);
  EXPECT_EQ(ex::reduce<std::int64_t>(di.span(), -big, ex::maximum<std::int64_t>{}),
            n ? *std::max_element(ints.begin(), ints.end()) : -big);

  long double ref = 0;
  for (double x : dbl) ref += x;
  const double got = ex::transform_reduce(n, read_doubles{dd.span()}, 0.0, ex::plus<double>{});
  EXPECT_NEAR(got, static_cast<double>(ref), 1e-12 * std::max<double>(1.0, static_cast<double>(n)));
  // Deterministic: the same answer, bit for bit, every time.
  EXPECT_EQ(got, ex::transform_reduce(n, read_doubles{dd.span()}, 0.0, ex::plus<double>{}));
}

TEST_P(ExecSizes, ScansMatchSerial) {
  const index_t n = GetParam();
  const auto ints = random_ints(n, -50, 50);
  const auto di = ex::to_device(ints);
  ex::device_buffer<std::int64_t> out(n);

  std::vector<std::int64_t> ref(ints.size());
  std::inclusive_scan(ints.begin(), ints.end(), ref.begin());
  ex::inclusive_scan<std::int64_t>(di.span(), out.span());
  EXPECT_EQ(ex::to_host(out), ref);

  std::exclusive_scan(ints.begin(), ints.end(), ref.begin(), std::int64_t{5});
  ex::exclusive_scan<std::int64_t>(di.span(), out.span(), 5);
  EXPECT_EQ(ex::to_host(out), ref);

  // In place.
  ex::device_buffer<std::int64_t> inplace = ex::to_device(ints);
  ex::exclusive_scan<std::int64_t>(inplace.span(), inplace.span(), 5);
  EXPECT_EQ(ex::to_host(inplace), ref);

  const auto dbl = random_doubles(n);
  const auto dd = ex::to_device(dbl);
  ex::device_buffer<double> dout(n);
  ex::inclusive_scan<double>(dd.span(), dout.span());
  const auto got = ex::to_host(dout);
  double run = 0;
  for (index_t i = 0; i < n; ++i) {
    run += dbl[static_cast<std::size_t>(i)];
    ASSERT_NEAR(got[static_cast<std::size_t>(i)], run, 1e-9) << "at " << i;
  }
}

TEST_P(ExecSizes, SortByKeyIsStableAndMatchesSerial) {
  const index_t n = GetParam();
  for (const std::int64_t range : {std::int64_t{3}, std::int64_t{1000}, std::int64_t{1} << 40}) {
    auto keys = random_ints(n, -range, range);
    std::vector<std::int64_t> vals(keys.size());
    std::iota(vals.begin(), vals.end(), 0);

    std::vector<std::size_t> order(keys.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return keys[a] < keys[b]; });
    std::vector<std::int64_t> ref_k, ref_v;
    for (auto o : order) {
      ref_k.push_back(keys[o]);
      ref_v.push_back(vals[o]);
    }
    auto dk = ex::to_device(keys);
    auto dv = ex::to_device(vals);
    ex::sort_by_key(dk.span(), dv.span());
    EXPECT_EQ(ex::to_host(dk), ref_k) << "key range " << range;
    EXPECT_EQ(ex::to_host(dv), ref_v) << "key range " << range;
  }
  // Unsigned 32-bit keys with double payloads.
  std::vector<std::uint32_t> k32(static_cast<std::size_t>(n));
  std::vector<double> v32(k32.size());
  for (std::size_t i = 0; i < k32.size(); ++i) {
    k32[i] = static_cast<std::uint32_t>(rng());
    v32[i] = static_cast<double>(k32[i]) * 0.5;
  }
  auto dk = ex::to_device(k32);
  auto dv = ex::to_device(v32);
  ex::sort_by_key(dk.span(), dv.span());
  const auto hk = ex::to_host(dk);
  const auto hv = ex::to_host(dv);
  EXPECT_TRUE(std::is_sorted(hk.begin(), hk.end()));
  for (std::size_t i = 0; i < hk.size(); ++i) ASSERT_EQ(hv[i], static_cast<double>(hk[i]) * 0.5);
}

TEST_P(ExecSizes, ReduceByKeyMatchesSerial) {
  const index_t n = GetParam();
  auto keys = random_ints(n, 0, std::max<index_t>(1, n / 4));
  std::sort(keys.begin(), keys.end());
  // Unsorted runs are legal too: reduce_by_key only merges *consecutive* equal keys.
  if (n > 10) std::reverse(keys.begin() + n / 2, keys.end());
  const auto vals = random_doubles(n);

  std::vector<std::int64_t> ref_k;
  std::vector<double> ref_v;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i == 0 || keys[i] != keys[i - 1]) {
      ref_k.push_back(keys[i]);
      ref_v.push_back(vals[i]);
    } else {
      ref_v.back() += vals[i];
    }
  }
  const auto dk = ex::to_device(keys);
  const auto dv = ex::to_device(vals);
  ex::device_buffer<std::int64_t> ok(n);
  ex::device_buffer<double> ov(n);
  const index_t runs = ex::reduce_by_key<std::int64_t, double>(dk.span(), dv.span(), ok.span(), ov.span());
  ASSERT_EQ(runs, static_cast<index_t>(ref_k.size()));
  auto hk = ex::to_host(ok);
  auto hv = ex::to_host(ov);
  hk.resize(static_cast<std::size_t>(runs));
  hv.resize(static_cast<std::size_t>(runs));
  EXPECT_EQ(hk, ref_k);
  EXPECT_EQ(hv, ref_v);  // same order of additions as the serial loop: exact
}

TEST_P(ExecSizes, AtomicAddsCountEveryUpdate) {
  const index_t n = GetParam();
  const index_t bins = 7;
  const auto bin = random_ints(n, 0, bins - 1);
  const auto dbin = ex::to_device(bin);
  ex::device_buffer<std::int64_t> count(bins);
  ex::device_buffer<std::int32_t> count32(bins);
  ex::device_buffer<double> weight(bins);
  ex::fill<std::int64_t>(count.span(), 0);
  ex::fill<std::int32_t>(count32.span(), 0);
  ex::fill(weight.span(), 0.0);
  ex::for_each_index(n, histogram{dbin.span(), count.span(), weight.span(), count32.span()});

  std::vector<std::int64_t> ref_c(bins, 0);
  std::vector<std::int32_t> ref_c32(bins, 0);
  std::vector<double> ref_w(bins, 0.0);
  for (auto b : bin) {
    ++ref_c[static_cast<std::size_t>(b)];
    ++ref_c32[static_cast<std::size_t>(b)];
    ref_w[static_cast<std::size_t>(b)] += 0.5 * static_cast<double>(b + 1);  // exact in double
  }
  EXPECT_EQ(ex::to_host(count), ref_c);
  EXPECT_EQ(ex::to_host(count32), ref_c32);
  EXPECT_EQ(ex::to_host(weight), ref_w);

  const auto vals = random_ints(n, -1000, 1000);
  const auto dvals = ex::to_device(vals);
  ex::device_buffer<std::int64_t> m(1);
  ex::fill<std::int64_t>(m.span(), 5000);
  ex::for_each_index(n, lowest{dvals.span(), m.span()});
  EXPECT_EQ(ex::to_host(m)[0], n ? std::min<std::int64_t>(5000, *std::min_element(vals.begin(), vals.end())) : 5000);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ExecSizes,
                         ::testing::Values<index_t>(0, 1, 2, 17, 4095, 4096, 4097, 100003, 1 << 20));

TEST(ExecMemory, CountsBytesInUseAndPeak) {
  const std::size_t before = ex::memory::bytes_in_use();
  ex::memory::reset_peak();
  {
    ex::device_buffer<double> a(1000);
    ex::device_buffer<std::int32_t> b(10);
    EXPECT_EQ(ex::memory::bytes_in_use(), before + 8000 + 40);
    ex::device_buffer<double> c = std::move(a);
    EXPECT_EQ(ex::memory::bytes_in_use(), before + 8040);
  }
  EXPECT_EQ(ex::memory::bytes_in_use(), before);
  EXPECT_EQ(ex::memory::peak_bytes(), before + 8040);
}
