#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/solvers/bh/octree.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using namespace slotsim::detail;

TEST_CASE("octree: leaves partition the particles and moments add up") {
  const testing::SourceArrays src(testing::plummer_sample(5000, 3));
  mem::CountingResource res(mem::Category::Solver);
  SolverBuffer<std::uint64_t> keys(res), tk(res);
  SolverBuffer<std::uint32_t> perm(res), tp(res);
  morton_sort(src.sources(), bounding_cube(src.sources()), keys, perm, tk, tp);
  const std::size_t n = src.x.size();
  std::vector<double> x(n), y(n), z(n), m(n);
  for (std::size_t k = 0; k < n; ++k)
    x[k] = src.x[perm[k]], y[k] = src.y[perm[k]], z[k] = src.z[perm[k]], m[k] = src.m[perm[k]];
  Octree t(&res);
  const std::uint32_t leaf = 8;
  build_octree({keys.data(), x.data(), y.data(), z.data(), m.data(), static_cast<std::uint32_t>(n)},
               leaf, 0.7, t);
  REQUIRE(!t.nodes.empty());
  CHECK(t.nodes[0].begin == 0);
  CHECK(t.nodes[0].end == n);
  CHECK(t.nodes[0].next == t.nodes.size());
  CHECK(t.moments[0].m == doctest::Approx(1.0).epsilon(1e-12));

  std::vector<int> covered(n, 0);
  for (std::uint32_t i = 0; i < t.nodes.size(); ++i) {
    const TreeNode& nd = t.nodes[i];
    if (nd.next == i + 1) {
      CHECK(nd.end - nd.begin <= leaf);
      for (std::uint32_t k = nd.begin; k < nd.end; ++k) ++covered[k];
      continue;
    }
    // Children tile the parent's range in order; masses and first moments add.
    std::uint32_t at = nd.begin, kids = 0;
    double mass = 0, mx = 0;
    for (std::uint32_t c = i + 1; c < nd.next; c = t.nodes[c].next, ++kids) {
      CHECK(t.nodes[c].begin == at);
      at = t.nodes[c].end;
      mass += t.moments[c].m;
      mx += t.moments[c].m * t.nodes[c].cx;
    }
    CHECK(at == nd.end);
    CHECK(kids >= 2);
    CHECK(t.moments[i].m == doctest::Approx(mass).epsilon(1e-12));
    CHECK(t.nodes[i].cx * t.moments[i].m == doctest::Approx(mx).epsilon(1e-9).scale(1e-12));
  }
  CHECK(std::all_of(covered.begin(), covered.end(), [](int c) { return c == 1; }));
  // The second moment is positive semi-definite: its trace is not negative.
  for (const NodeMoments& mo : t.moments) CHECK(mo.t >= 0);
}
