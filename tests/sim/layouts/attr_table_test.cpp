#include <doctest/doctest.h>

#include <cstdio>
#include <memory_resource>
#include <string>

#include "sim/layouts/attr_table.hpp"
#include "sim/memory/tracker.hpp"

using namespace slotsim;

namespace {
// snprintf rather than "a" + std::to_string(k): GCC 12 emits a false
// -Wrestrict on that concatenation (GCC bug 105329), fatal under -Werror.
const Name* key(int k) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "a%d", k);
  return intern(buf);
}
}  // namespace

TEST_CASE("attribute table: insert, overwrite, find, miss") {
  mem::CountingResource r;
  AttrTable* t = attr_table_new(&r);
  CHECK(r.requested() == 16 + 8 + 5 * 24);  // the empty instance dict
  const Name* a = intern("alpha");
  const Name* b = intern("beta");
  attr_table_set(&r, &t, a, 1.5);
  attr_table_set(&r, &t, b, -2.0);
  attr_table_set(&r, &t, a, 3.0);
  REQUIRE(attr_table_find(t, a));
  CHECK(*attr_table_find(t, a) == 3.0);
  CHECK(*attr_table_find(t, b) == -2.0);
  CHECK(attr_table_find(t, intern("gamma")) == nullptr);
  CHECK(t->used == 2);
  attr_table_free(&r, t);
  CHECK(r.requested() == 0);
}

TEST_CASE("attribute table grows like CPython's and keeps every entry") {
  mem::CountingResource r;
  AttrTable* t = attr_table_new(&r);
  for (int k = 0; k < 7; ++k) attr_table_set(&r, &t, key(k), k);
  CHECK(t->slots() == 16);
  CHECK(r.requested() == 272);
  // Past 128 slots the index switches to 2-byte entries.
  for (int k = 7; k < 1000; ++k) attr_table_set(&r, &t, key(k), k);
  CHECK(t->index_width == 2);
  for (int k = 0; k < 1000; ++k) {
    const double* v = attr_table_find(t, key(k));
    REQUIRE(v);
    CHECK(*v == k);
  }
  CHECK(r.blocks() == 1);
  attr_table_free(&r, t);
  CHECK(r.requested() == 0);
}

TEST_CASE("attr table: deletion leaves a dummy that lookups probe through, and growth compacts it") {
  std::pmr::monotonic_buffer_resource arena;
  AttrTable* t = attr_table_new(&arena);
  const Name* a = intern("del_a");
  const Name* b = intern("del_b");
  attr_table_set(&arena, &t, a, 1.0);
  attr_table_set(&arena, &t, b, 2.0);
  CHECK(attr_table_del(t, a));
  CHECK_FALSE(attr_table_del(t, a));
  CHECK(attr_table_find(t, a) == nullptr);
  REQUIRE(attr_table_find(t, b) != nullptr);
  CHECK(*attr_table_find(t, b) == 2.0);
  CHECK(t->live == 1);
  CHECK(t->used == 2);
  int seen = 0;
  attr_table_for_each(t, [&](const Name* k, double v) {
    CHECK(k == b);
    CHECK(v == 2.0);
    ++seen;
  });
  CHECK(seen == 1);
  // Fill to the usable limit: the growth drops the deleted entry.
  for (int k = 0; k < 10; ++k) attr_table_set(&arena, &t, key(500 + k), k);
  CHECK(t->live == 11);
  CHECK(t->used == 11);
  CHECK(attr_table_find(t, a) == nullptr);
  attr_table_set(&arena, &t, a, 3.0);
  CHECK(*attr_table_find(t, a) == 3.0);
}
