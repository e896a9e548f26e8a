#include "lessons/cpython.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "sim/io/json.hpp"

extern char** environ;

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
std::optional<double> opt_num(const Json& v, std::string_view k) {
  if (io::member(v, k).is_null()) return std::nullopt;
  return io::number(v, k);
}

// The last non-empty line of a child's stderr: a Python traceback ends with
// the exception, which is the one line worth reporting.
std::string last_line(const std::string& s) {
  std::size_t end = s.find_last_not_of("\n\r ");
  if (end == std::string::npos) return "";
  const std::size_t start = s.rfind('\n', end);
  return s.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
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
  f.version = io::text(py, "version");
  const Json& vi = io::array(py, "version_info");
  if (vi.size() < 2 || !vi[0].is_number() || !vi[1].is_number())
    throw io::JsonError("JSON: version_info needs major and minor");
  f.major = vi[0].get<int>();
  f.minor = vi[1].get<int>();
  f.implementation = io::text(py, "implementation");
  f.executable = io::text(py, "executable");
  f.mode = io::text(d, "mode");
  f.instances = static_cast<long long>(num(d, "instances"));
  for (const Json& s : io::array(d, "shapes")) {
    CPythonShape c;
    c.fields = int(num(s, "fields"));
    c.kind = io::text(s, "kind");
    c.has_dict = io::boolean(s, "has_dict");
    c.getsizeof_instance = num(s, "getsizeof_instance");
    c.getsizeof_dict = opt_num(s, "getsizeof_dict");
    const Json& b = io::member(s, "bytes");
    c.shared_untouched = num(io::member(b, "shared"), "untouched");
    c.shared_touched = opt_num(io::member(b, "shared"), "touched");
    c.distinct_untouched = num(io::member(b, "distinct"), "untouched");
    c.distinct_touched = opt_num(io::member(b, "distinct"), "touched");
    f.shapes.push_back(std::move(c));
  }
  const Json& e = io::member(d, "empty");
  f.empty_plain_untouched = num(io::member(e, "plain"), "untouched");
  f.empty_plain_touched = opt_num(io::member(e, "plain"), "touched");
  f.empty_plain_getsizeof = num(io::member(e, "plain"), "getsizeof_instance");
  f.empty_plain_getsizeof_dict = opt_num(io::member(e, "plain"), "getsizeof_dict");
  f.empty_slots = num(io::member(e, "slots"), "untouched");
  const Json& sd = io::member(d, "small_dicts_getsizeof");
  if (!sd.is_object()) throw io::JsonError("JSON: \"small_dicts_getsizeof\" is not an object");
  for (const auto& [k, v] : sd.items()) {
    if (!v.is_number()) throw io::JsonError("JSON: small_dicts_getsizeof[\"" + k + "\"] is not a number");
    f.small_dicts.emplace_back(std::stoi(k), v.get<double>());
  }
  const Json& t = io::member(d, "timing");
  f.timer = io::text(t, "timer");
  f.timing_method = io::text(t, "method");
  f.unroll = int(num(t, "unroll"));
  f.pairs = int(num(t, "pairs"));
  f.loop_overhead_ns = num(t, "loop_overhead_ns");
  for (const Json& c : io::array(t, "comparisons")) {
    CPythonFigures::Comparison x;
    x.id = io::text(c, "id");
    x.a = io::text(c, "a");
    x.b = io::text(c, "b");
    x.stmt = io::text(c, "stmt");
    x.number = static_cast<long long>(num(c, "number"));
    for (const char* side : {"a_ns", "b_ns"})
      for (const Json& v : io::array(c, side)) {
        if (!v.is_number() || !(v.get<double>() > 0))
          throw io::JsonError("JSON: timing " + x.id + "." + side + " holds a value that is not a positive number");
        (side[0] == 'a' ? x.a_ns : x.b_ns).push_back(v.get<double>());
      }
    if (x.a_ns.size() != x.b_ns.size() || x.a_ns.empty())
      throw io::JsonError("JSON: timing " + x.id + ": a_ns and b_ns must be the same non-empty length");
    f.comparisons.push_back(std::move(x));
  }
  const Json& ae = io::member(d, "attribute_error");
  f.attr_error_raised = io::boolean(ae, "raised");
  if (f.attr_error_raised) {
    f.attr_error_type = io::text(ae, "type");
    f.attr_error_message = io::text(ae, "message");
  }
  const Json& inh = io::member(d, "inheritance");
  f.subclass_has_dict = io::boolean(inh, "subclass_has_dict");
  f.inherit_extra_untouched = num(inh, "extra_bytes_untouched");
  f.inherit_extra_touched = opt_num(inh, "extra_bytes_touched");
  const Json& h = io::member(d, "escape_hatch");
  f.hatch_allows = io::boolean(h, "allows_new_attributes");
  f.hatch_unused = num(h, "unused_bytes");
  f.hatch_added = num(h, "bytes_added_by_first_attribute");
  const Json& tm = io::member(d, "ten_million");
  f.ten_m_instances = static_cast<long long>(num(tm, "instances"));
  f.ten_m_scale = num(tm, "scale");
  f.ten_m_scaling = io::text(tm, "scaling");
  f.ten_m_dict_untouched = num(tm, "dict_bytes_untouched");
  f.ten_m_dict_touched = num(tm, "dict_bytes_touched");
  f.ten_m_all = num(tm, "all_bytes_untouched");
  if (d.contains("load")) {
    const Json& l = d["load"];
    if (l.is_object()) {
      if (l.contains("before") && l["before"].is_number()) f.load_before = l["before"].get<double>();
      if (l.contains("after") && l["after"].is_number()) f.load_after = l["after"].get<double>();
      if (l.contains("cpus") && l["cpus"].is_number()) f.cpus = l["cpus"].get<int>();
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
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    close(out[0]);
    close(out[1]);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<std::string> args = {python, script};
  if (quick) args.push_back("--quick");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  // posix_spawnp: a bare name ("python3") is looked up on PATH, a path is
  // used as given; glibc reports a failed exec as the return value.
  const int rc = posix_spawnp(&pid, python.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    r.error = "python '" + python + "': " + std::strerror(rc);
    return r;
  }
  // Read both pipes until both close; reading only stdout could deadlock
  // on a child that fills the stderr pipe with warnings.
  std::string so, se;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    const int n = poll(fds, 2, int(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[8192];
      const ssize_t got = read(fds[k].fd, buf, sizeof buf);
      if (got > 0) {
        (k == 0 ? so : se).append(buf, std::size_t(got));
      } else if (got == 0 || errno != EINTR) {
        close(fds[k].fd);
        fds[k].fd = -1;  // poll ignores negative descriptors
        --open_fds;
      }
    }
  }
  for (const pollfd& p : fds)
    if (p.fd >= 0) close(p.fd);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    r.error = python + " " + script + ": no answer within " + std::to_string(int(timeout_s)) + " s (killed)";
    return r;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string why = last_line(se);
    r.error = python + " " + script + ": " +
              (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status)) : std::string("killed by a signal")) +
              (why.empty() ? "" : " (" + why + ")");
    return r;
  }
  try {
    r.figures = parse_cpython_figures(so);
    r.ok = true;
  } catch (const std::exception& e) {
    r.error = python + " " + script + ": unreadable output: " + e.what();
  }
  return r;
}

}  // namespace slotsim
