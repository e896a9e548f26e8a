#pragma once
// The inheritance rule, written once: the lessons (lessons/lessons.cpp) run it
// on a sample store for `bench --claims`, the GUI's preset and the `inherit`
// script action run it on the live System. As one operation: the particles become
// instances of a subclass that does not declare __slots__, and that
// subclass's __init__ sets one attribute on every instance. In Python,
//
//   class Particle:      __slots__ = ("x", "y", "z", "vx", "vy", "vz", "mass")
//   class Tagged(Particle):
//       def __init__(self, *a):
//           super().__init__(*a)
//           self.tag = 1.0
//
// gives every Tagged instance a __dict__ pointer (one class in the chain
// without __slots__ is enough) and, because __init__ writes an undeclared
// name, a dict table per instance. In this model that is the slots+dict
// layout followed by set_attr_all.
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/layouts/layout.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/progress.hpp"
#include "sim/system.hpp"

namespace slotsim {

// The three stages the panel shows, each System::bytes() at that moment.
struct InheritOutcome {
  Layout from = Layout::Slots;
  LayoutBytes base;        // instances of the slotted class
  LayoutBytes subclass;    // instances of the subclass, before its __init__ ran
  LayoutBytes after_init;  // after __init__ set the attribute on every one
};

// Throws std::invalid_argument, with the System untouched, when the layout
// already gives every instance a __dict__ (dict, slots+dict): there is no
// slotted base to subclass, and switching to slots behind the user's back
// would make the "before" figure something they did not choose. aos and
// soa count as slotted bases: their records have fixed cells and no
// __dict__ either. Conversion and attribute errors propagate unchanged
// (ConvertError or MemoryRefused leave the System as it was; an error from
// the attribute leaves it converted).
// Target: a System (the conversion is recorded as a layout switch) or a bare
// ParticleStore (the lessons' sample).
template <class Target>
InheritOutcome subclass_without_slots(Target& t, std::string_view attr, double value, const ProgressFn& progress = {});

// Whether the layout has a slotted base to demonstrate on: layouts whose
// instances already have a __dict__ (dict, slots+dict, shared-keys) have
// none; the traits say which.
inline bool has_slotted_base(Layout l) { return !traits(l).has_dict; }

template <class Target>
InheritOutcome subclass_without_slots(Target& t, std::string_view attr, double value, const ProgressFn& progress) {
  if (attr.empty()) throw std::invalid_argument("subclass without __slots__: no attribute name given");
  InheritOutcome o;
  o.from = t.layout();
  if (!has_slotted_base(o.from))
    throw std::invalid_argument(
        "subclass without __slots__: the particles are " + std::string(layout_name(o.from)) +
        " instances and already have a __dict__, so there is no slotted base to subclass; "
        "switch to slots (key " + std::string(1, traits(Layout::Slots).key) + ") first");
  o.base = t.bytes();
  // The conversion's own label ("converting") would hide which operation
  // this is; the attribute phase has no progress of its own, so the bar
  // stays full while __init__ runs.
  ProgressFn conv;
  if (progress) conv = [&progress](double f, const char*) { progress(f, "subclassing: converting to slots+dict"); };
  if constexpr (requires { t.switch_layout(Layout::SlotsDict, conv); })
    t.switch_layout(Layout::SlotsDict, conv);
  else
    t.convert_to(Layout::SlotsDict, conv);
  o.subclass = t.bytes();
  const std::string label = "subclass __init__ sets " + std::string(attr) + " on every instance";
  if (progress) progress(1.0, label.c_str());
  t.set_attr_all(attr, value);
  o.after_init = t.bytes();
  return o;
}

}  // namespace slotsim
