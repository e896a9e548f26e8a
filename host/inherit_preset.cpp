#include "host/inherit_preset.hpp"

#include <stdexcept>

namespace slotsim::host {

// Layouts whose instances already have a __dict__ (dict, slots+dict,
// shared-keys) have no slotted base: the traits say which.
bool has_slotted_base(Layout l) { return !traits(l).has_dict; }

InheritOutcome subclass_without_slots(System& sys, std::string_view attr, double value,
                                      const ProgressFn& progress) {
  if (attr.empty()) throw std::invalid_argument("subclass without __slots__: no attribute name given");
  InheritOutcome o;
  o.from = sys.layout();
  if (!has_slotted_base(o.from))
    throw std::invalid_argument(
        "subclass without __slots__: the particles are " + std::string(layout_name(o.from)) +
        " instances and already have a __dict__, so there is no slotted base to subclass; "
        "switch to slots (key 2) first");
  o.base = sys.bytes();
  // The conversion's own label ("converting") would hide which operation
  // this is; the attribute phase has no progress of its own, so the bar
  // stays full while __init__ runs.
  ProgressFn conv;
  if (progress) conv = [&progress](double f, const char*) { progress(f, "subclassing: converting to slots+dict"); };
  sys.switch_layout(Layout::SlotsDict, conv);
  o.subclass = sys.bytes();
  const std::string label = "subclass __init__ sets " + std::string(attr) + " on every instance";
  if (progress) progress(1.0, label.c_str());
  sys.set_attr_all(attr, value);
  o.after_init = sys.bytes();
  return o;
}

}  // namespace slotsim::host
