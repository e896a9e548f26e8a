// Per-pass timing of the particle-mesh solver's particle passes
// (sim/solvers/pm/cic.hpp) on the `plummer` scene, beside two controls that
// say what bounds them, for docs/BENCHMARKS.md's note on the pm floor:
//   * the interpolation again with every particle moved into one mesh row
//     (same fractions, so the same work; every corner then comes from L1):
//     how much of the pass is waiting for the mesh;
//   * a copy of the bytes the interpolation reads and writes (the records,
//     in place), and the triad bandwidth the floor uses: what the bytes
//     alone cost;
//   * the deposit again with each particle's y and z cells spread over the
//     plane (same buckets and fractions, so the same work): what the
//     crowding of a Plummer sphere's dense core does to the pass, where
//     successive particles often add to the same cells (their stores then
//     wait on each other, but their lines are in L1).
// Under the table, what the particles' distribution does to the passes:
// the share of the largest x bucket (one thread's work in the deposit's
// phase), of the fullest cell, and of the particles whose y, z cell one of
// the 4 before them in bucket order has too.
// Usage: pm_passes [--n N] [--grid G] [--reps R] [--threads T]
//                  [--interpolation best|avx512|avx2|scalar]
// Defaults: N = 10000000, grid 128, 5 timed repeats after one warm-up,
// OpenMP's default thread count. Medians; the mesh is placed as the solver
// places an isolated one.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/scenes/scene.hpp"
#include "sim/solvers/pm/cic.hpp"

namespace {

using namespace slotsim;
using namespace slotsim::detail;

struct Columns final : ParticleSink {
  std::vector<double> x, y, z, m;
  void push(const ParticleRecord& p) override {
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

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: pm_passes [--n N] [--grid G] [--reps R] [--threads T] [--interpolation best|avx512|avx2|scalar]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 10000000;
  int grid = 128, reps = 5, threads = 0;
  InterpolationPath path = best_interpolation_path();
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--n"))
      n = std::strtoull(next(), nullptr, 10);
    else if (!std::strcmp(argv[i], "--grid"))
      grid = std::atoi(next());
    else if (!std::strcmp(argv[i], "--reps"))
      reps = std::atoi(next());
    else if (!std::strcmp(argv[i], "--threads"))
      threads = std::atoi(next());
    else if (!std::strcmp(argv[i], "--interpolation")) {
      const std::string v = next();
      std::string known = "best";
      bool found = v == "best";
      for (const InterpolationPath q : interpolation_paths()) {
        known += std::string(", ") + interpolation_path_name(q);
        if (v == interpolation_path_name(q)) path = q, found = true;
      }
      if (!found) {
        std::fprintf(stderr, "pm_passes: --interpolation %s: this CPU runs %s\n", v.c_str(), known.c_str());
        return 2;
      }
    }
    else
      usage();
  }
  if (n == 0 || n > 0xffffffffu || reps < 1 || grid < 16 || grid > 1024) usage();
  if (threads > 0) omp_set_num_threads(threads);

  Columns c;
  generate_scene("plummer", {n, 1}, c);
  const Sources src{c.x.data(), c.y.data(), c.z.data(), c.m.data(), n};
  // The solver's isolated placement: a cube on the bounding box, spacing
  // extent / (grid - 2 margin) rounded up to the ladder 2^(k/16).
  const Cube cube = bounding_cube(src);
  MeshMap map{grid, false, {0, 0, 0}, 0, 0};
  const double need = cube.side / (grid - 2 * kPmMargin);
  map.h = std::exp2(std::ceil(16 * std::log2(need)) / 16);
  if (map.h < need) map.h *= std::exp2(1.0 / 16);
  map.inv_h = 1 / map.h;
  for (int a = 0; a < 3; ++a) map.origin[a] = cube.lo[a] + 0.5 * cube.side - 0.5 * grid * map.h;

  const std::size_t g = static_cast<std::size_t>(grid), plane = g * g;
  mem::CountingResource res(mem::Category::Solver);
  XBuckets b(res);
  std::vector<double> mesh(plane * g), force(3 * plane * g), ax(n), ay(n), az(n);
  for (std::size_t k = 0; k < force.size(); ++k) force[k] = std::sin(0.1 * double(k % 1000));
  std::vector<Span> spans(plane);
  double* const out[3] = {ax.data(), ay.data(), az.data()};
  std::vector<BucketedParticle> saved(n), hot(n), copy(n);
  std::vector<std::uint32_t> saved_yz(n), hot_yz(n), spread_yz(n);

  std::vector<double> t_box, t_bucket, t_deposit, t_interp, t_unbucket, t_hot, t_copy, t_spread, t_triad;
  // The triad on bench's buffer size (56 bytes per particle, at least 64 MB).
  const std::size_t tn = std::max<std::size_t>(n * 56, 64u << 20) / 24;
  std::vector<double> ta(tn, 0.0), tb(tn, 1.0), tc(tn, 2.0);
  // The deposit as the solver runs it: the mesh zeroed, then the mass.
  auto zero_and_deposit = [&] {
#pragma omp parallel for schedule(static)
    for (int x = 0; x < grid; ++x) std::memset(mesh.data() + static_cast<std::size_t>(x) * plane, 0, plane * sizeof(double));
    deposit_mass(map, b, 0, grid, {mesh.data(), plane, 0, grid, grid}, g, spans.data());
  };
  for (int r = 0; r <= reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    volatile double side = bounding_cube(src).side;
    (void)side;
    const double box = ms_since(t0);
    t0 = std::chrono::steady_clock::now();
    bucket_by_x(src, map, b);
    const double bucket = ms_since(t0);
    if (r == 0) {
      std::copy_n(b.p.data(), n, saved.begin());
      std::copy_n(b.yz.data(), n, saved_yz.begin());
      hot = saved;
      // Every particle into the mesh's central row (y and z cells), its
      // fractions kept: the same arithmetic on corners that stay in L1.
      const std::uint32_t mid = static_cast<std::uint32_t>(grid / 2);
      std::fill(hot_yz.begin(), hot_yz.end(), mid << 16 | mid);
      // Cells in [kPmMargin - 1, grid - kPmMargin], as the map gives, with
      // neighbours in bucket order 37 rows and 101 cells apart.
      const std::size_t span = static_cast<std::size_t>(grid - 2 * kPmMargin + 2);
      for (std::size_t k = 0; k < n; ++k)
        spread_yz[k] = static_cast<std::uint32_t>(kPmMargin - 1 + (k * 37) % span) << 16 |
                       static_cast<std::uint32_t>(kPmMargin - 1 + (k * 101) % span);
    }
    t0 = std::chrono::steady_clock::now();
    zero_and_deposit();
    const double deposit = ms_since(t0);
    t0 = std::chrono::steady_clock::now();
    interpolate_forces(map, b, 0, grid, {force.data(), 3 * plane, 0, grid, grid}, path);
    const double interp = ms_since(t0);
    t0 = std::chrono::steady_clock::now();
    unbucket(b, n, 3, out);
    const double unb = ms_since(t0);
    // Control 3: the deposit with the y, z cells spread (the records as
    // the bucket pass wrote them: the interpolation wrote over them).
    std::copy_n(saved.begin(), n, b.p.data());
    std::copy_n(spread_yz.begin(), n, b.yz.data());
    t0 = std::chrono::steady_clock::now();
    zero_and_deposit();
    const double spread_ms = ms_since(t0);
    // Control 1: the same interpolation, every corner in one row.
    std::copy_n(hot.begin(), n, b.p.data());
    std::copy_n(hot_yz.begin(), n, b.yz.data());
    t0 = std::chrono::steady_clock::now();
    interpolate_forces(map, b, 0, grid, {force.data(), 3 * plane, 0, grid, grid}, path);
    const double hot_ms = ms_since(t0);
    // Control 2: the interpolation's bytes alone (read and write the records).
    t0 = std::chrono::steady_clock::now();
    {
      const auto sn = static_cast<std::ptrdiff_t>(n);
      BucketedParticle* p = b.p.data();
#pragma omp parallel for schedule(static)
      for (std::ptrdiff_t k = 0; k < sn; ++k) p[k].f[0] += p[k].f[1];
    }
    const double copy_ms = ms_since(t0);
    t0 = std::chrono::steady_clock::now();
    {
      const auto sn = static_cast<std::ptrdiff_t>(tn);
      double* pa = ta.data();
      const double *pb = tb.data(), *pc = tc.data();
#pragma omp parallel for schedule(static)
      for (std::ptrdiff_t k = 0; k < sn; ++k) pa[k] = pb[k] + 3.0 * pc[k];
    }
    const double triad = ms_since(t0);
    if (r > 0) {
      t_box.push_back(box);
      t_bucket.push_back(bucket);
      t_deposit.push_back(deposit);
      t_interp.push_back(interp);
      t_unbucket.push_back(unb);
      t_hot.push_back(hot_ms);
      t_copy.push_back(copy_ms);
      t_spread.push_back(spread_ms);
      t_triad.push_back(triad);
    }
  }
  const double gbs = 24.0 * double(tn) / (*std::min_element(t_triad.begin(), t_triad.end()) * 1e-3) / 1e9;
  const double nn = double(n);
  std::printf("plummer N=%zu, grid %d (h %.3g), %d threads, median of %d; triad %.1f GB/s (best of %d); interpolation %s\n\n", n, grid,
              map.h, omp_get_max_threads(), reps, gbs, reps, interpolation_path_name(path));
  std::printf("| pass | ms | ns/particle | bytes/particle streamed | ms at triad bandwidth | x that |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  auto row = [&](const char* name, double ms, double bytes) {
    const double bound = bytes * nn / (gbs * 1e9) * 1e3;
    std::printf("| %s | %.1f | %.2f | %.0f | %.1f | %.1f |\n", name, ms, ms * 1e6 / nn, bytes, bound, ms / bound);
  };
  row("bounding box (x, y, z)", median(t_box), 24);
  row("bucket_by_x: x; x, y, z, m in, 32 + 4 B bucketed + 4 B rank out", median(t_bucket), 8 + 32 + 40);
  row("deposit_mass: 32 + 4 B in", median(t_deposit), 36);
  row("interpolate_forces: 32 + 4 B in, the 32 B record written back", median(t_interp), 36 + 32);
  row("unbucket: 4 B rank and the 32 B record in, 24 B out", median(t_unbucket), 4 + 32 + 24);
  row("control: interpolate_forces, every particle in one mesh row", median(t_hot), 36 + 32);
  row("control: the 32 B records read and written back, no arithmetic", median(t_copy), 32 + 32);
  row("control: deposit_mass, each particle's y, z cells spread over the plane", median(t_spread), 36);
  // The distribution's share of it, from the bucketed order (saved_yz).
  std::size_t largest = 0;
  int largest_x = 0;
  for (int x = 0; x < grid; ++x) {
    const std::size_t count = b.start[static_cast<std::size_t>(x) + 1] - b.start[static_cast<std::size_t>(x)];
    if (count > largest) largest = count, largest_x = x;
  }
  std::vector<std::uint32_t> per_cell(g * g * g, 0);
  std::size_t recent = 0;
  for (int x = 0; x < grid; ++x)
    for (std::size_t k = b.start[static_cast<std::size_t>(x)]; k < b.start[static_cast<std::size_t>(x) + 1]; ++k) {
      const std::uint32_t yz = saved_yz[k];
      ++per_cell[static_cast<std::size_t>(x) * plane + (yz >> 16) * g + (yz & 0xffff)];
      for (std::size_t d = 1; d <= 4 && d <= k - b.start[static_cast<std::size_t>(x)]; ++d)
        if (saved_yz[k - d] == yz) {
          ++recent;
          break;
        }
    }
  const std::uint32_t fullest = *std::max_element(per_cell.begin(), per_cell.end());
  std::printf("\nlargest x bucket (%d): %.1f%% of the particles; fullest cell: %.1f%%; particles whose y, z cell one of "
              "the 4 before them in their bucket has too: %.1f%%\n",
              largest_x, 100.0 * double(largest) / nn, 100.0 * double(fullest) / nn, 100.0 * double(recent) / nn);
  return 0;
}
