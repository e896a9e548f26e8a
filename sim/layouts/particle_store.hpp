#pragma once
// The particle store: one of the five layouts, held in a std::variant so the
// physics kernels are instantiated once per layout and dispatched once per
// phase (std::visit), never per attribute access. A virtual get/set was
// rejected: it would add the same indirect call to every layout and hide
// the difference between a fixed-offset load and a hash probe.
//
// Dynamic (undeclared) attributes, per layout:
//   dict        any name, any particle; tables grow as needed
//   slots       none: AttributeError
//   slots+dict  any name, any particle; the table is created on first use
//   aos, soa    whole columns only (set on all particles at once); setting a
//               name on one particle is an AttributeError unless its column
//               exists
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/layouts/aos_store.hpp"
#include "sim/layouts/dict_store.hpp"
#include "sim/layouts/layout.hpp"
#include "sim/layouts/slots_dict_store.hpp"
#include "sim/layouts/slots_store.hpp"
#include "sim/layouts/soa_store.hpp"
#include "sim/progress.hpp"

namespace slotsim {

using StoreVariant = std::variant<DictStore, SlotsStore, SlotsDictStore, AosStore, SoaStore>;

// A dynamic attribute and how many particles carry it.
struct DynamicAttr {
  std::string name;
  std::size_t count;
};

class ParticleStore {
 public:
  explicit ParticleStore(Layout l);

  Layout layout() const { return static_cast<Layout>(v_.index()); }
  std::size_t size() const;
  void reserve(std::size_t n);
  void push(const ParticleRecord& r);
  ParticleRecord record(std::size_t i) const;
  LayoutBytes bytes() const;

  template <class F>
  decltype(auto) visit(F&& f) { return std::visit(std::forward<F>(f), v_); }
  template <class F>
  decltype(auto) visit(F&& f) const { return std::visit(std::forward<F>(f), v_); }

  // Throw AttributeError where the layout cannot hold `name` (see above).
  void set_attr(std::size_t i, std::string_view name, double v);
  void set_attr_all(std::string_view name, double v);
  // Throws AttributeError if particle i has no attribute `name`.
  double get_attr(std::size_t i, std::string_view name) const;
  std::vector<DynamicAttr> dynamic_attrs() const;

  // Moves every particle, declared and dynamic attributes, into a new store
  // of layout `to`, then frees the old storage. Checks first and throws
  // ConvertError (naming the attribute) or MemoryRefused with *this intact.
  void convert_to(Layout to, const ProgressFn& progress = {});

  // Reorders particles: new particle k = old particle order[k].
  void permute(std::span<const std::uint32_t> order);

 private:
  StoreVariant v_;
};

// What a layout supports, in one line, for --help and the docs.
std::string_view layout_capabilities(Layout l);

// Bytes per particle of `l` measured on a freshly built sample store (usable
// bytes plus malloc's 8-byte chunk header per block), cached per layout.
double measured_bytes_per_particle(Layout l);
// Throws MemoryRefused if n particles of layout `l` (plus `extra_bytes`)
// would exceed 90% of MemAvailable. `what` names the operation.
void check_memory(Layout l, std::size_t n, long long extra_bytes, const std::string& what);

}  // namespace slotsim
