#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "sim/fixtures.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/system.hpp"
#include "lessons/inheritance.hpp"

using namespace slotsim;
using slotsim::testing::check_same_counts;

namespace {
SimConfig config(Layout l) {
  SimConfig c;
  c.scene = "plummer";
  c.particles = 2000;
  c.seed = 3;
  c.layout = l;
  c.solver = "none";
  return c;
}
}  // namespace

TEST_CASE("inherit preset: the bytes of each stage are those of slots -> slots+dict -> set_attr_all") {
  for (Layout from : kAllLayouts) {
    if (traits(from).has_dict) continue;  // refused: see below
    CAPTURE(layout_name(from));
    System sys(config(from));
    const std::uint64_t hash = sys.state_hash();
    double last_fraction = -1;
    std::string last_label;
    const InheritOutcome o = subclass_without_slots(sys, "tag", 2.5, [&](double f, const char* what) {
      last_fraction = f;
      last_label = what;
    });

    System ref(config(from));
    CHECK(o.from == from);
    check_same_counts(o.base, ref.bytes());
    ref.switch_layout(Layout::SlotsDict);
    check_same_counts(o.subclass, ref.bytes());
    ref.set_attr_all("tag", 2.5);
    check_same_counts(o.after_init, ref.bytes());
    check_same_counts(sys.bytes(), ref.bytes());

    // The rule itself: the subclass's objects carry a __dict__ pointer, and
    // its __init__ gives every one of them a table.
    CHECK(sys.layout() == Layout::SlotsDict);
    CHECK(o.subclass.objects > o.base.objects);
    CHECK(o.subclass.tables == 0);
    CHECK(o.after_init.tables > 0);
    CHECK(o.after_init.objects == o.subclass.objects);
    const auto dyn = sys.store().dynamic_attrs();
    REQUIRE(dyn.size() == 1);
    CHECK(dyn[0].name == "tag");
    CHECK(dyn[0].count == sys.size());
    CHECK(sys.get_attr(sys.size() - 1, "tag") == 2.5);
    // Only the storage changed, not the particles.
    CHECK(sys.state_hash() == hash);
    CHECK(last_fraction == 1.0);
    CHECK(last_label.find("tag") != std::string::npos);
  }
}

TEST_CASE("inherit preset: a layout that already has a __dict__ is refused and left alone") {
  for (Layout from : kAllLayouts) {
    if (!traits(from).has_dict) continue;  // the layouts whose instances have a __dict__
    CAPTURE(layout_name(from));
    CHECK(!has_slotted_base(from));
    System sys(config(from));
    const LayoutBytes before = sys.bytes();
    try {
      subclass_without_slots(sys, "tag", 1.0);
      FAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      CHECK(what.find("__dict__") != std::string::npos);
      CHECK(what.find(std::string(layout_name(from))) != std::string::npos);
    }
    CHECK(sys.layout() == from);
    check_same_counts(sys.bytes(), before);
    CHECK(sys.store().dynamic_attrs().empty());
  }
}

TEST_CASE("inherit preset: an empty attribute name is refused before converting") {
  System sys(config(Layout::Slots));
  CHECK_THROWS_AS(subclass_without_slots(sys, "", 1.0), std::invalid_argument);
  CHECK(sys.layout() == Layout::Slots);
}
