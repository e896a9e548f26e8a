// Per-call timing of the gravity solvers on the `plummer` scene, the figures
// quoted in docs/SOLVERS.md. Usage:
//   solver_timing [--n N] [--solver NAME]... [--reps R] [--threads T]
//                 [--theta X] [--grid G] [--periodic] [--softening E]
// Defaults: N = 1000000, solvers bh and pm, 5 timed calls after one warm-up
// call (which pays for first-touch page faults, FFTW planning and the PM
// Green's function), OpenMP's default thread count.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/scenes/scene.hpp"
#include "sim/solvers/solver.hpp"

namespace {

struct Columns final : slotsim::ParticleSink {
  std::vector<double> x, y, z, m;
  void push(const slotsim::ParticleRecord& p) override {
    x.push_back(p.x);
    y.push_back(p.y);
    z.push_back(p.z);
    m.push_back(p.mass);
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: solver_timing [--n N] [--solver NAME]... [--reps R] [--threads T]\n"
               "                     [--theta X] [--grid G] [--periodic] [--softening E]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 1000000;
  int reps = 5, threads = 0;
  std::vector<std::string> solvers;
  slotsim::ForceParams fp;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--n"))
      n = std::strtoull(next(), nullptr, 10);
    else if (!std::strcmp(argv[i], "--solver"))
      solvers.emplace_back(next());
    else if (!std::strcmp(argv[i], "--reps"))
      reps = std::atoi(next());
    else if (!std::strcmp(argv[i], "--threads"))
      threads = std::atoi(next());
    else if (!std::strcmp(argv[i], "--theta"))
      fp.theta = std::atof(next());
    else if (!std::strcmp(argv[i], "--grid"))
      fp.grid = std::atoi(next());
    else if (!std::strcmp(argv[i], "--softening"))
      fp.softening = std::atof(next());
    else if (!std::strcmp(argv[i], "--periodic"))
      fp.periodic = true;
    else
      usage();
  }
  if (solvers.empty()) solvers = {"bh", "pm"};
  if (threads > 0) omp_set_num_threads(threads);
  if (n == 0 || reps < 1) usage();

  Columns c;
  slotsim::generate_scene("plummer", {n, 1}, c);
  const slotsim::Sources src{c.x.data(), c.y.data(), c.z.data(), c.m.data(), n};
  std::vector<double> ax(n), ay(n), az(n);
  slotsim::Accels acc{ax.data(), ay.data(), az.data()};

  std::printf("plummer N=%zu, %d threads, theta %.2f, grid %d%s, softening %g\n", n,
              omp_get_max_threads(), fp.theta, fp.grid, fp.periodic ? " periodic" : "",
              fp.softening);
  for (const std::string& name : solvers) {
    auto s = slotsim::make_solver(name, fp);
    slotsim::SolverPhases ph;
    using clock = std::chrono::steady_clock;
    const auto w0 = clock::now();
    s->accelerations(src, acc, ph);
    const double warm = std::chrono::duration<double, std::milli>(clock::now() - w0).count();
    std::vector<double> total, build, solve, interp;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = clock::now();
      s->accelerations(src, acc, ph);
      total.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
      build.push_back(ph.build_ms);
      solve.push_back(ph.solve_ms);
      interp.push_back(ph.interpolate_ms);
    }
    std::printf(
        "%-6s median %8.1f ms  min %8.1f ms  (build %.1f, solve %.1f, interpolate %.1f; "
        "first call %.1f ms; solver memory %.1f MB)\n",
        name.c_str(), median(total), *std::min_element(total.begin(), total.end()), median(build),
        median(solve), median(interp), warm,
        static_cast<double>(
            slotsim::mem::category_stats(slotsim::mem::Category::Solver).requested) /
            1e6);
  }
  return 0;
}
