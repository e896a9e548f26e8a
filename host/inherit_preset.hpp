#pragma once
// The inheritance rule as one operation on a System: the particles become
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
// layout followed by set_attr_all. The GUI's Attributes panel and the
// `inherit` script action run it on the simulation thread.
#include <string>
#include <string_view>

#include "sim/layouts/layout.hpp"
#include "sim/progress.hpp"
#include "sim/system.hpp"

namespace slotsim::host {

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
InheritOutcome subclass_without_slots(System& sys, std::string_view attr, double value,
                                      const ProgressFn& progress = {});

// Whether the layout has a slotted base to demonstrate on.
bool has_slotted_base(Layout l);

}  // namespace slotsim::host
