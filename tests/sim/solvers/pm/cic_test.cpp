// The particle passes' contracts (sim/solvers/pm/cic.hpp): the bucket
// order, the deposit over ranges of buckets (what a slab-decomposed mesh
// will call), interpolation and unbucketing against a plain per-particle
// reference, and the exactness of split() against the clamped form it
// replaced.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/scenes/rng.hpp"
#include "sim/solvers/pm/cic.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using namespace slotsim::detail;
using slotsim::testing::SourceArrays;

namespace {

constexpr int kN = 32;  // mesh cells per side

// An isolated map fitted to the particles as the solver fits it (the
// spacing need not be on its ladder here), or a periodic box of side 6.
MeshMap fitted_map(const SourceArrays& s, bool periodic) {
  MeshMap m{kN, periodic, {0, 0, 0}, 0, 0};
  if (periodic) {
    m.h = 6.0 / kN;
    for (double& o : m.origin) o = -3;
  } else {
    double lo = 1e300, hi = -1e300;
    for (const auto* v : {&s.x, &s.y, &s.z})
      for (double c : *v) lo = std::min(lo, c), hi = std::max(hi, c);
    m.h = (hi - lo) / (kN - 2 * kPmMargin);
    for (double& o : m.origin) o = 0.5 * (lo + hi) - 0.5 * kN * m.h;
  }
  m.inv_h = 1 / m.h;
  return m;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

template <bool P>
void check_buckets(const SourceArrays& src, const MeshMap& map, bool avx2) {
  mem::CountingResource res(mem::Category::Solver);
  XBuckets b(res);
  bucket_by_x(src.sources(), map, b, avx2);
  const std::size_t np = src.x.size();
  REQUIRE(b.start.size() == kN + 1);
  CHECK(b.start[0] == 0);
  CHECK(b.start[kN] == np);
  constexpr std::size_t kNone = ~std::size_t{0};
  std::vector<std::size_t> prev(kN, kNone);  // position of the bucket's previous particle
  std::vector<bool> seen(np, false);
  for (std::size_t i = 0; i < np; ++i) {
    const std::size_t k = b.rank[i];
    REQUIRE(k < np);
    CHECK_FALSE(seen[k]);
    seen[k] = true;
    int ix, iy, iz;
    double fx, fy, fz;
    map.cell<P>(src.x[i], 0, ix, fx);
    map.cell<P>(src.y[i], 1, iy, fy);
    map.cell<P>(src.z[i], 2, iz, fz);
    // In its bucket, after every earlier particle of that bucket (stable).
    CHECK(k >= b.start[static_cast<std::size_t>(ix)]);
    CHECK(k < b.start[static_cast<std::size_t>(ix) + 1]);
    std::size_t& before = prev[static_cast<std::size_t>(ix)];
    CHECK((before == kNone || k > before));
    before = k;
    const BucketedParticle& p = b.p[k];
    CHECK(std::memcmp(&p.f[0], &fx, 8) == 0);
    CHECK(std::memcmp(&p.f[1], &fy, 8) == 0);
    CHECK(std::memcmp(&p.f[2], &fz, 8) == 0);
    CHECK(p.m == src.m[i]);
    CHECK(b.yz[k] == (static_cast<std::uint32_t>(iy) << 16 | static_cast<std::uint32_t>(iz)));
  }
}

// The whole deposit on a zeroed mesh.
std::vector<double> deposit_all(const MeshMap& map, const XBuckets& b) {
  std::vector<double> g(static_cast<std::size_t>(kN) * kN * kN, 0.0);
  deposit_mass(map, b, 0, kN, {g.data(), kN * kN, 0, kN, kN}, kN, nullptr);
  return g;
}

}  // namespace

TEST_CASE("cic: split() gives the bits of the clamped form it replaced, on the whole range scaled() returns") {
  const MeshMap iso{kN, false, {0, 0, 0}, 1, 1}, per{kN, true, {0, 0, 0}, 1, 1};
  Rng rng(17);
  auto clamped = [](double u, int lo, int hi, int& i, double& f) {
    i = std::clamp(static_cast<int>(u), lo, hi);
    f = std::clamp(u - i, 0.0, 1.0);
  };
  std::vector<double> us = {kPmMargin - 1.0, double(kN - kPmMargin), kN - kPmMargin + 1.0, 0.0, kN - 1e-13};
  for (int k = 0; k < 200000; ++k) us.push_back(rng.uniform(0, kN));
  for (double u : us) {
    int i0, i1;
    double f0, f1;
    if (u >= kPmMargin - 1 && u <= kN - kPmMargin + 1) {
      iso.split<false>(u, i0, f0);
      clamped(u, kPmMargin - 1, kN - kPmMargin, i1, f1);
      REQUIRE(i0 == i1);
      REQUIRE(std::memcmp(&f0, &f1, 8) == 0);
    }
    if (u < kN) {
      per.split<true>(u, i0, f0);
      clamped(u, 0, kN - 1, i1, f1);
      REQUIRE(i0 == i1);
      REQUIRE(std::memcmp(&f0, &f1, 8) == 0);
    }
  }
}

// Both ways of computing the cells: one particle at a time, and four at a
// time in AVX2 (where the CPU has it), which must give MeshMap::cell's bits.
// Besides a Plummer sample, coordinates that reach each branch of scaled():
// the isolated mesh's faces and just beyond them, the periodic box's edges
// and its images, NaN, infinities and values past int's range. 5003
// particles, so that a thread's chunk leaves a remainder for the scalar
// tail of the four-wide loop.
TEST_CASE("cic: buckets hold every particle once, by x cell, in source order, with its fractions and cells") {
  SourceArrays src(slotsim::testing::plummer_sample(5000, 3));
  const MeshMap iso0 = fitted_map(src, false);
  const double face_lo = iso0.origin[0] + (kPmMargin - 1) * iso0.h, face_hi = iso0.origin[0] + (kN - kPmMargin + 1) * iso0.h;
  const double odd[] = {face_lo,  face_hi, std::nextafter(face_lo, -1e300), std::nextafter(face_hi, 1e300),
                        -3.0,     3.0,     2.999999999999,                  9.0,
                        -15.0,    NAN,     INFINITY,                        -INFINITY,
                        1e300,    -1e300,  0.0};
  const std::size_t k = sizeof odd / sizeof odd[0];
  for (std::size_t i = 0; i < 3 * k; ++i) src.push(odd[i % k], odd[(i / k + i) % k], odd[(2 * i + 1) % k], 1.0 + double(i));
  std::vector<bool> paths = {false};
  if (__builtin_cpu_supports("avx2")) paths.push_back(true);
  for (bool avx2 : paths)
    for (int threads : {1, 2, 3}) {
      CAPTURE(avx2);
      CAPTURE(threads);
      const int saved = omp_get_max_threads();
      omp_set_num_threads(threads);
      check_buckets<false>(src, iso0, avx2);
      check_buckets<true>(src, fitted_map(src, true), avx2);
      omp_set_num_threads(saved);
    }
}

TEST_CASE("cic: a deposit split over bucket ranges gives the serial bits when the shared plane takes the even bucket first") {
  const SourceArrays src(slotsim::testing::plummer_sample(8000, 5));
  const MeshMap map = fitted_map(src, false);
  mem::CountingResource res(mem::Category::Solver);
  XBuckets b(res);
  bucket_by_x(src.sources(), map, b);
  const std::vector<double> serial = deposit_all(map, b);
  const std::size_t plane = static_cast<std::size_t>(kN) * kN;
  // k even: plane k's even bucket is k, in the upper range: that one first.
  // k odd: the even bucket k-1 is in the lower range: that one first.
  for (int k : {kN / 2, kN / 2 + 1}) {
    CAPTURE(k);
    std::vector<double> g(serial.size(), 0.0);
    const Planes all{g.data(), plane, 0, kN, kN};
    if (k % 2 == 0) {
      deposit_mass(map, b, k, kN, all, kN, nullptr);
      deposit_mass(map, b, 0, k, all, kN, nullptr);
    } else {
      deposit_mass(map, b, 0, k, all, kN, nullptr);
      deposit_mass(map, b, k, kN, all, kN, nullptr);
    }
    CHECK(same_bits(g, serial));
    // The upper range on a mesh holding only its planes [k, n) (x0 = k),
    // as a slab would: the values of those planes on a whole mesh (ASan
    // would catch a write below plane k), and spans for its buckets only.
    std::vector<double> slab(static_cast<std::size_t>(kN - k) * plane, 0.0), whole(serial.size(), 0.0);
    std::vector<Span> spans(static_cast<std::size_t>(kN - k) * kN), whole_spans(static_cast<std::size_t>(kN) * kN);
    deposit_mass(map, b, k, kN - 1, {slab.data(), plane, k, kN - k, kN}, kN, spans.data());
    deposit_mass(map, b, 0, kN - 1, {whole.data(), plane, 0, kN, kN}, kN, whole_spans.data());
    std::vector<double> upper(serial.size(), 0.0);
    deposit_mass(map, b, k, kN - 1, {upper.data(), plane, 0, kN, kN}, kN, nullptr);
    CHECK(std::memcmp(slab.data(), upper.data() + static_cast<std::size_t>(k) * plane,
                      slab.size() * sizeof(double)) == 0);
    CHECK(std::memcmp(spans.data(), whole_spans.data() + static_cast<std::size_t>(k) * kN,
                      spans.size() * sizeof(Span)) == 0);
  }
  // Thread counts do not change the bits.
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  CHECK(same_bits(deposit_all(map, b), serial));
  omp_set_num_threads(3);
  CHECK(same_bits(deposit_all(map, b), serial));
  omp_set_num_threads(saved);
}

TEST_CASE("cic: interpolation in bucket order and unbucket give each particle its own corner sum, in source order") {
  const SourceArrays src(slotsim::testing::plummer_sample(6000, 9));
  // Every path this CPU runs (a periodic mesh takes the scalar loop
  // whatever is asked). The AVX-512 path takes particles in pairs, the
  // first alone when its bucket starts at an odd position and the last
  // alone when one is left: the sample has buckets of each kind (checked).
  const std::vector<InterpolationPath>& paths = interpolation_paths();
  if (paths.size() < 3) MESSAGE("this CPU lacks AVX2 or AVX-512: those paths are not checked here");
  for (bool periodic : {false, true})
    for (const InterpolationPath path : paths) {
    CAPTURE(periodic);
    CAPTURE(interpolation_path_name(path));
    const MeshMap map = fitted_map(src, periodic);
    mem::CountingResource res(mem::Category::Solver);
    XBuckets b(res);
    bucket_by_x(src.sources(), map, b);
    int odd_start = 0, odd_end = 0;
    for (int x = 0; x < kN; ++x) {
      const std::size_t s0 = b.start[static_cast<std::size_t>(x)], s1 = b.start[static_cast<std::size_t>(x) + 1];
      if (s1 - s0 >= 3 && s0 % 2 == 1) ++odd_start;
      if (s1 - s0 >= 3 && s1 % 2 == 1) ++odd_end;
    }
    CHECK(odd_start > 0);
    CHECK(odd_end > 0);
    // The AVX-512 loop falls back to AVX2 on records off a 64-byte boundary;
    // this makes sure it is the AVX-512 loop that is checked.
    if (path == InterpolationPath::Avx512) CHECK(reinterpret_cast<std::uintptr_t>(b.p.data()) % 64 == 0);
    // Any force mesh will do: distinct values per cell and component.
    std::vector<double> force(3 * static_cast<std::size_t>(kN) * kN * kN);
    for (std::size_t c = 0; c < force.size(); ++c) force[c] = std::sin(0.37 * double(c)) * (1 + double(c % 7));
    // Two bucket ranges, as two slabs would run them.
    const std::size_t fplane = 3 * static_cast<std::size_t>(kN) * kN;
    interpolate_forces(map, b, 0, kN / 2, {force.data(), fplane, 0, kN, kN}, path);
    interpolate_forces(map, b, kN / 2, kN, {force.data(), fplane, 0, kN, kN}, path);
    const std::size_t np = src.x.size();
    std::vector<double> ax(np), ay(np), az(np);
    double* const out[3] = {ax.data(), ay.data(), az.data()};
    unbucket(b, np, 3, out);
    // The reference: each particle on its own, corners x, then y, then z.
    std::vector<double> rx(np), ry(np), rz(np);
    const std::size_t n = kN;
    for (std::size_t i = 0; i < np; ++i) {
      int c[3];
      double f[3];
      for (int a = 0; a < 3; ++a) {
        const double pos = a == 0 ? src.x[i] : a == 1 ? src.y[i] : src.z[i];
        if (periodic)
          map.cell<true>(pos, a, c[a], f[a]);
        else
          map.cell<false>(pos, a, c[a], f[a]);
      }
      double sx = 0, sy = 0, sz = 0;
      for (int u = 0; u < 2; ++u)
        for (int v = 0; v < 2; ++v)
          for (int w = 0; w < 2; ++w) {
            const std::size_t X = static_cast<std::size_t>((c[0] + u) % kN), Y = static_cast<std::size_t>((c[1] + v) % kN),
                              Z = static_cast<std::size_t>((c[2] + w) % kN);
            const double wt = (u ? f[0] : 1 - f[0]) * (v ? f[1] : 1 - f[1]) * (w ? f[2] : 1 - f[2]);
            const double* F = force.data() + 3 * ((X * n + Y) * n + Z);
            sx += wt * F[0];
            sy += wt * F[1];
            sz += wt * F[2];
          }
      rx[i] = sx;
      ry[i] = sy;
      rz[i] = sz;
    }
    CHECK(same_bits(ax, rx));
    CHECK(same_bits(ay, ry));
    CHECK(same_bits(az, rz));
    // The records keep their masses (the AVX-512 path writes whole records).
    std::size_t kept = 0;
    for (std::size_t i = 0; i < np; ++i) kept += b.p[b.rank[i]].m == src.m[i];
    CHECK(kept == np);
  }
}

TEST_CASE("cic: unbucket's four-wide streaming path copies exactly what the one-at-a-time loop copies") {
  // Records with distinct values in every field (the mass too, which must
  // not reach an output), and a rank that is a permutation, as the bucket
  // pass writes it. Outputs at every alignment modulo 32 that the fast path
  // takes (all three the same), and mixed ones that it must refuse; particle
  // counts that leave a prologue, no whole block, or a tail, on 1 to 3
  // threads (each thread's range has its own prologue and tail).
  if (!__builtin_cpu_supports("avx2")) {
    MESSAGE("SKIPPED: no AVX2 on this CPU");
    return;
  }
  for (std::size_t np : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{37},
                         std::size_t{1001}}) {
    mem::CountingResource res(mem::Category::Solver);
    XBuckets b(res);
    b.p.resize(np);
    b.rank.resize(np);
    slotsim::Rng rng(static_cast<std::uint64_t>(np) + 5);
    for (std::size_t k = 0; k < np; ++k) {
      for (int a = 0; a < 3; ++a) b.p.data()[k].f[a] = rng.uniform() * 100 - 50 + double(k) * 1e-3 + a;
      b.p.data()[k].m = -1e300;
      b.rank.data()[k] = static_cast<std::uint32_t>(k);
    }
    for (std::size_t k = np; k > 1; --k)  // Fisher-Yates
      std::swap(b.rank.data()[k - 1], b.rank.data()[static_cast<std::size_t>(rng.uniform() * double(k)) % k]);
    std::vector<double> want(3 * np);
    for (std::size_t i = 0; i < np; ++i)
      for (int a = 0; a < 3; ++a) want[3 * i + static_cast<std::size_t>(a)] = b.p.data()[b.rank.data()[i]].f[a];
    // One 32-byte aligned block per output, with room to shift the start.
    const std::size_t room = (np + 11) / 4 * 4;  // a multiple of 4 doubles: the outputs keep one alignment
    std::vector<double> block(3 * room + 8);
    double* base = block.data();
    while (reinterpret_cast<std::uintptr_t>(base) % 32 != 0) ++base;
    for (int threads : {1, 2, 3}) {
      const slotsim::testing::ScopedThreads scoped(threads);
      for (std::size_t shift : {0, 1, 2, 3}) {
        for (bool mixed : {false, true}) {
          for (bool avx2 : {false, true}) {
            CAPTURE(np);
            CAPTURE(threads);
            CAPTURE(shift);
            CAPTURE(mixed);
            CAPTURE(avx2);
            std::fill(block.begin(), block.end(), 7.0);
            double* const out[3] = {base + shift, base + room + shift + (mixed ? 1 : 0), base + 2 * room + shift};
            unbucket(b, np, 3, out, avx2);
            bool ok = true;
            for (std::size_t i = 0; i < np; ++i)
              for (int a = 0; a < 3; ++a)
                ok = ok && std::memcmp(&out[a][i], &want[3 * i + static_cast<std::size_t>(a)], sizeof(double)) == 0;
            CHECK(ok);
            // Nothing written outside the outputs.
            CHECK(out[0][np] == 7.0);
            CHECK(out[1][np] == 7.0);
            CHECK(out[2][np] == 7.0);
            if (shift > 0) {
              CHECK(out[0][-1] == 7.0);
              CHECK(out[2][-1] == 7.0);
            }
            if (shift > 0 || mixed) CHECK(out[1][-1] == 7.0);
          }
        }
      }
    }
  }
}

TEST_CASE("cic: a periodic rank 0's deposit and the last rank's interpolation on wrapped planes give the serial bits") {
  // What dist/pm_solver.cpp does on a periodic mesh: rank 0 holds planes
  // n-2 .. k+2 (wrapping), deposits buckets [0, k) and then bucket n-1 (which
  // wraps onto plane 0); the last rank holds force planes k .. n, plane n
  // being plane 0. Even and odd meshes (an odd mesh's last bucket has a
  // deposit phase of its own).
  const SourceArrays src(slotsim::testing::plummer_sample(6000, 21));
  for (int n : {32, 31}) {
    CAPTURE(n);
    MeshMap map{n, true, {-3, -3, -3}, 6.0 / n, n / 6.0};
    mem::CountingResource res(mem::Category::Solver);
    XBuckets b(res);
    bucket_by_x(src.sources(), map, b);
    const std::size_t nn = static_cast<std::size_t>(n), plane = nn * nn;
    std::vector<double> serial(plane * nn, 0.0);
    deposit_mass(map, b, 0, n, {serial.data(), plane, 0, n, n}, nn, nullptr);
    const int k = n / 3, count = k + 5;
    std::vector<double> slab(plane * static_cast<std::size_t>(count), 0.0);
    const Planes rank0{slab.data(), plane, n - 2, count, n};
    deposit_mass(map, b, 0, k, rank0, nn, nullptr);
    deposit_mass(map, b, n - 1, n, rank0, nn, nullptr);
    for (int x = 0; x < k; ++x) {
      CAPTURE(x);
      CHECK(std::memcmp(rank0.at(x), serial.data() + static_cast<std::size_t>(x) * plane, plane * sizeof(double)) == 0);
    }

    std::vector<double> force(3 * plane * nn);
    for (std::size_t c = 0; c < force.size(); ++c) force[c] = std::cos(0.29 * double(c)) * (1 + double(c % 5));
    const std::size_t fplane = 3 * plane;
    const int x0 = n - k;
    std::vector<double> last(fplane * static_cast<std::size_t>(n - x0 + 1));
    std::copy(force.begin() + static_cast<std::ptrdiff_t>(x0 * fplane), force.end(), last.begin());
    std::copy_n(force.begin(), fplane, last.end() - static_cast<std::ptrdiff_t>(fplane));
    XBuckets b2(res);
    bucket_by_x(src.sources(), map, b2);
    interpolate_forces(map, b, x0, n, {force.data(), fplane, 0, n, n});
    interpolate_forces(map, b2, x0, n, {last.data(), fplane, x0, n - x0 + 1, n});
    const std::size_t from = b.start[static_cast<std::size_t>(x0)], to = b.start[nn];
    REQUIRE(to > from);
    CHECK(std::memcmp(b.p.data() + from, b2.p.data() + from, (to - from) * sizeof(BucketedParticle)) == 0);
  }
}
