#include <doctest/doctest.h>


#include "sim/fixtures.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/memory_plan.hpp"

using namespace slotsim;
using slotsim::testing::same_records;

namespace {
ParticleStore filled(Layout l, int n) {
  ParticleStore s(l);
  for (int i = 0; i < n; ++i) s.push({i * 0.5, i * 0.25, -i * 1.0, 1e-3 * i, 2.0, -3.0, 1.0 / (i + 1)});
  return s;
}
}  // namespace

TEST_CASE("conversion between every pair of layouts preserves every declared attribute") {
  const ParticleStore ref = filled(Layout::Soa, 300);
  for (Layout from : kAllLayouts)
    for (Layout to : kAllLayouts) {
      CAPTURE(layout_name(from));
      CAPTURE(layout_name(to));
      ParticleStore s = filled(from, 300);
      s.convert_to(to);
      CHECK(s.layout() == to);
      CHECK(same_records(s, ref));
      s.convert_to(from);
      CHECK(same_records(s, ref));
    }
}

TEST_CASE("dynamic attributes survive dict -> slots+dict -> dict and column round trips") {
  ParticleStore s = filled(Layout::Dict, 50);
  s.set_attr(7, "charge", -1.5);
  s.set_attr(9, "spin", 0.5);
  s.convert_to(Layout::SlotsDict);
  CHECK(s.get_attr(7, "charge") == -1.5);
  CHECK(s.get_attr(9, "spin") == 0.5);
  CHECK(s.bytes().tables > 0);
  s.convert_to(Layout::Dict);
  CHECK(s.get_attr(7, "charge") == -1.5);
  CHECK_THROWS_AS(s.get_attr(8, "charge"), AttributeError);

  ParticleStore c = filled(Layout::Dict, 20);
  c.set_attr_all("charge", 1.0);
  c.set_attr(3, "charge", 4.0);
  for (Layout to : {Layout::Soa, Layout::Aos, Layout::SlotsDict, Layout::Dict}) {
    c.convert_to(to);
    CHECK(c.get_attr(3, "charge") == 4.0);
    CHECK(c.get_attr(4, "charge") == 1.0);
  }
}

TEST_CASE("a conversion the target cannot hold is refused and nothing changes") {
  ParticleStore s = filled(Layout::Dict, 40);
  s.set_attr(11, "charge", 2.0);
  const auto bytes = s.bytes().total();
  const auto before = filled(Layout::Dict, 40);
  CHECK_THROWS_WITH_AS(s.convert_to(Layout::Slots),
                       doctest::Contains("attribute 'charge'"), ConvertError);
  CHECK_THROWS_WITH_AS(s.convert_to(Layout::Soa), doctest::Contains("'charge' is set on 1 of 40"),
                       ConvertError);
  CHECK_THROWS_AS(s.convert_to(Layout::Aos), ConvertError);
  CHECK(s.layout() == Layout::Dict);
  CHECK(s.bytes().total() == bytes);
  CHECK(same_records(s, before));
  CHECK(s.get_attr(11, "charge") == 2.0);
}

TEST_CASE("conversion frees the old storage") {
  ParticleStore s = filled(Layout::Dict, 2000);
  const auto heap_before = mem::heap_stats().current_requested;
  const auto dict_bytes = s.bytes().total();
  s.convert_to(Layout::Soa);
  const auto heap_after = mem::heap_stats().current_requested;
  CHECK(heap_before - heap_after == dict_bytes - s.bytes().total());
}

TEST_CASE("the memory estimate refuses what cannot fit") {
  CHECK(measured_bytes_per_particle(Layout::Dict) > 3 * measured_bytes_per_particle(Layout::Soa) / 2);
  CHECK_NOTHROW(plan_store("new soa store", Layout::Soa, 1000, false).check("test"));
  std::string message;
  try {
    plan_store("new dict store", Layout::Dict, std::size_t(1) << 40, false).check("converting");
  } catch (const MemoryRefused& e) {
    message = e.what();
  }
  CHECK(message.find("converting needs") == 0);
  CHECK(message.find("at 'new dict store' (") != std::string::npos);
  CHECK(message.find("refused before allocating") != std::string::npos);
}

TEST_CASE("a conversion asks its caller's check before allocating, and a refusal leaves the store intact") {
  ParticleStore s = filled(Layout::Dict, 300);
  s.set_attr(7, "charge", 2.0);
  const auto before = s.bytes().total();
  ConversionNeed seen{};
  int calls = 0;
  auto refuse = [&](const ConversionNeed& n) {
    seen = n;
    ++calls;
    throw MemoryRefused("no room");
  };
  CHECK_THROWS_WITH_AS(s.convert_to(Layout::SlotsDict, {}, refuse), "no room", MemoryRefused);
  CHECK(calls == 1);
  CHECK(seen.to == Layout::SlotsDict);
  CHECK(seen.particles == 300);
  CHECK(!seen.python_objects);
  CHECK(seen.dynamic_bytes == double(StoreOf<Layout::SlotsDict>::dynamic_bytes_estimate(1)));
  CHECK(s.layout() == Layout::Dict);
  CHECK(s.bytes().total() == before);
  CHECK(s.get_attr(7, "charge") == 2.0);
  s.convert_to(Layout::SlotsDict, {}, [&](const ConversionNeed&) { ++calls; });
  CHECK(calls == 2);
  CHECK(s.layout() == Layout::SlotsDict);
}

TEST_CASE("a column made by conversion costs exactly 8 bytes per particle") {
  for (Layout to : {Layout::Aos, Layout::Soa}) {
    CAPTURE(layout_name(to));
    ParticleStore s = filled(Layout::Dict, 600);
    s.set_attr_all("charge", 1.0);
    s.convert_to(to);
    CHECK(s.bytes().total() == 600 * (56 + 8));
  }
}

TEST_CASE("permute refuses an order that is not a permutation") {
  ParticleStore s = filled(Layout::Slots, 4);
  const std::vector<std::uint32_t> dup{0, 1, 1, 3}, out_of_range{0, 1, 2, 4};
  CHECK_THROWS_AS(s.permute(dup), std::invalid_argument);
  CHECK_THROWS_AS(s.permute(out_of_range), std::invalid_argument);
  CHECK(s.record(2).x == 1.0);
}
