#pragma once
// `aos`: one contiguous array of 56-byte ParticleRecords, no per-particle
// heap objects and no pointers: what a C struct array or a NumPy structured
// array gives. Dynamic attributes only as whole columns (set on all
// particles at once); a single particle cannot grow a field.
//
//   records  56 B / particle   (+8 B per added column)
#include <memory>
#include <memory_resource>
#include <vector>

#include "sim/layouts/column_layouts.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/store_concept.hpp"
#include "sim/particle.hpp"

namespace slotsim {

class AosStore : public ColumnLayouts<AosStore> {
 public:
  static constexpr const char* kName = "aos";

  AosStore() : recs_(columns()) {}
  AosStore(AosStore&&) noexcept = default;
  AosStore& operator=(AosStore&&) = delete;

  std::size_t size() const { return recs_.size(); }
  void reserve(std::size_t n) {
    recs_.reserve(n);
    extra_.reserve(n);
  }
  void push(const ParticleRecord& r) {
    recs_.push_back(r);
    extra_.push();
  }

  template <int A>
  double get(std::size_t i) const { return recs_[i].get(A); }
  template <int A>
  void set(std::size_t i, double v) { recs_[i].set(A, v); }
  ParticleRecord record(std::size_t i) const { return recs_[i]; }
  ParticleRecord* data() { return recs_.data(); }

  void set_attr(std::size_t i, const Name* n, double v) {
    const int a = declared_attr(n->text);
    if (a >= 0) return recs_[i].set(a, v);
    if (set_extra(i, n, v)) return;
    throw AttributeError(attribute_error_text("Particle", n->text) +
                         " (aos records are fixed: add the attribute to all particles at once)");
  }
  const double* find_attr(std::size_t i, const Name* n) const {
    const int a = declared_attr(n->text);
    if (a >= 0) return recs_[i].ptr(a);
    return find_extra(i, n);
  }
  void set_attr_all(const Name* n, double v) {
    const int a = declared_attr(n->text);
    if (a >= 0) {
      for (auto& r : recs_) r.set(a, v);
      return;
    }
    extra_.set_all(n, size(), v);
  }
  template <class Perm>
  void permute(const Perm& order) {
    auto next = permuted(recs_, order);
    extra_.permute(order);  // all or nothing; then the noexcept swap
    recs_.swap(next);
  }
  // A whole second array of records: one record cannot be turned through a
  // column's scratch.
  static constexpr std::size_t kReorderScratchBytes = sizeof(ParticleRecord);

 private:
  std::pmr::vector<ParticleRecord> recs_;
};
static_assert(ParticleStoreType<AosStore>);

}  // namespace slotsim
