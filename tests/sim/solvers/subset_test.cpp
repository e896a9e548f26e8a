// The pieces the distributed layer (dist/) builds on, checked in a serial
// process: each must give, bit for bit, what the whole serial computation
// gives for the same particles.
#include <doctest/doctest.h>

#include <vector>

#include "sim/solvers/direct_kernel.hpp"
#include "sim/solvers/solver.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::AccelArrays;
using slotsim::testing::bitwise_equal;
using slotsim::testing::SourceArrays;

namespace {

// The slice [first, first + count) of a full result.
AccelArrays slice(const AccelArrays& a, std::size_t first, std::size_t count) {
  AccelArrays s(count);
  for (std::size_t i = 0; i < count; ++i) {
    s.ax[i] = a.ax[first + i];
    s.ay[i] = a.ay[first + i];
    s.az[i] = a.az[first + i];
  }
  return s;
}

AccelArrays full(const char* name, const ForceParams& fp, const SourceArrays& src) {
  auto s = make_solver(name, fp);
  AccelArrays a(src.x.size());
  Accels acc = a.accels();
  SolverPhases ph;
  s->accelerations(src.sources(), acc, ph);
  return a;
}

}  // namespace

TEST_CASE("direct kernel: targets summed block by block equal one call over all sources") {
  // 1003 sources, targets split unevenly (not at multiples of the kernel's
  // group of 4), sources in blocks of uneven sizes: every target adds its
  // terms in the same order, so the bits match the serial solver's.
  const auto ps = slotsim::testing::plummer_sample(1003, 11);
  const SourceArrays src(ps);
  ForceParams fp;
  fp.softening = 0.02;
  const AccelArrays ref = full("direct", fp, src);
  const std::size_t cuts[] = {0, 1, 250, 251, 777, 1003};
  const std::size_t blocks[] = {0, 5, 333, 334, 900, 1003};
  AccelArrays got(1003);
  for (auto& v : {&got.ax, &got.ay, &got.az}) std::fill(v->begin(), v->end(), 0.0);
  for (int t = 0; t + 1 < 6; ++t) {
    const std::size_t t0 = cuts[t], tn = cuts[t + 1] - t0;
    const detail::DirectTargets tg{src.x.data() + t0, src.y.data() + t0, src.z.data() + t0, got.ax.data() + t0,
                                   got.ay.data() + t0, got.az.data() + t0, tn, t0};
    for (int b = 0; b + 1 < 6; ++b) {
      const std::size_t b0 = blocks[b], bn = blocks[b + 1] - b0;
      detail::direct_accumulate(tg, {src.x.data() + b0, src.y.data() + b0, src.z.data() + b0, src.m.data() + b0, bn, b0},
                                fp.softening * fp.softening);
    }
  }
  CHECK(bitwise_equal(ref, got));
}

TEST_CASE("accelerations_of: a subset of the targets has the bits of the full call (bh, direct, pm)") {
  const auto ps = slotsim::testing::plummer_sample(5000, 5);
  const SourceArrays src(ps);
  ForceParams fp;
  fp.softening = 0.03;
  fp.grid = 32;
  for (const char* name : {"bh", "direct", "pm"}) {
    CAPTURE(name);
    const AccelArrays ref = full(name, fp, src);
    auto s = make_solver(name, fp);
    for (const auto& [first, count] : std::vector<std::pair<std::size_t, std::size_t>>{{0, 5000}, {1234, 1}, {4000, 1000}, {17, 2501}, {10, 0}}) {
      CAPTURE(first);
      AccelArrays a(count);
      Accels acc = a.accels();
      SolverPhases ph;
      s->accelerations_of(src.sources(), first, count, acc, ph);
      CHECK(bitwise_equal(slice(ref, first, count), a));
    }
    AccelArrays none(1);
    Accels acc = none.accels();
    SolverPhases ph;
    CHECK_THROWS_AS(s->accelerations_of(src.sources(), 4999, 2, acc, ph), std::out_of_range);
  }
}

TEST_CASE("potentials_of: bh's subset walk has the bits of the full potential") {
  const auto ps = slotsim::testing::plummer_sample(4000, 9);
  const SourceArrays src(ps);
  ForceParams fp;
  fp.softening = 0.03;
  auto s = make_solver("bh", fp);
  std::vector<double> all(4000), part(1500);
  REQUIRE(s->potentials(src.sources(), all.data()));
  REQUIRE(s->potentials_of(src.sources(), 2000, 1500, part.data()));
  CHECK(bitwise_equal(std::vector<double>(all.begin() + 2000, all.begin() + 3500), part));
  CHECK_FALSE(make_solver("direct", fp)->potentials_of(src.sources(), 0, 10, part.data()));
}
