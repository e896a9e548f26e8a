#include "dist/exact_potential.hpp"

#include <algorithm>
#include <cmath>

#include "dist/block_sweep.hpp"

namespace slotsim::dist {

void exact_potentials(Comm& comm, const Segments& seg, const Sources& local, double eps2, const PotentialTargets& t,
                      double* phi) {
  mem::CountingResource res(mem::Category::Solver);
  BlockSweep sweep(res);
  std::fill_n(phi, t.n, 0.0);
  sweep.run(comm, seg, local, [&](const detail::DirectSources& b) {
    const auto n = static_cast<std::int64_t>(t.n);
#pragma omp parallel for schedule(dynamic, 16)
    for (std::int64_t i = 0; i < n; ++i) {
      double s = phi[i];
      for (std::size_t j = 0; j < b.n; ++j) {
        if (b.first + j == t.at[i]) continue;
        const double dx = b.x[j] - t.x[i], dy = b.y[j] - t.y[i], dz = b.z[j] - t.z[i];
        s += b.m[j] / std::sqrt(dx * dx + dy * dy + dz * dz + eps2);
      }
      phi[i] = s;
    }
  });
  for (std::size_t i = 0; i < t.n; ++i) phi[i] = -phi[i];
}

}  // namespace slotsim::dist
