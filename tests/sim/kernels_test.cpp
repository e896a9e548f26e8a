// sim/kernels.hpp: the drift's extent, which the step hands to the solver in
// place of bounding_cube()'s own pass over the positions.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "fixtures.hpp"
#include "sim/extent.hpp"
#include "sim/kernels.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/system.hpp"

using namespace slotsim;
using slotsim::testing::ScopedThreads;
using slotsim::testing::small_config;

TEST_CASE("drift takes the exact extent of the positions it writes, in every layout and on 1 to 3 threads") {
  for (Layout l : kAllLayouts) {
    // 1537: not a multiple of the soa loop's block, nor of the thread
    // count; 1 and 2: fewer particles than threads (empty slices).
    for (std::size_t count : {std::size_t{1}, std::size_t{2}, std::size_t{1537}}) {
      for (int threads = 1; threads <= 3; ++threads) {
        CAPTURE(layout_name(l));
        CAPTURE(count);
        CAPTURE(threads);
        const ScopedThreads scoped(threads);
        SimConfig c = small_config(l, "none");
        c.particles = count;
        System s(c);
        REQUIRE(s.size() == count);
        Extent ext{{7, 7, 7}, {7, 7, 7}};
        const bool ok = s.store().visit([&](auto& st) { return kernels::drift(st, 0.25, &ext); });
        REQUIRE(ok);
        // What a separate pass over the new positions finds.
        std::vector<double> x, y, z, m;
        for (std::size_t id = 0; id < s.size(); ++id) {
          const ParticleRecord p = s.particle(id);
          x.push_back(p.x);
          y.push_back(p.y);
          z.push_back(p.z);
          m.push_back(p.mass);
        }
        CHECK(ext.lo[0] == *std::min_element(x.begin(), x.end()));
        CHECK(ext.lo[1] == *std::min_element(y.begin(), y.end()));
        CHECK(ext.lo[2] == *std::min_element(z.begin(), z.end()));
        CHECK(ext.hi[0] == *std::max_element(x.begin(), x.end()));
        CHECK(ext.hi[1] == *std::max_element(y.begin(), y.end()));
        CHECK(ext.hi[2] == *std::max_element(z.begin(), z.end()));
        // bounding_cube() takes it in place of its pass, to the same cube.
        Sources without{x.data(), y.data(), z.data(), m.data(), x.size()};
        Sources with = without;
        with.extent = &ext;
        const detail::Cube a = detail::bounding_cube(without), b = detail::bounding_cube(with);
        for (int axis = 0; axis < 3; ++axis) CHECK(a.lo[axis] == b.lo[axis]);
        CHECK(a.side == b.side);
      }
    }
  }
}

TEST_CASE("bounding_cube uses the extent it is given, and a pass of its own without one or without sources") {
  const std::vector<double> x = {0, 1}, y = {0, 1}, z = {0, 1}, m = {1, 1};
  Sources s{x.data(), y.data(), z.data(), m.data(), 2};
  const Extent wider{{-4, -4, -4}, {4, 4, 4}};
  const detail::Cube own = detail::bounding_cube(s);
  s.extent = &wider;
  const detail::Cube given = detail::bounding_cube(s);
  CHECK(own.lo[0] == 0);
  CHECK(own.side < 1.01);
  CHECK(given.lo[0] == -4);
  CHECK(given.side > 8);
  // No sources: the extent (whatever it holds) is not read.
  s.n = 0;
  const detail::Cube none = detail::bounding_cube(s);
  CHECK(none.lo[0] == 0);
  CHECK(none.side < 1e-6);
}
