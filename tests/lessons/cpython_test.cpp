// lessons/cpython: parsing measure_objects.py's JSON (a made-up document and
// the real ones captured from every installed CPython), running it, and
// failing cleanly without an interpreter or with one it does not support.
// No test needs a particular interpreter: the real documents are committed
// fixtures; the one live run uses the python3 on PATH.
#include "lessons/cpython.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "lessons/cpython_fixture.hpp"
#include "sim/io/json.hpp"

using namespace slotsim;

TEST_CASE("cpython: every figure of a fixed document is parsed") {
  const CPythonFigures f = parse_cpython_figures(testing::cpython_fixture());
  CHECK(f.version == "3.11.2");
  CHECK(f.major == 3);
  CHECK(f.minor == 11);
  CHECK(f.minor_version() == "3.11");
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
  CHECK(f.empty_plain_getsizeof == 56);
  CHECK(f.empty_slots == 32);
  CHECK(f.small_dict(1) == 232);
  CHECK(f.small_dict(11) == 640);
  CHECK(!f.small_dict(2));
  REQUIRE(f.comparisons.size() == 4);
  const auto* r = f.comparison("read");
  REQUIRE(r);
  CHECK(r->a == "plain");
  CHECK(r->b == "slots");
  CHECK(r->a_ns.size() == 9);
  CHECK(r->b_ns.size() == 9);
  CHECK(r->a_ns[0] == 20);
  CHECK(f.comparison("update_touched")->a == "plain_touched");
  CHECK(f.comparison("nothing") == nullptr);
  CHECK(f.timer == "thread_time");
  CHECK(f.unroll == 10);
  CHECK(f.pairs == 9);
  CHECK(f.loop_overhead_ns == 1.4);
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

TEST_CASE("cpython: the document of every CPython installed where the fixtures were taken parses") {
  const auto docs = testing::real_fixtures();
  // 3.6-3.13 from pyenv and Debian's 3.11.2: the fixtures are the
  // interpreters' own output, committed, so this runs anywhere.
  REQUIRE(docs.size() >= 9);
  for (const auto& [version, text] : docs) {
    CAPTURE(version);
    const CPythonFigures f = parse_cpython_figures(text);
    CHECK(f.version == version);
    CHECK(f.implementation == "cpython");
    CHECK(f.major == 3);
    CHECK(f.minor >= 6);
    CHECK(f.shapes.size() == 8);
    CHECK(f.comparisons.size() == 4);
    for (const auto& c : f.comparisons) {
      CAPTURE(c.id);
      CHECK(c.a_ns.size() == std::size_t(f.pairs));
      CHECK(c.b_ns.size() == c.a_ns.size());
      CHECK(c.number > 0);
    }
    // 3.6 has no time.thread_time; the script says which clock it used.
    CHECK(f.timer == (f.minor == 6 ? "process_time" : "thread_time"));
    CHECK(f.small_dicts.size() == 6);
    CHECK(f.attr_error_raised);
    CHECK(f.subclass_has_dict);
    CHECK(f.hatch_allows);
    for (const CPythonShape& s : f.shapes) {
      CAPTURE(s.kind);
      CHECK(s.shared_untouched > 0);
      CHECK(s.distinct_untouched > s.shared_untouched);
      CHECK(s.shared_touched.has_value() == (s.kind != "slots"));
    }
  }
}

TEST_CASE("cpython: a document missing a figure, or of another schema, is refused by name") {
  std::string doc = testing::cpython_fixture();
  const std::size_t at = doc.find("\"escape_hatch\"");
  REQUIRE(at != std::string::npos);
  doc.replace(at, 14, "\"escape_hatcx\"");
  CHECK_THROWS_WITH_AS(parse_cpython_figures(doc), "JSON: missing key \"escape_hatch\"", io::JsonError);
  CHECK_THROWS_AS(parse_cpython_figures("{\"schema\": 1}"), io::JsonError);
  try {
    parse_cpython_figures("{\"schema\": 1}");
  } catch (const io::JsonError& e) {
    CHECK(std::string(e.what()).find("different versions") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_cpython_figures("not json"), io::JsonError);
  std::string uneven = testing::cpython_fixture();
  const std::size_t b = uneven.find("\"b_ns\": [");
  uneven.insert(b + 9, "1.0, ");
  CHECK_THROWS_WITH_AS(parse_cpython_figures(uneven),
                       "JSON: timing read: a_ns and b_ns must be the same non-empty length", io::JsonError);
}

TEST_CASE("cpython: timing processes merge into one set of figures, split again by process") {
  // A --timing-only document parses on its own ...
  const CPythonFigures t = parse_cpython_timing(testing::cpython_timing_fixture(21, 14));
  CHECK(t.version == "3.11.2");
  CHECK(t.mode == "timing-only");
  CHECK(t.shapes.empty());
  CHECK(t.comparison("read")->a_ns.size() == 9);
  CHECK(t.comparison("read")->process_pairs == std::vector<int>{9});
  // ... and a whole document's timing part too (a stand-in interpreter may
  // print the same whole document every time).
  CHECK(parse_cpython_timing(testing::cpython_fixture()).comparisons.size() == 4);
  CPythonFigures f = parse_cpython_figures(testing::cpython_fixture());
  CHECK(f.processes == 1);
  merge_process_timing(f, t);
  merge_process_timing(f, parse_cpython_timing(testing::cpython_timing_fixture(22, 14)));
  CHECK(f.processes == 3);
  CHECK(f.pairs == 27);
  CHECK(f.load_after == 1.3);  // the last process's
  CHECK(f.shapes.size() == 8);  // the first process's bytes stay
  for (const auto& c : f.comparisons) {
    CAPTURE(c.id);
    CHECK(c.a_ns.size() == 27);
    CHECK(c.process_pairs == std::vector<int>{9, 9, 9});
  }
  const auto parts = f.comparison("read")->by_process();
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].a.front() == 20);
  CHECK(parts[1].a.front() == 21);
  CHECK(parts[2].a.front() == 22);
  CHECK(parts[2].b.size() == 9);
  // Another interpreter's timings, or one lacking a comparison, are refused
  // and leave the figures as they were.
  std::string other = testing::cpython_timing_fixture();
  other.replace(other.find("\"3.11.2\""), 8, "\"3.12.1\"");
  CHECK_THROWS_AS(merge_process_timing(f, parse_cpython_timing(other)), io::JsonError);
  std::string lacking = testing::cpython_timing_fixture();
  lacking.replace(lacking.find("\"read_touched\""), 14, "\"read_tuoched\"");
  CHECK_THROWS_WITH_AS(merge_process_timing(f, parse_cpython_timing(lacking)),
                       "measure_objects.py: a timing process has no 'read_touched' timing like the first's",
                       io::JsonError);
  CHECK(f.processes == 3);
  CHECK(f.comparison("update")->a_ns.size() == 27);
  // A timing document without the reads is refused where it is parsed.
  std::string no_read = testing::cpython_timing_fixture();
  no_read.replace(no_read.find("\"read\""), 6, "\"raed\"");
  CHECK_THROWS_AS(parse_cpython_timing(no_read), io::JsonError);
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

TEST_CASE("cpython: an interpreter the script does not support says so in one line (2.7's own words)") {
  // What measure_objects.py printed under 2.7.18, replayed by a stand-in
  // interpreter so the test needs no 2.7.
  testing::TempDir d;
  const std::string said = testing::read_text(SLOTSIM_SOURCE_DIR "/tests/lessons/fixtures/measure_objects-2.7.18.stderr");
  REQUIRE(said.find("is not supported") != std::string::npos);
  const std::string fake = d.file("python2.7");
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\ncat " << SLOTSIM_SOURCE_DIR "/tests/lessons/fixtures/measure_objects-2.7.18.stderr >&2\nexit 3\n";
  }
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  const CPythonRun r = run_cpython_script(fake, SLOTSIM_SOURCE_DIR "/assets/python/measure_objects.py", true);
  CHECK(!r.ok);
  CHECK(r.error.find("exit status 3") != std::string::npos);
  CHECK(r.error.find("Python 2.7 is not supported (it needs CPython 3.6 or later)") != std::string::npos);
  CHECK(r.error.find('\n') == std::string::npos);
}

TEST_CASE("cpython: the shipped script is found, and the default interpreter is the python3 on PATH") {
  std::string looked;
  const auto s = find_measure_script(&looked);
  REQUIRE(s);
  CHECK(std::filesystem::path(*s).filename() == "measure_objects.py");
  CHECK(default_python() == "python3");
}

TEST_CASE("cpython: the script's --quick output on the python3 on PATH parses into every figure the table needs") {
  const auto script = find_measure_script();
  REQUIRE(script);
  const CPythonRun r = run_cpython_script(default_python(), *script, true);
  INFO(r.error);
  REQUIRE(r.ok);
  const CPythonFigures& f = r.figures;
  CHECK(f.mode == "quick");
  CHECK(f.major == 3);
  CHECK(f.shapes.size() == 8);
  CHECK(f.comparisons.size() == 4);
  // Quick: 3 processes of 3 pairs (the first also measured the bytes),
  // the first with a hash seed slotsim chose.
  CHECK(f.processes == cpython_processes(true));
  CHECK(f.pairs == 9);
  for (const auto& c : f.comparisons) CHECK(c.process_pairs == std::vector<int>{3, 3, 3});
  const io::Json doc = io::parse_json_text(f.raw_json);
  CHECK(doc.at("python").at("hash_seed").is_string());
  CHECK(f.ten_m_scale * double(f.instances) == doctest::Approx(1e7));
  CHECK(!f.ten_m_scaling.empty());
}
