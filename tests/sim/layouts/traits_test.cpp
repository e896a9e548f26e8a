#include "sim/layouts/traits.hpp"

#include <doctest/doctest.h>

#include <string>

#include "sim/layouts/particle_store.hpp"

using namespace slotsim;

TEST_CASE("layout table: every name parses back to its layout, and the lists name them all") {
  const std::string all = layout_names();
  const std::string err = unknown_layout_text("nope");
  CHECK(err.find("unknown layout 'nope'") == 0);
  for (const LayoutTraits& t : kLayoutTraits) {
    CAPTURE(t.name);
    REQUIRE(parse_layout(t.name).has_value());
    CHECK(*parse_layout(t.name) == t.id);
    CHECK(all.find(std::string(t.name)) != std::string::npos);
    CHECK(err.find(std::string(t.name)) != std::string::npos);
    CHECK(layout_capabilities(t.id) == t.capabilities);
  }
  CHECK_FALSE(parse_layout("Dict").has_value());
  CHECK(layout_names(",").find(", ") == std::string::npos);
  CHECK(layout_key_range() == std::string("keys 1-") + char('0' + kNumLayouts));
}

TEST_CASE("layout table: a store's behaviour matches what its traits say") {
  for (const LayoutTraits& t : kLayoutTraits) {
    CAPTURE(t.name);
    ParticleStore s(t.id);
    for (int i = 0; i < 4; ++i) s.push(ParticleRecord{double(i), 0, 0, 0, 0, 0, 1});
    CHECK(s.layout() == t.id);
    const LayoutBytes b = s.bytes();
    CHECK((b.index > 0) == t.heap_objects);  // the pointer index is what heap objects need
    CHECK((b.columns > 0) == t.columns);
    // One particle may take a new name only where the traits allow it.
    bool one_ok = true;
    try {
      s.set_attr(1, "tag", 1.0);
    } catch (const AttributeError&) {
      one_ok = false;
    }
    CHECK(one_ok == (t.dynamic == DynamicAttrs::AnyParticle));
    bool all_ok = true;
    try {
      s.set_attr_all("tag2", 1.0);
    } catch (const AttributeError&) {
      all_ok = false;
    }
    CHECK(all_ok == (t.dynamic != DynamicAttrs::None));
    // __dict__ exists exactly where the traits say a particle can have one.
    bool dict_ok = true;
    try {
      s.read_dict(0);
    } catch (const AttributeError&) {
      dict_ok = false;
    }
    CHECK(dict_ok == t.has_dict);
    CHECK((s.own_dicts() > 0) == t.has_dict);
  }
}
