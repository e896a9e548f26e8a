#include "sim/layouts/particle_store.hpp"

#include <array>
#include <cmath>
#include <mutex>
#include <utility>

namespace slotsim {
namespace {

// Per-layout entry points built from the variant's alternatives, indexed by
// Layout (the same order, checked in particle_store.hpp).
template <std::size_t... I>
StoreVariant make_variant_impl(Layout l, std::index_sequence<I...>) {
  using Make = StoreVariant (*)();
  static constexpr Make make[] = {[] { return StoreVariant(std::in_place_index<I>); }...};
  return make[static_cast<int>(l)]();
}
StoreVariant make_variant(Layout l) {
  if (static_cast<int>(l) < 0 || static_cast<int>(l) >= kNumLayouts) throw std::invalid_argument("bad layout");
  return make_variant_impl(l, std::make_index_sequence<kNumLayouts>{});
}

template <std::size_t... I>
long long dynamic_estimate_impl(Layout l, std::size_t carriers, std::index_sequence<I...>) {
  using Est = long long (*)(std::size_t);
  static constexpr Est est[] = {&std::variant_alternative_t<I, StoreVariant>::dynamic_bytes_estimate...};
  return est[static_cast<int>(l)](carriers);
}
long long dynamic_estimate(Layout l, std::size_t carriers) {
  return dynamic_estimate_impl(l, carriers, std::make_index_sequence<kNumLayouts>{});
}

template <std::size_t... I>
std::size_t reorder_scratch_impl(Layout l, std::index_sequence<I...>) {
  static constexpr std::size_t bytes[] = {std::variant_alternative_t<I, StoreVariant>::kReorderScratchBytes...};
  return bytes[static_cast<int>(l)];
}

bool column_layout(Layout l) { return traits(l).dynamic == DynamicAttrs::WholeColumns; }

const Name* deletable(std::string_view name) {
  if (declared_attr(name) >= 0)
    throw AttributeError("AttributeError: cannot delete declared attribute '" + std::string(name) +
                         "': the kernels read it on every step");
  return intern(name);
}

}  // namespace

std::size_t reorder_scratch_bytes(Layout l) {
  if (static_cast<int>(l) < 0 || static_cast<int>(l) >= kNumLayouts) throw std::invalid_argument("bad layout");
  return reorder_scratch_impl(l, std::make_index_sequence<kNumLayouts>{});
}

std::string python_objects_refusal(Layout l) {
  return "--python-objects applies to the heap-object layouts (" + heap_object_layout_names() + "), not " +
         std::string(layout_name(l)) + ": its records hold no Python objects to box";
}

ParticleStore::ParticleStore(Layout l, bool python_objects, PyVersion version)
    : v_(make_variant(l)), python_objects_(python_objects), version_(version) {
  if (!python_objects) return;
  if (!traits(l).heap_objects) throw std::invalid_argument(python_objects_refusal(l));
  const PyEra era = py_era(version);
  visit([&era](auto& s) {
    if constexpr (requires { s.python_objects_on(era); }) s.python_objects_on(era);
  });
}

std::size_t ParticleStore::size() const {
  return visit([](const auto& s) { return s.size(); });
}
void ParticleStore::reserve(std::size_t n) {
  visit([n](auto& s) { s.reserve(n); });
}
void ParticleStore::push(const ParticleRecord& r) {
  visit([&r](auto& s) { s.push(r); });
}
ParticleRecord ParticleStore::record(std::size_t i) const {
  return visit([i](const auto& s) { return s.record(i); });
}
LayoutBytes ParticleStore::bytes() const {
  return visit([](const auto& s) { return s.bytes(); });
}

void ParticleStore::set_attr(std::size_t i, std::string_view name, double v) {
  const Name* n = intern(name);
  visit([&](auto& s) { s.set_attr(i, n, v); });
}
void ParticleStore::set_attr_all(std::string_view name, double v) {
  const Name* n = intern(name);
  visit([&](auto& s) { s.set_attr_all(n, v); });
}
double ParticleStore::get_attr(std::size_t i, std::string_view name) const {
  const Name* n = intern(name);
  const double* p = visit([&](const auto& s) { return s.find_attr(i, n); });
  if (!p) throw AttributeError(attribute_error_text("Particle", std::string(name)));
  return *p;
}

void ParticleStore::del_attr(std::size_t i, std::string_view name) {
  const Name* n = deletable(name);
  visit([&](auto& s) { s.del_attr(i, n); });
}
void ParticleStore::del_attr_all(std::string_view name) {
  const Name* n = deletable(name);
  visit([&](auto& s) {
    for (std::size_t i = 0; i < s.size(); ++i)
      if (!s.find_attr(i, n))
        throw AttributeError(attribute_error_text("Particle", std::string(name)) + " (particle " +
                             std::to_string(i) + "; nothing was deleted)");
    s.del_attr_all(n);
  });
}
bool ParticleStore::read_dict(std::size_t i) {
  return visit([&](auto& s) { return s.read_dict(i); });
}
std::size_t ParticleStore::read_dict_all() {
  return visit([&](auto& s) {
    std::size_t made = 0;
    for (std::size_t i = 0; i < s.size(); ++i) made += s.read_dict(i);
    return made;
  });
}
bool ParticleStore::has_own_dict(std::size_t i) const {
  return visit([&](const auto& s) {
    if constexpr (requires { s.has_own_dict(i); })
      return s.has_own_dict(i);
    else
      return s.own_dicts() == s.size();
  });
}

std::size_t ParticleStore::own_dicts() const {
  return visit([](const auto& s) { return s.own_dicts(); });
}

std::vector<DynamicAttr> ParticleStore::dynamic_attrs() const {
  // Few distinct names in practice: a linear list keeps first-seen order,
  // which makes conversion error messages deterministic.
  std::vector<std::pair<const Name*, std::size_t>> seen;
  visit([&](const auto& s) {
    for (std::size_t i = 0; i < s.size(); ++i)
      s.for_each_dynamic(i, [&](const Name* k, double) {
        for (auto& e : seen)
          if (e.first == k) return void(++e.second);
        seen.emplace_back(k, 1);
      });
  });
  std::vector<DynamicAttr> out;
  for (auto& [k, c] : seen) out.push_back({k->text, c});
  return out;
}

void ParticleStore::convert_to(Layout to, const ProgressFn& progress, const ConversionCheck& check) {
  const Layout from = layout();
  if (to == from) return;
  if (python_objects_ && !traits(to).heap_objects)
    throw ConvertError("cannot convert to " + std::string(layout_name(to)) + ": " + python_objects_refusal(to) +
                       "; layout left as " + std::string(layout_name(from)));
  const std::size_t n = size();
  const auto dyn = dynamic_attrs();
  const std::string tail = "; layout left as " + std::string(layout_name(from));
  long long extra = 0;
  const std::string to_name(layout_name(to));
  for (const auto& d : dyn) {
    if (traits(to).dynamic == DynamicAttrs::None)
      throw ConvertError("cannot convert to " + to_name + ": attribute '" + d.name + "' is set on " +
                         std::to_string(d.count) + " particle(s) and " + to_name +
                         " has no __dict__ to hold it" + tail);
    if (column_layout(to) && d.count != n)
      throw ConvertError("cannot convert to " + std::string(layout_name(to)) + ": attribute '" + d.name +
                         "' is set on " + std::to_string(d.count) + " of " + std::to_string(n) +
                         " particles, and " + std::string(layout_name(to)) +
                         " holds extra attributes only as whole columns" + tail);
    extra += dynamic_estimate(to, d.count);
  }
  if (check) check(ConversionNeed{to, n, python_objects_, double(extra), version_});

  ParticleStore next(to, python_objects_, version_);
  // Columns first, then reserve: reserve sizes every column exactly, so a
  // column costs 8 B per particle, not a doubling vector's slack.
  if (column_layout(to))
    for (const auto& d : dyn) next.set_attr_all(d.name, std::nan(""));
  next.reserve(n);
  const std::size_t chunk = n / 100 + 1;
  visit([&](const auto& src) {
    next.visit([&](auto& dst) {
      for (std::size_t i = 0; i < n; ++i) {
        dst.push(src.record(i));
        src.for_each_dynamic(i, [&](const Name* k, double v) { dst.set_attr(i, k, v); });
        if (progress && i % chunk == 0) progress(double(i) / double(n), "converting");
      }
    });
  });
  // Destroys the old store, then moves the new one in (noexcept moves, so
  // the variant cannot be left valueless).
  next.visit([this](auto& s) { v_.template emplace<std::decay_t<decltype(s)>>(std::move(s)); });
  if (progress) progress(1.0, "converting");
}

void ParticleStore::permute(std::span<const std::uint32_t> order) {
  if (order.size() != size()) throw std::invalid_argument("permute: order has the wrong length");
  // A repeated index would make two slots own one heap object (a double
  // free later): check it is a true permutation first.
  std::vector<bool> seen(order.size());
  for (std::uint32_t k : order) {
    if (k >= order.size() || seen[k]) throw std::invalid_argument("permute: order is not a permutation");
    seen[k] = true;
  }
  visit([&](auto& s) { s.permute(order); });
}

LayoutCost measured_layout_cost(Layout l, bool python_objects, PyVersion version) {
  static std::mutex mu;
  constexpr int kVersions = kNewestPyVersion.minor - kOldestPyVersion.minor + 1;
  static std::array<LayoutCost, (1 + kVersions) * kNumLayouts> cache{};
  std::lock_guard lock(mu);
  if (python_objects && (version < kOldestPyVersion || version > kNewestPyVersion))
    throw std::invalid_argument("--python-objects: no such CPython version");
  const int slot = python_objects ? 1 + version.minor - kOldestPyVersion.minor : 0;
  LayoutCost& c = cache[static_cast<std::size_t>(slot * kNumLayouts + static_cast<int>(l))];
  if (c.requested == 0) {
    constexpr std::size_t kSample = 1024;
    ParticleStore s(l, python_objects, version);
    s.reserve(kSample);
    for (std::size_t i = 0; i < kSample; ++i) s.push(ParticleRecord{double(i), 0, 0, 0, 0, 0, 1});
    const LayoutBytes b = s.bytes();
    c = {double(b.total()) / double(kSample), double(b.usable_total) / double(kSample),
         double(b.blocks) / double(kSample)};
  }
  return c;
}

// glibc keeps an 8-byte size field in front of every chunk; counting it
// makes the plan track what the process really commits.
double measured_bytes_per_particle(Layout l, bool python_objects, PyVersion version) {
  return measured_layout_cost(l, python_objects, version).committed();
}

}  // namespace slotsim
