#pragma once
// The particle passes of the particle-mesh solver, cloud-in-cell (CIC):
// the bucketing of particles by x cell (the map from positions to cells is
// mesh_map.hpp's), the mass deposit and the interpolation back to the
// particles. They are functions over ranges (of buckets and planes, of
// particles) with their contracts stated here, so that the distributed
// solver (dist/pm_solver.cpp), one range of x planes per rank, runs the
// same passes on the particles it imported, in global storage order, and
// its own planes, and gets the serial solver's bits. The solvers own the
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
#include "sim/solvers/pm/mesh_map.hpp"
#include "sim/solvers/pm/occupied_rows.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::detail {

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
// The same, with the AVX2 path chosen by the caller (the one above asks the
// CPU); avx2 = true needs a CPU that has it. For tests that compare the two.
void bucket_by_x(const Sources& src, const MeshMap& map, XBuckets& b, bool avx2);

// Deposits the mass of buckets [b0, b1) onto the mesh: bucket x reaches
// planes x (weight 1 - fx) and map.next(x) (weight fx), cell (x, y, z) at
// mesh.at(x) + y * row + z. The planes those buckets reach must be in
// `mesh` and hold their starting values (the caller zeroes them); nothing
// else is written. Every cell's sum has one
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
// particles occupy, at spans[(x - b0) * n + y]; written whole (see
// occupied_rows.hpp for their use).
void deposit_mass(const MeshMap& map, const XBuckets& b, int b0, int b1, const Planes& mesh, std::size_t row,
                  Span* spans);

// For every particle of buckets [b0, b1): a = sum over the 8 corners c of
// its cell of w_c F(c), corners in a fixed order (x, then y, then z
// fastest), written over the record's f (see BucketedParticle). The force
// mesh holds (ax, ay, az) interleaved per cell, so that each corner is read
// from one place: 3 n^2 values a plane (force.stride), cell (x, y, z) at
// force.at(x) + 3 (y n + z). Needs, for bucket x, force planes x and
// map.next(x) (a periodic rank's last plane may wrap to plane 0). Bucket order, as the deposit:
// a bucket's particles read two planes of the force mesh (786 KB at
// n = 128, and much less where the particles are), which stay in cache
// while the bucket streams past; unbucket() then puts the results back in
// source order. Source order, tried first, reads the corners from anywhere
// in the mesh instead: on the 2-core EPYC VM (alternating runs of
// bench/solver_timing at 10M, load 7-9) its interpolation took 510-716 ms
// against 364-416 ms for the bucket-order pass that scattered its writes.
void interpolate_forces(const MeshMap& map, XBuckets& b, int b0, int b1, const Planes& force);

// The interpolation's code paths, all giving the same bits: the CPU's best
// (what the overload above takes), or one named, for tests and
// bench/pm_passes. Isolated meshes only; a periodic one always takes the
// scalar loop (its corners can wrap).
enum class InterpolationPath { Scalar, Avx2, Avx512 };
// The paths this CPU runs, slowest first (Scalar always; the one place that
// asks the CPU which), and the best of them, the last.
const std::vector<InterpolationPath>& interpolation_paths();
InterpolationPath best_interpolation_path();
// "scalar", "avx2", "avx512".
const char* interpolation_path_name(InterpolationPath path);
void interpolate_forces(const MeshMap& map, XBuckets& b, int b0, int b1, const Planes& force, InterpolationPath path);

// For every particle of buckets [b0, b1) (isolated meshes only, no wrap):
// phi = sum over the 8 corners c of w_c phi(c), minus m times the
// particle's interaction with its own cloud (sum over offsets e in {0,1}^3
// of P_ex P_ey P_ez green[e], P the per-axis products of the weights; see
// particle_mesh.cpp), written to f[0]. Needs potential planes x and x + 1
// of bucket x, cell (x, y, z) at potential.at(x) + y * row + z.
void interpolate_potential(XBuckets& b, int b0, int b1, const Planes& potential, std::size_t row,
                           const double green[2][2][2]);

// out[c][i] = f[c] of p[rank[i]], for c < comps (1 to 3) and every source
// particle i in [0, np): the interpolated values back in source order. It
// reads rank and writes out as streams, and reads the records in as many
// streams as the bucket pass wrote them (a chunk's particles of one bucket
// lie in order): no random access. The alternative, writing at each
// record's source index in bucket order (the first version), scatters
// every value: three cache misses per particle once n outgrows the caches.
// Where the CPU has AVX2, there are at least 2^16 particles and the three
// outputs share their alignment modulo 32, three components go four
// particles at a time, with streaming stores (cic.cpp says why); otherwise
// one at a time. Both give the same values: it only copies. (Arrays of that
// size that malloc serves as mappings of their own, as the serial solver's
// are, share it; arrays from the heap may not, and then take the loop.)
void unbucket(const XBuckets& b, std::size_t np, int comps, double* const out[3]);
// The same, with the AVX2 path allowed or not by the caller (avx2 = true
// needs a CPU that has it). For tests that compare the two.
void unbucket(const XBuckets& b, std::size_t np, int comps, double* const out[3], bool avx2);

}  // namespace slotsim::detail
