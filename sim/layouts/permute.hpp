#pragma once
// The one reordering primitive every store uses for spatial sorting.
#include <cstddef>
#include <memory_resource>
#include <type_traits>
#include <utility>
#include <vector>

namespace slotsim {

namespace detail {
// dst[k] = src[order[k]] for k < n, by every thread past 2^15 elements.
template <class T, class Perm>
void gather(T* dst, const T* src, const Perm& order, std::size_t count) noexcept {
  const auto n = static_cast<std::ptrdiff_t>(count);
#pragma omp parallel for schedule(static) if (n >= (std::ptrdiff_t{1} << 15))
  for (std::ptrdiff_t k = 0; k < n; ++k) dst[k] = src[order[static_cast<std::size_t>(k)]];
}
}  // namespace detail

// out[k] = v[order[k]], allocated from v's resource.
//
// A gather through a random permutation waits on memory for every element,
// so plain values are gathered by all threads: each element is written once
// and its source read once, whatever the thread count, so the result is the
// same. (The serial push_back loop this replaces was most of a Morton reorder
// at 10M particles: bench --sort-every 1, soa, 2 threads, 3.7 s a sort, the
// gathers of the seven columns the largest part of it.) Values that are not
// trivially copyable (none of the stores' today) keep the serial loop.
template <class T, class Perm>
std::pmr::vector<T> permuted(const std::pmr::vector<T>& v, const Perm& order) {
  std::pmr::vector<T> out(v.get_allocator());
  if constexpr (std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>) {
    out.resize(order.size());
    detail::gather(out.data(), v.data(), order, order.size());
  } else {
    out.reserve(v.size());
    for (std::size_t k = 0; k < order.size(); ++k) out.push_back(v[order[k]]);
  }
  return out;
}

// Several columns of one length, on one memory resource, reordered through a
// single scratch column: each is gathered into the scratch, which then takes
// its place, and its old block becomes the scratch for the next. Beside the
// store a reorder then holds 8 B a particle instead of a whole second copy
// (56 B for soa's seven columns), and zero-fills one new block instead of
// seven. Only the constructor allocates, so a caller that builds it before
// its first change keeps the all-or-nothing rule (rotate() cannot throw).
class ColumnRotation {
 public:
  ColumnRotation(const std::pmr::vector<double>& like, std::size_t n) : scratch_(like.get_allocator()) {
    scratch_.resize(n);
  }
  // col = old col permuted by order; col.size() == order.size() == n, and
  // col on the resource of `like`.
  template <class Perm>
  void rotate(std::pmr::vector<double>& col, const Perm& order) noexcept {
    detail::gather(scratch_.data(), col.data(), order, order.size());
    col.swap(scratch_);
  }

 private:
  std::pmr::vector<double> scratch_;
};

}  // namespace slotsim
