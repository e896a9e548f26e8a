#include "sim/limits.hpp"

#include <omp.h>

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "sim/layouts/particle_store.hpp"
#include "sim/message.hpp"
#include "sim/system.hpp"

namespace slotsim {

std::int64_t check_int_field(std::int64_t v, std::int64_t lo, std::int64_t hi, const std::string& name) {
  if (v < lo || v > hi)
    throw std::invalid_argument(name + " is " + std::to_string(v) + "; expected " + std::to_string(lo) + " to " +
                                std::to_string(hi));
  return v;
}

void check_config(const SimConfig& c, const FieldName& name) {
  auto bad = [&](std::string_view flag, const std::string& what) {
    throw std::invalid_argument(name(flag) + " " + what);
  };
  if (!(c.dt > 0) || !std::isfinite(c.dt)) bad("--dt", "must be a positive finite number (is " + brief(c.dt) + ")");
  if (!std::isfinite(c.force.softening) || c.force.softening < 0)
    bad("--softening", "must be a finite number >= 0 (is " + brief(c.force.softening) + ")");
  if (!std::isfinite(c.force.theta)) bad("--theta", "must be a finite number (is " + brief(c.force.theta) + ")");
  if (!std::isfinite(c.force.box) || c.force.box < 0)
    bad("--box", "must be a finite number >= 0 (is " + brief(c.force.box) + ")");
  if (c.threads < 0 || c.threads > kMaxThreads)
    bad("--threads", "is " + std::to_string(c.threads) + "; expected 0 to " + std::to_string(kMaxThreads));
  if (c.ic_file.empty() && (c.particles < 1 || c.particles > kMaxParticles))
    bad("--particles", "is " + std::to_string(c.particles) + "; expected 1 to " + std::to_string(kMaxParticles));
  // Refusals that name their own flag read as they are for the CLI, and
  // with the source's field name in front for a file.
  auto source = [&](std::string_view flag, const std::string& what) {
    const std::string n = name(flag);
    throw std::invalid_argument(n == flag ? what : n + ": " + what);
  };
  if (c.python_objects && !traits(c.layout).heap_objects) source("--python-objects", python_objects_refusal(c.layout));
  try {
    make_solver(c.solver, c.force);  // a known name, and the solver's own parameter checks (grid range, ...)
  } catch (const std::invalid_argument& e) {
    source("--solver", e.what());
  }
}

int checked_team_size(std::int64_t threads, const std::string& flag) {
  if (threads < 0 || threads > kMaxThreads)
    throw std::invalid_argument(flag + " is " + std::to_string(threads) + "; expected 0 to " +
                                std::to_string(kMaxThreads));
  if (threads > 0) return static_cast<int>(threads);
  // 0: OpenMP's default, which is OMP_NUM_THREADS when set (its first
  // entry), else the core count. Asking does not start any thread.
  const int def = omp_get_max_threads();
  if (def <= kMaxThreads) return def;
  if (const char* env = std::getenv("OMP_NUM_THREADS"); env && *env)
    throw std::invalid_argument("OMP_NUM_THREADS=" + one_line(env) + " asks for " + std::to_string(def) +
                                " threads; slotsim runs at most " + std::to_string(kMaxThreads) +
                                " (set a smaller OMP_NUM_THREADS, or " + flag + " N)");
  return static_cast<int>(kMaxThreads);
}

void apply_threads(std::int64_t threads, const std::string& flag) {
  const int n = checked_team_size(threads, flag);
  // 0 leaves the team size alone when it is within the limit: the GUI's
  // thread control set it on this thread, and a respawn must keep it.
  if (threads > 0 || omp_get_max_threads() != n) omp_set_num_threads(n);
}

}  // namespace slotsim
