#include "app/claims_report.hpp"

#include <cstdio>
#include <stdexcept>

#include "app/machine_info.hpp"
#include "app/output_file.hpp"
#include "lessons/cpython.hpp"
#include "sim/io/json.hpp"
#include "lessons/lessons.hpp"

namespace slotsim::app {
namespace {

using io::Json;

// Markdown cells: a '|' in a message would split the cell.
std::string md(std::string s) {
  for (std::size_t p = 0; (p = s.find('|', p)) != std::string::npos; p += 2) s.replace(p, 1, "\\|");
  return s;
}

Json spread_json(const Spread& s) {
  return Json{{"median_ns", s.median}, {"min_ns", s.min}, {"max_ns", s.max}, {"repeats", s.repeats}};
}

Json model_json(const ModelFigures& m) {
  Json j{{"available", m.available}};
  if (m.available) {
    j["bytes_per_instance"] = m.bytes_per_instance;
    j["dict_bytes_untouched"] = m.dict_bytes_untouched;
    if (m.dict_bytes_touched) j["dict_bytes_touched"] = *m.dict_bytes_touched;
    if (m.bytes_touched) j["bytes_touched"] = *m.bytes_touched;
    j["read"] = spread_json(m.read);
    j["update"] = spread_json(m.update);
    j["ten_million_dict_bytes"] = m.ten_m_dict_bytes;
    j["ten_million_how"] = m.ten_m_how;
  }
  return j;
}

Json cell_json(const ClaimCell& c) {
  return Json{{"available", c.available}, {"text", c.text}, {"holds", c.holds}, {"verdict", c.verdict}};
}

}  // namespace

int run_claims_report(const ClaimsOptions& o) {
  if (o.sample < 100) throw std::invalid_argument("--claims-sample must be at least 100");
  check_writable(o.json, "--json");
  std::string script, python;
  std::string cpython_error;
  if (o.python) {
    python = o.python_path.empty() ? default_python() : o.python_path;
    std::string looked;
    const auto found = find_measure_script(&looked);
    if (!found)
      throw std::runtime_error("--python: measure_objects.py not found (looked in " + looked +
                               "); reinstall or run from a build of the source tree");
    script = *found;
  }

  std::fprintf(stderr, "measuring slotsim's object models on %zu particles (the 10M-instance figure may take a while)\n",
               o.sample);
  LessonOptions lo;
  lo.big = o.big;
  lo.sample = o.sample;
  lo.repeats = o.repeats;
  LessonsReport rep = measure_lessons_report(lo);
  CPythonRun py;
  if (o.python) {
    std::fprintf(stderr, "measuring CPython: %s %s%s\n", python.c_str(), script.c_str(), o.python_quick ? " --quick" : "");
    py = run_cpython_script(python, script, o.python_quick);
    if (py.ok) {
      add_cpython_column(rep.rows, py.figures);
    } else {
      cpython_error = py.error;
      set_cpython_missing(rep.rows, "not measured: " + py.error);
    }
  } else {
    cpython_error = "not asked (add --python to measure the real interpreter)";
    set_cpython_missing(rep.rows, "not measured");
  }

  const MachineInfo m = machine_info();
  std::printf("slotsim models: %zu particles per store, timings median (min-max) of %d repeats; %s, %d CPUs\n", o.sample,
              o.repeats, m.cpu.c_str(), m.cores);
  if (py.ok)
    std::printf("CPython: %s %s (%s), %s mode, %lld instances per shape\n", py.figures.implementation.c_str(),
                py.figures.version.c_str(), py.figures.executable.c_str(), py.figures.mode.c_str(),
                py.figures.instances);
  else
    std::printf("CPython: not measured: %s; showing slotsim's models only\n", cpython_error.c_str());
  const std::string w = rep.load.warning();
  if (!w.empty()) std::printf("%s\n", w.c_str());
  if (py.ok) {
    const MachineLoad pl{py.figures.load_before, py.figures.load_after, py.figures.cpus};
    std::string pw = pl.warning();
    if (pw.rfind("warning: ", 0) == 0) pw = "warning (CPython run): " + pw.substr(9);
    if (!pw.empty()) std::printf("%s\n", pw.c_str());
  }
  std::printf("\n| claim | lecture | slotsim `dict` (classic, CPython <= 3.10) | slotsim `shared-keys` (CPython 3.11+) |%s "
              "verdict |\n",
              py.ok ? (" CPython " + py.figures.version + " (measured) |").c_str() : "");
  std::printf("|---|---|---|---|%s---|\n", py.ok ? "---|" : "");
  for (const Lesson& l : rep.rows) {
    std::printf("| %s | %s | %s | %s |", md(l.claim).c_str(), md(l.lecture).c_str(), md(l.classic.text).c_str(),
                md(l.shared_keys.text).c_str());
    if (py.ok) std::printf(" %s |", md(l.cpython.text).c_str());
    std::printf(" %s |\n", md(l.summary).c_str());
  }
  std::printf("\nWhy it changed:\n");
  for (const Lesson& l : rep.rows) std::printf("- %s: %s\n", l.id.c_str(), l.why.c_str());

  if (!o.json.empty()) {
    Json j;
    j["machine"] = {{"cpu", m.cpu}, {"cores", m.cores}, {"kernel", m.kernel}, {"compiler", m.compiler}};
    j["options"] = {{"sample", o.sample},
                    {"big", o.big},
                    {"repeats", o.repeats},
                    {"python", o.python ? python : ""},
                    {"python_quick", o.python_quick}};
    j["load"] = {{"before", rep.load.before},
                 {"after", rep.load.after},
                 {"cpus", rep.load.cpus},
                 {"loaded", rep.load.loaded()},
                 {"warning", w}};
    j["models"][rep.classic.layout] = model_json(rep.classic);
    j["models"][rep.shared_keys.layout] = model_json(rep.shared_keys);
    const SlotsFigures& s = rep.slots;
    j["slots"] = {{"bytes_per_instance", s.bytes_per_instance},
                  {"read", spread_json(s.read)},
                  {"update", spread_json(s.update)},
                  {"attribute_error", s.attr_error},
                  {"inherit_before", s.inherit_before},
                  {"inherit_after", s.inherit_after},
                  {"hatch_unused", s.hatch_unused},
                  {"hatch_one", s.hatch_one},
                  {"empty_dict", s.empty_dict},
                  {"three_dict", s.three_dict},
                  {"three_slots", s.three_slots}};
    Json& cp = j["cpython"] = {{"measured", py.ok}};
    if (py.ok) {
      cp["version"] = py.figures.version;
      // The script's whole document, not just the figures the table uses.
      cp["script_output"] = io::parse_json_text(py.figures.raw_json);
    } else {
      cp["error"] = cpython_error;
    }
    Json& claims = j["claims"] = Json::array();
    for (const Lesson& l : rep.rows)
      claims.push_back({{"id", l.id},
                        {"claim", l.claim},
                        {"lecture", l.lecture},
                        {"measured", l.measured},
                        {"value", l.value},
                        {"verdict", l.verdict},
                        {"classic", cell_json(l.classic)},
                        {"shared_keys", cell_json(l.shared_keys)},
                        {"cpython", cell_json(l.cpython)},
                        {"summary", l.summary},
                        {"why", l.why},
                        {"warning", l.warning}});
    write_file_atomic(o.json, io::report_text(j));
  }
  return 0;
}

}  // namespace slotsim::app
