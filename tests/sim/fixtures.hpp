#pragma once
// Helpers shared by the core tests. Only generic building blocks belong here
// (particle sets, array bundles, error measures, comparisons and checks any
// test may make), not assertions of any one module, so every test file can
// include it without coupling to another.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sim/layouts/particle_store.hpp"
#include "sim/system.hpp"
#include "sim/particle.hpp"
#include "sim/scenes/rng.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::testing {

// A Plummer sphere (scale radius 1, total mass 1, equal masses), positions
// truncated at r < 10, velocities from the isotropic distribution function
// (Aarseth, Henon & Wielen 1974). A local copy rather than the scenes module
// so solver tests do not depend on scene parameters that may change.
inline std::vector<ParticleRecord> plummer_sample(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<ParticleRecord> out(n);
  const double m = 1.0 / static_cast<double>(n);
  for (ParticleRecord& p : out) {
    double r;
    do {
      const double u = rng.uniform();
      r = u > 0 ? 1.0 / std::sqrt(std::pow(u, -2.0 / 3.0) - 1.0) : 0.0;
    } while (!(r > 0 && r < 10));
    const double cz = rng.uniform(-1, 1), phi = rng.uniform(0, 2 * M_PI);
    const double sz = std::sqrt(1 - cz * cz);
    p.x = r * sz * std::cos(phi);
    p.y = r * sz * std::sin(phi);
    p.z = r * cz;
    // q = v / v_escape has density proportional to q^2 (1 - q^2)^3.5 on [0, 1].
    double q;
    for (;;) {
      q = rng.uniform();
      if (0.1 * rng.uniform() < q * q * std::pow(1 - q * q, 3.5)) break;
    }
    const double v = q * std::sqrt(2.0) * std::pow(1 + r * r, -0.25);
    const double vz = rng.uniform(-1, 1), vphi = rng.uniform(0, 2 * M_PI);
    const double vs = std::sqrt(1 - vz * vz);
    p.vx = v * vs * std::cos(vphi);
    p.vy = v * vs * std::sin(vphi);
    p.vz = v * vz;
    p.mass = m;
  }
  return out;
}

// Positions and masses as the separate columns a Solver reads.
struct SourceArrays {
  std::vector<double> x, y, z, m;
  SourceArrays() = default;
  explicit SourceArrays(const std::vector<ParticleRecord>& ps) {
    for (const ParticleRecord& p : ps) push(p.x, p.y, p.z, p.mass);
  }
  void push(double px, double py, double pz, double pm) {
    x.push_back(px);
    y.push_back(py);
    z.push_back(pz);
    m.push_back(pm);
  }
  Sources sources() const { return {x.data(), y.data(), z.data(), m.data(), x.size()}; }
};

// Acceleration output columns, pre-filled with NaN so a solver that skips a
// particle is caught.
struct AccelArrays {
  std::vector<double> ax, ay, az;
  explicit AccelArrays(std::size_t n) : ax(n, NAN), ay(n, NAN), az(n, NAN) {}
  Accels accels() { return {ax.data(), ay.data(), az.data()}; }
  std::size_t size() const { return ax.size(); }
};

// Bit-for-bit equality: the determinism promise is about bits, and
// operator== would call NaN != NaN and -0 == +0.
inline bool bitwise_equal(const AccelArrays& a, const AccelArrays& b) {
  auto same = [](const std::vector<double>& u, const std::vector<double>& v) {
    // Empty vectors may hold null data(), which memcmp must not be given
    // even for 0 bytes (UBSan's nonnull check).
    return u.size() == v.size() && (u.empty() || std::memcmp(u.data(), v.data(), u.size() * sizeof(double)) == 0);
  };
  return same(a.ax, b.ax) && same(a.ay, b.ay) && same(a.az, b.az);
}

// One solver's output three times: twice on 2 threads, then on 1 thread, so
// a test can assert bit-identity between calls and between thread counts.
struct ThreeRuns {
  AccelArrays two_a, two_b, one;
  SolverPhases phases;  // of the last call
};
inline ThreeRuns run_on_two_then_one_thread(Solver& s, const SourceArrays& src) {
  const std::size_t n = src.x.size();
  ThreeRuns r{AccelArrays(n), AccelArrays(n), AccelArrays(n), {}};
  Accels aa = r.two_a.accels(), ab = r.two_b.accels(), ac = r.one.accels();
  SolverPhases& ph = r.phases;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  s.accelerations(src.sources(), aa, ph);
  s.accelerations(src.sources(), ab, ph);
  omp_set_num_threads(1);
  s.accelerations(src.sources(), ac, ph);
  omp_set_num_threads(saved);
  return r;
}

// sqrt(mean_i |a_i - ref_i|^2 / |ref_i|^2): the usual tree-code accuracy
// figure. Particles whose reference acceleration is exactly zero are skipped.
inline double rms_rel_error(const AccelArrays& ref, const AccelArrays& a) {
  double sum = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double r2 = ref.ax[i] * ref.ax[i] + ref.ay[i] * ref.ay[i] + ref.az[i] * ref.az[i];
    if (r2 == 0) continue;
    const double dx = a.ax[i] - ref.ax[i], dy = a.ay[i] - ref.ay[i], dz = a.az[i] - ref.az[i];
    sum += (dx * dx + dy * dy + dz * dz) / r2;
    ++count;
  }
  return count ? std::sqrt(sum / static_cast<double>(count)) : 0.0;
}

// The exact softened potential of every source, -sum_{j != i} m_j /
// sqrt(r_ij^2 + eps^2), summed in index order: the reference for the
// solvers' potentials (Solver::potentials).
inline std::vector<double> exact_potentials(const SourceArrays& s, double eps) {
  const std::size_t n = s.x.size();
  std::vector<double> phi(n, 0.0);
  const auto sn = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < sn; ++i) {
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j == static_cast<std::size_t>(i)) continue;
      const double dx = s.x[j] - s.x[i], dy = s.y[j] - s.y[i], dz = s.z[j] - s.z[i];
      sum += s.m[j] / std::sqrt(dx * dx + dy * dy + dz * dz + eps * eps);
    }
    phi[i] = -sum;
  }
  return phi;
}

// A fresh solver's potential of every source (Solver::potentials), which
// the solver must provide; NaN-filled first, so an entry it skips shows.
inline std::vector<double> solver_potentials(const char* name, const ForceParams& fp, const SourceArrays& src) {
  std::vector<double> phi(src.x.size(), NAN);
  REQUIRE(make_solver(name, fp)->potentials(src.sources(), phi.data()));
  return phi;
}

// sqrt(mean_i ((phi_i - ref_i) / ref_i)^2), skipping ref_i == 0.
inline double rms_rel_error(const std::vector<double>& ref, const std::vector<double>& phi) {
  double sum = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (ref[i] == 0) continue;
    const double r = (phi[i] - ref[i]) / ref[i];
    sum += r * r;
    ++count;
  }
  return count ? std::sqrt(sum / static_cast<double>(count)) : 0.0;
}

// The relative error of 0.5 sum m_i phi_i, the potential energy.
inline double energy_rel_error(const SourceArrays& s, const std::vector<double>& ref,
                               const std::vector<double>& phi) {
  double w = 0, w_ref = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    w += s.m[i] * phi[i];
    w_ref += s.m[i] * ref[i];
  }
  return std::abs(w / w_ref - 1);
}

// A solver's potential at a coarse and a fine setting against direct
// summation, on the 4000-particle Plummer sphere (seed 11) both the bh and
// the pm potential tests use: rms relative error per particle and the
// relative error of the potential energy, each for both settings.
struct PotentialAccuracy {
  double rms_coarse, rms_fine, energy_coarse, energy_fine;
};
inline PotentialAccuracy potential_accuracy(const char* solver, const ForceParams& coarse, const ForceParams& fine) {
  const SourceArrays src(plummer_sample(4000, 11));
  const std::vector<double> ref = exact_potentials(src, coarse.softening);
  const std::vector<double> pc = solver_potentials(solver, coarse, src), pf = solver_potentials(solver, fine, src);
  return {rms_rel_error(ref, pc), rms_rel_error(ref, pf), energy_rel_error(src, ref, pc),
          energy_rel_error(src, ref, pf)};
}

inline bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Solver::potentials' contract, for any solver that has one: bit-identical
// between calls and between 2 threads and 1, every particle written (and
// bound), the force call's interaction count kept, and the next forces
// unchanged by the potential call in between.
inline void check_potentials_contract(Solver& s, const SourceArrays& src) {
  REQUIRE(s.has_potentials());
  const std::size_t n = src.x.size();
  AccelArrays before(n), after(n);
  Accels ab = before.accels(), aa = after.accels();
  SolverPhases ph;
  s.accelerations(src.sources(), ab, ph);
  const std::uint64_t interactions = s.interactions();
  std::vector<double> a(n, NAN), b(n, NAN), c(n, NAN);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  CHECK(s.potentials(src.sources(), a.data()));
  CHECK(s.potentials(src.sources(), b.data()));
  omp_set_num_threads(1);
  CHECK(s.potentials(src.sources(), c.data()));
  omp_set_num_threads(saved);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(a[i] < 0);
  CHECK(bitwise_equal(a, b));
  CHECK(bitwise_equal(a, c));
  CHECK(s.interactions() == interactions);
  s.accelerations(src.sources(), aa, ph);
  CHECK(bitwise_equal(before, after));
}

}  // namespace slotsim::testing

// Scene and file helpers (scenes and CSV tests).
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>

#include "sim/scenes/scene.hpp"
#include "sim/io/json.hpp"

namespace slotsim::testing {

// Collects a scene's stream; fine for test sizes, unlike the real stores.
class VectorSink : public ParticleSink {
 public:
  void push(const ParticleRecord& p) override { particles.push_back(p); }
  std::vector<ParticleRecord> particles;
};

inline std::vector<ParticleRecord> scene_particles(std::string_view name, std::size_t n,
                                                   std::uint64_t seed) {
  VectorSink sink;
  generate_scene(name, SceneParams{n, seed}, sink);
  return std::move(sink.particles);
}

inline bool bitwise_equal(const std::vector<ParticleRecord>& a,
                          const std::vector<ParticleRecord>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(ParticleRecord)) == 0;
}

// The same particles in the same order, bit for bit, whatever the two
// stores' layouts.
inline bool same_records(const ParticleStore& a, const ParticleStore& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const ParticleRecord ra = a.record(i), rb = b.record(i);
    if (std::memcmp(&ra, &rb, sizeof ra) != 0) return false;
  }
  return true;
}

// Two stores' accounts agree block for block. usable_total is not compared:
// malloc_usable_size depends on which malloc arena served a block (two
// Systems on different threads get different ones).
inline void check_same_counts(const LayoutBytes& a, const LayoutBytes& b) {
  CHECK(a.objects == b.objects);
  CHECK(a.tables == b.tables);
  CHECK(a.index == b.index);
  CHECK(a.columns == b.columns);
  CHECK(a.shared_keys == b.shared_keys);
  CHECK(a.blocks == b.blocks);
}

// Sets OpenMP's thread count for a scope and restores the previous one on
// the way out, also when a REQUIRE leaves the test early.
class ScopedThreads {
 public:
  explicit ScopedThreads(int n) : saved_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~ScopedThreads() { omp_set_num_threads(saved_); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int saved_;
};

// A fresh directory under the system temp dir, removed with its contents on
// destruction. Named by pid and a counter so parallel ctest runs don't clash.
class TempDir {
 public:
  TempDir() {
    static std::atomic<unsigned> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("slotsim-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(std::string_view name) const { return (path_ / name).string(); }
  // A FIFO here with nobody at either end: opening it blocks until the
  // other end is opened (for the tests of what waits on a pipe).
  std::string fifo(std::string_view name) const {
    const std::string p = file(name);
    REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
    return p;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A small Plummer system for System-level tests (integrator, ordering,
// diagnostics): 400 particles, seed 7, dt 1e-3, softening 0.05, grid 32.
inline SimConfig small_config(Layout l, const std::string& solver) {
  SimConfig c;
  c.scene = "plummer";
  c.particles = 400;
  c.seed = 7;
  c.layout = l;
  c.solver = solver;
  c.dt = 1e-3;
  c.force.softening = 0.05;
  c.force.grid = 32;
  return c;
}

// Runs `steps` steps with layout switches at the given steps; the state hash.
inline std::uint64_t run_with_switches(SimConfig c, int steps, const std::vector<std::pair<int, Layout>>& plan = {}) {
  System s(c);
  for (int k = 0; k < steps; ++k) {
    for (auto& [at, to] : plan)
      if (at == k) s.switch_layout(to);
    s.step();
  }
  return s.state_hash();
}

// Files in `dir` named like the output writer's temporaries (NAME.tmp-XXXXXX):
// none may survive a write, failed or not.
inline int stray_temporaries(const std::filesystem::path& dir) {
  int k = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    k += e.path().filename().string().find(".tmp-") != std::string::npos;
  return k;
}

}  // namespace slotsim::testing

// Running the real `slotsim` binary (end-to-end tests).
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace slotsim::testing {

// The whole file (empty if it cannot be read).
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#ifdef SLOTSIM_BINARY
struct CliResult {
  int code;
  std::string out, err;
};

// Reports are read back through the JSON library (sim/io/json.hpp), as
// any reader of them would: a report that does not parse fails the test.
inline io::Json parse_report(const std::string& text) { return io::parse_json_text(text); }
inline io::Json read_json(const std::filesystem::path& path) { return parse_report(read_text(path)); }

// The first member named `key` anywhere in the document, depth first in
// document order (nullptr if none): "py_headers" is found inside
// "bytes_breakdown".
inline const io::Json* find_key(const io::Json& j, const std::string& key) {
  if (j.is_object()) {
    if (auto it = j.find(key); it != j.end()) return &*it;
    for (const auto& [k, v] : j.items())
      if (const io::Json* f = find_key(v, key)) return f;
  } else if (j.is_array()) {
    for (const io::Json& v : j)
      if (const io::Json* f = find_key(v, key)) return f;
  }
  return nullptr;
}
// A document's schema: one "path type" line per member, in document order
// (types object, array, string, number, bool, null). An array's elements are
// merged into one "path[]" entry, a null giving way to any other type seen
// there. tests/schemas/ pins one document of each kind this way (its keys,
// their order and types, not its values); tests/schemas/schema_of.py is the
// same rule in Python, for writing a new pin from a real document.
inline void schema_lines(const io::Json& v, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  if (v.is_object()) {
    out.emplace_back(path, "object");
    for (const auto& [k, x] : v.items()) schema_lines(x, path + "." + k, out);
  } else if (v.is_array()) {
    out.emplace_back(path, "array");
    std::vector<std::pair<std::string, std::string>> merged;
    for (const io::Json& x : v) {
      std::vector<std::pair<std::string, std::string>> one;
      schema_lines(x, path + "[]", one);
      for (auto& [p, t] : one) {
        auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& e) { return e.first == p; });
        if (it == merged.end()) merged.emplace_back(p, t);
        else if (it->second == "null") it->second = t;
      }
    }
    out.insert(out.end(), merged.begin(), merged.end());
  } else {
    out.emplace_back(path, v.is_null() ? "null" : v.is_boolean() ? "bool" : v.is_string() ? "string" : "number");
  }
}

#ifdef SLOTSIM_SOURCE_DIR
// Checks `doc` against the pinned schema tests/schemas/NAME.txt: the same
// paths in the same order, each with the same type (null matches any, as a
// NaN figure is written as null). SLOTSIM_UPDATE_SCHEMAS=1 rewrites the pin
// instead, for a deliberate schema change (review the diff).
inline void check_schema(const io::Json& doc, const std::string& name) {
  std::vector<std::pair<std::string, std::string>> got;
  schema_lines(doc, "$", got);
  const std::filesystem::path pin = std::filesystem::path(SLOTSIM_SOURCE_DIR) / "tests/schemas" / (name + ".txt");
  if (const char* u = std::getenv("SLOTSIM_UPDATE_SCHEMAS"); u && std::string(u) == "1") {
    std::ofstream o(pin);
    for (const auto& [p, t] : got) o << p << ' ' << t << '\n';
    MESSAGE("rewrote ", pin.string());
    return;
  }
  std::ifstream in(pin);
  REQUIRE_MESSAGE(in.good(), "no pinned schema " << pin.string());
  std::vector<std::pair<std::string, std::string>> want;
  for (std::string line; std::getline(in, line);)
    if (const auto sp = line.rfind(' '); sp != std::string::npos) want.emplace_back(line.substr(0, sp), line.substr(sp + 1));
  const std::size_t n = std::min(want.size(), got.size());
  for (std::size_t i = 0; i < n; ++i) {
    CAPTURE(i);
    REQUIRE_MESSAGE(got[i].first == want[i].first, name << ": member " << i << " is " << got[i].first
                                                        << ", the pin says " << want[i].first);
    const bool same = got[i].second == want[i].second || got[i].second == "null" || want[i].second == "null";
    CHECK_MESSAGE(same, name << ": " << got[i].first << " is " << got[i].second << ", the pin says " << want[i].second);
  }
  CHECK_MESSAGE(got.size() == want.size(), name << ": " << got.size() << " members, the pin has " << want.size());
}
#endif

inline std::string json_string(const std::string& json, const std::string& key) {
  const io::Json doc = parse_report(json);
  const io::Json* v = find_key(doc, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}
inline double json_number(const std::string& json, const std::string& key) {
  const io::Json doc = parse_report(json);
  const io::Json* v = find_key(doc, key);
  return v && v->is_number() ? v->get<double>() : -1;
}

inline int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}


// Runs `slotsim ARGS` with stdout and stderr captured in files under dir.
inline CliResult run_cli(const TempDir& dir, const std::string& args) {
  const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
  const std::string cmd = std::string(SLOTSIM_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_text(out), read_text(err)};
}

// A clean failure, the CLI's promise for every bad input: one line on stderr
// containing `needle`, and a status that is an exit code (not a signal: a
// crash shows up as -1 from run_cli or 128+ from the shell). Generic to every
// command, so it lives here rather than in one test file.
inline void check_clean_error(const CliResult& r, const std::string& needle) {
  CHECK(r.code > 0);
  CHECK(r.code < 128);
  CHECK(lines(r.err) == 1);
  CHECK_MESSAGE(r.err.find(needle) != std::string::npos, r.err);
}
#endif

}  // namespace slotsim::testing
