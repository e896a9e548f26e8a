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

// dict at 288 B/inst (10 ms steps), then soa at 56 B/inst (2 ms steps).
CompareTable two_layouts() {
  CompareTable t;
  t.observe(Layout::Dict, 1000, bytes_of(8000, 272000, 8000, 0), StepSummary{4, 10, 9, 12});
  t.observe_switch(Layout::Dict, Layout::Soa, 123.5, 400 << 20);
  t.observe(Layout::Soa, 1000, bytes_of(0, 0, 0, 56000), StepSummary{3, 2, 1.5, 3});
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

TEST_CASE("compare: a return visit's first steps do not replace settled figures") {
  CompareTable t = two_layouts();
  t.observe_switch(Layout::Soa, Layout::Dict, 50, 1);  // back to dict: the old steps are cleared
  CHECK(t.row(Layout::Dict).steps.steps == 0);
  t.observe(Layout::Dict, 1000, bytes_of(8000, 272000, 8000, 0), StepSummary{6, 20, 19, 21});
  CHECK(t.row(Layout::Dict).steps.median_ms == 20);
  // A later one-step figure (after a restart) does not replace six steps...
  t.observe(Layout::Dict, 1000, bytes_of(8000, 272000, 8000, 0), StepSummary{1, 99, 99, 99});
  CHECK(t.row(Layout::Dict).steps.median_ms == 20);
  // ...but no steps at all keeps them too, and clear() forgets everything.
  t.observe(Layout::Dict, 1000, bytes_of(8000, 272000, 8000, 0), StepSummary{});
  CHECK(t.row(Layout::Dict).steps.steps == 6);
  t.clear();
  CHECK(t.visited() == 0);
  CHECK_FALSE(t.current());
}

TEST_CASE("compare: the tour visits every layout from the current one, K steps each") {
  Tour tour(Layout::Slots, 3);
  // Order: slots, slots+dict, aos, soa, dict (kAllLayouts rotated).
  std::vector<Layout> requested;
  Layout current = Layout::Slots;
  std::uint64_t steps = 0;
  for (int frame = 0; frame < 200 && !tour.done(); ++frame) {
    if (auto l = tour.next(current, current, steps, true)) {
      requested.push_back(*l);
      current = *l;  // the switch is applied by the next frame
      steps = 0;
    } else {
      ++steps;  // one step per frame
    }
  }
  CHECK(tour.done());
  std::vector<Layout> expected;  // kAllLayouts rotated to start after slots
  const int from = static_cast<int>(Layout::Slots);
  for (int i = 1; i < kNumLayouts; ++i) expected.push_back(kAllLayouts[(from + i) % kNumLayouts]);
  CHECK(requested == expected);
  CHECK(steps >= 3);
}

TEST_CASE("compare: the tour waits while busy and skips a layout whose conversion was refused") {
  Tour tour(Layout::Dict, 1);
  CHECK_FALSE(tour.next(Layout::Dict, Layout::Dict, 5, false));  // not idle: nothing happens
  CHECK(tour.stop() == 0);
  CHECK_FALSE(tour.next(Layout::Dict, Layout::Dict, 5, true));  // dict done
  CHECK(tour.stop() == 1);
  REQUIRE(tour.next(Layout::Dict, Layout::Dict, 5, true) == Layout::Slots);
  // Applied, still in dict: refused; the tour moves on to slots+dict.
  CHECK_FALSE(tour.next(Layout::Dict, Layout::Dict, 6, true));
  CHECK(tour.stop() == 2);
  CHECK(tour.next(Layout::Dict, Layout::Dict, 6, true) == Layout::SlotsDict);
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

