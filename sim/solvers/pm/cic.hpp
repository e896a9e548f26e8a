#pragma once
// The particle passes of the particle-mesh solver, cloud-in-cell (CIC):
// the map from positions to cells, the bucketing of particles by x cell,
// the mass deposit and the interpolation back to the particles. They are
// functions over ranges (of buckets and planes, of particles) with their
// contracts stated here, so that a slab-decomposed mesh, one range of x
// planes per rank, can run the same passes on its own particles and planes
// and get the serial solver's bits. The solver (particle_mesh.cpp) owns the
// buffers, the placement and the convolution.
//
// Every pass is deterministic: bit-identical results whatever the number of
// OpenMP threads (they parallelise internally) and whatever the schedule.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/solvers/buffer.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::detail {

// Cells between the particles and the faces of an isolated mesh's octant:
// CIC touches a particle's cell and the next, and the gradient stencil
// reaches 2 cells further.
inline constexpr int kPmMargin = 4;

// Where the mesh is for one call, and the map from positions to cells.
struct MeshMap {
  int n;
  bool periodic;
  double origin[3];
  double h, inv_h;

  // A coordinate in cell units, brought into the mesh: isolated, clamped to
  // [kPmMargin - 1, n - kPmMargin + 1]; periodic, wrapped into [0, n). The
  // cell and the fraction follow from it by split(), with the same bits
  // however often they are derived, which is why the bucketed records hold
  // this one double per axis instead of a cell and a fraction.
  // Periodic is a template parameter so the per-particle loops carry no
  // test of it.
  template <bool Periodic>
  double scaled(double pos, int axis) const {
    double u = (pos - origin[axis]) * inv_h;
    // No coordinate reaches an index unchecked: casting a double outside
    // int's range (1e308, inf, NaN) to int is undefined behaviour, so every
    // value is brought into range as a double first; a comparison that is
    // false for NaN sends NaN to a valid cell too. (System::step stops a run
    // at the first non-finite position; this guards a solver called with
    // finite but huge positions, a tiny --box, or directly by a test.)
    if constexpr (Periodic) {
      u -= n * std::floor(u / n);
      if (!(u >= 0.0 && u < double(n))) u = 0;  // rounded up to n, or not finite
    } else {
      // The fit keeps u in [kPmMargin, n - kPmMargin]; the clamp only guards
      // rounding at the faces.
      const double lo = kPmMargin - 1, hi = n - kPmMargin + 1;
      if (!(u >= lo)) u = lo;
      if (u > hi) u = hi;
    }
    return u;
  }
  // Cell index and fraction in [0, 1] of a scaled() coordinate. Given
  // scaled()'s range, int(u) is at least kPmMargin - 1 (isolated) or in
  // [0, n) (periodic), and u - i is exact (Sterbenz: i <= u <= 2i for
  // i >= 1) and in [0, 1); only the isolated top face, u = n - kPmMargin + 1,
  // needs its cell pulled down (to n - kPmMargin, with f = 1). The first
  // version also clamped i from below and f to [0, 1]: no-ops on this range,
  // three compares per axis in the two per-particle passes that derive
  // cells. Truncation instead of floor: equal for u >= 0, and floor is a
  // library call without SSE4.1.
  template <bool Periodic>
  void split(double u, int& i, double& f) const {
    i = static_cast<int>(u);
    if constexpr (!Periodic) i = std::min(i, n - kPmMargin);
    f = u - i;
  }
  template <bool Periodic>
  void cell(double pos, int axis, int& i, double& f) const {
    split<Periodic>(scaled<Periodic>(pos, axis), i, f);
  }
  // The cell after i along an axis.
  template <bool Periodic>
  int next(int i) const {
    if constexpr (Periodic) return i + 1 == n ? 0 : i + 1;
    return i + 1;
  }
  int wrap(int i) const { return periodic ? (i + n) % n : i; }
};

// One particle in bucket order: what the deposit and the interpolation
// read, in two arrays written side by side (see XBuckets): its cell
// fractions and mass, 32 bytes, two per cache line, and its y and z cells
// (4 bytes; its x cell is its bucket's). Storing the fractions rather than
// the scaled() coordinates they come from spares both passes three
// float-int-float round trips per particle, which sat on every particle's
// critical path. On the 2-core EPYC VM, in-process A/B at 10M particles,
// 1 thread, load ~11, three alternating runs: deposit 95-105 ms against
// 118-144, interpolation 152-169 against 213-247, the bucket pass (one more
// 4-byte stream) 183-215 against 141-171; the four passes together 531-540
// against 548-649 ms. Interpolation writes its
// result over f (the acceleration, or the potential in f[0]): the record's
// line has just been read, so the pass writes back lines it holds instead
// of allocating a second array's.
struct BucketedParticle {
  double f[3];  // cell fractions along x, y, z, in [0, 1]; after interpolation, the result
  double m;     // mass
};
static_assert(sizeof(BucketedParticle) == 32);

// Particles sorted by x cell: bucket x (x = 0 .. n-1) is
// p[start[x] .. start[x+1]) (and yz likewise), in source order; source
// particle i is p[rank[i]].
struct XBuckets {
  explicit XBuckets(mem::CountingResource& r) : p(r), yz(r), rank(r) {}
  SolverBuffer<BucketedParticle> p;
  SolverBuffer<std::uint32_t> yz;    // y cell << 16 | z cell, beside p
  SolverBuffer<std::uint32_t> rank;  // source index -> position in p
  std::vector<std::size_t> start;    // n + 1 entries
};

// Stable counting sort of the particles src[0 .. src.n) by x cell into b:
// the unique stable order, whatever the threads (counts over fixed
// contiguous chunks, one per thread). Reads x once to count and x, y, z, m
// once to place; writes 36 bytes per particle, scattered over n buckets per
// chunk, and its 4-byte rank in source order. At most 2^32 - 1 particles
// (the rank's range; the caller checks).
void bucket_by_x(const Sources& src, const MeshMap& map, XBuckets& b);

// The z cells a bucket's particles occupy in one y row: [lo, hi], empty
// when lo > hi.
struct Span {
  std::uint16_t lo, hi;
};
inline constexpr Span kEmptySpan{0xffff, 0};

// A range of x planes of a mesh of n^3 cells: plane x (x0 <= x) starts at
// grid + (x - x0) * plane, cell (x, y, z) at that + y * row + z.
struct MeshPlanes {
  double* grid;
  std::size_t plane, row;
  int x0;
  double* at(int x) const { return grid + static_cast<std::size_t>(x - x0) * plane; }
};

// Deposits the mass of buckets [b0, b1) onto the mesh: bucket x reaches
// planes x (weight 1 - fx) and map.next(x) (weight fx). The planes those
// buckets reach must be in `mesh` and hold their starting values (the
// caller zeroes them); nothing else is written. Every cell's sum has one
// fixed order: its starting value, then the even bucket's particles, then
// the odd bucket's (an odd periodic mesh's last bucket, which wraps onto
// plane 0, after both), each bucket in source order. That is what lets the
// even buckets run in parallel, then the odd ones, with no two threads on
// one plane and no atomics; a caller that splits the buckets between
// processes reproduces the serial bits if it adds the planes they share in
// that order. (Private per-thread meshes summed in a fixed order were the
// rejected alternative: as many extra meshes as threads, and results that
// depend on the thread count.) Reading each bucket once for both of its
// planes, rather than each plane gathering from buckets x-1 and x, halves
// the reads of the bucketed particles.
// spans (optional): for each bucket x in [b0, b1) and row y, the z cells its
// particles occupy, at spans[(x - b0) * n + y]; written whole.
void deposit_mass(const MeshMap& map, const XBuckets& b, int b0, int b1, const MeshPlanes& mesh,
                  Span* spans);

// The force mesh: (ax, ay, az) interleaved per cell, so that interpolation
// reads each corner from one place; plane x (x0 <= x) of n^2 cells starts at
// f + 3 * (x - x0) * n * n.
struct ForcePlanes {
  const double* f;
  int x0;
};

// For every particle of buckets [b0, b1): a = sum over the 8 corners c of
// its cell of w_c F(c), corners in a fixed order (x, then y, then z
// fastest), written over the record's f (see BucketedParticle). Needs, for
// bucket x, force planes x and map.next(x). Bucket order, as the deposit:
// a bucket's particles read two planes of the force mesh (786 KB at
// n = 128, and much less where the particles are), which stay in cache
// while the bucket streams past; unbucket() then puts the results back in
// source order. Source order, tried first, reads the corners from anywhere
// in the mesh instead: on the 2-core EPYC VM (alternating runs of
// bench/solver_timing at 10M, load 7-9) its interpolation took 510-716 ms
// against 364-416 ms for the bucket-order pass that scattered its writes.
void interpolate_forces(const MeshMap& map, XBuckets& b, int b0, int b1, const ForcePlanes& force);

// For every particle of buckets [b0, b1) (isolated meshes only, no wrap):
// phi = sum over the 8 corners c of w_c phi(c), minus m times the
// particle's interaction with its own cloud (sum over offsets e in {0,1}^3
// of P_ex P_ey P_ez green[e], P the per-axis products of the weights; see
// the solver's potentials()), written to f[0].
void interpolate_potential(XBuckets& b, int b0, int b1, const MeshPlanes& potential, const double green[2][2][2]);

// out[c][i] = f[c] of p[rank[i]], for c < comps (1 to 3) and every source
// particle i in [0, np): the interpolated values back in source order. It
// reads rank and writes out as streams, and reads the records in as many
// streams as the bucket pass wrote them (a chunk's particles of one bucket
// lie in order): no random access. The alternative, writing at each
// record's source index in bucket order (the first version), scatters
// every value: three cache misses per particle once n outgrows the caches.
void unbucket(const XBuckets& b, std::size_t np, int comps, double* const out[3]);

}  // namespace slotsim::detail
