// The Compare panel's data model (host/compare.hpp): rows kept per layout,
// ratios, the tour's order and stops, and the three export formats.
#include "host/compare.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "sim/fixtures.hpp"
#include "sim/io/json.hpp"

using namespace slotsim;
using namespace slotsim::host;

namespace {

LayoutBytes bytes_of(long long objects, long long tables, long long index, long long columns) {
  LayoutBytes b;
  b.objects = objects;
  b.tables = tables;
  b.index = index;
  b.columns = columns;
  b.blocks = 7;
  return b;
}

// dict at 288 B/inst, then soa at 56 B/inst, each measured by one tour
// visit (dict: 10 ms steps, soa: 2 ms), on a 2-core machine at load 1.
CompareTable two_layouts() {
  CompareTable t(2);
  t.observe(Layout::Dict, 1000, bytes_of(8000, 272000, 8000, 0), StepSummary{4, 10, 9, 12}, 1.0);
  t.add_visit(Layout::Dict, {9, 10, 12, 10}, 1.0);
  t.observe_switch(Layout::Dict, Layout::Soa, 123.5, 400 << 20);
  t.observe(Layout::Soa, 1000, bytes_of(0, 0, 0, 56000), StepSummary{3, 2, 1.5, 3}, 1.0);
  t.add_visit(Layout::Soa, {1.5, 2, 3}, 1.0);
  return t;
}

}  // namespace

TEST_CASE("compare: rows are kept after switching away, the current one is the last seen") {
  const CompareTable t = two_layouts();
  CHECK(t.visited() == 2);
  REQUIRE(t.current());
  CHECK(*t.current() == Layout::Soa);
  const CompareRow& d = t.row(Layout::Dict);
  CHECK(d.visited);
  CHECK(d.per_instance() == doctest::Approx(288.0));
  CHECK(d.steps.median_ms == 10);
  CHECK(d.steps.min_ms == 9);
  CHECK(d.steps.max_ms == 12);
  CHECK_FALSE(d.live);
  CHECK(d.rounds == 1);
  CHECK_FALSE(d.converted);
  const CompareRow& s = t.row(Layout::Soa);
  CHECK(s.converted);
  CHECK(s.converted_from == Layout::Dict);
  CHECK(s.convert_ms == doctest::Approx(123.5));
  CHECK(s.peak_heap == 400 << 20);
  CHECK_FALSE(t.row(Layout::Slots).visited);
  CHECK(t.max_per_instance() == doctest::Approx(288.0));
}

TEST_CASE("compare: ratios to dict and soa, and none for an unvisited layout") {
  const CompareTable t = two_layouts();
  CHECK(*t.bytes_ratio(Layout::Soa, Layout::Dict) == doctest::Approx(56.0 / 288.0));
  CHECK(*t.bytes_ratio(Layout::Dict, Layout::Soa) == doctest::Approx(288.0 / 56.0));
  CHECK(*t.step_ratio(Layout::Dict, Layout::Soa) == doctest::Approx(5.0));
  CHECK_FALSE(t.bytes_ratio(Layout::Slots, Layout::Dict));
  CHECK_FALSE(t.step_ratio(Layout::Aos, Layout::Soa));
}

TEST_CASE("compare: live figures fill a row until it is measured, measured ones are never replaced by live ones") {
  CompareTable t(2);
  t.observe(Layout::Dict, 1000, bytes_of(8000, 272000, 8000, 0), StepSummary{6, 20, 19, 21}, 0.5);
  CHECK(t.row(Layout::Dict).live);
  CHECK(t.row(Layout::Dict).steps.median_ms == 20);
  // A later one-step live figure (after a restart) does not replace six steps...
  t.observe(Layout::Dict, 1000, bytes_of(8000, 272000, 8000, 0), StepSummary{1, 99, 99, 99}, 0.5);
  CHECK(t.row(Layout::Dict).steps.median_ms == 20);
  // ...and no steps at all keeps them too.
  t.observe(Layout::Dict, 1000, bytes_of(8000, 272000, 8000, 0), StepSummary{}, 0.5);
  CHECK(t.row(Layout::Dict).steps.steps == 6);
  // A live row and a measured one are not compared.
  t.observe(Layout::Soa, 1000, bytes_of(0, 0, 0, 56000), StepSummary{}, 0.5);
  t.add_visit(Layout::Soa, {2, 2, 2}, 0.5);
  CHECK_FALSE(t.step_ratio(Layout::Dict, Layout::Soa));
  // A measurement replaces the live window; a live window never replaces it.
  t.add_visit(Layout::Dict, {10, 11, 12}, 3.0);
  CHECK_FALSE(t.row(Layout::Dict).live);
  CHECK(t.row(Layout::Dict).steps.median_ms == 11);
  t.observe(Layout::Dict, 1000, bytes_of(8000, 272000, 8000, 0), StepSummary{50, 99, 99, 99}, 0.5);
  CHECK(t.row(Layout::Dict).steps.median_ms == 11);
  CHECK(*t.step_ratio(Layout::Dict, Layout::Soa) == doctest::Approx(5.5));
  // Visits pool: the median is over every measured step of every round.
  t.add_visit(Layout::Dict, {13, 14, 15}, 1.0);
  CHECK(t.row(Layout::Dict).rounds == 2);
  CHECK(t.row(Layout::Dict).steps.steps == 6);
  CHECK(t.row(Layout::Dict).steps.median_ms == doctest::Approx(12.5));
  // The load is the highest of its visits: 3.0 on two cores passed them.
  CHECK(t.row(Layout::Dict).load == 3.0);
  CHECK(t.loaded(t.row(Layout::Dict)));
  CHECK_FALSE(t.loaded(t.row(Layout::Soa)));
  // Re-measure discards every step figure and keeps the bytes.
  t.discard_steps();
  CHECK(t.row(Layout::Dict).steps.steps == 0);
  CHECK(t.row(Layout::Dict).samples.empty());
  CHECK(t.row(Layout::Dict).rounds == 0);
  CHECK(t.row(Layout::Dict).per_instance() == doctest::Approx(288.0));
  CHECK_FALSE(t.step_ratio(Layout::Dict, Layout::Soa));
  t.clear();
  CHECK(t.visited() == 0);
  CHECK_FALSE(t.current());
}

// Simulates the window loop: applies each requested switch (the layout's
// timing restarts), runs one step per frame, and records each finished
// visit. Returns the switches requested.
struct TourRun {
  std::vector<Layout> switches;
  std::vector<Tour::Visit> visits;
  std::uint64_t steps_at_end = 0;
};
TourRun run_tour(Tour& tour, Layout current, std::uint64_t steps) {
  TourRun r;
  for (int frame = 0; frame < 2000 && !tour.done(); ++frame) {
    const Tour::Action a = tour.next(current, current, steps, true);
    if (a.finished) r.visits.push_back(*a.finished);
    if (a.switch_to) {
      r.switches.push_back(*a.switch_to);
      current = *a.switch_to;  // the switch is applied by the next frame
      steps = 0;
    } else {
      ++steps;  // one step per frame
    }
  }
  r.steps_at_end = steps;
  return r;
}

TEST_CASE("compare: the tour visits every layout in interleaved rounds, K steps each, from the current one") {
  Tour tour(Layout::Slots, 3, 2);
  CHECK(tour.visits() == 2 * kNumLayouts);
  // The start layout had run 40 steps already: they do not count.
  const TourRun r = run_tour(tour, Layout::Slots, 40);
  CHECK(tour.done());
  // Round one from slots, then round two: slots again, and so on (A B C ... A B C).
  std::vector<Layout> order;
  const int from = static_cast<int>(Layout::Slots);
  for (int i = 0; i < kNumLayouts; ++i) order.push_back(kAllLayouts[(from + i) % kNumLayouts]);
  std::vector<Layout> expected(order.begin() + 1, order.end());
  expected.insert(expected.end(), order.begin(), order.end());
  CHECK(r.switches == expected);
  REQUIRE(r.visits.size() == std::size_t(2 * kNumLayouts));
  for (std::size_t i = 0; i < r.visits.size(); ++i) {
    CAPTURE(i);
    CHECK(r.visits[i].layout == order[i % kNumLayouts]);
    CHECK(r.visits[i].steps == 3);
    // The first visit starts at the 41st step of slots (after the 40 it
    // held); every other one at the first step after its switch.
    CHECK(r.visits[i].first == (i == 0 ? 40u : 0u));
  }
}

TEST_CASE("compare: the tour waits while busy and skips a layout whose conversion was refused") {
  Tour tour(Layout::Dict, 1, 1);
  CHECK_FALSE(tour.next(Layout::Dict, Layout::Dict, 5, false).finished);  // not idle: nothing happens
  CHECK(tour.visit() == 0);
  CHECK_FALSE(tour.next(Layout::Dict, Layout::Dict, 5, true).finished);  // the visit starts: steps from 5 on count
  const Tour::Action a = tour.next(Layout::Dict, Layout::Dict, 6, true);   // one step: dict done
  REQUIRE(a.finished);
  CHECK(a.finished->first == 5);
  CHECK(tour.visit() == 1);
  REQUIRE(a.switch_to == Layout::Slots);
  // Applied, still in dict: refused; the tour moves on to slots+dict.
  CHECK_FALSE(tour.next(Layout::Dict, Layout::Dict, 7, true).switch_to);
  CHECK(tour.visit() == 2);
  CHECK(tour.next(Layout::Dict, Layout::Dict, 7, true).switch_to == Layout::SlotsDict);
}

TEST_CASE("compare: CSV, JSON and Markdown exports hold every visited row and category") {
  const CompareTable t = two_layouts();
  CHECK(export_format_for("a.csv") == ExportFormat::Csv);
  CHECK(export_format_for("dir/a.json") == ExportFormat::Json);
  CHECK(export_format_for("a.md") == ExportFormat::Markdown);
  CHECK_FALSE(export_format_for("a.txt"));
  CHECK_FALSE(export_format_for(".csv"));

  const std::string csv = export_table(t, ExportFormat::Csv);
  std::istringstream lines(csv);
  std::string header, dict, soa, extra;
  std::getline(lines, header);
  std::getline(lines, dict);
  std::getline(lines, soa);
  CHECK_FALSE(std::getline(lines, extra));
  for (const ByteCategory& k : kByteCategories)
    CHECK(header.find(std::string(k.name) + "_B_per_instance") != std::string::npos);
  CHECK(std::count(header.begin(), header.end(), ',') == std::count(dict.begin(), dict.end(), ','));
  // objects, tables, index, columns, shared keys, py headers, floats, then the total
  CHECK(dict.rfind("dict,1000,8.00,272.00,8.00,0.00,0.00,0.00,0.00,288.00,", 0) == 0);
  CHECK(soa.find(",dict,123.5,400.00,") != std::string::npos);  // from, ms, peak MiB
  CHECK(soa.find(",0.194,1.000,0.200,1.000") != std::string::npos);  // ratios
  CHECK(header.find(",rounds,steps_live,load_average,loaded,") != std::string::npos);
  CHECK(soa.find(",1,false,1.00,false,") != std::string::npos);  // one measured round at load 1 on 2 cores

  const std::string json = export_table(t, ExportFormat::Json);
  const io::Json doc = io::parse_json_text(json);
  REQUIRE(doc["layouts"].size() == 2);
  CHECK(doc["layouts"][0]["layout"] == "dict");
  CHECK(doc["layouts"][0]["particles"] == 1000);
  CHECK(doc["layouts"][0]["converted_from"].is_null());
  CHECK(doc["layouts"][1]["converted_from"] == "dict");
  CHECK(doc["layouts"][1]["convert_ms"] == 123.5);
  // the same columns, in the same order, as the CSV header
  std::string keys;
  for (const auto& [k, v] : doc["layouts"][1].items()) keys += (keys.empty() ? "" : ",") + k;
  CHECK(keys == header);
  slotsim::testing::check_schema(doc, "compare_export");

  const std::string md = export_table(t, ExportFormat::Markdown);
  CHECK(md.rfind("| layout | N |", 0) == 0);
  CHECK(md.find("| `soa` | 1000 |") != std::string::npos);
  CHECK(std::count(md.begin(), md.end(), '\n') == 4);
}

