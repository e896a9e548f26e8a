#pragma once
// The one reordering primitive every store uses for spatial sorting.
#include <cstddef>
#include <memory_resource>
#include <vector>

namespace slotsim {

// out[k] = v[order[k]], allocated from v's resource.
template <class T, class Perm>
std::pmr::vector<T> permuted(const std::pmr::vector<T>& v, const Perm& order) {
  std::pmr::vector<T> out(v.get_allocator());
  out.reserve(v.size());
  for (std::size_t k = 0; k < order.size(); ++k) out.push_back(v[order[k]]);
  return out;
}

}  // namespace slotsim
