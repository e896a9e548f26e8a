#pragma once
// Seeded RNG with our own double conversion, so the same seed gives the same
// particles with every standard library (std::uniform_real_distribution's
// algorithm is implementation-defined).
#include <cmath>
#include <cstdint>
#include <random>

namespace slotsim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : g_(seed) {}
  // Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  // Standard normal by Box-Muller (no cached second value, so the stream
  // position depends only on the number of calls).
  double normal() {
    double u1 = uniform();
    while (u1 <= 0) u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  std::uint64_t bits() { return g_(); }

 private:
  std::mt19937_64 g_;
};

}  // namespace slotsim
