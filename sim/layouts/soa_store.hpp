#pragma once
// `soa`: one contiguous array per attribute. A sweep that reads x and vx
// touches only those two arrays, and consecutive particles sit in
// consecutive lanes, which is what SIMD loads want. Kernels view the columns
// as Eigen arrays (Eigen::Map) rather than owning Eigen::ArrayXd: Eigen
// allocates with plain malloc, which would hide the columns from the
// tracker; the pmr vectors below go through the store's counting resource.
//
//   columns  7 x 8 B = 56 B / particle   (+8 B per added column)
#include <Eigen/Core>
#include <array>
#include <memory>
#include <memory_resource>
#include <vector>

#include "sim/layouts/column_layouts.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/permute.hpp"
#include "sim/layouts/store_concept.hpp"
#include "sim/particle.hpp"

namespace slotsim {

class SoaStore : public ColumnLayouts<SoaStore> {
 public:
  using Column = std::pmr::vector<double>;
  using ColumnMap = Eigen::Map<Eigen::ArrayXd>;
  static constexpr const char* kName = "soa";

  SoaStore()
      : cols_{Column(columns()), Column(columns()), Column(columns()), Column(columns()), Column(columns()),
              Column(columns()), Column(columns())} {}
  SoaStore(SoaStore&&) noexcept = default;
  SoaStore& operator=(SoaStore&&) = delete;

  std::size_t size() const { return cols_[0].size(); }
  void reserve(std::size_t n) {
    for (auto& c : cols_) c.reserve(n);
    extra_.reserve(n);
  }
  void push(const ParticleRecord& r) {
    for (int a = 0; a < kNumAttrs; ++a) cols_[a].push_back(r.get(a));
    extra_.push();
  }

  template <int A>
  double get(std::size_t i) const { return cols_[A][i]; }
  template <int A>
  void set(std::size_t i, double v) { cols_[A][i] = v; }
  ParticleRecord record(std::size_t i) const {
    ParticleRecord r;
    for (int a = 0; a < kNumAttrs; ++a) r.set(a, cols_[a][i]);
    return r;
  }
  double* column(int a) { return cols_[a].data(); }
  const double* column(int a) const { return cols_[a].data(); }
  // Rows [begin, begin+len) of column a as an Eigen array.
  ColumnMap map(int a, std::size_t begin, std::size_t len) {
    return ColumnMap(cols_[a].data() + begin, static_cast<Eigen::Index>(len));
  }

  void set_attr(std::size_t i, const Name* n, double v) {
    const int a = declared_attr(n->text);
    if (a >= 0) {
      cols_[a][i] = v;
      return;
    }
    if (set_extra(i, n, v)) return;
    throw AttributeError(attribute_error_text("Particle", n->text) +
                         " (soa adds attributes as whole columns: set it on all particles at once)");
  }
  const double* find_attr(std::size_t i, const Name* n) const {
    const int a = declared_attr(n->text);
    if (a >= 0) return &cols_[a][i];
    return find_extra(i, n);
  }
  void set_attr_all(const Name* n, double v) {
    const int a = declared_attr(n->text);
    if (a >= 0) {
      std::fill(cols_[a].begin(), cols_[a].end(), v);
      return;
    }
    extra_.set_all(n, size(), v);
  }
  // The seven columns turn through one scratch column (permute.hpp's
  // ColumnRotation), allocated first; the added columns are all or nothing;
  // the rotation after them cannot throw.
  template <class Perm>
  void permute(const Perm& order) {
    ColumnRotation rot(cols_[0], order.size());
    extra_.permute(order);
    for (auto& c : cols_) rot.rotate(c, order);
  }
  static constexpr std::size_t kReorderScratchBytes = sizeof(double);  // the one scratch column

 private:
  std::array<Column, kNumAttrs> cols_;
};
static_assert(ParticleStoreType<SoaStore>);

}  // namespace slotsim
