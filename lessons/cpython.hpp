#pragma once
// The real interpreter, measured: runs assets/python/measure_objects.py with
// a python3 and reads its JSON into CPythonFigures. GUI-free, so
// `slotsim bench --claims --python` and the Lessons panel share it.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lessons/verdict.hpp"

namespace slotsim {

// A timing over repeats, in ns per operation: a median with its spread,
// never a single run.
struct Spread {
  double median = 0, min = 0, max = 0;
  int repeats = 0;
};
Spread spread_of(const std::vector<double>& samples);  // median, min, max of samples

// One class shape as the script measured it. Bytes are tracemalloc bytes per
// instance; "shared" instances all point at one float object, "distinct"
// ones own a float per field; "touched" is after reading p.__dict__ on every
// instance (absent for classes without a __dict__).
struct CPythonShape {
  int fields = 0;
  std::string kind;  // plain, slots, slots_dict, subclass
  bool has_dict = false;
  double getsizeof_instance = 0;
  std::optional<double> getsizeof_dict;
  double shared_untouched = 0, distinct_untouched = 0;
  std::optional<double> shared_touched, distinct_touched;
};

struct CPythonFigures {
  std::string version;         // "3.11.2"
  int major = 0, minor = 0;
  std::string implementation;  // "cpython"
  std::string executable;
  std::string mode;            // "quick" or "full"
  long long instances = 0;     // N per shape
  std::vector<CPythonShape> shapes;
  // An instance with no attributes: class E: pass, and __slots__ = ().
  double empty_plain_untouched = 0, empty_slots = 0;
  std::optional<double> empty_plain_touched;
  double empty_plain_getsizeof = 0;                 // sys.getsizeof of an empty plain instance
  std::optional<double> empty_plain_getsizeof_dict; // ... and of its __dict__
  // sys.getsizeof of a dict built by a literal with this many string keys
  // ({'k0': 0, ...}): 0, 1, 5, 6, 10, 11.
  std::vector<std::pair<int, double>> small_dicts;
  std::optional<double> small_dict(int keys) const;
  // 7-field shapes, plain (a) against slotted (b), as interleaved pairs of
  // timeit blocks (lessons/verdict.hpp decides): ids "read", "update",
  // "read_touched", "update_touched" (a = the plain instance after reading
  // its __dict__). The pairs come from `processes` interpreter processes
  // (run_cpython_script), one after the other in a_ns / b_ns.
  struct Comparison {
    std::string id, a, b, stmt;
    long long number = 0;             // loops per block (the first process's; each calibrates its own)
    std::vector<double> a_ns, b_ns;   // ns per statement, one per pair, process by process
    std::vector<int> process_pairs;   // pairs per process, in order (sums to a_ns.size())
    // The pairs split by process, for decide_faster_by_process.
    std::vector<ProcessPairs> by_process() const;
  };
  std::vector<Comparison> comparisons;
  const Comparison* comparison(std::string_view id) const;
  std::string timer, timing_method;  // "thread_time" (3.7+) or "process_time" (3.6)
  int unroll = 0, pairs = 0;         // pairs: per comparison, over all processes
  int processes = 1;                 // interpreter processes the timings came from
  double loop_overhead_ns = 0;       // the unrolled loop's own cost per statement
  bool attr_error_raised = false;
  std::string attr_error_type, attr_error_message;
  bool subclass_has_dict = false;
  double inherit_extra_untouched = 0;
  std::optional<double> inherit_extra_touched;
  bool hatch_allows = false;
  double hatch_unused = 0, hatch_added = 0;
  long long ten_m_instances = 0;
  double ten_m_scale = 0, ten_m_dict_untouched = 0, ten_m_dict_touched = 0, ten_m_all = 0;
  std::string ten_m_scaling;
  double load_before = -1, load_after = -1;  // -1: not reported
  int cpus = 0;
  std::string raw_json;  // the script's whole output, for --json

  const CPythonShape* shape(int fields, std::string_view kind) const;
  // "3.10" from version_info, for tables keyed by minor version.
  std::string minor_version() const { return std::to_string(major) + "." + std::to_string(minor); }
};

// The document version measure_objects.py writes and this reader reads.
inline constexpr int kMeasureSchema = 2;

// Reads the script's JSON; throws io::JsonError (sim/io/json.hpp) naming the first missing or
// mistyped field, so a script/reader mismatch is one clear line.
CPythonFigures parse_cpython_figures(std::string_view json);

// A `--timing-only` document (or the timing part of a whole one): schema,
// "python", "timing" and "load" only; the rest of CPythonFigures is empty.
CPythonFigures parse_cpython_timing(std::string_view json);

// Appends the timings of one more process of the same interpreter to
// `into` (the pairs of each comparison, processes + 1, the later load).
// Throws io::JsonError when `more` is another interpreter or lacks one of
// into's comparisons (a mixed-up run must not become a verdict).
void merge_process_timing(CPythonFigures& into, const CPythonFigures& more);

// "python3": the one on PATH (posix_spawnp looks it up).
std::string default_python();

// Where measure_objects.py is: next to the executable's install tree
// (<exe>/../share/slotsim/python/), else the source tree's assets/python/
// (compiled in). nullopt if neither exists; `looked` lists the paths tried.
std::optional<std::string> find_measure_script(std::string* looked = nullptr);

struct CPythonRun {
  bool ok = false;
  bool interrupted = false;  // SIGINT/SIGTERM stopped it (the child's group was killed)
  std::string error;  // one line when !ok: not found, exit status, bad JSON, escaped and cut
  CPythonFigures figures;
};

// Runs `python script [--quick] --pairs P` (no shell: the path is passed as
// is, a bare name is looked up on PATH) through io::run_child (its own
// process group, output capped, killed with its children at the deadline
// or on SIGINT/SIGTERM), and parses stdout; then `processes - 1` more
// processes with --timing-only, one after the other, and merges their
// pairs (merge_process_timing). Each process gets its own random
// PYTHONHASHSEED, so even a user's fixed PYTHONHASHSEED cannot make them
// one process repeated. P = ceil(pairs / processes): the pairs are spread
// over the processes, not multiplied, but never fewer than
// kPairsPerProcess per process outside quick (lessons/verdict.hpp says why).
// processes 0: kCPythonProcesses, or 3 with quick (9 pairs, too few
// processes for a verdict: quick is for tests of the plumbing). timeout_s
// is for the whole run, every process (600 s: one process had 300). Never throws: a missing interpreter is a normal
// outcome the report states; any process failing fails the run.
// The default number of processes: kCPythonProcesses, or 3 with quick.
inline int cpython_processes(bool quick) { return quick ? 3 : kCPythonProcesses; }
// progress (optional) is called after each process with (done, processes).
CPythonRun run_cpython_script(const std::string& python, const std::string& script, bool quick,
                              double timeout_s = 600, int processes = 0, int pairs = kDefaultPairs,
                              const std::function<void(int, int)>& progress = {});

}  // namespace slotsim
