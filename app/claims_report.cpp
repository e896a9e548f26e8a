#include "app/claims_report.hpp"

#include <cstdio>
#include <limits>
#include <stdexcept>

#include "app/json.hpp"
#include "app/machine_info.hpp"
#include "app/output_file.hpp"
#include "sim/cpython.hpp"
#include "sim/json_read.hpp"
#include "sim/lessons.hpp"

namespace slotsim::app {
namespace {

// Markdown cells: a '|' in a message would split the cell.
std::string md(std::string s) {
  for (std::size_t p = 0; (p = s.find('|', p)) != std::string::npos; p += 2) s.replace(p, 1, "\\|");
  return s;
}

// Writes a parsed document back out through the report's writer, so the
// script's figures land in --json whole, not just the ones the table uses.
void write_value(Json& j, const JsonValue& v) {
  switch (v.kind()) {
    case JsonValue::Kind::Null: j.value(std::numeric_limits<double>::quiet_NaN()); break;  // written as null
    case JsonValue::Kind::Bool: j.value(v.boolean()); break;
    case JsonValue::Kind::Number: j.value(v.number()); break;
    case JsonValue::Kind::String: j.value(v.string()); break;
    case JsonValue::Kind::Array:
      j.begin_array();
      for (const JsonValue& x : v.items()) write_value(j, x);
      j.end_array();
      break;
    case JsonValue::Kind::Object:
      j.begin_object();
      for (std::size_t i = 0; i < v.keys().size(); ++i) {
        j.key(v.keys()[i]);
        write_value(j, v.items()[i]);
      }
      j.end_object();
      break;
  }
}

void write_spread(Json& j, std::string_view k, const Spread& s) {
  j.key(k).begin_object().field("median_ns", s.median).field("min_ns", s.min).field("max_ns", s.max);
  j.field("repeats", s.repeats).end_object();
}

void write_model(Json& j, const ModelFigures& m) {
  j.key(m.layout).begin_object().field("available", m.available);
  if (m.available) {
    j.field("bytes_per_instance", m.bytes_per_instance).field("dict_bytes_untouched", m.dict_bytes_untouched);
    if (m.dict_bytes_touched) j.field("dict_bytes_touched", *m.dict_bytes_touched);
    if (m.bytes_touched) j.field("bytes_touched", *m.bytes_touched);
    write_spread(j, "read", m.read);
    write_spread(j, "update", m.update);
    j.field("ten_million_dict_bytes", m.ten_m_dict_bytes).field("ten_million_how", m.ten_m_how);
  }
  j.end_object();
}

void write_cell(Json& j, std::string_view k, const ClaimCell& c) {
  j.key(k).begin_object().field("available", c.available).field("text", c.text);
  j.field("holds", c.holds).field("verdict", c.verdict).end_object();
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
    j.begin_object().key("machine").begin_object();
    j.field("cpu", m.cpu).field("cores", m.cores).field("kernel", m.kernel).field("compiler", m.compiler).end_object();
    j.key("options").begin_object().field("sample", o.sample).field("big", o.big).field("repeats", o.repeats);
    j.field("python", o.python ? python : "").field("python_quick", o.python_quick).end_object();
    j.key("load").begin_object().field("before", rep.load.before).field("after", rep.load.after);
    j.field("cpus", rep.load.cpus).field("loaded", rep.load.loaded()).field("warning", w).end_object();
    j.key("models").begin_object();
    write_model(j, rep.classic);
    write_model(j, rep.shared_keys);
    j.end_object();
    const SlotsFigures& s = rep.slots;
    j.key("slots").begin_object().field("bytes_per_instance", s.bytes_per_instance);
    write_spread(j, "read", s.read);
    write_spread(j, "update", s.update);
    j.field("attribute_error", s.attr_error).field("inherit_before", s.inherit_before);
    j.field("inherit_after", s.inherit_after).field("hatch_unused", s.hatch_unused).field("hatch_one", s.hatch_one);
    j.field("empty_dict", s.empty_dict).field("three_dict", s.three_dict).field("three_slots", s.three_slots);
    j.end_object();
    j.key("cpython").begin_object().field("measured", py.ok);
    if (py.ok) {
      j.field("version", py.figures.version).key("script_output");
      write_value(j, parse_json(py.figures.raw_json));
    } else {
      j.field("error", cpython_error);
    }
    j.end_object();
    j.key("claims").begin_array();
    for (const Lesson& l : rep.rows) {
      j.begin_object().field("id", l.id).field("claim", l.claim).field("lecture", l.lecture);
      j.field("measured", l.measured).field("value", l.value).field("verdict", l.verdict);
      write_cell(j, "classic", l.classic);
      write_cell(j, "shared_keys", l.shared_keys);
      write_cell(j, "cpython", l.cpython);
      j.field("summary", l.summary).field("why", l.why).field("warning", l.warning).end_object();
    }
    j.end_array().end_object();
    write_file_atomic(o.json, j.str() + "\n");
  }
  return 0;
}

}  // namespace slotsim::app
