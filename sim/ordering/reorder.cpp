// System's spatial ordering: the Morton reorder every --sort-every steps and
// the id <-> storage index maps it leaves behind (ids stay what every report,
// attribute action and hash uses).
#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "sim/kernels.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/layouts/permute.hpp"
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
  // leaves store, accelerations and ids consistent: the accelerations' one
  // scratch column (permute.hpp's ColumnRotation) is allocated here.
  std::optional<ColumnRotation> acc;
  if (have_forces_) acc.emplace(s.ax, n);
  // The id maps by every thread, as the store's gathers: the new ids are
  // the old ones gathered by `order` (permute.hpp's gather), and the index
  // is their inverse, each entry written once, so the thread count cannot
  // change them. (Serial, these two loops over random addresses took ~0.3 s
  // of a 10M reorder.)
  std::vector<std::uint32_t> ids(n), index(n);
  if (id_at_.empty())
    std::copy(order.begin(), order.end(), ids.begin());  // no reorder yet: index i held id i
  else
    detail::gather(ids.data(), id_at_.data(), order, n);
  const auto sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for schedule(static) if (sn >= (std::ptrdiff_t{1} << 15))
  for (std::ptrdiff_t k = 0; k < sn; ++k) index[ids[static_cast<std::size_t>(k)]] = static_cast<std::uint32_t>(k);
  store_->permute(order);  // all or nothing
  // Accelerations follow their particles, so the next half kick needs no
  // extra force evaluation.
  if (acc)
    for (auto* c : {&s.ax, &s.ay, &s.az}) acc->rotate(*c, order);
  id_at_.swap(ids);
  index_of_.swap(index);
}

std::size_t System::index_of(std::size_t id) const {
  if (id >= size()) throw std::out_of_range("particle id " + std::to_string(id) + " out of range");
  return index_of_.empty() ? id : index_of_[id];
}

}  // namespace slotsim
