// The split-keys layout's own rules (CPython 3.3-3.10 key-sharing dicts):
// exact bytes, and the conversions to a combined table exactly where
// CPython 3.10's Objects/dictobject.c makes them. Line numbers are of
// CPython 3.10.7's files. Everything every layout must do (hash across
// layouts and switches, conversion round trips, refusals) is tested over
// kAllLayouts elsewhere.
#include <doctest/doctest.h>

#include <string>

#include "sim/layouts/particle_store.hpp"

using namespace slotsim;

namespace {
ParticleRecord rec(double k) { return {k, k + 0.1, k + 0.2, -k, -k - 0.1, -k - 0.2, 1 + k}; }

SplitKeysStore filled(int n) {
  SplitKeysStore s;
  s.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) s.push(rec(i));
  return s;
}

const Name* nm(const char* s) { return intern(s); }

// Sizes from the sources, written out here rather than taken from the store.
// Objects/dictobject.c l. 111: PyDict_MINSIZE 8; l. 413: USABLE_FRACTION(n)
// = 2n/3; so the class's first keys hold 5 names, and a dict sharing 16-slot
// keys has a values array of 10 pointers (new_dict_with_shared_keys, l. 687).
constexpr long long kKeys8 = 32 + 8 + 5 * 16, kKeys16 = 32 + 16 + 10 * 16, kKeys32 = 32 + 32 + 21 * 16;
constexpr long long kDict = 32;         // PyDictObject (48 B, Include/cpython/dictobject.h l. 10) minus its head
constexpr long long kValues16 = 10 * 8;  // USABLE_FRACTION(16) values
}  // namespace

TEST_CASE("split-keys: exact bytes: a dict per instance, the class's keys once") {
  for (int n : {1, 2, 10, 1000}) {
    CAPTURE(n);
    const SplitKeysStore s = filled(n);
    const LayoutBytes b = s.bytes();
    CHECK(b.index == 8LL * n);
    CHECK(b.objects == 8LL * n);
    CHECK(b.tables == (kDict + kValues16) * n);
    // The first instance grew the keys 8 -> 16 slots and the class re-shares
    // them; the 8-slot keys are freed.
    CHECK(b.shared_keys == kKeys16);
    CHECK(s.own_dicts() == std::size_t(n));
    CHECK(s.combined_dicts() == 0);
    CHECK(s.class_shares());
  }
  CHECK(kKeys8 == 120);  // (the class's keys before the first instance)
  const SplitKeysStore one = filled(1000);
  CHECK((one.bytes().total()) / 1000 == 8 + 8 + 32 + 80);  // 128 B per particle + keys / N
}

TEST_CASE("split-keys: the first __init__ grows the class's keys and the class keeps sharing (make_keys_shared)") {
  // The sixth name finds the 8-slot keys full (dk_usable 0, l. 1098):
  // insertion_resize to calculate_keysize(3 x 5 = 15) = 16 slots (l. 417,
  // 1058) converts the dict to combined; _PyObjectDict_SetItem (l. 5042-
  // 5062) sees the class's keys were shared by this dict alone and makes the
  // new table the class's keys (make_keys_shared, l. 1319).
  const SplitKeysStore s = filled(1);
  REQUIRE(s.class_keys());
  CHECK(s.class_keys()->size() == 16);
  CHECK(s.class_keys()->nentries == 7);
  CHECK(s.class_keys()->usable == 10 - 7);
  CHECK(s.class_keys()->refcnt == 2);  // the class and the one dict
  const SplitKeysStore t = filled(3);
  CHECK(t.class_keys()->refcnt == 4);
}

TEST_CASE("split-keys: a new name in the class's order joins the shared keys, nothing converts") {
  SplitKeysStore s = filled(20);
  const LayoutBytes b0 = s.bytes();
  s.set_attr(5, nm("charge"), -1.0);  // l. 1104-1120: the keys have room and this dict has all 7
  CHECK(s.bytes().total() == b0.total());
  CHECK(s.class_keys()->nentries == 8);
  CHECK(*s.find_attr(5, nm("charge")) == -1.0);
  CHECK(s.find_attr(6, nm("charge")) == nullptr);  // a pending slot for the others
  s.set_attr(6, nm("charge"), 2.0);  // ix == used: the next name in order (l. 1131-1136)
  CHECK(s.combined_dicts() == 0);
  CHECK(s.bytes().total() == b0.total());
}

TEST_CASE("split-keys: another insertion order converts the instance, and the class stops sharing") {
  // l. 1087-1094: "When insertion order is different from shared key, we
  // can't share the key anymore. Convert this instance to combine table."
  SplitKeysStore s = filled(20);
  s.set_attr(1, nm("p"), 1.0);
  s.set_attr(1, nm("q"), 2.0);  // keys: 7 declared, p, q
  const LayoutBytes b0 = s.bytes();
  s.set_attr(2, nm("q"), 3.0);  // q is entry 8 but particle 2 has 7 values: ix != used
  CHECK(s.combined_dicts() == 1);
  // Combined at calculate_keysize(3 x 7 = 21) = 32 slots (the quirk of
  // l. 420 rounds 21 up past 16), its values array freed.
  CHECK(s.bytes().tables - b0.tables == static_cast<long long>(attr_table_bytes(5)) - kValues16);
  CHECK(*s.find_attr(2, nm("q")) == 3.0);
  CHECK(s.record(2).y == rec(2).y);
  // The class's keys were shared by 20 dicts: the class stops sharing
  // (CACHED_KEYS = NULL, l. 5065), and every later instance is combined
  // from its first attribute.
  CHECK_FALSE(s.class_shares());
  s.push(rec(20));
  CHECK(s.combined_dicts() == 2);
  // A new name the other way round (a new key while this dict lacks some
  // of the class's: used != dk_nentries) converts too.
  SplitKeysStore t = filled(5);
  t.set_attr(0, nm("p"), 1.0);
  t.set_attr(3, nm("r"), 1.0);
  CHECK(t.combined_dicts() == 1);
  CHECK(*t.find_attr(3, nm("r")) == 1.0);
}

TEST_CASE("split-keys: del converts the instance and unshares the class, even a del that fails") {
  // PyDict_DelItem l. 1710: "Split table doesn't allow deletion. Combine
  // it." (dictresize to the same 16 slots); _PyObjectDict_SetItem l. 5033-
  // 5039 then drops the class's keys whatever the outcome.
  SplitKeysStore s = filled(10);
  s.set_attr(4, nm("tag"), 1.0);
  const LayoutBytes b0 = s.bytes();
  s.del_attr(4, nm("tag"));
  CHECK(s.combined_dicts() == 1);
  CHECK(s.bytes().tables - b0.tables == static_cast<long long>(attr_table_bytes(4)) - kValues16);
  CHECK(s.find_attr(4, nm("tag")) == nullptr);
  CHECK(s.record(4).mass == rec(4).mass);
  CHECK_FALSE(s.class_shares());
  // A new instance's dict is combined from the start (PyDict_New, then
  // 8 -> 16 slots on its sixth name): 272 B, no values array.
  const long long before = s.bytes().tables;
  s.push(rec(10));
  CHECK(s.bytes().tables - before == kDict + static_cast<long long>(attr_table_bytes(4)));

  SplitKeysStore u = filled(3);
  CHECK_THROWS_AS(u.del_attr(1, nm("nothing")), AttributeError);
  CHECK_FALSE(u.class_shares());
  CHECK(u.combined_dicts() == 0);  // the failed del converted nothing
}

TEST_CASE("split-keys: too many keys: full keys convert, the only instance re-shares them larger") {
  // 16-slot keys hold 10 names: 3 more after the 7 declared.
  SplitKeysStore many = filled(4);
  for (const char* n : {"a", "b", "c"}) many.set_attr(0, nm(n), 1.0);
  CHECK(many.combined_dicts() == 0);
  CHECK(many.class_keys()->usable == 0);
  many.set_attr(0, nm("d"), 1.0);  // dk_usable <= 0 (l. 1098): insertion_resize
  CHECK(many.combined_dicts() == 1);
  CHECK_FALSE(many.class_shares());  // 4 sharers
  // One instance alone: the class takes the grown keys (32 slots).
  SplitKeysStore alone = filled(1);
  for (const char* n : {"a", "b", "c", "d"}) alone.set_attr(0, nm(n), 1.0);
  CHECK(alone.combined_dicts() == 0);
  REQUIRE(alone.class_shares());
  CHECK(alone.class_keys()->size() == 32);
  CHECK(alone.bytes().shared_keys == kKeys32);
  CHECK(*alone.find_attr(0, nm("d")) == 1.0);
}

TEST_CASE("split-keys: a write through __dict__ follows the dict's rules but leaves the class sharing") {
  // p.__dict__[k] = v and setdefault reach insertdict / PyDict_SetDefault
  // directly, not _PyObjectDict_SetItem: the dict converts, the class does not
  // learn of it.
  SplitKeysStore s = filled(5);
  s.set_attr(1, nm("p"), 1.0);
  s.set_via_dict(2, nm("w"), 2.0);  // a new key while particle 2 lacks p: converts
  CHECK(s.combined_dicts() == 1);
  CHECK(s.class_shares());
  s.push(rec(5));
  CHECK(s.combined_dicts() == 1);  // new instances still share
  CHECK(*s.find_attr(2, nm("w")) == 2.0);
}

TEST_CASE("split-keys: kernels read and write through the shared slots and through combined tables alike") {
  SplitKeysStore s = filled(8);
  s.set_attr(3, nm("tag"), 1.0);
  s.del_attr(3, nm("tag"));  // particle 3 is combined now
  REQUIRE(s.combined_dicts() == 1);
  for (std::size_t i = 0; i < s.size(); ++i) {
    CAPTURE(i);
    CHECK(s.get<X>(i) == rec(double(i)).x);
    s.set<VZ>(i, 10.0 + double(i));
    CHECK(s.get<VZ>(i) == 10.0 + double(i));
    CHECK(s.record(i).vz == 10.0 + double(i));
    CHECK(s.get<MASS>(i) == rec(double(i)).mass);
  }
}
