#pragma once
// What `aos` and `soa` share: the store's accounts, and the one kind of
// dynamic attribute a packed layout can take, a whole column (ColumnSet):
// set on every particle at once, deleted from every particle at once, and
// no __dict__. One implementation, so the two column layouts cannot drift
// apart in what they refuse or how much a column costs.
//
// CRTP over the store type D, which provides
//   static constexpr const char* kName   the layout's name, for messages
// A virtual base was rejected for the same reason as in HeapObjects: a
// vtable pointer per store for a choice known at compile time. (Not named
// *_store.hpp: sim/CMakeLists.txt takes every such header for a layout.)
#include <cstddef>
#include <memory>
#include <memory_resource>

#include "sim/layouts/column_set.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/layout_bytes.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/store_memory.hpp"

namespace slotsim {

template <class D>
class ColumnLayouts {
 public:
  LayoutBytes bytes() const { return mem_->bytes(); }

  template <class F>
  void for_each_dynamic(std::size_t i, F&& f) const { extra_.for_each(i, f); }
  // A column belongs to every particle: it can only go as a whole.
  void del_attr(std::size_t, const Name* n) {
    throw AttributeError(attribute_error_text("Particle", n->text) + " (" + D::kName +
                         " holds extra attributes only as whole columns: delete it from all particles at once)");
  }
  void del_attr_all(const Name* n) {
    if (!extra_.erase(n)) throw AttributeError(attribute_error_text("Particle", n->text));
  }
  bool read_dict(std::size_t) { throw AttributeError(attribute_error_text("Particle", "__dict__")); }
  std::size_t own_dicts() const { return 0; }
  static long long dynamic_bytes_estimate(std::size_t carriers) { return 8LL * static_cast<long long>(carriers); }

 protected:
  ColumnLayouts() : mem_(std::make_unique<StoreMemory>()), extra_(&mem_->columns) {}
  ColumnLayouts(ColumnLayouts&&) noexcept = default;
  ColumnLayouts& operator=(ColumnLayouts&&) = delete;
  ~ColumnLayouts() = default;

  // The account the declared attributes' storage allocates from too.
  std::pmr::memory_resource* columns() const { return &mem_->columns; }
  // Particle i's value of the dynamic column `n`, or nullptr if there is none.
  const double* find_extra(std::size_t i, const Name* n) const {
    const auto* c = extra_.find(n);
    return c ? &(*c)[i] : nullptr;
  }
  // Sets particle i's value of column `n`; false if there is no such column.
  bool set_extra(std::size_t i, const Name* n, double v) {
    auto* c = extra_.find(n);
    if (c) (*c)[i] = v;
    return c != nullptr;
  }

  // Declared before extra_, so extra_ (and the derived store's own
  // containers) are destroyed while the account they free into still lives.
  std::unique_ptr<StoreMemory> mem_;
  ColumnSet extra_;
};

}  // namespace slotsim
