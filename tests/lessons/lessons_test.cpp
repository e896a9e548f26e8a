// sim/lessons: the claims table's structure and verdict strings, from fixed
// figures (no timing or byte value is asserted), plus one small real run.
#include "lessons/lessons.hpp"

#include <doctest/doctest.h>

#include "lessons/cpython_fixture.hpp"
#include "sim/layouts/layout.hpp"

using namespace slotsim;

namespace {

const char* const kIds[kNumClaims] = {"dict_empty", "slots_saving", "three_fields", "access_speed",
                                      "attribute_error", "inheritance", "escape_hatch", "ten_million"};

Spread sp(double m) { return {m, m * 0.9, m * 1.1, 5}; }

ModelFigures classic_model() {
  ModelFigures m;
  m.layout = "dict";
  m.available = true;
  m.bytes_per_instance = 288;
  m.dict_bytes_untouched = 272;
  m.dict_bytes_touched = 272;
  m.bytes_touched = 288;
  m.read = sp(10);
  m.update = sp(16);
  m.ten_m_dict_bytes = 2.72e9;
  m.ten_m_how = "extrapolated";
  return m;
}
ModelFigures shared_model() {
  ModelFigures m;
  m.layout = "shared-keys";
  m.available = true;
  m.bytes_per_instance = 96;
  m.dict_bytes_untouched = 0;
  m.read = sp(1);
  m.update = sp(1);
  m.ten_m_dict_bytes = 0;
  m.ten_m_how = "extrapolated";
  return m;
}
SlotsFigures slots_figures() {
  SlotsFigures s;
  s.bytes_per_instance = 64;
  s.read = sp(1);
  s.update = sp(1);
  s.attr_error_raised = true;
  s.attr_error = "AttributeError: 'Particle' object has no attribute 'charge'";
  s.inherit_before = 64;
  s.inherit_after = 216;
  s.hatch_unused = 8;
  s.hatch_one = 144;
  s.empty_dict = 160;
  s.three_dict = 160;
  s.three_slots = 32;
  return s;
}
const Lesson& row(const std::vector<Lesson>& rows, const char* id) {
  for (const Lesson& l : rows)
    if (l.id == id) return l;
  FAIL("no row " << id);
  return rows.front();
}

}  // namespace

TEST_CASE("lessons: eight claims in the lecture's order, each with a lecture figure and a why note") {
  ModelFigures sk;
  sk.layout = "shared-keys";  // not available
  const auto rows = build_lessons(classic_model(), sk, slots_figures(), MachineLoad{0.1, 1.0, 2});
  REQUIRE(rows.size() == std::size_t(kNumClaims));
  for (int i = 0; i < kNumClaims; ++i) {
    const Lesson& l = rows[std::size_t(i)];
    CAPTURE(l.id);
    CHECK(l.id == kIds[i]);
    CHECK(!l.claim.empty());
    CHECK(!l.lecture.empty());
    CHECK(!l.why.empty());
    CHECK(l.classic.available);
    CHECK(!l.cpython.available);
    CHECK(l.cpython.text == "not measured");
    CHECK(l.measured == l.classic.text);  // the older fields mirror the classic model
    CHECK(l.verdict == l.classic.verdict);
    CHECK(l.classic.verdict.find("on CPython <= 3.10") != std::string::npos);
    CHECK(l.summary == l.classic.verdict);  // only available cells are summarised
  }
  // Without the layout, every shared-keys cell that needs it says so.
  for (const char* id : {"dict_empty", "slots_saving", "access_speed", "attribute_error", "inheritance",
                         "escape_hatch", "ten_million"}) {
    CAPTURE(id);
    CHECK(row(rows, id).shared_keys.text == "n/a (layout not built)");
    CHECK(!row(rows, id).shared_keys.available);
  }
  CHECK(row(rows, "slots_saving").classic.verdict.rfind("holds", 0) == 0);
  CHECK(row(rows, "access_speed").classic.holds);  // 10 (9-11) vs 1 (0.9-1.1): ranges apart
  CHECK(row(rows, "access_speed").warning.empty());
}

TEST_CASE("lessons: a shared-keys model gets its own verdicts, scoped to 3.11+") {
  const auto rows = build_lessons(classic_model(), shared_model(), slots_figures(), MachineLoad{});
  const Lesson& e = row(rows, "dict_empty");
  REQUIRE(e.shared_keys.available);
  CHECK(!e.shared_keys.holds);
  CHECK(e.shared_keys.verdict.rfind("does not hold on CPython 3.11+: ", 0) == 0);
  CHECK(e.summary == e.classic.verdict + " / " + e.shared_keys.verdict);
  CHECK(e.shared_keys.text.find("not measured (read_dict_all not wired)") != std::string::npos);
  const Lesson& s = row(rows, "slots_saving");
  CHECK(s.shared_keys.verdict == "does not hold on CPython 3.11+: 1.50x, below 3x");
  CHECK(!row(rows, "access_speed").shared_keys.holds);  // same spread as slots
  CHECK(!row(rows, "ten_million").shared_keys.holds);
  CHECK(row(rows, "attribute_error").shared_keys.holds);
}

TEST_CASE("lessons: overlapping spreads are not a speedup") {
  ModelFigures c = classic_model();
  SlotsFigures s = slots_figures();
  c.read = {10, 8, 12, 5};
  s.read = {9, 8.5, 11, 5};
  const auto rows = build_lessons(c, ModelFigures{}, s, MachineLoad{});
  const Lesson& a = row(rows, "access_speed");
  CHECK(!a.classic.holds);
  CHECK(a.classic.verdict == "does not hold on CPython <= 3.10: slots faster only within the spread");
  CHECK(a.classic.text.find("(8.00-12.00)") != std::string::npos);  // every timing with its spread
}

TEST_CASE("lessons: the CPython column from the script's figures, with its version in every verdict") {
  auto rows = build_lessons(classic_model(), ModelFigures{}, slots_figures(), MachineLoad{});
  add_cpython_column(rows, parse_cpython_figures(testing::cpython_fixture()));
  for (const Lesson& l : rows) {
    CAPTURE(l.id);
    CHECK(l.cpython.available);
    CHECK(l.cpython.verdict.find("on CPython 3.11.2") != std::string::npos);
    CHECK(l.summary.find(" / " + l.cpython.verdict) != std::string::npos);
  }
  CHECK(!row(rows, "dict_empty").cpython.holds);  // reading __dict__ allocated: no dict before
  CHECK(row(rows, "slots_saving").cpython.verdict == "does not hold on CPython 3.11.2: 1.55x at best, below 3x");
  CHECK(row(rows, "attribute_error").cpython.text == "AttributeError: 'Slots' object has no attribute 'charge'");
  CHECK(row(rows, "escape_hatch").cpython.verdict.find("every instance pays 32 B") != std::string::npos);
  CHECK(row(rows, "ten_million").cpython.text.find("x 2000") != std::string::npos);  // the scaling is stated

  // The verdict follows the figures: a plain instance 3.5x the slotted one holds.
  add_cpython_column(rows, parse_cpython_figures(testing::cpython_fixture(88 * 3.5)));
  CHECK(row(rows, "slots_saving").cpython.holds);
  CHECK(row(rows, "slots_saving").cpython.verdict == "holds on CPython 3.11.2");
}

TEST_CASE("lessons: without an interpreter the CPython column says why, in one line") {
  auto rows = build_lessons(classic_model(), ModelFigures{}, slots_figures(), MachineLoad{});
  add_cpython_column(rows, parse_cpython_figures(testing::cpython_fixture()));
  set_cpython_missing(rows, "not measured: python '/x': No such file or directory");
  for (const Lesson& l : rows) {
    CHECK(!l.cpython.available);
    CHECK(l.cpython.text.find("/x") != std::string::npos);
    CHECK(l.summary == l.classic.verdict);
  }
}

TEST_CASE("lessons: a loaded machine is reported beside the timings") {
  CHECK(!MachineLoad{0.2, 1.1, 2}.loaded());  // our own thread only
  CHECK(MachineLoad{3.5, 3.6, 2}.loaded());
  CHECK(MachineLoad{0.2, 3.0, 2}.loaded());   // load rose while we measured
  CHECK(!MachineLoad{-1, -1, 0}.loaded());    // unknown is not "loaded"
  CHECK(MachineLoad{3.5, 3.6, 2}.warning().find("load average 3.50 before, 3.60 after, 2 CPUs") !=
        std::string::npos);
  const auto rows = build_lessons(classic_model(), ModelFigures{}, slots_figures(), MachineLoad{3.5, 3.6, 2});
  CHECK(!row(rows, "access_speed").warning.empty());
  CHECK(row(rows, "slots_saving").warning.empty());  // bytes do not depend on load
  CHECK(load_average() >= 0);
  CHECK(online_cpus() >= 1);
}

TEST_CASE("lessons: a real run measures both models through the same path") {
  LessonOptions o;
  o.sample = 2000;
  o.big = 20000;
  o.build_big = false;
  o.repeats = 3;
  const LessonsReport r = measure_lessons_report(o);
  REQUIRE(r.rows.size() == std::size_t(kNumClaims));
  CHECK(r.classic.available);
  CHECK(r.shared_keys.layout == "shared-keys");
  // The column exists exactly when the layout does (it is looked up by name).
  CHECK(r.shared_keys.available == parse_layout(kSharedKeysLayout).has_value());
  for (const ModelFigures* m : {&r.classic, &r.shared_keys}) {
    if (!m->available) continue;
    CHECK(m->bytes_per_instance > 0);
    CHECK(m->read.repeats == 3);
    CHECK(m->read.min <= m->read.median);
    CHECK(m->read.median <= m->read.max);
    CHECK(m->update.min <= m->update.max);
  }
  // Reading __dict__ on the classic layout creates nothing.
  REQUIRE(r.classic.dict_bytes_touched);
  CHECK(*r.classic.dict_bytes_touched == r.classic.dict_bytes_untouched);
  CHECK(r.slots.attr_error_raised);
  CHECK(r.load.cpus >= 1);
  CHECK(r.classic.ten_m_how.find("x 10") != std::string::npos);  // extrapolated, and says from what
}
