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

#include "sim/layouts/column_set.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/store_concept.hpp"
#include "sim/layouts/store_memory.hpp"
#include "sim/particle.hpp"

namespace slotsim {

class AosStore {
 public:

  AosStore() : mem_(std::make_unique<StoreMemory>()), recs_(&mem_->columns), extra_(&mem_->columns) {}
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
    if (auto* c = extra_.find(n)) {
      (*c)[i] = v;
      return;
    }
    throw AttributeError(attribute_error_text("Particle", n->text) +
                         " (aos records are fixed: add the attribute to all particles at once)");
  }
  const double* find_attr(std::size_t i, const Name* n) const {
    const int a = declared_attr(n->text);
    if (a >= 0) return recs_[i].ptr(a);
    const auto* c = extra_.find(n);
    return c ? &(*c)[i] : nullptr;
  }
  void set_attr_all(const Name* n, double v) {
    const int a = declared_attr(n->text);
    if (a >= 0) {
      for (auto& r : recs_) r.set(a, v);
      return;
    }
    extra_.set_all(n, size(), v);
  }
  template <class F>
  void for_each_dynamic(std::size_t i, F&& f) const { extra_.for_each(i, f); }
  // A column belongs to every particle: it can only go as a whole.
  void del_attr(std::size_t, const Name* n) {
    throw AttributeError(attribute_error_text("Particle", n->text) +
                         " (aos holds extra attributes only as whole columns: delete it from all particles at once)");
  }
  void del_attr_all(const Name* n) {
    if (!extra_.erase(n)) throw AttributeError(attribute_error_text("Particle", n->text));
  }
  bool read_dict(std::size_t) { throw AttributeError(attribute_error_text("Particle", "__dict__")); }
  std::size_t own_dicts() const { return 0; }
  static long long dynamic_bytes_estimate(std::size_t carriers) { return 8LL * static_cast<long long>(carriers); }

  template <class Perm>
  void permute(const Perm& order) {
    auto next = permuted(recs_, order);
    extra_.permute(order);  // all or nothing; then the noexcept swap
    recs_.swap(next);
  }

  LayoutBytes bytes() const { return mem_->bytes(); }

 private:
  std::unique_ptr<StoreMemory> mem_;
  std::pmr::vector<ParticleRecord> recs_;
  ColumnSet extra_;
};
static_assert(ParticleStoreType<AosStore>);

}  // namespace slotsim
