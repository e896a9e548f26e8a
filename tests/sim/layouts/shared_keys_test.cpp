// The shared-keys layout's own rules: exact bytes, and a particle's own dict
// exactly where CPython 3.11-3.13 creates one (see shared_keys_store.hpp).
// Everything every layout must do (hash across layouts and switches,
// conversion round trips and refusals) is tested over kAllLayouts elsewhere.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "sim/layouts/particle_store.hpp"

using namespace slotsim;

namespace {
ParticleRecord rec(double k) { return {k, k + 0.1, k + 0.2, -k, -k - 0.1, -k - 0.2, 1 + k}; }

ParticleStore filled(int n) {
  ParticleStore s(Layout::SharedKeys);
  s.reserve(n);
  for (int i = 0; i < n; ++i) s.push(rec(i));
  return s;
}

// Written out here independently of the store: CPython's rule that the
// keys' spare room shrinks by one per new object, down to 1, and an object's
// capacity is entries + spare room. The class starts with the 7 declared
// names and room for 30.
long long expected_object_bytes(int n) {
  long long total = 0, usable = 30 - 7;
  for (int k = 0; k < n; ++k) {
    if (usable > 1) --usable;
    const long long cap = 7 + usable;
    total += 24 + 8 * cap + (cap + 7) / 8 * 8;
  }
  return total;
}

std::string name(const char* prefix, int k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%d", prefix, k);
  return buf;
}
}  // namespace

TEST_CASE("shared-keys: exact bytes: one keys object, values sized as CPython sizes them") {
  for (int n : {1, 5, 21, 22, 23, 1000}) {
    CAPTURE(n);
    const ParticleStore s = filled(n);
    const LayoutBytes b = s.bytes();
    CHECK(b.shared_keys == 768);
    CHECK(b.index == 8LL * n);
    CHECK(b.objects == expected_object_bytes(n));
    CHECK(b.tables == 0);
    CHECK(b.columns == 0);
    CHECK(s.own_dicts() == 0);
  }
  // In the steady state an object holds 8 values: 96 B, + 8 B of index.
  CHECK(expected_object_bytes(1022) - expected_object_bytes(1021) == 96);
}

TEST_CASE("shared-keys: the declared names are the class's first seven keys, read at fixed offsets") {
  ParticleStore s = filled(30);
  s.visit([](auto& st) {
    if constexpr (std::is_same_v<std::decay_t<decltype(st)>, SharedKeysStore>) {
      const SharedKeys& k = st.shared_keys();
      CHECK(k.nentries == 7);
      for (int a = 0; a < kNumAttrs; ++a) CHECK(k.find(declared_name(a)) == a);
      CHECK(st.template get<VY>(12) == -12.1);
      st.template set<VY>(12, 4.0);
      CHECK(st.record(12).vy == 4.0);
    } else {
      FAIL("wrong store");
    }
  });
}

TEST_CASE("shared-keys trigger 1: reading __dict__ makes a split dict, the values stay inline") {
  ParticleStore s = filled(50);
  const LayoutBytes before = s.bytes();
  CHECK(s.read_dict(7));
  CHECK_FALSE(s.read_dict(7));  // the second read returns the same dict
  CHECK(s.own_dicts() == 1);
  const LayoutBytes after = s.bytes();
  CHECK(after.tables - before.tables == static_cast<long long>(sizeof(SharedKeysDict)));  // 32 B
  CHECK(after.objects == before.objects);
  CHECK(s.record(7).vz == rec(7).vz);
  // All particles: one dict each, and nothing else changes.
  CHECK(s.read_dict_all() == 49);
  CHECK(s.own_dicts() == 50);
  CHECK(s.bytes().tables == 50LL * 32);
  s.visit([](const auto& st) {
    if constexpr (std::is_same_v<std::decay_t<decltype(st)>, SharedKeysStore>) CHECK(st.combined_dicts() == 0);
  });
}

TEST_CASE("shared-keys: a split dict stays split while the keys can take new names") {
  // CPython 3.11-3.13 measured: reading __dict__ and then adding a name costs
  // nothing beyond the dict object (docs/LAYOUTS.md).
  ParticleStore s = filled(40);
  s.read_dict(3);
  const LayoutBytes before = s.bytes();
  s.set_attr(3, "charge", -1.0);
  s.set_attr(4, "charge", 2.0);
  CHECK(s.bytes().total() == before.total());
  CHECK(s.get_attr(3, "charge") == -1.0);
  CHECK(s.get_attr(4, "charge") == 2.0);
  CHECK(s.own_dicts() == 1);
  s.visit([](const auto& st) {
    if constexpr (std::is_same_v<std::decay_t<decltype(st)>, SharedKeysStore>) {
      CHECK(st.combined_dicts() == 0);
      CHECK(st.shared_keys().nentries == 8);
    }
  });
}

TEST_CASE("shared-keys trigger 2b: a full keys object sends a particle whose dict exists to a combined table") {
  ParticleStore s = filled(40);  // spare room is down to 1
  s.set_attr(0, "last", 1.0);    // takes it
  s.read_dict(3);
  const LayoutBytes before = s.bytes();
  s.set_attr(3, "charge", -1.0);
  // 8 attributes: CPython sizes the combined table for 3 x 7 present -> 32
  // slots; here 16 + 32 + 21 x 24 = 552 B. The dict object already existed.
  CHECK(s.bytes().tables - before.tables == static_cast<long long>(attr_table_bytes(5)));
  CHECK(s.get_attr(3, "charge") == -1.0);
  CHECK(s.record(3).x == rec(3).x);
  CHECK(s.own_dicts() == 1);
}

TEST_CASE("shared-keys trigger 3: a name the full shared keys cannot take gives that particle a dict") {
  // The keys' spare room is shared by new names and new objects: one object
  // leaves room for 22 more names; after 22+ objects only 1 is left (the
  // same arithmetic in CPython makes a class whose instances are created
  // first and given new names later fall back to dicts).
  for (int n : {1, 30}) {
    CAPTURE(n);
    ParticleStore s = filled(n);
    const int room = n == 1 ? 22 : 1;
    for (int k = 0; k < room; ++k) s.set_attr(0, name("f", k), k);
    CHECK(s.own_dicts() == 0);
    CHECK(s.bytes().tables == 0);
    s.set_attr(0, "overflow", 9.0);
    CHECK(s.own_dicts() == 1);
    // A combined table sized for 3 x (7 + room) entries, and the dict object.
    unsigned log2 = 3;
    while ((1u << log2) < 3u * (7 + room)) ++log2;
    CHECK(s.bytes().tables == static_cast<long long>(sizeof(SharedKeysDict) + attr_table_bytes(log2)));
    CHECK(s.get_attr(0, "overflow") == 9.0);
    CHECK(s.get_attr(0, name("f", room - 1)) == room - 1);
    CHECK(s.record(0).mass == rec(0).mass);
    CHECK(s.dynamic_attrs().size() == static_cast<std::size_t>(room + 1));
    s.del_attr(0, "f0");  // deleting from the combined table
    CHECK_THROWS_AS(s.get_attr(0, "f0"), AttributeError);
    if (n > 1) {  // other particles can still use the names the keys took
      s.set_attr(1, "f0", 3.0);
      CHECK(s.own_dicts() == 1);
    }
  }
}

TEST_CASE("shared-keys: deleting an attribute or another insertion order creates no dict (3.11+)") {
  ParticleStore s = filled(20);
  s.set_attr(1, "a", 1.0);
  s.set_attr(1, "b", 2.0);
  s.set_attr(2, "b", 3.0);  // the class's order is a, b; particle 2 sets b, then a
  s.set_attr(2, "a", 4.0);
  const LayoutBytes before = s.bytes();
  s.del_attr(1, "a");
  s.del_attr(2, "b");
  CHECK(s.own_dicts() == 0);
  CHECK(s.bytes().total() == before.total());
  CHECK_THROWS_AS(s.get_attr(1, "a"), AttributeError);
  CHECK(s.get_attr(1, "b") == 2.0);
  CHECK(s.get_attr(2, "a") == 4.0);
  CHECK_THROWS_AS(s.del_attr(2, "b"), AttributeError);
  // Each particle keeps its own insertion order (the order dynamic_attrs and
  // conversion see).
  std::vector<std::string> order;
  s.visit([&](const auto& st) {
    st.for_each_dynamic(2, [&](const Name* k, double) { order.push_back(k->text); });
  });
  CHECK(order == std::vector<std::string>{"a"});
  s.set_attr(2, "b", 5.0);
  order.clear();
  s.visit([&](const auto& st) {
    st.for_each_dynamic(2, [&](const Name* k, double) { order.push_back(k->text); });
  });
  CHECK(order == std::vector<std::string>{"a", "b"});
}

TEST_CASE("shared-keys: particles with split and combined dicts convert to every layout and back") {
  for (Layout to : kAllLayouts) {
    CAPTURE(layout_name(to));
    ParticleStore c = filled(60);
    c.set_attr_all("tag", 2.0);
    for (int k = 0; k < 60; ++k) c.set_attr(k, "q", k == 5 ? 1.5 : 0.5 * k);
    c.read_dict(5);
    c.set_attr(5, "late", 7.0);  // combined for particle 5
    if (traits(to).dynamic == DynamicAttrs::None) {
      const long long b = c.bytes().total();
      CHECK_THROWS_AS(c.convert_to(to), ConvertError);
      CHECK(c.layout() == Layout::SharedKeys);
      CHECK(c.bytes().total() == b);
      CHECK(c.get_attr(5, "late") == 7.0);
      continue;
    }
    if (traits(to).dynamic == DynamicAttrs::WholeColumns) {
      CHECK_THROWS_WITH_AS(c.convert_to(to), doctest::Contains("'late' is set on 1 of 60"), ConvertError);
      c.del_attr(5, "late");
    }
    c.convert_to(to);
    c.convert_to(Layout::SharedKeys);
    for (int k = 0; k < 60; ++k) {
      const ParticleRecord r = c.record(k), want = rec(k);
      CHECK(std::memcmp(&r, &want, sizeof r) == 0);
      CHECK(c.get_attr(k, "q") == (k == 5 ? 1.5 : 0.5 * k));
      CHECK(c.get_attr(k, "tag") == 2.0);
    }
  }
}
