#pragma once
// The contract every particle store satisfies. ParticleStore, the kernels and
// the conversion code use nothing else, so a store that compiles against this
// concept works everywhere. Each store header ends with
// static_assert(ParticleStoreType<ItsStore>), so a missing or mistyped member
// fails in that header, not deep inside a std::visit.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "sim/layouts/layout_bytes.hpp"
#include "sim/layouts/names.hpp"
#include "sim/particle.hpp"

namespace slotsim {

template <class S>
concept ParticleStoreType =
    std::default_initializable<S> &&
    // The variant swaps a converted store in with a move; a throwing move
    // could leave it valueless.
    std::is_nothrow_move_constructible_v<S> &&
    requires(S& s, const S& cs, std::size_t i, const ParticleRecord& r, const Name* n, double v,
             std::span<const std::uint32_t> order) {
      // Size and growth.
      { cs.size() } -> std::same_as<std::size_t>;
      s.reserve(i);
      s.push(r);  // declared attributes, in declaration order, as __init__ would
      // The kernels' accessors: A is a compile-time attribute index.
      { cs.template get<X>(i) } -> std::same_as<double>;
      s.template set<X>(i, v);
      { cs.record(i) } -> std::same_as<ParticleRecord>;
      // Attributes by name (declared or dynamic). Throw AttributeError where
      // the layout cannot hold or has no such attribute.
      s.set_attr(i, n, v);
      s.set_attr_all(n, v);
      s.del_attr(i, n);      // a dynamic attribute only (the kernels need the declared ones)
      s.del_attr_all(n);
      { cs.find_attr(i, n) } -> std::same_as<const double*>;
      cs.for_each_dynamic(i, [](const Name*, double) {});
      // `p.__dict__`: makes particle i's dict exist where the layout has one
      // (throws AttributeError where it has none); returns whether it created it.
      { s.read_dict(i) } -> std::same_as<bool>;
      { cs.own_dicts() } -> std::same_as<std::size_t>;  // particles with their own dict
      // Bytes a conversion into this layout adds for `carriers` values of one
      // dynamic attribute, beyond measured_bytes_per_particle (the estimate
      // behind MemoryRefused).
      { S::dynamic_bytes_estimate(i) } -> std::same_as<long long>;
      // new particle k = old particle order[k]; all or nothing.
      s.permute(order);
      // Bytes per particle that permute() holds beside the store while it
      // runs (the memory plan's Morton reorder item); added columns take 8
      // more each.
      { S::kReorderScratchBytes } -> std::convertible_to<std::size_t>;
      { cs.bytes() } -> std::same_as<LayoutBytes>;
    };

}  // namespace slotsim
