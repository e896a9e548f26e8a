// lessons/lessons: the claims table's structure and verdict wording from
// fixed figures, the interpreter columns from the documents captured on
// every installed CPython (committed fixtures: no interpreter needed), and
// one small real run of the models.
#include "lessons/lessons.hpp"

#include <doctest/doctest.h>

#include <set>

#include "lessons/cpython_fixture.hpp"
#include "sim/layouts/layout.hpp"

using namespace slotsim;

namespace {

const char* const kIds[kNumClaims] = {"dict_empty", "slots_saving", "three_fields", "access_speed",
                                      "attribute_error", "inheritance", "escape_hatch", "ten_million"};

Spread sp(double m) { return {m, m * 0.9, m * 1.1, 5}; }
PairedVerdict pv(double a, double b) {
  std::vector<double> x, y;
  for (int k = 0; k < kDefaultPairs; ++k) {
    x.push_back(a * (1 + 0.001 * (k % 3)));
    y.push_back(b * (1 + 0.001 * (k % 2)));
  }
  return decide_faster(x, y);
}

ModelFigures model(const char* layout, const char* stands_for, double bytes, double dict, double read_ns) {
  ModelFigures m;
  m.layout = layout;
  m.stands_for = stands_for;
  m.available = true;
  m.bytes_per_instance = bytes;
  m.dict_bytes_untouched = dict;
  m.dict_bytes_touched = dict;
  m.bytes_touched = bytes;
  m.three_bytes = bytes / 2;
  m.read = pv(read_ns, 1);
  m.update = pv(read_ns, 1);
  m.read_ns = sp(read_ns);
  m.update_ns = sp(read_ns);
  m.ten_m_dict_bytes = dict * 1e7;
  m.ten_m_how = "extrapolated";
  return m;
}
std::vector<ModelFigures> models() {
  return {model("dict", "CPython <= 3.2", 288, 272, 10), model("split-keys", "CPython 3.3-3.10", 128, 112, 3),
          model("shared-keys", "CPython 3.11-3.13", 104, 0, 1)};
}
SlotsFigures slots_figures() {
  SlotsFigures s;
  s.bytes_per_instance = 64;
  s.three_bytes = 32;
  s.read_ns = sp(1);
  s.update_ns = sp(1);
  s.attr_error_raised = true;
  s.attr_error = "AttributeError: 'Particle' object has no attribute 'charge'";
  s.inherit_before = 64;
  s.inherit_after = 216;
  s.hatch_unused = 8;
  s.hatch_one = 144;
  s.empty_dict = 160;
  return s;
}
const Lesson& row(const std::vector<Lesson>& rows, const char* id) {
  for (const Lesson& l : rows)
    if (l.id == id) return l;
  FAIL("no row " << id);
  return rows.front();
}
InterpreterRun run_of(const std::string& text) { return {"python3", true, "", parse_cpython_figures(text)}; }

}  // namespace

TEST_CASE("lessons: eight claims in the lecture's order, a cell per model, each naming its versions") {
  const auto rows = build_lessons(models(), slots_figures(), MachineLoad{0.1, 1.0, 2});
  REQUIRE(rows.size() == std::size_t(kNumClaims));
  for (int i = 0; i < kNumClaims; ++i) {
    const Lesson& l = rows[std::size_t(i)];
    CAPTURE(l.id);
    CHECK(l.id == kIds[i]);
    CHECK(!l.claim.empty());
    CHECK(!l.lecture.empty());
    CHECK(!l.why.empty());
    REQUIRE(l.models.size() == 3);
    CHECK(l.measured.empty());
    for (const ClaimCell& c : l.models) {
      CHECK(c.available);
      CHECK(!c.measured);
      CHECK(c.verdict.find("on " + c.stands_for + " (model)") != std::string::npos);
    }
    CHECK(l.summary.rfind("measured: no interpreter measured. slotsim models: dict (CPython <= 3.2) ", 0) == 0);
  }
  // The lecture's own figures are in its column.
  CHECK(row(rows, "dict_empty").lecture.find("232 B") != std::string::npos);
  CHECK(row(rows, "three_fields").lecture == "~260 B -> ~56 B");
  CHECK(row(rows, "slots_saving").lecture == "3-4x");
  CHECK(row(rows, "ten_million").lecture == "> 2 GB");
  // Each era's model gets its own verdict.
  const Lesson& s = row(rows, "slots_saving");
  CHECK(s.models[0].outcome == Outcome::Holds);  // 4.5x
  CHECK(s.models[0].verdict == "holds on CPython <= 3.2 (model): 4.50x, more than the lecture's 3-4x");
  CHECK(s.models[1].verdict == "does not hold on CPython 3.3-3.10 (model): 2.00x, below the lecture's 3-4x");
  CHECK(s.models[2].outcome == Outcome::DoesNotHold);
  CHECK(row(rows, "dict_empty").models[2].outcome == Outcome::DoesNotHold);  // no dict before __dict__ is read
  CHECK(row(rows, "ten_million").models[0].outcome == Outcome::Holds);
  CHECK(row(rows, "ten_million").models[1].outcome == Outcome::DoesNotHold);  // 1.12 GB
  CHECK(row(rows, "access_speed").models[0].outcome == Outcome::Holds);  // 10x, tight
  CHECK(row(rows, "access_speed").warning.empty());
}

TEST_CASE("lessons: a speed cell says when the machine cannot resolve a difference") {
  std::vector<ModelFigures> m = models();
  // Reads a clear win, updates 3% apart: inside the rule's gap.
  m[2].read = pv(1.5, 1);
  m[2].update = pv(1.03, 1);
  const auto rows = build_lessons(m, slots_figures(), MachineLoad{});
  const ClaimCell& c = row(rows, "access_speed").models[2];
  CHECK(c.outcome == Outcome::Unresolved);
  CHECK(c.verdict.rfind("no difference this machine can resolve on CPython 3.11-3.13 (model)", 0) == 0);
  CHECK(c.verdict.find("99% CI") != std::string::npos);
  CHECK(c.text.find("(0.90-1.10)") != std::string::npos);  // every timing with its spread
}

TEST_CASE("lessons: one measured column per interpreter, each verdict naming its exact version") {
  auto rows = build_lessons(models(), slots_figures(), MachineLoad{});
  std::vector<InterpreterRun> runs;
  for (const auto& [v, text] : testing::real_fixtures()) runs.push_back(run_of(text));
  runs.push_back({"/opt/python2.7", false, "exit status 3 (Python 2.7 is not supported)", {}});
  set_interpreter_columns(rows, runs);
  for (const Lesson& l : rows) {
    CAPTURE(l.id);
    REQUIRE(l.measured.size() == runs.size());
    for (std::size_t k = 0; k + 1 < l.measured.size(); ++k) {
      const ClaimCell& c = l.measured[k];
      CHECK(c.available);
      CHECK(c.measured);
      CHECK(c.column == "CPython " + c.stands_for);
      CHECK(c.verdict.find("on CPython " + c.stands_for) != std::string::npos);
    }
    // Sorted by version; the failed run last, saying why.
    CHECK(l.measured.front().stands_for == "3.6.15");
    CHECK(!l.measured.back().available);
    CHECK(l.measured.back().text.find("not supported") != std::string::npos);
    CHECK(l.summary.rfind("measured: ", 0) == 0);
  }
  // The versions the captured figures put on each side, named exactly.
  const Lesson& e = row(rows, "dict_empty");
  CHECK(e.summary.find("holds on CPython 3.6.15-3.10.13 (+0 B on reading __dict__)") != std::string::npos);
  CHECK(e.summary.find("does not hold on CPython 3.11.2-3.13.0 (+64 B on reading __dict__)") != std::string::npos);
  CHECK(row(rows, "slots_saving").summary.find("does not hold on CPython 3.6.15-3.7.16 (2.15x), 3.8.18-3.10.13 (2.18x)") !=
        std::string::npos);
  const Lesson& t = row(rows, "ten_million");
  for (const ClaimCell& c : t.measured)
    if (c.available) CHECK(c.outcome == Outcome::DoesNotHold);  // 0.5-1.3 GB everywhere
  for (const ClaimCell& c : row(rows, "attribute_error").measured)
    if (c.available) CHECK(c.outcome == Outcome::Holds);
  // The lecture's figures, explained from what was measured.
  CHECK(e.lecture_note.find("232 B on 3.8.18, 3.9.18, 3.10.13") != std::string::npos);
  CHECK(row(rows, "three_fields").lecture_note.find("~56 B = sys.getsizeof of a 3-field slotted instance") == 0);
  CHECK(row(rows, "three_fields").lecture_note.find("nearest is") != std::string::npos);
  CHECK(t.lecture_note.find("2.32 GB") != std::string::npos);
  CHECK(!row(rows, "slots_saving").lecture_note.empty());
}

TEST_CASE("lessons: the CPython verdicts follow the figures (steered with a made-up document)") {
  auto rows = build_lessons(models(), slots_figures(), MachineLoad{});
  const auto runs = [](const CPythonFigures& f) { return std::vector<InterpreterRun>{{"python3", true, "", f}}; };
  set_interpreter_columns(rows, runs(testing::cpython_processes_fixture(kCPythonProcesses)));
  CHECK(row(rows, "slots_saving").measured[0].verdict ==
        "does not hold on CPython 3.11.2: 1.55x, below the lecture's 3-4x");
  CHECK(row(rows, "escape_hatch").measured[0].verdict.find("every instance pays it") != std::string::npos);
  CHECK(row(rows, "access_speed").measured[0].outcome == Outcome::Holds);  // 20 vs 14 ns, tight processes
  CHECK(row(rows, "access_speed").measured[0].text.find(std::to_string(kCPythonProcesses) + " processes, " +
                                                           std::to_string(9 * kCPythonProcesses) + " pairs") != std::string::npos);
  set_interpreter_columns(rows, runs(testing::cpython_processes_fixture(kCPythonProcesses, 88 * 3.5, 14, {14})));
  CHECK(row(rows, "slots_saving").measured[0].outcome == Outcome::Holds);
  CHECK(row(rows, "access_speed").measured[0].outcome == Outcome::DoesNotHold);  // equal, tight
  CHECK(row(rows, "access_speed").summary.find("does not hold on CPython 3.11.2") != std::string::npos);
  // One process alone decides nothing, however tight its pairs: its pairs
  // share everything its start fixed (lessons/verdict.hpp).
  set_interpreter_columns(rows, {run_of(testing::cpython_fixture())});
  CHECK(row(rows, "access_speed").measured[0].outcome == Outcome::Unresolved);
  // One odd process among them (slots 0.55x as fast in it, as in a real
  // quiet run of 3.11.7) does not turn a clear win into "does not hold";
  // here it does not even unsettle it.
  std::vector<double> b(kCPythonProcesses, 14);
  b[3] = 20 / 0.55;
  set_interpreter_columns(rows, runs(testing::cpython_processes_fixture(kCPythonProcesses, 136, 20, b)));
  CHECK(row(rows, "access_speed").measured[0].outcome == Outcome::Holds);
}

TEST_CASE("lessons: the three ways of counting are explained, with each interpreter's own figures") {
  CHECK(counting_explanation().find("getsizeof") != std::string::npos);
  CHECK(counting_explanation().find("tracemalloc") != std::string::npos);
  std::vector<InterpreterRun> runs;
  for (const auto& [v, text] : testing::real_fixtures()) runs.push_back(run_of(text));
  const auto ex = counting_examples(runs);
  REQUIRE(ex.size() == runs.size());
  CHECK(ex.front().rfind("CPython 3.6.15", 0) == 0);
  for (const std::string& e : ex) CHECK(e.find("--python-objects=3.") != std::string::npos);
}

TEST_CASE("lessons: version ranges collapse consecutive minor versions") {
  CHECK(version_ranges({"3.6.15", "3.7.16"}) == "3.6.15-3.7.16");
  CHECK(version_ranges({"3.10.13", "3.6.15", "3.7.16", "3.9.18"}) == "3.6.15-3.7.16, 3.9.18-3.10.13");
  CHECK(version_ranges({"3.11.2", "3.11.7", "3.12.1"}) == "3.11.2-3.12.1");
  CHECK(version_ranges({"3.8.18"}) == "3.8.18");
}

TEST_CASE("lessons: a loaded machine is reported beside the timings") {
  CHECK(!MachineLoad{0.2, 1.1, 2}.loaded());  // our own thread only
  CHECK(MachineLoad{3.5, 3.6, 2}.loaded());
  CHECK(MachineLoad{0.2, 3.0, 2}.loaded());   // load rose while we measured
  CHECK(!MachineLoad{-1, -1, 0}.loaded());    // unknown is not "loaded"
  CHECK(MachineLoad{3.5, 3.6, 2}.warning().find("load average 3.50 before, 3.60 after, 2 CPUs") != std::string::npos);
  const auto rows = build_lessons(models(), slots_figures(), MachineLoad{3.5, 3.6, 2});
  CHECK(!row(rows, "access_speed").warning.empty());
  CHECK(row(rows, "slots_saving").warning.empty());  // bytes do not depend on load
  CHECK(load_average() >= 0);
  CHECK(online_cpus() >= 1);
}

TEST_CASE("lessons: a real run measures every era's model through the same path") {
  LessonOptions o;
  o.sample = 2000;
  o.big = 20000;
  o.build_big = false;
  o.pairs = 9;
  const LessonsReport r = measure_lessons_report(o);
  REQUIRE(r.rows.size() == std::size_t(kNumClaims));
  REQUIRE(r.models.size() == 3);
  std::set<std::string> names;
  for (const ModelFigures& m : r.models) {
    CAPTURE(m.layout);
    names.insert(m.layout);
    CHECK(m.available);
    CHECK(m.stands_for.rfind("CPython", 0) == 0);
    CHECK(m.bytes_per_instance > 0);
    CHECK(m.read.pairs == 9);
    CHECK(m.read_ns.min <= m.read_ns.median);
    CHECK(m.update_ns.min <= m.update_ns.max);
    CHECK(m.ten_m_how.find("x 10") != std::string::npos);  // extrapolated, and says from what
    REQUIRE(m.dict_bytes_touched);
  }
  CHECK(names == std::set<std::string>{"dict", "split-keys", "shared-keys"});
  // Reading __dict__ creates nothing on the models whose instances have a dict.
  CHECK(*r.models[0].dict_bytes_touched == r.models[0].dict_bytes_untouched);
  CHECK(*r.models[1].dict_bytes_touched == r.models[1].dict_bytes_untouched);
  CHECK(*r.models[2].dict_bytes_touched > r.models[2].dict_bytes_untouched);
  CHECK(r.models[1].bytes_per_instance == doctest::Approx(128).epsilon(0.01));
  CHECK(r.slots.attr_error_raised);
  CHECK(r.load.cpus >= 1);
}
