#pragma once
// The lecture's claims about __dict__ and __slots__, each beside
//   * slotsim's three models of a plain class, one per CPython era, in the
//     layout table's order: `dict` (the classic per-instance table, CPython
//     <= 3.2), `shared-keys` (3.11-3.13) and `split-keys` (3.3-3.10); and
//   * one column per real interpreter measured by
//     assets/python/measure_objects.py (lessons/cpython.hpp), e.g. every
//     CPython installed (`bench --claims --python all`).
// Each cell has its own verdict naming the versions it stands for, and each
// row a summary that groups the measured interpreters by verdict ("holds on
// CPython 3.6-3.10 ...; does not hold on 3.11-3.13 ..."). Timing claims are
// decided by lessons/verdict.hpp's rule, never by two medians.
// `slotsim bench --claims` and the GUI's Lessons panel both build their
// table here, so they always show the same rows from the same code.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lessons/cpython.hpp"
#include "lessons/verdict.hpp"
#include "sim/layouts/layout.hpp"

namespace slotsim {

// One cell: what one model or one interpreter gives, and its verdict.
struct ClaimCell {
  std::string column;      // "dict", "split-keys", "shared-keys", or "CPython 3.10.13"
  std::string stands_for;  // a model: "CPython 3.3-3.10"; an interpreter: its version, "3.10.13"
  bool measured = false;   // a real interpreter (else a slotsim model)
  bool available = false;  // false: not measured / not supported (text says why)
  std::string headline;    // the figure the verdict rests on, short: "2.18x", "1.04 GB"
  std::string text;        // every figure, with units
  Outcome outcome = Outcome::Unresolved;
  std::string verdict;     // "does not hold on CPython 3.3-3.10 (model): 2.00x, below the lecture's 3-4x"
  bool holds() const { return available && outcome == Outcome::Holds; }
};

struct Lesson {
  std::string id;            // short key, e.g. "slots_saving"
  std::string claim;         // what the lecture says
  std::string lecture;       // the lecture's own figure ("232 B", "3-4x")
  std::string lecture_note;  // what that figure is, with what was measured here
  std::vector<ClaimCell> models;    // slotsim's models (the layout table's order)
  std::vector<ClaimCell> measured;  // one per interpreter asked for, in version order
  std::string summary;  // the verdicts grouped: measured interpreters first, then the models
  std::string why;      // plain-language note: what changed in CPython, and when
  std::string warning;  // timing rows: the machine was loaded while measuring
};

struct LessonOptions {
  std::size_t sample = 100000;  // particles per store for the per-instance figures
  std::size_t big = 10000000;   // the "10 million instances" figure
  bool build_big = true;        // build it when memory allows, else extrapolate
  int pairs = kDefaultPairs;    // timing pairs per comparison (lessons/verdict.hpp)
};

// The 1-minute load average around a measurement, against the CPU count.
struct MachineLoad {
  double before = -1, after = -1;  // -1: /proc/loadavg unreadable
  int cpus = 0;
  // True when other work competed for the CPUs: a single-threaded timing
  // needs one free core, and our own run adds about 1 to `after`.
  bool loaded() const;
  // One line for the report ("" when not loaded).
  std::string warning() const;
};
double load_average();  // /proc/loadavg's first field, -1 if unreadable
int online_cpus();

// The slotsim layouts that model a plain class, one per CPython era.
std::vector<Layout> plain_models();

// One slotsim model's figures, on a fresh store of `sample` particles (7
// float attributes each), in the default mode (unboxed, no headers), the
// 8-B index pointer included.
struct ModelFigures {
  std::string layout;      // "dict", "split-keys", "shared-keys"
  std::string stands_for;  // "CPython <= 3.2" (the layout table's text)
  bool available = false;
  double bytes_per_instance = 0;
  double dict_bytes_untouched = 0;           // per-instance tables before any __dict__ read
  std::optional<double> dict_bytes_touched;  // after reading __dict__ on all
  std::optional<double> bytes_touched;       // bytes per instance after that
  double three_bytes = 0;                    // a 3-field instance, by the store's rules (python_model.hpp)
  PairedVerdict read, update;                // against slots, interleaved pairs
  Spread read_ns, update_ns;                 // this model's own samples, ns per access
  double ten_m_dict_bytes = 0;               // the dicts alone, scaled to 10,000,000
  std::string ten_m_how;                     // built or extrapolated, and from what
};

// The slotted side every model is compared with, and the claims about
// slotted classes, which the models share.
struct SlotsFigures {
  double bytes_per_instance = 0;
  double three_bytes = 0;
  Spread read_ns, update_ns;
  bool attr_error_raised = false;
  std::string attr_error;
  double inherit_before = 0, inherit_after = 0;  // slots -> subclass without __slots__
  double hatch_unused = 0, hatch_one = 0;         // '__dict__' in __slots__
  double empty_dict = 0;                          // classic: an instance with no attributes
};

// One interpreter asked for: its figures, or why there are none.
struct InterpreterRun {
  std::string python;  // as given ("python3", "/usr/bin/python3.11")
  bool ok = false;
  std::string error;   // one line when !ok
  CPythonFigures figures;
};

struct LessonsReport {
  LessonOptions options;
  std::vector<ModelFigures> models;  // plain_models() order
  SlotsFigures slots;
  MachineLoad load;
  std::vector<Lesson> rows;  // the eight claims, in the lecture's order
};

inline constexpr int kNumClaims = 8;

// Measures every model and builds the rows (no interpreter column yet).
LessonsReport measure_lessons_report(const LessonOptions& o = {});
// The rows only (the sim thread publishes these to the GUI).
std::vector<Lesson> measure_lessons(const LessonOptions& o = {});

// Builds the eight rows from figures; pure, so tests can feed it any numbers.
std::vector<Lesson> build_lessons(const std::vector<ModelFigures>& models, const SlotsFigures& slots,
                                  const MachineLoad& load);
// Replaces the interpreter columns with one per run (sorted by version;
// failed runs last, with their one-line reason), and rebuilds the lecture
// notes and summaries from them.
void set_interpreter_columns(std::vector<Lesson>& rows, std::vector<InterpreterRun> runs);

// The verdict of a measured timing pair list (reads and updates): what
// the claims table and the report's ten-run check both use.
struct SpeedVerdict {
  PairedVerdict read, update;
  Outcome outcome = Outcome::Unresolved;
  std::string text;  // "holds: reads 1.32x (95% CI ...), updates 1.40x (...)"
};
SpeedVerdict speed_verdict(const CPythonFigures& f, bool touched = false);

// Why sys.getsizeof, tracemalloc and slotsim's model give different bytes
// for the same object: a fixed explanation, then one line per interpreter
// with its own figures for a 7-field plain instance.
std::string counting_explanation();
std::vector<std::string> counting_examples(const std::vector<InterpreterRun>& runs);

// "3.6.15-3.10.13" from {3.6.15, 3.7.16, 3.8.18, 3.9.18, 3.10.13}: runs of
// consecutive minor versions collapse to their exact ends; a gap starts a
// new range ("3.6.15-3.7.16, 3.9.18-3.10.13").
std::string version_ranges(const std::vector<std::string>& versions);

}  // namespace slotsim
