// System's exports: positions as float for drawing, and records by id.
#include <cmath>

#include "sim/layouts/particle_store.hpp"
#include "sim/system.hpp"
#include "sim/system_internal.hpp"

namespace slotsim {

void System::positions_float(float* xyz, float* speed) const {
  store_->visit([&](const auto& s) {
    const auto n = static_cast<std::int64_t>(s.size());
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      xyz[3 * i] = static_cast<float>(s.template get<X>(i));
      xyz[3 * i + 1] = static_cast<float>(s.template get<Y>(i));
      xyz[3 * i + 2] = static_cast<float>(s.template get<Z>(i));
      if (speed) {
        const double vx = s.template get<VX>(i), vy = s.template get<VY>(i), vz = s.template get<VZ>(i);
        speed[i] = static_cast<float>(std::sqrt(vx * vx + vy * vy + vz * vz));
      }
    }
  });
}

ParticleRecord System::particle(std::size_t id) const { return store_->record(index_of(id)); }

}  // namespace slotsim
