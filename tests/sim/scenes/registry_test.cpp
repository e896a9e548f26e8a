#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include "sim/scenes/scene.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::bitwise_equal;
using slotsim::testing::scene_particles;
using slotsim::testing::VectorSink;

namespace {

// Total mass each scene documents (registry descriptions and source
// comments). A new scene must add its entry here, which the first test checks.
const std::map<std::string, double> kDocumentedMass = {
    {"plummer", 1.0}, {"cold-cube", 1.0}, {"collision", 1.0}, {"disk", 1.05}};

}  // namespace

TEST_CASE("scene_list names every scene once, in the documented set") {
  const auto& list = scene_list();
  REQUIRE(list.size() == kDocumentedMass.size());
  for (const SceneInfo& s : list) {
    CHECK(kDocumentedMass.count(s.name) == 1);
    CHECK_FALSE(s.description.empty());
  }
}

TEST_CASE("every scene streams exactly n finite particles of the documented total mass") {
  for (const SceneInfo& s : scene_list()) {
    // Odd n catches an off-by-one in scenes that split the set (collision).
    for (std::size_t n : {std::size_t{2}, std::size_t{3}, std::size_t{1001}}) {
      CAPTURE(s.name);
      CAPTURE(n);
      const auto ps = scene_particles(s.name, n, 42);
      REQUIRE(ps.size() == n);
      double mass = 0;
      bool finite = true, positive = true;
      for (const ParticleRecord& p : ps) {
        for (int a = 0; a < kNumAttrs; ++a) finite = finite && std::isfinite(p.get(a));
        positive = positive && p.mass > 0;
        mass += p.mass;
      }
      CHECK(finite);
      CHECK(positive);
      CHECK(std::abs(mass - kDocumentedMass.at(s.name)) < 1e-12);
    }
  }
}

TEST_CASE("every scene is a pure function of (n, seed)") {
  for (const SceneInfo& s : scene_list()) {
    CAPTURE(s.name);
    const auto a = scene_particles(s.name, 500, 7);
    const auto b = scene_particles(s.name, 500, 7);
    const auto c = scene_particles(s.name, 500, 8);
    CHECK(bitwise_equal(a, b));
    CHECK_FALSE(bitwise_equal(a, c));
  }
}

TEST_CASE("unknown scene names the valid ones") {
  VectorSink sink;
  try {
    generate_scene("foo", SceneParams{10, 1}, sink);
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) ==
          "unknown scene 'foo' (choose: plummer, cold-cube, collision, disk)");
  }
  CHECK(sink.particles.empty());
}

TEST_CASE("n == 0 is rejected for every scene") {
  for (const SceneInfo& s : scene_list()) {
    CAPTURE(s.name);
    VectorSink sink;
    CHECK_THROWS_AS(generate_scene(s.name, SceneParams{0, 1}, sink), std::invalid_argument);
    CHECK(sink.particles.empty());
  }
}
