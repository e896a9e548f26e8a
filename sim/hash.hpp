#pragma once
// The state hash's one definition: FNV-1a over the bytes of each particle's
// record (the seven declared attributes), particles in id order. Here rather
// than inside System::state_hash so that the distributed layer (dist/) can
// continue the same hash across ranks, each rank feeding the running value
// its own particles in id order and passing it on: the result is the serial
// hash bit for bit.
#include <cstdint>
#include <cstring>

#include "sim/particle.hpp"

namespace slotsim {

inline constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;
inline constexpr std::uint64_t kFnvPrime = 1099511628211ull;

// h after the bytes of r.
inline std::uint64_t fnv1a(std::uint64_t h, const ParticleRecord& r) {
  unsigned char bytes[sizeof r];
  std::memcpy(bytes, &r, sizeof r);
  for (unsigned char c : bytes) h = (h ^ c) * kFnvPrime;
  return h;
}

}  // namespace slotsim
