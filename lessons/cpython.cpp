#include "lessons/cpython.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

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
  if (num(d, "schema") != kMeasureSchema)
    throw io::JsonError("measure_objects.py: schema " + io::member(d, "schema").dump() + ", this slotsim reads " +
                        std::to_string(kMeasureSchema) + " (the script and the binary are from different versions)");
  CPythonFigures f;
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
    f.comparisons.push_back(std::move(x));
  }
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

CPythonRun run_cpython_script(const std::string& python, const std::string& script, bool quick, double timeout_s) {
  CPythonRun r;
  std::vector<std::string> argv = {python, script};
  if (quick) argv.push_back("--quick");
  io::ChildLimits limits;
  limits.timeout_s = timeout_s;
  // The document is ~20 kB; 16 MB is far beyond any honest one.
  limits.stdout_cap = 16u << 20;
  const io::ChildResult c = io::run_child(argv, limits);
  const std::string who = one_line(python + " " + script) + ": ";
  switch (c.outcome) {
    case io::ChildOutcome::SpawnFailed: r.error = "python " + c.error; return r;
    case io::ChildOutcome::TimedOut:
      r.error = who + "no answer within " + std::to_string(int(timeout_s)) + " s (killed, with its children)";
      return r;
    case io::ChildOutcome::OutputTooLarge:
      r.error = who + "printed more than " + std::to_string(limits.stdout_cap >> 20) + " MB (killed)";
      return r;
    case io::ChildOutcome::Interrupted:
      r.interrupted = true;
      r.error = who + "interrupted (killed, with its children)";
      return r;
    default: break;
  }
  if (!c.ok()) {
    r.error = who + c.describe();
    return r;
  }
  try {
    r.figures = parse_cpython_figures(c.out);
    r.ok = true;
  } catch (const std::exception& e) {
    r.error = who + "unreadable output: " + one_line(e.what());
  }
  return r;
}

}  // namespace slotsim
