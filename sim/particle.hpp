#pragma once
// The particle model every layout stores. Seven declared attributes, all
// double. Accelerations are solver scratch, not particle state: putting them
// in the record would make every layout pay 24 bytes per particle for data
// that only lives during a force evaluation.
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace slotsim {

// Index of a declared attribute. The order is the record order below and the
// order of the CSV header; kernels use these as compile-time constants so a
// fixed-offset layout compiles each access to a single load.
enum Attr : int { X = 0, Y, Z, VX, VY, VZ, MASS, kNumAttrs };

inline constexpr std::array<std::string_view, kNumAttrs> kAttrNames = {
    "x", "y", "z", "vx", "vy", "vz", "mass"};

// The packed record (the `aos` element, and the neutral exchange format used
// by scenes, CSV files and conversion).
//   x,y,z      24 B  position: read by drift and by every solver's gather
//   vx,vy,vz   24 B  velocity: next to position so drift touches one line
//   mass        8 B  read by gather only
// 56 B total; not padded to 64 because padding would cost 14% more bandwidth
// on every sweep, and a record straddling a cache line is cheap for streaming.
struct ParticleRecord {
  double x = 0, y = 0, z = 0;
  double vx = 0, vy = 0, vz = 0;
  double mass = 0;

  // By index: a switch rather than (&x)[a], which would index past a single
  // member (undefined behaviour even though the fields are contiguous). With
  // a constant index the switch folds to a plain member access.
  const double* ptr(int a) const {
    switch (a) {
      case X: return &x;
      case Y: return &y;
      case Z: return &z;
      case VX: return &vx;
      case VY: return &vy;
      case VZ: return &vz;
      default: return &mass;
    }
  }
  double* ptr(int a) { return const_cast<double*>(static_cast<const ParticleRecord*>(this)->ptr(a)); }
  double get(int a) const { return *ptr(a); }
  void set(int a, double v) { *ptr(a) = v; }
};
static_assert(sizeof(ParticleRecord) == 7 * sizeof(double));
static_assert(offsetof(ParticleRecord, mass) == 48);

// Returns the attribute index for a declared name, or -1.
inline int declared_attr(std::string_view name) {
  for (int a = 0; a < kNumAttrs; ++a)
    if (kAttrNames[a] == name) return a;
  return -1;
}

}  // namespace slotsim
