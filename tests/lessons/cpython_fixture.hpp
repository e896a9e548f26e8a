#pragma once
// measure_objects.py documents for the tests, so no test needs a particular
// interpreter:
//   * cpython_fixture(): a schema-2 document with made-up figures, to steer
//     one verdict at a time (`plain_bytes` sets the 7-field plain
//     instance's shared-float bytes, 88 B being the slotted one's; the
//     timing samples are given);
//   * cpython_timing_fixture() / cpython_processes_fixture(): a
//     --timing-only document, and figures merged from several processes as
//     run_cpython_script gives them (the speed verdict needs >= 8);
//   * real_fixtures(): the documents measure_objects.py --quick printed on
//     every CPython installed where they were captured (tests/lessons/
//     fixtures/measure_objects-<version>.json; re-capture with the command
//     in docs/CLAIMS.md after changing the script).
#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "lessons/cpython.hpp"
#include "sim/fixtures.hpp"

namespace slotsim::testing {

inline std::string samples(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// The "timing" part: 9 pairs, plain reads take `read_a`, slotted `read_b` ns
// (and updates the same with +4 ns), with a little spread.
inline std::string timing_fixture(double read_a, double read_b) {
  auto series = [](double m) {
    std::vector<double> v;
    for (double d : {0.0, 0.3, -0.2, 0.1, -0.1, 0.2, -0.3, 0.05, -0.05}) v.push_back(m + d);
    return samples(v);
  };
  auto cmp = [&](const char* id, const char* a, double ma, double mb) {
    return std::string("{\"id\": \"") + id + "\", \"a\": \"" + a + "\", \"b\": \"slots\", \"stmt\": \"o.x\", " +
           "\"number\": 1000, \"a_ns\": " + series(ma) + ", \"b_ns\": " + series(mb) + "}";
  };
  return std::string("\"timing\": {\"method\": \"paired timeit blocks\", \"timer\": \"thread_time\", \"unroll\": 10, ") +
         "\"pairs\": 9, \"comparisons\": [" + cmp("read", "plain", read_a, read_b) + ", " +
         cmp("update", "plain", read_a + 4, read_b + 4) + ", " + cmp("read_touched", "plain_touched", 36, read_b) + ", " +
         cmp("update_touched", "plain_touched", 45, read_b + 4) + "], \"loop_overhead_ns\": 1.4}";
}

inline const char* kFixturePython =
    "\"python\": {\"version\": \"3.11.2\", \"version_info\": [3, 11, 2], \"implementation\": \"cpython\", "
    "\"executable\": \"/usr/bin/python3\"}";

// A whole document of one process, timing as timing_fixture.
inline std::string cpython_fixture(double plain_bytes = 136, double read_a = 20, double read_b = 14) {
  auto shape = [](int f, const char* kind, bool dict, double b) {
    const std::string t = dict ? std::to_string(b + 64) : "null";
    return "{\"fields\": " + std::to_string(f) + ", \"kind\": \"" + kind + "\", \"has_dict\": " +
           (dict ? "true" : "false") + ", \"getsizeof_instance\": 56, \"getsizeof_dict\": " + (dict ? "296" : "null") +
           ", \"bytes\": {\"shared\": {\"untouched\": " + std::to_string(b) + ", \"touched\": " + t +
           "}, \"distinct\": {\"untouched\": " + std::to_string(b + 24 * f) + ", \"touched\": " +
           (dict ? std::to_string(b + 24 * f + 64) : "null") + "}}}";
  };
  return std::string("{\"schema\": 2, ") + kFixturePython + ", \"mode\": \"quick\", " +
         "\"instances\": 5000, \"cpus\": 2, \"shapes\": [" + shape(3, "plain", true, 96) + ", " +
         shape(3, "slots", false, 56) + ", " + shape(3, "slots_dict", true, 88) + ", " +
         shape(3, "subclass", true, 96) + ", " + shape(7, "plain", true, plain_bytes) + ", " +
         shape(7, "slots", false, 88) + ", " + shape(7, "slots_dict", true, 120) + ", " +
         shape(7, "subclass", true, 128) + "], " +
         "\"empty\": {\"plain\": {\"untouched\": 72, \"touched\": 136, \"getsizeof_instance\": 56, "
         "\"getsizeof_dict\": 72}, \"slots\": {\"untouched\": 32, \"touched\": null, \"getsizeof_instance\": 32, "
         "\"getsizeof_dict\": null}}, " +
         "\"small_dicts_getsizeof\": {\"0\": 64, \"1\": 232, \"5\": 232, \"6\": 360, \"10\": 360, \"11\": 640}, " +
         timing_fixture(read_a, read_b) + ", " +
         "\"attribute_error\": {\"raised\": true, \"type\": \"AttributeError\", \"message\": "
         "\"'Slots' object has no attribute 'charge'\"}, " +
         "\"inheritance\": {\"subclass_has_dict\": true, \"extra_bytes_untouched\": 40, \"extra_bytes_touched\": 104}, " +
         "\"escape_hatch\": {\"allows_new_attributes\": true, \"unused_bytes\": 32, "
         "\"bytes_added_by_first_attribute\": 0}, " +
         "\"ten_million\": {\"instances\": 10000000, \"measured_instances\": 5000, \"scale\": 2000, \"scaling\": "
         "\"bytes per instance measured on 5000 instances x 2000\", \"dict_bytes_untouched\": 480000000, "
         "\"dict_bytes_touched\": 1120000000, \"all_bytes_untouched\": 3040000000}, " +
         "\"load\": {\"before\": 0.5, \"after\": 1.2, \"cpus\": 2}}";
}

// A --timing-only document of the same interpreter (another process).
inline std::string cpython_timing_fixture(double read_a = 20, double read_b = 14) {
  return std::string("{\"schema\": 2, ") + kFixturePython + ", \"mode\": \"timing-only\", " +
         timing_fixture(read_a, read_b) + ", \"load\": {\"before\": 0.6, \"after\": 1.3, \"cpus\": 2}}";
}

// What run_cpython_script gives for the made-up interpreter: the whole
// document of the first process and `processes - 1` timing processes
// merged; read_b of process k is read_b[k] (the last value repeats).
inline CPythonFigures cpython_processes_fixture(int processes, double plain_bytes = 136, double read_a = 20,
                                                std::vector<double> read_b = {14}) {
  CPythonFigures f = parse_cpython_figures(cpython_fixture(plain_bytes, read_a, read_b.at(0)));
  for (int k = 1; k < processes; ++k)
    merge_process_timing(f, parse_cpython_timing(cpython_timing_fixture(read_a, read_b[std::min(std::size_t(k), read_b.size() - 1)])));
  return f;
}

// Every committed real document: {version, text}, in version order.
inline std::vector<std::pair<std::string, std::string>> real_fixtures() {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, std::string>> out;
  const fs::path dir = fs::path(SLOTSIM_SOURCE_DIR) / "tests/lessons/fixtures";
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    const std::string prefix = "measure_objects-";
    if (name.rfind(prefix, 0) != 0 || e.path().extension() != ".json") continue;
    out.emplace_back(name.substr(prefix.size(), name.size() - prefix.size() - 5), read_text(e.path()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace slotsim::testing
