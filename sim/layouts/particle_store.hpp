#pragma once
// The particle store: one of the layouts, held in a std::variant so the
// physics kernels are instantiated once per layout and dispatched once per
// phase (std::visit), never per attribute access. A virtual get/set was
// rejected: it would add the same indirect call to every layout and hide
// the difference between a fixed-offset load and a hash probe.
//
// The variant's alternatives come from the layout table (traits.hpp), in
// its order; what each layout does with a dynamic (undeclared) attribute is
// its traits' `dynamic` field and is enforced by its store:
//   AnyParticle   any name, any particle (dict, slots+dict, shared-keys)
//   None          AttributeError (slots)
//   WholeColumns  only on all particles at once (aos, soa); setting a name on
//                 one particle is an AttributeError unless its column exists
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

// Every sim/layouts/*_store.hpp, listed by sim/CMakeLists.txt: a new
// layout's header needs no #include line anywhere.
#include "sim/layouts/all_stores.inc"
#include "sim/layouts/layout.hpp"
#include "sim/layouts/store_concept.hpp"
#include "sim/progress.hpp"

namespace slotsim {

namespace detail {
template <class... Ts>
struct TypeList {};
template <class L>
struct DropFirst;
template <class F, class... Ts>
struct DropFirst<TypeList<F, Ts...>> {
  using type = TypeList<Ts...>;
};
template <class L>
struct VariantOf;
template <class... Ts>
struct VariantOf<TypeList<Ts...>> {
  using type = std::variant<Ts...>;
};
}  // namespace detail

// The store types in table order (a leading `void` absorbs the macro's
// first comma).
#define SLOTSIM_STORE_TYPE(Id, Type, ...) , Type
using LayoutStores = detail::DropFirst<detail::TypeList<void SLOTSIM_LAYOUT_TABLE(SLOTSIM_STORE_TYPE)>>::type;
#undef SLOTSIM_STORE_TYPE
using StoreVariant = detail::VariantOf<LayoutStores>::type;
static_assert(std::variant_size_v<StoreVariant> == kNumLayouts);

// layout() is the variant's index: each enumerator must name its own store.
#define SLOTSIM_CHECK_STORE(Id, Type, ...)                                                             \
  static_assert(std::is_same_v<std::variant_alternative_t<static_cast<int>(Layout::Id), StoreVariant>, \
                               Type>);                                                                 \
  static_assert(ParticleStoreType<Type>);
SLOTSIM_LAYOUT_TABLE(SLOTSIM_CHECK_STORE)
#undef SLOTSIM_CHECK_STORE

template <Layout L>
using StoreOf = std::variant_alternative_t<static_cast<int>(L), StoreVariant>;
// What a conversion is about to allocate, handed to the caller's check
// before anything is: the storage layer does not know the memory plan or
// the System that owns it, so whoever asks for the conversion says what it
// may cost (System::switch_layout checks the run's memory plan).
struct ConversionNeed {
  Layout to;
  std::size_t particles;
  bool python_objects;
  double dynamic_bytes;  // estimate for the dynamic attributes it carries over
  PyVersion python_version = kDefaultPyVersion;  // whose sizes, with python_objects
};
// Throws (MemoryRefused, say) to refuse; the store is then left intact.
using ConversionCheck = std::function<void(const ConversionNeed&)>;

// A dynamic attribute and how many particles carry it.
struct DynamicAttr {
  std::string name;
  std::size_t count;
};

class ParticleStore {
 public:
  // python_objects: CPython-faithful accounting (--python-objects; see
  // heap_objects.hpp) with the sizes of CPython `version` (python_era.hpp).
  // Heap-object layouts only: std::invalid_argument for aos/soa, whose
  // records hold no objects to box.
  explicit ParticleStore(Layout l, bool python_objects = false, PyVersion version = kDefaultPyVersion);

  Layout layout() const { return static_cast<Layout>(v_.index()); }
  bool python_objects() const { return python_objects_; }
  PyVersion python_version() const { return version_; }
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
  // `del p.name`. Declared attributes cannot be deleted (the kernels read
  // them on every step): AttributeError, as for a name that is absent.
  // del_attr_all checks every particle first, so a refusal changes nothing.
  void del_attr(std::size_t i, std::string_view name);
  void del_attr_all(std::string_view name);
  // `p.__dict__`: creates particle i's own dict where the layout makes one
  // on that access (slots+dict, shared-keys); AttributeError where there is
  // no __dict__ (slots, aos, soa). Returns whether a dict was created.
  bool read_dict(std::size_t i);
  std::size_t read_dict_all();  // returns how many were created
  // Particles that have their own dict (every one in `dict`).
  std::size_t own_dicts() const;
  // Whether particle i has its own dict: per particle where dicts are made
  // on demand (stores with has_own_dict: shared-keys, slots+dict), else all
  // or none. For snapshots, so a restart makes the same dicts.
  bool has_own_dict(std::size_t i) const;
  std::vector<DynamicAttr> dynamic_attrs() const;

  // Moves every particle, declared and dynamic attributes, into a new store
  // of layout `to`, then frees the old storage. Checks first and throws
  // ConvertError (naming the attribute), or whatever `check` throws, with
  // *this intact.
  // The python-objects mode carries over; a column layout is then refused
  // (ConvertError) rather than silently unboxed, so a run's accounting
  // never changes meaning halfway.
  void convert_to(Layout to, const ProgressFn& progress = {}, const ConversionCheck& check = {});

  // Reorders particles: new particle k = old particle order[k].
  void permute(std::span<const std::uint32_t> order);

 private:
  StoreVariant v_;
  bool python_objects_ = false;
  PyVersion version_ = kDefaultPyVersion;
};

// Bytes per particle a Morton reorder holds beside a store of layout `l`
// while it permutes it (the store's kReorderScratchBytes).
std::size_t reorder_scratch_bytes(Layout l);

// The one-line refusal for --python-objects with a column layout.
std::string python_objects_refusal(Layout l);

// What a layout supports, in one line, for --help and the GUI.
inline std::string_view layout_capabilities(Layout l) { return traits(l).capabilities; }

// What a particle of `l` costs, measured on a freshly built sample store
// and cached per layout (with python_objects, under --python-objects=version),
// per
// particle: the bytes the store asks malloc for (requested: what the GUI,
// batch and bench report as the layout's bytes), what malloc set aside for
// them (usable), and its blocks. The memory plan prices committed memory:
// usable plus glibc's 8-byte chunk header per block. For dict that is
// 288 B requested, 312 B usable, 328 B committed.
struct LayoutCost {
  double requested = 0, usable = 0, blocks = 0;
  double committed() const { return usable + 8 * blocks; }
};
LayoutCost measured_layout_cost(Layout l, bool python_objects = false, PyVersion version = kDefaultPyVersion);
// measured_layout_cost(l, py).committed(): what the memory plan prices.
double measured_bytes_per_particle(Layout l, bool python_objects = false, PyVersion version = kDefaultPyVersion);

}  // namespace slotsim
