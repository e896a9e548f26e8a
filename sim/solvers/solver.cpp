// The default subset forms of Solver's calls: the whole computation, then
// the slice (any solver is exact this way; bh overrides them with a walk
// of the targets' part of its tree).
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "sim/solvers/solver.hpp"

namespace slotsim {

namespace {
void check_range(const Sources& src, std::size_t first, std::size_t count) {
  if (first > src.n || count > src.n - first) throw std::out_of_range("solver: target range outside the sources");
}
}  // namespace

void Solver::accelerations_of(const Sources& src, std::size_t first, std::size_t count, Accels& acc,
                              SolverPhases& phases) {
  check_range(src, first, count);
  std::vector<double> ax(src.n), ay(src.n), az(src.n);
  Accels all{ax.data(), ay.data(), az.data()};
  accelerations(src, all, phases);
  std::copy_n(ax.begin() + std::ptrdiff_t(first), count, acc.ax);
  std::copy_n(ay.begin() + std::ptrdiff_t(first), count, acc.ay);
  std::copy_n(az.begin() + std::ptrdiff_t(first), count, acc.az);
}

bool Solver::potentials_of(const Sources& src, std::size_t first, std::size_t count, double* phi) {
  check_range(src, first, count);
  if (!has_potentials()) return false;
  std::vector<double> all(src.n);
  if (!potentials(src, all.data())) return false;
  std::copy_n(all.begin() + std::ptrdiff_t(first), count, phi);
  return true;
}

}  // namespace slotsim
