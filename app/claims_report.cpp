#include "app/claims_report.hpp"

#include <csignal>
#include <cstdio>
#include <stdexcept>

#include "app/exit_status.hpp"
#include "app/machine_info.hpp"
#include "app/output_file.hpp"
#include "lessons/cpython.hpp"
#include "lessons/interpreters.hpp"
#include "lessons/lessons.hpp"
#include "lessons/python_model.hpp"
#include "sim/interrupt.hpp"
#include "sim/io/json.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory_plan.hpp"
#include "sim/message.hpp"

namespace slotsim::app {
namespace {

using io::Json;

// Markdown cells: a '|' in a message would split the cell.
std::string md(std::string s) {
  for (std::size_t p = 0; (p = s.find('|', p)) != std::string::npos; p += 2) s.replace(p, 1, "\\|");
  return s;
}

std::string outcome_key(Outcome o) {
  return o == Outcome::Holds ? "holds" : o == Outcome::DoesNotHold ? "does_not_hold" : "unresolved";
}

Json spread_json(const Spread& s) {
  return Json{{"median_ns", s.median}, {"min_ns", s.min}, {"max_ns", s.max}, {"repeats", s.repeats}};
}
Json paired_json(const PairedVerdict& v) {
  return Json{{"outcome", outcome_key(v.outcome)}, {"ratio", v.ratio}, {"ci_low", v.lo}, {"ci_high", v.hi},
              {"coverage", v.coverage}, {"pairs", v.pairs}, {"processes", v.processes}, {"text", v.text}};
}

Json model_json(const ModelFigures& m) {
  Json j{{"available", m.available}, {"stands_for", m.stands_for}};
  if (m.available) {
    j["bytes_per_instance"] = m.bytes_per_instance;
    j["dict_bytes_untouched"] = m.dict_bytes_untouched;
    if (m.dict_bytes_touched) j["dict_bytes_touched"] = *m.dict_bytes_touched;
    if (m.bytes_touched) j["bytes_touched"] = *m.bytes_touched;
    j["three_field_bytes"] = m.three_bytes;
    j["read"] = spread_json(m.read_ns);
    j["update"] = spread_json(m.update_ns);
    j["read_vs_slots"] = paired_json(m.read);
    j["update_vs_slots"] = paired_json(m.update);
    j["ten_million_dict_bytes"] = m.ten_m_dict_bytes;
    j["ten_million_how"] = m.ten_m_how;
  }
  return j;
}

Json cell_json(const ClaimCell& c) {
  return Json{{"column", c.column},   {"stands_for", c.stands_for},           {"measured", c.measured},
              {"available", c.available}, {"headline", c.headline},       {"text", c.text},
              {"outcome", c.available ? outcome_key(c.outcome) : "n/a"}, {"verdict", c.verdict}};
}

// A table cell: the verdict in a word and the figure it rests on.
std::string short_cell(const ClaimCell& c) {
  if (!c.available) return c.measured ? "not measured" : "n/a";
  const char* word = c.outcome == Outcome::Holds ? "holds" : c.outcome == Outcome::DoesNotHold ? "does not hold" : "no difference resolved";
  return std::string(word) + (c.headline.empty() ? "" : ": " + c.headline);
}

}  // namespace

int run_claims_report(const ClaimsOptions& o) {
  if (o.sample < 100) throw std::invalid_argument("--claims-sample must be at least 100");
  // The sample's stores are alive together (slots, dict, shared-keys with
  // every __dict__ read, which costs about what dict does): planned like a
  // run, so a huge --claims-sample is refused before the first store.
  plan_store("claims sample stores", Layout::Dict, 2 * o.sample, false,
             {{"slots store", measured_bytes_per_particle(Layout::Slots, false) * double(o.sample)}})
      .check("the claims report (--claims-sample " + std::to_string(o.sample) + ")");
  const auto targets = check_writable_all({{"--json", o.json}});
  std::string script;
  std::vector<std::string> pythons;
  if (o.python) {
    pythons = interpreters_for(o.python_spec);
    if (pythons.empty())
      throw std::runtime_error("--python all: no Python interpreter found on PATH or in pyenv/conda folders");
    std::string looked;
    const auto found = find_measure_script(&looked);
    if (!found)
      throw std::runtime_error("--python: measure_objects.py not found (looked in " + looked +
                               "); reinstall or run from a build of the source tree");
    script = *found;
  }

  // SIGINT / SIGTERM: the CPython child (in its own process group) is
  // killed with its children, the report says so and exits 128 + signal.
  install_interrupt_handlers();
  // The exit status if a signal came, after one "interrupted" line; 0 if not.
  auto interrupted_status = [](const char* during) {
    if (!interrupted()) return 0;
    const int sig = interrupt_signal();
    std::fprintf(stderr, "slotsim bench: interrupted by %s %s; no report written\n",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT", during);
    return exit_interrupted(sig);
  };
  // With --json - the document owns stdout and the table goes to stderr.
  std::FILE* const out = on_stdout(targets) ? stderr : stdout;
  std::fprintf(stderr, "measuring slotsim's object models on %zu particles (the 10M-instance figure may take a while)\n",
               o.sample);
  LessonOptions lo;
  lo.big = o.big;
  lo.sample = o.sample;
  lo.pairs = o.pairs;
  LessonsReport rep = measure_lessons_report(lo);
  if (const int rc = interrupted_status("while measuring slotsim's models")) return rc;
  // One interpreter at a time: measured side by side they would share the
  // CPUs and each other's timings.
  std::vector<InterpreterRun> runs;
  for (std::size_t k = 0; k < pythons.size(); ++k) {
    std::fprintf(stderr, "measuring CPython %zu/%zu: %s%s (timings from %d processes)\n", k + 1, pythons.size(),
                 one_line(pythons[k] + " " + script).c_str(), o.python_quick ? " --quick" : "",
                 cpython_processes(o.python_quick));
    // Progress on stderr: a full run is ~100 processes of ~0.5 s each.
    const std::string who = one_line(pythons[k]);
    const CPythonRun r = run_cpython_script(pythons[k], script, o.python_quick, 600, 0, o.pairs, [&](int done, int all) {
      const int step = std::max(1, all / 4);
      if (done % step == 0 || done == all)
        std::fprintf(stderr, "  %s: %d/%d processes measured\n", who.c_str(), done, all);
    });
    if (r.interrupted)
      if (const int rc = interrupted_status("while CPython was measured (its process group was killed)")) return rc;
    runs.push_back(InterpreterRun{pythons[k], r.ok, r.error, r.figures});
  }
  set_interpreter_columns(rep.rows, runs);

  const MachineInfo m = machine_info();
  std::fprintf(out, "slotsim models: %zu particles per store, by the layout table (%s); %s, %d CPUs\n", o.sample,
              [&] {
                std::string s;
                for (const ModelFigures& f : rep.models) s += (s.empty() ? "" : ", ") + f.layout + ": " + f.stands_for;
                return s;
              }().c_str(),
              m.cpu.c_str(), m.cores);
  std::fprintf(out, "%s\n", verdict_rule_text().c_str());
  if (runs.empty()) std::fprintf(out, "CPython: not asked (add --python, --python LIST or --python all)\n");
  for (const InterpreterRun& r : runs) {
    if (r.ok)
      std::fprintf(out, "CPython: %s -> %s %s (%s), %s mode, %lld instances per shape, timer %s\n", one_line(r.python).c_str(),
                  r.figures.implementation.c_str(), r.figures.version.c_str(), r.figures.executable.c_str(),
                  r.figures.mode.c_str(), r.figures.instances, r.figures.timer.c_str());
    else
      std::fprintf(out, "CPython: %s: not measured: %s\n", one_line(r.python).c_str(), r.error.c_str());
  }
  const std::string w = rep.load.warning();
  if (!w.empty()) std::fprintf(out, "%s\n", w.c_str());
  for (const InterpreterRun& r : runs) {
    if (!r.ok) continue;
    std::string pw = MachineLoad{r.figures.load_before, r.figures.load_after, r.figures.cpus}.warning();
    if (pw.rfind("warning: ", 0) == 0) pw = "warning (CPython " + r.figures.version + " run): " + pw.substr(9);
    if (!pw.empty()) std::fprintf(out, "%s\n", pw.c_str());
  }

  // The table: one column per model, then one per interpreter.
  const Lesson& first = rep.rows.front();
  std::string head = "| claim | lecture |", rule = "|---|---|";
  for (const ClaimCell& c : first.models) {
    head += " `" + c.column + "` (" + c.stands_for + ") |";
    rule += "---|";
  }
  for (const ClaimCell& c : first.measured) {
    head += " " + (c.available ? c.column : c.column + " (not measured)") + " |";
    rule += "---|";
  }
  std::fprintf(out, "\n%s\n%s\n", head.c_str(), rule.c_str());
  for (const Lesson& l : rep.rows) {
    std::string line = "| " + md(l.claim) + " | " + md(l.lecture) + " |";
    // (appended piecewise: GCC 12 warns falsely on " " + std::string&&)
    for (const auto* cells : {&l.models, &l.measured})
      for (const ClaimCell& c : *cells) {
        line += ' ';
        line += md(short_cell(c));
        line += " |";
      }
    std::fprintf(out, "%s\n", line.c_str());
  }
  std::fprintf(out, "\nVerdicts:\n");
  for (const Lesson& l : rep.rows) std::fprintf(out, "- %s: %s\n", l.id.c_str(), l.summary.c_str());
  std::fprintf(out, "\nThe lecture's figures, and what each is:\n");
  for (const Lesson& l : rep.rows)
    if (!l.lecture_note.empty()) std::fprintf(out, "- %s (%s): %s\n", l.id.c_str(), l.lecture.c_str(), l.lecture_note.c_str());
  std::fprintf(out, "\nWarnings:\n");
  bool any_warning = false;
  for (const Lesson& l : rep.rows)
    if (!l.warning.empty()) {
      std::fprintf(out, "- %s: %s\n", l.id.c_str(), l.warning.c_str());
      any_warning = true;
    }
  if (!any_warning) std::fprintf(out, "- none (the load stayed below the core count)\n");
  std::fprintf(out, "\nEvery figure:\n");
  for (const Lesson& l : rep.rows) {
    std::fprintf(out, "- %s\n", l.id.c_str());
    for (const auto* cells : {&l.models, &l.measured})
      for (const ClaimCell& c : *cells)
        std::fprintf(out, "  - %s%s: %s%s%s\n", c.column.c_str(), c.measured ? "" : (" (" + c.stands_for + ", model)").c_str(),
                    c.text.c_str(), c.available ? ". " : "", c.available ? c.verdict.c_str() : "");
  }
  std::fprintf(out, "\nWhy it changed:\n");
  for (const Lesson& l : rep.rows) std::fprintf(out, "- %s: %s\n", l.id.c_str(), l.why.c_str());
  std::fprintf(out, "\nWhy getsizeof, tracemalloc and the model differ:\n%s\n", counting_explanation().c_str());
  const std::vector<std::string> examples = counting_examples(runs);
  for (const std::string& e : examples) std::fprintf(out, "- %s\n", e.c_str());

  if (!o.json.empty()) {
    Json j;
    j["machine"] = {{"cpu", m.cpu}, {"cores", m.cores}, {"kernel", m.kernel}, {"compiler", m.compiler}};
    j["options"] = {{"sample", o.sample},
                    {"big", o.big},
                    {"pairs", o.pairs},
                    {"python", o.python ? (o.python_spec.empty() ? "python3" : o.python_spec) : ""},
                    {"python_quick", o.python_quick}};
    j["load"] = {{"before", rep.load.before},
                 {"after", rep.load.after},
                 {"cpus", rep.load.cpus},
                 {"loaded", rep.load.loaded()},
                 {"warning", w}};
    j["verdict_rule"] = verdict_rule_text();
    Json& models = j["models"] = Json::object();
    for (const ModelFigures& mf : rep.models) models[mf.layout] = model_json(mf);
    const SlotsFigures& s = rep.slots;
    j["slots"] = {{"bytes_per_instance", s.bytes_per_instance},
                  {"three_field_bytes", s.three_bytes},
                  {"read", spread_json(s.read_ns)},
                  {"update", spread_json(s.update_ns)},
                  {"attribute_error", s.attr_error},
                  {"inherit_before", s.inherit_before},
                  {"inherit_after", s.inherit_after},
                  {"hatch_unused", s.hatch_unused},
                  {"hatch_one", s.hatch_one},
                  {"empty_dict", s.empty_dict}};
    Json& interp = j["interpreters"] = Json::array();
    for (const InterpreterRun& r : runs) {
      Json x{{"python", r.python}, {"measured", r.ok}};
      if (r.ok) {
        x["version"] = r.figures.version;
        x["executable"] = r.figures.executable;
        const SpeedVerdict sv = speed_verdict(r.figures);
        x["access_speed"] = {{"outcome", outcome_key(sv.outcome)},
                             {"read", paired_json(sv.read)},
                             {"update", paired_json(sv.update)}};
        // The model of its version beside tracemalloc, shape by shape
        // (docs/LAYOUTS.md's table is written from this).
        Json shapes = Json::array();
        for (const ShapeComparison& c : compare_shapes(r.figures))
          shapes.push_back({{"shape", c.shape},
                            {"layout", std::string(layout_name(c.layout))},
                            {"model_bytes", c.model},
                            {"tracemalloc_bytes", c.measured},
                            {"difference", c.diff()}});
        x["python_objects"] = {{"version", r.figures.minor_version()}, {"shapes", std::move(shapes)}};
        // The script's whole document (the first process's), not just the
        // figures the table uses, and every process's timing pairs.
        x["script_output"] = io::parse_json_text(r.figures.raw_json);
        Json comps = Json::array();
        for (const CPythonFigures::Comparison& c : r.figures.comparisons)
          comps.push_back({{"id", c.id}, {"process_pairs", c.process_pairs}, {"a_ns", c.a_ns}, {"b_ns", c.b_ns}});
        x["timing"] = {{"processes", r.figures.processes}, {"pairs", r.figures.pairs}, {"comparisons", std::move(comps)}};
      } else {
        x["error"] = r.error;
      }
      interp.push_back(std::move(x));
    }
    Json& claims = j["claims"] = Json::array();
    for (const Lesson& l : rep.rows) {
      Json mc = Json::array(), pc = Json::array();
      for (const ClaimCell& c : l.models) mc.push_back(cell_json(c));
      for (const ClaimCell& c : l.measured) pc.push_back(cell_json(c));
      claims.push_back({{"id", l.id},
                        {"claim", l.claim},
                        {"lecture", l.lecture},
                        {"lecture_note", l.lecture_note},
                        {"models", std::move(mc)},
                        {"measured", std::move(pc)},
                        {"summary", l.summary},
                        {"why", l.why},
                        {"warning", l.warning}});
    }
    j["counting"] = {{"explanation", counting_explanation()}, {"examples", examples}};
    write_file_atomic(o.json, io::report_text(j));
  }
  return 0;
}

}  // namespace slotsim::app
