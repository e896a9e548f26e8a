#pragma once
// Whole-attribute columns added at runtime to the packed layouts (`aos`,
// `soa`): an attribute for every particle at once, the only dynamic attribute
// a fixed record can take without per-particle storage.
#include <cmath>
#include <memory_resource>
#include <vector>

#include "sim/layouts/names.hpp"
#include "sim/layouts/permute.hpp"

namespace slotsim {

class ColumnSet {
 public:
  explicit ColumnSet(std::pmr::memory_resource* mr) : mr_(mr) {}

  // The column for `n`, or nullptr.
  std::pmr::vector<double>* find(const Name* n) {
    for (auto& c : cols_)
      if (c.name == n) return &c.values;
    return nullptr;
  }
  const std::pmr::vector<double>* find(const Name* n) const {
    return const_cast<ColumnSet*>(this)->find(n);
  }
  // Adds a column of `size` copies of v, or fills the existing one.
  void set_all(const Name* n, std::size_t size, double v) {
    if (auto* c = find(n)) {
      std::fill(c->begin(), c->end(), v);
      return;
    }
    cols_.push_back(Col{n, std::pmr::vector<double>(size, v, mr_)});
  }
  // Drops the column for `n`; false if there is none.
  bool erase(const Name* n) {
    for (auto it = cols_.begin(); it != cols_.end(); ++it)
      if (it->name == n) {
        cols_.erase(it);
        return true;
      }
    return false;
  }
  // New particle: every column grows by one NaN (callers fill it).
  void push() {
    for (auto& c : cols_) c.values.push_back(std::nan(""));
  }
  void reserve(std::size_t n) {
    for (auto& c : cols_) c.values.reserve(n);
  }
  template <class F>
  void for_each(std::size_t i, F&& f) const {
    for (const auto& c : cols_) f(c.name, c.values[i]);
  }
  std::size_t count() const { return cols_.size(); }
  // values[k] = old values[order[k]] for every column.
  template <class Perm>
  void permute(const Perm& order) {
    // One scratch column turned through them all (ColumnRotation), made
    // before any changes, so a bad_alloc leaves the set as it was.
    if (cols_.empty()) return;
    ColumnRotation rot(cols_[0].values, order.size());
    for (auto& c : cols_) rot.rotate(c.values, order);
  }

 private:
  struct Col {
    const Name* name;
    std::pmr::vector<double> values;
  };
  std::pmr::memory_resource* mr_;
  // The handful of column headers live on the ordinary heap; only the
  // per-particle values are counted against the store.
  std::vector<Col> cols_;
};

}  // namespace slotsim
