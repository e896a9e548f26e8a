#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/ordering/morton.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using namespace slotsim::detail;

TEST_CASE("morton: keys ascend, perm is a stable permutation, thread count irrelevant") {
  const testing::SourceArrays src(testing::plummer_sample(20000, 8));
  mem::CountingResource res(mem::Category::Solver);
  SolverBuffer<std::uint64_t> keys(res), tk(res), keys1(res);
  SolverBuffer<std::uint32_t> perm(res), tp(res), perm1(res);
  const Cube c = bounding_cube(src.sources());
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  morton_sort(src.sources(), c, keys, perm, tk, tp);
  omp_set_num_threads(1);
  morton_sort(src.sources(), c, keys1, perm1, tk, tp);
  omp_set_num_threads(saved);
  const std::size_t n = src.x.size();
  REQUIRE(keys.size() == n);
  std::vector<std::uint32_t> seen(perm.data(), perm.data() + n);
  std::sort(seen.begin(), seen.end());
  std::vector<std::uint32_t> iota(n);
  std::iota(iota.begin(), iota.end(), 0u);
  CHECK(seen == iota);
  bool sorted = true, stable = true, same = true;
  for (std::size_t i = 0; i < n; ++i) {
    if (i && keys[i - 1] > keys[i]) sorted = false;
    if (i && keys[i - 1] == keys[i] && perm[i - 1] > perm[i]) stable = false;
    if (keys[i] != keys1[i] || perm[i] != perm1[i]) same = false;
  }
  CHECK(sorted);
  CHECK(stable);
  CHECK(same);
}

