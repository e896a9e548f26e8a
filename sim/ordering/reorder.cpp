// System's spatial ordering: the Morton reorder every --sort-every steps and
// the id <-> storage index maps it leaves behind (ids stay what every report,
// attribute action and hash uses).
#include <array>
#include <span>
#include <stdexcept>
#include <string>

#include "sim/kernels.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/system.hpp"
#include "sim/system_internal.hpp"

namespace slotsim {

void System::reorder() {
  Scratch& s = *scratch_;
  const std::size_t n = size();
  if (s.ax.size() != n) s.resize(n);
  store_->visit([&](const auto& st) { kernels::gather(st, s.x.data(), s.y.data(), s.z.data(), s.m.data()); });
  const Sources src{s.x.data(), s.y.data(), s.z.data(), s.m.data(), n};
  mem::CountingResource res(mem::Category::Solver);
  detail::SolverBuffer<std::uint64_t> keys(res), tmp_keys(res);
  detail::SolverBuffer<std::uint32_t> perm(res), tmp_perm(res);
  detail::morton_sort(src, detail::bounding_cube(src), keys, perm, tmp_keys, tmp_perm);
  const std::span<const std::uint32_t> order(perm.data(), n);
  // Everything that can throw comes before the first change, so a bad_alloc
  // leaves store, accelerations and ids consistent.
  std::array<std::pmr::vector<double>, 3> acc{std::pmr::vector<double>(&s.res), std::pmr::vector<double>(&s.res),
                                              std::pmr::vector<double>(&s.res)};
  const std::array<std::pmr::vector<double>*, 3> cur = {&s.ax, &s.ay, &s.az};
  if (have_forces_)
    for (int c = 0; c < 3; ++c) {
      acc[c].resize(n);
      for (std::size_t k = 0; k < n; ++k) acc[c][k] = (*cur[c])[order[k]];
    }
  std::vector<std::uint32_t> ids(n), index(n);
  for (std::size_t k = 0; k < n; ++k) ids[k] = id_at_.empty() ? order[k] : id_at_[order[k]];
  for (std::size_t k = 0; k < n; ++k) index[ids[k]] = static_cast<std::uint32_t>(k);
  store_->permute(order);  // all or nothing
  // Accelerations follow their particles, so the next half kick needs no
  // extra force evaluation.
  if (have_forces_)
    for (int c = 0; c < 3; ++c) cur[c]->swap(acc[c]);
  id_at_.swap(ids);
  index_of_.swap(index);
}

std::size_t System::index_of(std::size_t id) const {
  if (id >= size()) throw std::out_of_range("particle id " + std::to_string(id) + " out of range");
  return index_of_.empty() ? id : index_of_[id];
}

}  // namespace slotsim
