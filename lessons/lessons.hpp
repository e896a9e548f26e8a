#pragma once
// The lecture's claims about __dict__ and __slots__, each beside the values
// measured for three object models:
//   classic      slotsim's `dict` layout: a per-instance hash table, as in
//                CPython 3.10 and earlier;
//   shared-keys  slotsim's `shared-keys` layout (CPython 3.11+: one keys
//                table per class, values per instance, a dict object only
//                when __dict__ is read), looked up by name at run time;
//   cpython      the real interpreter, measured by
//                assets/python/measure_objects.py (lessons/cpython.hpp).
// `slotsim bench --claims` and the GUI's Lessons panel both build their
// table here, so they always show the same rows from the same code.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lessons/cpython.hpp"

namespace slotsim {

// One cell of the table: what one object model measured, and whether the
// claim holds there.
struct ClaimCell {
  bool available = false;  // false: model not built / not measured (text says why)
  std::string text;        // the figures, with units
  bool holds = false;
  std::string verdict;     // "holds on CPython <= 3.10", "does not hold on 3.11+: ..."
};

struct Lesson {
  std::string id;        // short key, e.g. "slots_saving"
  std::string claim;     // what the lecture says
  std::string measured;  // = classic.text (kept for older readers of the report)
  double value = 0;      // the classic model's headline number (bytes, ratio, ns...)
  std::string verdict;   // = classic.verdict
  std::string lecture;   // the lecture's own figure
  ClaimCell classic, shared_keys, cpython;
  std::string summary;   // the three verdicts joined with " / "
  std::string why;       // plain-language note: what changed in CPython, and when
  std::string warning;   // timing rows: the machine was loaded while measuring
};

struct LessonOptions {
  std::size_t sample = 100000;        // particles per store for the per-instance figures
  std::size_t big = 10000000;         // the "10 million instances" figure
  bool build_big = true;              // build it when memory allows, else extrapolate
  int repeats = 9;                    // timed repeats per store (median and min-max shown)
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

// One slotsim object model's figures, measured on a fresh store of `sample`
// particles (7 float attributes each).
struct ModelFigures {
  std::string layout;      // "dict" or "shared-keys"
  bool available = false;  // false: this build has no such layout
  double bytes_per_instance = 0;
  double dict_bytes_untouched = 0;          // per-instance tables before any __dict__ read
  std::optional<double> dict_bytes_touched; // after reading __dict__ on all (see touch_all_dicts)
  std::optional<double> bytes_touched;      // bytes per instance after that
  Spread read, update;                      // ns per attribute read / read-modify-write
  double ten_m_dict_bytes = 0;              // the dicts alone, scaled to 10,000,000
  std::string ten_m_how;                    // built or extrapolated, and from what
};

// The slotted side every model is compared with, and the claims about
// slotted classes, which the two dict models share.
struct SlotsFigures {
  double bytes_per_instance = 0;
  Spread read, update;
  bool attr_error_raised = false;
  std::string attr_error;
  double inherit_before = 0, inherit_after = 0;  // slots -> subclass without __slots__
  double hatch_unused = 0, hatch_one = 0;         // '__dict__' in __slots__
  double empty_dict = 0;                          // classic: an instance with no attributes
  double three_dict = 0, three_slots = 0;         // classic: 3-field instance bytes
};

struct LessonsReport {
  LessonOptions options;
  ModelFigures classic, shared_keys;
  SlotsFigures slots;
  MachineLoad load;
  std::vector<Lesson> rows;  // the eight claims, in the lecture's order
  bool cpython_measured = false;
  std::string cpython_note;  // why the CPython column is missing, or its version
};

inline constexpr std::string_view kSharedKeysLayout = "shared-keys";
inline constexpr int kNumClaims = 8;

// Measures both slotsim models and builds the rows; the CPython column says
// "not measured" until add_cpython_column fills it.
LessonsReport measure_lessons_report(const LessonOptions& o = {});
// The rows only (the sim thread publishes these to the GUI).
std::vector<Lesson> measure_lessons(const LessonOptions& o = {});

// Builds the eight rows from figures; pure, so tests can feed it any numbers.
std::vector<Lesson> build_lessons(const ModelFigures& classic, const ModelFigures& shared_keys,
                                  const SlotsFigures& slots, const MachineLoad& load);
// Fills (or replaces) the CPython column from the script's figures.
void add_cpython_column(std::vector<Lesson>& rows, const CPythonFigures& f);
// The CPython column when there is no interpreter: `why` in one line.
void set_cpython_missing(std::vector<Lesson>& rows, const std::string& why);

}  // namespace slotsim
