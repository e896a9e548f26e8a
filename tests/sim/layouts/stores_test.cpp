#include <doctest/doctest.h>

#include <string>

#include "sim/layouts/particle_store.hpp"

using namespace slotsim;

namespace {
ParticleRecord rec(double k) { return {k, k + 0.1, k + 0.2, -k, -k - 0.1, -k - 0.2, 1 + k}; }

ParticleStore filled(Layout l, int n) {
  ParticleStore s(l);
  s.reserve(n);
  for (int i = 0; i < n; ++i) s.push(rec(i));
  return s;
}
}  // namespace

TEST_CASE("every layout stores and returns the declared attributes exactly") {
  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    ParticleStore s = filled(l, 100);
    CHECK(s.layout() == l);
    CHECK(s.size() == 100);
    CHECK(s.record(42).vy == -42.1);
    s.set_attr(7, "vz", 9.5);
    CHECK(s.get_attr(7, "vz") == 9.5);
    CHECK(s.record(7).vz == 9.5);
    s.visit([](auto& st) {
      st.template set<MASS>(3, 0.25);
      CHECK(st.template get<MASS>(3) == 0.25);
      CHECK(st.template get<X>(3) == 3.0);
    });
    CHECK(s.record(3).mass == 0.25);
  }
}

TEST_CASE("slots: an undeclared attribute raises Python's AttributeError") {
  ParticleStore s = filled(Layout::Slots, 3);
  const auto bytes = s.bytes().total();
  CHECK_THROWS_WITH_AS(s.set_attr(1, "charge", 1.0), "AttributeError: 'Particle' object has no attribute 'charge'",
                       AttributeError);
  CHECK_THROWS_AS(s.set_attr_all("charge", 1.0), AttributeError);
  CHECK_THROWS_WITH_AS(s.get_attr(1, "charge"), "AttributeError: 'Particle' object has no attribute 'charge'",
                       AttributeError);
  CHECK(s.bytes().total() == bytes);
}

TEST_CASE("dict: any attribute on any particle, and the table grows") {
  ParticleStore s = filled(Layout::Dict, 4);
  const auto before = s.bytes();
  CHECK(before.tables == 4 * 272);
  for (int k = 0; k < 4; ++k) s.set_attr(2, std::string("extra").append(1, char('0' + k)), k * 1.5);
  CHECK(s.get_attr(2, "extra3") == 4.5);
  CHECK_THROWS_AS(s.get_attr(1, "extra3"), AttributeError);
  // 11 attributes no longer fit 16 slots (10 usable): that table doubled.
  CHECK(s.bytes().tables > before.tables);
  CHECK(s.dynamic_attrs().size() == 4);
}

TEST_CASE("slots+dict: the table appears only when the escape hatch is used") {
  ParticleStore s = filled(Layout::SlotsDict, 10);
  CHECK(s.bytes().tables == 0);
  CHECK(s.bytes().objects == 10 * 64);
  s.set_attr(3, "x", 5.0);  // declared: a cell, no table
  CHECK(s.bytes().tables == 0);
  s.set_attr(3, "charge", -1.0);
  CHECK(s.bytes().tables == static_cast<long long>(attr_table_bytes(kMinLog2Slots)));
  CHECK(s.get_attr(3, "charge") == -1.0);
  CHECK_THROWS_AS(s.get_attr(4, "charge"), AttributeError);
  s.set_attr_all("charge", 2.0);
  CHECK(s.bytes().tables == 10 * static_cast<long long>(attr_table_bytes(kMinLog2Slots)));
}

TEST_CASE("aos and soa: whole columns only") {
  for (Layout l : {Layout::Aos, Layout::Soa}) {
    CAPTURE(layout_name(l));
    ParticleStore s = filled(l, 10);
    CHECK(s.bytes().total() == 10 * 56);
    CHECK_THROWS_AS(s.set_attr(0, "charge", 1.0), AttributeError);
    s.set_attr_all("charge", 0.5);
    CHECK(s.bytes().total() == 10 * 64);
    s.set_attr(4, "charge", 3.0);  // the column exists now
    CHECK(s.get_attr(4, "charge") == 3.0);
    CHECK(s.get_attr(5, "charge") == 0.5);
    REQUIRE(s.dynamic_attrs().size() == 1);
    CHECK(s.dynamic_attrs()[0].count == 10);
  }
}

TEST_CASE("record sizes per layout are what the headers document") {
  const int n = 1000;
  CHECK(filled(Layout::Dict, n).bytes().total() == n * (8 + 8 + 272));
  CHECK(filled(Layout::Slots, n).bytes().total() == n * (8 + 56));
  CHECK(filled(Layout::SlotsDict, n).bytes().total() == n * (8 + 64));
  CHECK(filled(Layout::Aos, n).bytes().total() == n * 56);
  CHECK(filled(Layout::Soa, n).bytes().total() == n * 56);
}

TEST_CASE("measured dict bytes per particle are at least 3x slots at N = 100,000") {
  const int n = 100000;
  const double dict = double(filled(Layout::Dict, n).bytes().total()) / n;
  const double slots = double(filled(Layout::Slots, n).bytes().total()) / n;
  const double dict_usable = double(filled(Layout::Dict, n).bytes().usable_total) / n;
  const double slots_usable = double(filled(Layout::Slots, n).bytes().usable_total) / n;
  MESSAGE("dict ", dict, " B, slots ", slots, " B (usable: ", dict_usable, " / ", slots_usable, ")");
  CHECK(dict >= 3 * slots);
  CHECK(dict_usable >= 3 * slots_usable);
}

TEST_CASE("permute reorders particles and their dynamic attributes together") {
  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    ParticleStore s = filled(l, 5);
    if (l != Layout::Slots) s.set_attr_all("tag", 0);
    if (l != Layout::Slots) for (int i = 0; i < 5; ++i) s.set_attr(i, "tag", i * 10);
    const std::vector<std::uint32_t> order{4, 3, 2, 1, 0};
    s.permute(order);
    CHECK(s.record(0).x == 4);
    CHECK(s.record(4).x == 0);
    if (l != Layout::Slots) CHECK(s.get_attr(0, "tag") == 40);
  }
}

TEST_CASE("del_attr: dynamic attributes go, declared ones and refusals change nothing") {
  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    ParticleStore s = filled(l, 6);
    CHECK_THROWS_WITH_AS(s.del_attr(2, "x"), doctest::Contains("cannot delete declared attribute 'x'"),
                         AttributeError);
    CHECK_THROWS_AS(s.del_attr(2, "tag"), AttributeError);  // absent everywhere
    if (traits(l).dynamic == DynamicAttrs::None) continue;
    s.set_attr_all("tag", 1.5);
    const ParticleRecord r2 = s.record(2);
    if (traits(l).dynamic == DynamicAttrs::AnyParticle) {
      s.del_attr(2, "tag");
      CHECK_THROWS_AS(s.get_attr(2, "tag"), AttributeError);
      CHECK(s.get_attr(3, "tag") == 1.5);
      // Particle 2 lacks it now: deleting from all is refused and deletes nothing.
      CHECK_THROWS_WITH_AS(s.del_attr_all("tag"), doctest::Contains("nothing was deleted"), AttributeError);
      CHECK(s.get_attr(3, "tag") == 1.5);
      s.set_attr(2, "tag", 2.5);
    } else {
      CHECK_THROWS_WITH_AS(s.del_attr(2, "tag"), doctest::Contains("whole columns"), AttributeError);
    }
    s.del_attr_all("tag");
    CHECK(s.dynamic_attrs().empty());
    CHECK(s.record(2).x == r2.x);
    CHECK(s.record(2).mass == r2.mass);
  }
}

TEST_CASE("read_dict: slots+dict creates the empty table on first access, dict already has one") {
  ParticleStore sd = filled(Layout::SlotsDict, 5);
  CHECK(sd.own_dicts() == 0);
  CHECK(sd.read_dict(1));
  CHECK_FALSE(sd.read_dict(1));
  CHECK(sd.own_dicts() == 1);
  CHECK(sd.bytes().tables == static_cast<long long>(attr_table_bytes(kMinLog2Slots)));
  CHECK(sd.read_dict_all() == 4);
  CHECK(sd.own_dicts() == 5);
  ParticleStore d = filled(Layout::Dict, 5);
  const LayoutBytes before = d.bytes();
  CHECK(d.read_dict_all() == 0);
  CHECK(d.own_dicts() == 5);
  CHECK(d.bytes().total() == before.total());
  for (Layout l : {Layout::Slots, Layout::Aos, Layout::Soa}) {
    ParticleStore s = filled(l, 3);
    CHECK_THROWS_WITH_AS(s.read_dict(0), "AttributeError: 'Particle' object has no attribute '__dict__'",
                         AttributeError);
  }
}
