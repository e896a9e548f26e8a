#include "lessons/cpython.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include "sim/io/child_process.hpp"
#include "sim/io/json.hpp"
#include "sim/message.hpp"

// Both come from sim/CMakeLists.txt; the fallbacks keep a build configured
// some other way compiling (it then finds python3 on PATH, and the script
// only next to the executable).
#ifndef SLOTSIM_PYTHON_PATH
#define SLOTSIM_PYTHON_PATH "python3"
#endif
#ifndef SLOTSIM_PYTHON_SCRIPT_DIR
#define SLOTSIM_PYTHON_SCRIPT_DIR ""
#endif

namespace slotsim {
namespace {

constexpr const char* kScript = "measure_objects.py";

using io::Json;

double num(const Json& v, std::string_view k) { return io::number(v, k); }

// Every figure is checked where it is read. A script (or an interpreter)
// that prints a negative size, a zero, 1e300 or a non-number must not
// become a verdict: negative sizes once read as "holds", zeros printed
// "-nanx", and 1e300 instances went through an undefined conversion to
// -9223372036854775808. Sizes and times past these bounds are no
// measurement of an object.
constexpr double kMaxBytes = 1e12, kMaxNs = 1e12;
[[noreturn]] void absurd(std::string_view k, double v, const char* want) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  throw io::JsonError("measure_objects.py: \"" + std::string(k) + "\" is " + buf + ", expected " + want);
}
double checked(double v, std::string_view k, double lo, double hi, bool lo_open, const char* want) {
  if (!std::isfinite(v) || v > hi || v < lo || (lo_open && v == lo)) absurd(k, v, want);
  return v;
}
// A size in bytes: > 0.
double bytes(const Json& v, std::string_view k) {
  return checked(num(v, k), k, 0, kMaxBytes, true, "a positive size in bytes");
}
// A difference of sizes that may be zero (an extra attribute's cost): >= 0.
double extra_bytes(const Json& v, std::string_view k) {
  return checked(num(v, k), k, 0, kMaxBytes, false, "a size in bytes >= 0");
}
std::optional<double> opt_bytes(const Json& v, std::string_view k) {
  if (io::member(v, k).is_null()) return std::nullopt;
  return bytes(v, k);
}
// Text the report prints (the version, an exception's message): escaped
// and cut like every message, so the interpreter cannot write control
// bytes or a megabyte line to the terminal through the table.
std::string shown_text(const Json& v, std::string_view k) { return one_line(io::text(v, k)); }
// A whole number in [lo, hi], converted only once it is known to fit.
long long whole(const Json& v, std::string_view k, long long lo, long long hi) {
  const double x = num(v, k);
  if (!std::isfinite(x) || x != std::floor(x) || x < double(lo) || x > double(hi)) {
    const std::string want = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    absurd(k, x, want.c_str());
  }
  return static_cast<long long>(x);
}
// A positive time in ns (a timing sample).
double time_ns(const Json& v, const std::string& what) {
  if (!v.is_number()) throw io::JsonError("measure_objects.py: " + what + " is not a number");
  return checked(v.get<double>(), what, 0, kMaxNs, true, "a positive time in ns");
}

// The schema and "python" parts every document has.
void read_header(const Json& d, CPythonFigures& f) {
  if (num(d, "schema") != kMeasureSchema)
    throw io::JsonError("measure_objects.py: schema " + io::member(d, "schema").dump() + ", this slotsim reads " +
                        std::to_string(kMeasureSchema) + " (the script and the binary are from different versions)");
  const Json& py = io::member(d, "python");
  f.version = shown_text(py, "version");
  const Json& vi = io::array(py, "version_info");
  if (vi.size() < 2 || !vi[0].is_number() || !vi[1].is_number())
    throw io::JsonError("JSON: version_info needs major and minor");
  const Json parts = {{"major", vi[0]}, {"minor", vi[1]}};
  f.major = int(whole(parts, "major", 0, 1000));
  f.minor = int(whole(parts, "minor", 0, 1000));
  f.implementation = shown_text(py, "implementation");
  f.executable = shown_text(py, "executable");
}

// "timing": the comparisons of one process.
void read_timing(const Json& d, CPythonFigures& f) {
  const Json& t = io::member(d, "timing");
  f.timer = shown_text(t, "timer");
  f.timing_method = shown_text(t, "method");
  f.unroll = int(whole(t, "unroll", 1, 1000000));
  f.pairs = int(whole(t, "pairs", 1, 1000000));
  f.loop_overhead_ns = checked(num(t, "loop_overhead_ns"), "loop_overhead_ns", 0, kMaxNs, false, "a time in ns >= 0");
  for (const Json& c : io::array(t, "comparisons")) {
    CPythonFigures::Comparison x;
    x.id = shown_text(c, "id");
    x.a = shown_text(c, "a");
    x.b = shown_text(c, "b");
    x.stmt = shown_text(c, "stmt");
    x.number = whole(c, "number", 1, 1000000000000LL);
    for (const char* side : {"a_ns", "b_ns"})
      for (const Json& v : io::array(c, side))
        (side[0] == 'a' ? x.a_ns : x.b_ns).push_back(time_ns(v, "timing " + x.id + "." + side));
    if (x.a_ns.size() != x.b_ns.size() || x.a_ns.empty())
      throw io::JsonError("JSON: timing " + x.id + ": a_ns and b_ns must be the same non-empty length");
    x.process_pairs = {int(x.a_ns.size())};
    f.comparisons.push_back(std::move(x));
  }
}

// "load", optional.
void read_load(const Json& d, CPythonFigures& f) {
  if (d.contains("load")) {
    const Json& l = d["load"];
    if (l.is_object()) {
      // Optional, so a bad value is "not reported" rather than a refusal.
      auto load = [&](const char* k) {
        const double v = l.contains(k) && l[k].is_number() ? l[k].get<double>() : -1;
        return std::isfinite(v) && v >= 0 && v < 1e6 ? v : -1;
      };
      f.load_before = load("before");
      f.load_after = load("after");
      const double cpus = load("cpus");
      f.cpus = cpus >= 1 && cpus <= 1e5 && cpus == std::floor(cpus) ? int(cpus) : 0;
    }
  }
}

}  // namespace

Spread spread_of(const std::vector<double>& v) {
  Spread s;
  if (v.empty()) return s;
  std::vector<double> w = v;
  std::sort(w.begin(), w.end());
  const std::size_t n = w.size();
  s.median = n % 2 ? w[n / 2] : 0.5 * (w[n / 2 - 1] + w[n / 2]);
  s.min = w.front();
  s.max = w.back();
  s.repeats = int(n);
  return s;
}

const CPythonShape* CPythonFigures::shape(int f, std::string_view kind) const {
  for (const CPythonShape& s : shapes)
    if (s.fields == f && s.kind == kind) return &s;
  return nullptr;
}
const CPythonFigures::Comparison* CPythonFigures::comparison(std::string_view id) const {
  for (const Comparison& c : comparisons)
    if (c.id == id) return &c;
  return nullptr;
}
std::optional<double> CPythonFigures::small_dict(int keys) const {
  for (const auto& [k, b] : small_dicts)
    if (k == keys) return b;
  return std::nullopt;
}

CPythonFigures parse_cpython_figures(std::string_view text) {
  const Json d = io::parse_json_text(text);
  CPythonFigures f;
  read_header(d, f);
  f.mode = shown_text(d, "mode");
  f.instances = whole(d, "instances", 1, 1000000000000LL);
  for (const Json& s : io::array(d, "shapes")) {
    CPythonShape c;
    c.fields = int(whole(s, "fields", 0, 1000));
    c.kind = shown_text(s, "kind");
    c.has_dict = io::boolean(s, "has_dict");
    c.getsizeof_instance = bytes(s, "getsizeof_instance");
    c.getsizeof_dict = opt_bytes(s, "getsizeof_dict");
    const Json& b = io::member(s, "bytes");
    c.shared_untouched = bytes(io::member(b, "shared"), "untouched");
    c.shared_touched = opt_bytes(io::member(b, "shared"), "touched");
    c.distinct_untouched = bytes(io::member(b, "distinct"), "untouched");
    c.distinct_touched = opt_bytes(io::member(b, "distinct"), "touched");
    f.shapes.push_back(std::move(c));
  }
  const Json& e = io::member(d, "empty");
  f.empty_plain_untouched = bytes(io::member(e, "plain"), "untouched");
  f.empty_plain_touched = opt_bytes(io::member(e, "plain"), "touched");
  f.empty_plain_getsizeof = bytes(io::member(e, "plain"), "getsizeof_instance");
  f.empty_plain_getsizeof_dict = opt_bytes(io::member(e, "plain"), "getsizeof_dict");
  f.empty_slots = bytes(io::member(e, "slots"), "untouched");
  const Json& sd = io::member(d, "small_dicts_getsizeof");
  if (!sd.is_object()) throw io::JsonError("JSON: \"small_dicts_getsizeof\" is not an object");
  for (const auto& [k, v] : sd.items()) {
    char* end = nullptr;
    const long keys = std::strtol(k.c_str(), &end, 10);
    if (k.empty() || *end != '\0' || keys < 0 || keys > 1000000)
      throw io::JsonError("measure_objects.py: small_dicts_getsizeof key \"" + one_line(k) + "\" is not a key count");
    f.small_dicts.emplace_back(int(keys), bytes(sd, k));
  }
  read_timing(d, f);
  const Json& ae = io::member(d, "attribute_error");
  f.attr_error_raised = io::boolean(ae, "raised");
  if (f.attr_error_raised) {
    f.attr_error_type = shown_text(ae, "type");
    f.attr_error_message = shown_text(ae, "message");
  }
  const Json& inh = io::member(d, "inheritance");
  f.subclass_has_dict = io::boolean(inh, "subclass_has_dict");
  f.inherit_extra_untouched = extra_bytes(inh, "extra_bytes_untouched");
  if (!io::member(inh, "extra_bytes_touched").is_null())
    f.inherit_extra_touched = extra_bytes(inh, "extra_bytes_touched");
  const Json& h = io::member(d, "escape_hatch");
  f.hatch_allows = io::boolean(h, "allows_new_attributes");
  f.hatch_unused = extra_bytes(h, "unused_bytes");
  f.hatch_added = extra_bytes(h, "bytes_added_by_first_attribute");
  const Json& tm = io::member(d, "ten_million");
  f.ten_m_instances = whole(tm, "instances", 1, 1000000000000LL);
  f.ten_m_scale = checked(num(tm, "scale"), "scale", 0, 1e12, true, "a positive scale");
  f.ten_m_scaling = shown_text(tm, "scaling");
  f.ten_m_dict_untouched = extra_bytes(tm, "dict_bytes_untouched");
  f.ten_m_dict_touched = extra_bytes(tm, "dict_bytes_touched");
  f.ten_m_all = bytes(tm, "all_bytes_untouched");
  read_load(d, f);
  // The figures the claims table needs, checked here rather than at each use.
  for (int fields : {3, 7})
    for (const char* k : {"plain", "slots", "slots_dict", "subclass"})
      if (!f.shape(fields, k))
        throw io::JsonError("measure_objects.py: no " + std::to_string(fields) + "-field '" + k + "' shape");
  for (const char* k : {"read", "update"})
    if (!f.comparison(k)) throw io::JsonError(std::string("measure_objects.py: no '") + k + "' timing");
  f.raw_json = std::string(text);
  return f;
}

CPythonFigures parse_cpython_timing(std::string_view text) {
  const Json d = io::parse_json_text(text);
  CPythonFigures f;
  read_header(d, f);
  f.mode = shown_text(d, "mode");
  read_timing(d, f);
  read_load(d, f);
  for (const char* k : {"read", "update"})
    if (!f.comparison(k)) throw io::JsonError(std::string("measure_objects.py: no '") + k + "' timing");
  return f;
}

std::vector<ProcessPairs> CPythonFigures::Comparison::by_process() const {
  std::vector<ProcessPairs> out;
  std::size_t at = 0;
  for (int n : process_pairs) {
    const std::size_t end = std::min(a_ns.size(), at + std::size_t(std::max(n, 0)));
    out.push_back({std::vector<double>(a_ns.begin() + long(at), a_ns.begin() + long(end)),
                   std::vector<double>(b_ns.begin() + long(at), b_ns.begin() + long(end))});
    at = end;
  }
  return out;
}

void merge_process_timing(CPythonFigures& into, const CPythonFigures& more) {
  if (more.version != into.version || more.executable != into.executable ||
      more.implementation != into.implementation)
    throw io::JsonError("measure_objects.py: a timing process reported " + more.implementation + " " + more.version +
                        " (" + more.executable + "), the first " + into.implementation + " " + into.version + " (" +
                        into.executable + ")");
  // Checked before anything is appended, so a refusal leaves `into` whole.
  std::vector<const CPythonFigures::Comparison*> from;
  for (const CPythonFigures::Comparison& c : into.comparisons) {
    const CPythonFigures::Comparison* m = more.comparison(c.id);
    if (!m || m->a != c.a || m->b != c.b || m->stmt != c.stmt)
      throw io::JsonError("measure_objects.py: a timing process has no '" + c.id + "' timing like the first's");
    from.push_back(m);
  }
  for (std::size_t k = 0; k < into.comparisons.size(); ++k) {
    CPythonFigures::Comparison& c = into.comparisons[k];
    c.a_ns.insert(c.a_ns.end(), from[k]->a_ns.begin(), from[k]->a_ns.end());
    c.b_ns.insert(c.b_ns.end(), from[k]->b_ns.begin(), from[k]->b_ns.end());
    c.process_pairs.push_back(int(from[k]->a_ns.size()));
  }
  into.pairs += more.pairs;
  into.processes += more.processes;
  if (more.load_after >= 0) into.load_after = more.load_after;
}

std::string default_python() {
  // The python3 on PATH: the interpreter the user gets by typing python3
  // (a pyenv or conda one if that is what they use), not the one CMake
  // found at build time.
  return "python3";
}

std::optional<std::string> find_measure_script(std::string* looked) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // An installed tree (bin/slotsim, share/slotsim/python/) first, so an
    // install never reads a source tree that may have moved on.
    candidates.push_back(exe.parent_path().parent_path() / "share/slotsim/python" / kScript);
    candidates.push_back(exe.parent_path() / "python" / kScript);
  }
  if (std::strlen(SLOTSIM_PYTHON_SCRIPT_DIR) > 0) candidates.push_back(fs::path(SLOTSIM_PYTHON_SCRIPT_DIR) / kScript);
  std::string list;
  for (const fs::path& p : candidates) {
    if (fs::is_regular_file(p, ec)) return p.string();
    list += (list.empty() ? "" : ", ") + p.string();
  }
  if (looked) *looked = list;
  return std::nullopt;
}

namespace {

// One child: runs argv with `seed` as its PYTHONHASHSEED within the time
// left, and parses its stdout with `parse`; false with r.error set if not.
template <class Parse>
bool run_one(const std::vector<std::string>& argv, unsigned seed, double timeout_s, const std::string& who,
             CPythonRun& r, CPythonFigures& out, Parse parse) {
  io::ChildLimits limits;
  limits.timeout_s = timeout_s;
  // The document is ~20 kB; 16 MB is far beyond any honest one.
  limits.stdout_cap = 16u << 20;
  limits.env = {"PYTHONHASHSEED=" + std::to_string(seed)};
  const io::ChildResult c = io::run_child(argv, limits);
  switch (c.outcome) {
    case io::ChildOutcome::SpawnFailed: r.error = "python " + c.error; return false;
    case io::ChildOutcome::TimedOut:
      r.error = who + "no answer within the " + std::to_string(int(timeout_s)) + " s left (killed, with its children)";
      return false;
    case io::ChildOutcome::OutputTooLarge:
      r.error = who + "printed more than " + std::to_string(limits.stdout_cap >> 20) + " MB (killed)";
      return false;
    case io::ChildOutcome::Interrupted:
      r.interrupted = true;
      r.error = who + "interrupted (killed, with its children)";
      return false;
    default: break;
  }
  if (!c.ok()) {
    r.error = who + c.describe();
    return false;
  }
  try {
    out = parse(c.out);
  } catch (const std::exception& e) {
    r.error = who + "unreadable output: " + one_line(e.what());
    return false;
  }
  return true;
}

}  // namespace

CPythonRun run_cpython_script(const std::string& python, const std::string& script, bool quick, double timeout_s,
                              int processes, int pairs, const std::function<void(int, int)>& progress) {
  CPythonRun r;
  if (processes <= 0) processes = cpython_processes(quick);
  if (quick) pairs = std::min(pairs, 9);
  // At least kPairsPerProcess each (a process's median must resist one odd
  // block); quick runs keep their few pairs.
  const int per = std::max(quick ? 1 : kPairsPerProcess, (std::max(pairs, 1) + processes - 1) / processes);
  std::vector<std::string> argv = {python, script};
  if (quick) argv.push_back("--quick");
  argv.push_back("--pairs");
  argv.push_back(std::to_string(per));
  // Distinct random hash seeds (PYTHONHASHSEED takes 0 to 2^32-1; 0 turns
  // randomisation off, so 1 up): each process is a fresh draw of what an
  // interpreter's start fixes, and a user's own PYTHONHASHSEED=0 cannot
  // make all of them the same process.
  std::random_device rd;
  std::vector<unsigned> seeds;
  while (int(seeds.size()) < processes) {
    const unsigned s = 1 + unsigned(rd() % 4294967294u);
    if (std::find(seeds.begin(), seeds.end(), s) == seeds.end()) seeds.push_back(s);
  }
  const auto start = std::chrono::steady_clock::now();
  auto left = [&] {
    return std::max(1.0, timeout_s - std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  const std::string who = one_line(python + " " + script) + ": ";
  if (!run_one(argv, seeds[0], left(), who, r, r.figures, [](const std::string& t) { return parse_cpython_figures(t); }))
    return r;
  if (progress) progress(1, processes);
  argv.push_back("--timing-only");
  for (int k = 1; k < processes; ++k) {
    const std::string whok = one_line(python + " " + script) + " (timing process " + std::to_string(k + 1) + " of " +
                             std::to_string(processes) + "): ";
    CPythonFigures more;
    if (!run_one(argv, seeds[std::size_t(k)], left(), whok, r, more,
                 [](const std::string& t) { return parse_cpython_timing(t); }))
      return r;
    try {
      merge_process_timing(r.figures, more);
    } catch (const std::exception& e) {
      r.error = whok + one_line(e.what());
      return r;
    }
    if (progress) progress(k + 1, processes);
  }
  r.ok = true;
  return r;
}

}  // namespace slotsim
