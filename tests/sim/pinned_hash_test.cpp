// Pinned state hashes, one per solver and scene (as Box2D pins its
// determinism test). The cross-layout tests prove every layout computes the
// same bits; only a pin catches a change that alters every layout alike (a
// reordered sum, a new compiler flag, a scene's sampler). When the physics
// changes on purpose, update the table in the same commit and say why.
//
// The pins hold on x86-64 with SSE2/AVX (FFTW picks its codelets from the
// CPU's SIMD set; glibc's libm picks FMA variants where the CPU has FMA) at
// any thread count (the solvers are thread-count independent, tested in
// tests/sim/solvers). A machine outside that family may legitimately differ:
// the failure message prints the new value.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "sim/system.hpp"

using namespace slotsim;

namespace {

struct Pin {
  const char* solver;
  const char* scene;
  std::uint64_t hash;
};

// 1,500 particles, seed 3, 6 steps of dt 2e-3, softening 0.05, grid 32,
// theta 0.6, soa (every other layout gives the same bits).
constexpr Pin kPins[] = {
    {"direct", "plummer", 0xb88ca1c4f654a2c8ull},
    {"direct", "cold-cube", 0x0889b066ccd22a7cull},
    {"direct", "collision", 0xc1ac3f1bbeab87e3ull},
    {"direct", "disk", 0x1f08be280a169c96ull},
    {"none", "plummer", 0xbf7338a41b2606feull},
    {"none", "cold-cube", 0x26ad0767cd7c4434ull},
    {"none", "collision", 0x7ed611fa51ea23dbull},
    {"none", "disk", 0x408c86745eaa1d44ull},
    {"bh", "plummer", 0x731a7fd62d6d92f7ull},
    {"bh", "cold-cube", 0x163911d3c69d6276ull},
    {"bh", "collision", 0xb4c9e0c22c5e3353ull},
    {"bh", "disk", 0x2ebde13738314f2dull},
    {"pm", "plummer", 0xecc9fe6a2e5e4555ull},
    {"pm", "cold-cube", 0xd73b55f93b77b0f7ull},
    {"pm", "collision", 0x381a56af0a5fd93aull},
    {"pm", "disk", 0xba1146923a393bc5ull},
};

std::string hex(std::uint64_t h) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%016llxull", static_cast<unsigned long long>(h));
  return b;
}

}  // namespace

TEST_CASE("pinned state hash per solver and scene") {
  for (const Pin& p : kPins) {
    CAPTURE(p.solver);
    CAPTURE(p.scene);
    SimConfig c;
    c.scene = p.scene;
    c.particles = 1500;
    c.seed = 3;
    c.layout = Layout::Soa;
    c.solver = p.solver;
    c.dt = 2e-3;
    c.force.softening = 0.05;
    c.force.grid = 32;
    c.force.theta = 0.6;
    System s(c);
    for (int k = 0; k < 6; ++k) s.step();
    const std::uint64_t h = s.state_hash();
    CHECK_MESSAGE(h == p.hash, "now " << hex(h));
  }
}
