// sim/cpython: parsing measure_objects.py's JSON, running it, and failing
// cleanly without an interpreter. No test depends on a value CPython gives.
#include "lessons/cpython.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include "lessons/cpython_fixture.hpp"
#include "sim/io/json.hpp"

using namespace slotsim;

TEST_CASE("cpython: every figure of a fixed document is parsed") {
  const CPythonFigures f = parse_cpython_figures(testing::cpython_fixture());
  CHECK(f.version == "3.11.2");
  CHECK(f.major == 3);
  CHECK(f.minor == 11);
  CHECK(f.implementation == "cpython");
  CHECK(f.mode == "quick");
  CHECK(f.instances == 5000);
  REQUIRE(f.shapes.size() == 8);
  const CPythonShape* p7 = f.shape(7, "plain");
  REQUIRE(p7);
  CHECK(p7->has_dict);
  CHECK(p7->shared_untouched == 136);
  CHECK(p7->distinct_untouched == 136 + 24 * 7);
  REQUIRE(p7->shared_touched);
  CHECK(*p7->shared_touched == 200);
  CHECK(p7->getsizeof_dict == 296);
  const CPythonShape* s3 = f.shape(3, "slots");
  REQUIRE(s3);
  CHECK(!s3->has_dict);
  CHECK(!s3->shared_touched);
  CHECK(!s3->getsizeof_dict);
  CHECK(f.shape(5, "plain") == nullptr);
  CHECK(f.empty_plain_untouched == 72);
  CHECK(f.empty_plain_touched == 136);
  CHECK(f.empty_slots == 32);
  REQUIRE(f.timing("plain_touched"));
  CHECK(f.timing("plain_touched")->read.median == 36);
  CHECK(f.timing("slots")->update.min == 15);
  CHECK(f.timing("slots")->update.max == 17);
  CHECK(f.timing("slots")->read.repeats == 5);
  CHECK(f.timing("loop_overhead") == nullptr);  // kept apart
  CHECK(f.loop_overhead.median == 14);
  CHECK(f.attr_error_raised);
  CHECK(f.attr_error_message == "'Slots' object has no attribute 'charge'");
  CHECK(f.subclass_has_dict);
  CHECK(f.inherit_extra_untouched == 40);
  CHECK(f.inherit_extra_touched == 104);
  CHECK(f.hatch_allows);
  CHECK(f.hatch_unused == 32);
  CHECK(f.hatch_added == 0);
  CHECK(f.ten_m_scale == 2000);
  CHECK(f.ten_m_dict_untouched == 480000000);
  CHECK(f.ten_m_scaling.find("x 2000") != std::string::npos);
  CHECK(f.load_before == 0.5);
  CHECK(f.cpus == 2);
  CHECK(!f.raw_json.empty());
}

TEST_CASE("cpython: a document missing a figure is refused by name") {
  std::string doc = testing::cpython_fixture();
  const std::size_t at = doc.find("\"escape_hatch\"");
  REQUIRE(at != std::string::npos);
  doc.replace(at, 14, "\"escape_hatcx\"");
  CHECK_THROWS_WITH_AS(parse_cpython_figures(doc), "JSON: missing key \"escape_hatch\"", io::JsonError);
  CHECK_THROWS_AS(parse_cpython_figures("{\"schema\": 2}"), io::JsonError);
  CHECK_THROWS_AS(parse_cpython_figures("not json"), io::JsonError);
}

TEST_CASE("cpython: no interpreter is a normal outcome with one line, not an exception") {
  const std::string script = SLOTSIM_SOURCE_DIR "/assets/python/measure_objects.py";
  const CPythonRun r = run_cpython_script("/nonexistent/python3", script, true);
  CHECK(!r.ok);
  CHECK(r.error.find("/nonexistent/python3") != std::string::npos);
  CHECK(r.error.find('\n') == std::string::npos);
  // An interpreter that runs but exits non-zero (here: no such script).
  const CPythonRun r2 = run_cpython_script(default_python(), "/nonexistent/script.py", true);
  CHECK(!r2.ok);
  CHECK(r2.error.find("exit status") != std::string::npos);
}

TEST_CASE("cpython: the shipped script is found") {
  std::string looked;
  const auto s = find_measure_script(&looked);
  REQUIRE(s);
  CHECK(std::filesystem::path(*s).filename() == "measure_objects.py");
}

TEST_CASE("cpython: the script's --quick output parses into every figure the table needs") {
  const auto script = find_measure_script();
  REQUIRE(script);
  const CPythonRun r = run_cpython_script(default_python(), *script, true);
  INFO(r.error);
  REQUIRE(r.ok);
  const CPythonFigures& f = r.figures;
  CHECK(f.mode == "quick");
  CHECK(f.major == 3);
  CHECK(f.shapes.size() == 8);
  // Structure and sanity only: bytes are positive, a spread is ordered.
  for (const CPythonShape& s : f.shapes) {
    CAPTURE(s.kind);
    CHECK(s.shared_untouched > 0);
    CHECK(s.distinct_untouched >= s.shared_untouched);
    CHECK(s.shared_touched.has_value() == (s.kind != "slots"));
  }
  for (const CPythonFigures::Timing& t : f.timings) {
    CHECK(t.read.min <= t.read.median);
    CHECK(t.read.median <= t.read.max);
    CHECK(t.read.repeats >= 3);
  }
  CHECK(f.ten_m_scale * double(f.instances) == doctest::Approx(1e7));
  CHECK(!f.ten_m_scaling.empty());
}
