// Particle-mesh gravity: cloud-in-cell deposit, FFT convolution with the
// softened Green's function, 4-point finite-difference gradient, CIC
// interpolation back to the particles. The potential (Solver::potentials,
// isolated meshes only) is the convolution's own mesh potential read with
// the same CIC weights; see interpolate_potential().
//
// Mesh placement. Isolated (default): a cube fitted to the particles every
// call. Its spacing is h = extent / (n - 8), centred on the bounding box, so
// every particle lies at least 4 cells inside: CIC touches a particle's cell
// and the next, and the gradient stencil reaches 2 cells further, all within
// the n^3 octant where the padded convolution is exact. Nothing is ever
// outside, at the price that one far-flung particle coarsens the whole mesh.
// Periodic: a box of side `box` centred on the origin, positions taken
// modulo the box (the integrator does not wrap them); with box = 0 a cube
// fitted to the particles, side extent * n / (n - 1).
//
// Gradient: 4-point finite differences of the potential (fourth order),
// rather than a spectral gradient, which would need three inverse transforms
// instead of one. No deconvolution of the CIC window: it would sharpen the
// force at a few cells at the cost of noise at the Nyquist scale.
//
// Determinism: the deposit has no atomics. Particles are bucketed by their
// x cell (a stable counting sort). A bucket's particles reach two mesh
// planes, x and x+1; the even buckets are deposited first, in parallel (no
// two of them share a plane), then the odd ones. So every cell's sum has one
// fixed order, whatever the number of threads. (Private per-thread meshes
// summed in a fixed order were the alternative: as many extra meshes as
// threads, and results that depend on the thread count.)
//
// Isolated meshes are mostly empty (a margin of 4 cells on every side, and
// the particles of a centrally concentrated system occupy a small fraction
// of the rows). The deposit records, per bucket and y row, the z range its
// particles cover; from that follow the rows that hold mass (the only ones
// the forward transform needs), the cells where forces are read (the only
// ones the gradient computes) and the rows of the potential those need (the
// only ones the inverse transform produces). The forces are those of the
// dense computation up to rounding; the periodic mode still does that.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/solvers/buffer.hpp"
#include "sim/solvers/builtin.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/solvers/pm/padded_convolution.hpp"
#include "sim/solvers/params_check.hpp"
#include "sim/solvers/pm/periodic_convolution.hpp"
#include "sim/solvers/pm/pm_green.hpp"

namespace slotsim::detail {
namespace {

constexpr int kMinGrid = kPmMinGrid, kMaxGrid = kPmMaxGrid;
constexpr int kMargin = 4;  // cells between the particles and the octant's faces
static_assert(kMaxGrid <= 65536, "y and z cells are packed into 16 bits each");

// Where the mesh is for one call, and the map from positions to cells.
struct MeshMap {
  int n;
  bool periodic;
  double origin[3];
  double h, inv_h;
  // Cell index and fraction along one axis. Periodic is a template
  // parameter so that the per-particle loops carry no test of it.
  template <bool Periodic>
  void cell(double pos, int axis, int& i, double& f) const {
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
      i = static_cast<int>(u);
    } else {
      // The fit keeps u in [kMargin, n - kMargin]; the clamp only guards
      // rounding at the faces. Truncation instead of floor: the two differ
      // only for u < 0, which the clamp sends to kMargin - 1 either way
      // (and floor is a library call without SSE4.1).
      const double lo = kMargin - 1, hi = n - kMargin + 1;
      if (!(u >= lo)) u = lo;
      if (u > hi) u = hi;
      i = std::clamp(static_cast<int>(u), kMargin - 1, n - kMargin);
    }
    f = std::clamp(u - i, 0.0, 1.0);
  }
  // The cell after i along an axis.
  template <bool Periodic>
  int next(int i) const {
    if constexpr (Periodic) return i + 1 == n ? 0 : i + 1;
    return i + 1;
  }
  int wrap(int i) const { return periodic ? (i + n) % n : i; }
};

// The z cells a bucket's particles occupy in one y row: [lo, hi], empty when
// lo > hi.
struct Span {
  std::uint16_t lo, hi;
};
constexpr Span kEmpty{0xffff, 0};

// One particle in bucket order (see bucket()): what deposit and
// interpolation read per particle, in two records rather than six arrays.
// The bucket pass scatters every particle into its x bucket, and with six
// arrays that was six write streams per bucket per thread (768 at grid 128)
// whose write-allocate misses dominated the pass; two records cut that to a third
// and keep each particle's data on one cache line (two 32-byte records per
// 64-byte line, eight cell records). A single 40-byte record was tried
// earlier and the deposit ran ~1.6x slower: records straddled lines.
struct SortedParticle {
  double fx, fy, fz;  // 24 B: cell fractions along x, y, z, in [0, 1]
  double m;           //  8 B: mass
};
static_assert(sizeof(SortedParticle) == 32);
struct SortedCell {
  std::uint32_t yz;   // y cell << 16 | z cell
  std::uint32_t idx;  // source index
};
static_assert(sizeof(SortedCell) == 8);

class ParticleMeshSolver final : public Solver {
 public:
  explicit ParticleMeshSolver(const ForceParams& p)
      : n_(p.grid),
        periodic_(p.periodic),
        box_(p.box),
        eps_(p.softening),
        sorted_(res_),
        cells_(res_),
        span_(res_),
        rows_(res_),
        mass_rows_(res_),
        need_rows_(res_),
        force_(res_) {}

  std::string_view name() const override { return "pm"; }

  // The convolution alone, with the plans, Green's function and occupied
  // rows of the last call: what no layout can speed up. The gradient and
  // the particle passes are left out; bench adds their bandwidth bound.
  double transform_floor_ms(int repeats) override {
    if (last_h_ == 0 || (periodic_ ? !per_ : !iso_)) return 0;
    std::vector<double> t;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      if (periodic_)
        per_->convolve(per_green_->get(last_h_, eps_));
      else
        iso_->convolve(iso_green_->get(last_h_, eps_), mass_rows_.data(), need_rows_.data());
      t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t.empty() ? 0 : t[t.size() / 2];
  }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    phases = {};
    if (src.n == 0) return;
    const Mesh mesh = deposit_mass(src);
    const MeshMap& map = mesh.map;
    const auto t1 = clock::now();

    convolve(map);
    gradient(map, mesh.grid, mesh.plane, mesh.row);
    const auto t2 = clock::now();

    interpolate(map, acc);
    const auto t3 = clock::now();
    auto ms = [](auto a, auto b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    phases.build_ms = ms(t0, t1);
    phases.solve_ms = ms(t1, t2);
    phases.interpolate_ms = ms(t2, t3);
  }

  // Isolated only. Periodic: the mesh potential there is that of the
  // periodic system with the mean density removed (k = 0 is zero), not the
  // isolated pair sum that every other path of the energy diagnostic
  // reports, so the energy would jump by the images' share when the method
  // changes, and the error estimate would measure the images, not the mesh.
  bool has_potentials() const override { return !periodic_; }

  // The mesh potential of the same placement, deposit and convolution as
  // accelerations() (none of which depends on an earlier call), read with
  // the same CIC weights as the forces, minus each particle's own cloud.
  bool potentials(const Sources& src, double* phi) override {
    if (periodic_) return false;
    if (src.n == 0) return true;
    const Mesh mesh = deposit_mass(src);
    convolve(mesh.map);
    interpolate_potential(mesh.map, mesh.grid, mesh.plane, mesh.row, phi);
    return true;
  }

 private:
  // The mesh of one call, holding the deposited mass: its placement, and
  // the grid with its strides (the periodic or the isolated buffer).
  struct Mesh {
    MeshMap map;
    double* grid;
    std::size_t plane, row;
  };
  // What forces and potentials share up to the convolution: place the mesh
  // on the particles, sort them into x buckets, deposit their mass.
  Mesh deposit_mass(const Sources& src) {
    if (src.n > 0xffffffffu) throw std::length_error("pm: more than 2^32 - 1 particles");
    Mesh mesh{place(src), nullptr, 0, 0};
    last_h_ = mesh.map.h;
    setup();
    mesh.grid = periodic_ ? per_->grid() : iso_->grid();
    mesh.plane = periodic_ ? per_->plane_stride() : iso_->plane_stride();
    mesh.row = periodic_ ? per_->row_stride() : iso_->row_stride();
    bucket(src, mesh.map);
    deposit(mesh.map, mesh.grid, mesh.plane, mesh.row);
    return mesh;
  }

  // Mass to potential, in place on the mesh. Isolated: only the rows the
  // particles' clouds and the gradient's stencil read are produced.
  void convolve(const MeshMap& map) {
    if (periodic_) {
      per_->convolve(per_green_->get(map.h, eps_));
    } else {
      occupied_rows();
      iso_->convolve(iso_green_->get(map.h, eps_), mass_rows_.data(), need_rows_.data());
    }
  }

  // Mesh buffers are made on first use, not in the constructor: an isolated
  // 128 mesh is over 100 MB, and a solver may be built only to be listed.
  void setup() {
    if (periodic_ && !per_) {
      per_.emplace(n_, res_);
      per_green_.emplace(n_, res_);
    } else if (!periodic_ && !iso_) {
      iso_.emplace(n_, res_);
      iso_green_.emplace(n_, res_);
    }
    const std::size_t n = static_cast<std::size_t>(n_);
    force_.resize(3 * n * n * n);
    span_.resize(n * n);
    rows_.resize(n * n);
    mass_rows_.resize(n * n);
    need_rows_.resize(n * n);
  }

  MeshMap place(const Sources& src) const {
    const Cube c = bounding_cube(src);
    double extent = c.side, centre[3];
    for (int a = 0; a < 3; ++a) centre[a] = c.lo[a] + 0.5 * c.side;
    MeshMap m{n_, periodic_, {0, 0, 0}, 0, 0};
    if (periodic_ && box_ > 0) {
      m.h = box_ / n_;
      m.inv_h = 1 / m.h;
      for (double& o : m.origin) o = -0.5 * box_;
      return m;
    }
    // bounding_cube pads a zero extent to a relative 1e-12; a mesh that fine
    // would only turn round-off into forces, so a lone point gets unit size.
    const double mag =
        std::max({std::abs(centre[0]), std::abs(centre[1]), std::abs(centre[2]), 1.0});
    if (extent <= mag * 1e-9) extent = 1;
    const double need = periodic_ ? extent / (n_ - 1) : extent / (n_ - 2 * kMargin);
    m.h = ladder(need);
    m.inv_h = 1 / m.h;
    for (int a = 0; a < 3; ++a) m.origin[a] = centre[a] - 0.5 * n_ * m.h;
    return m;
  }

  // The smallest spacing 2^(k/16) >= h, k an integer. A fitted mesh changes
  // its spacing every step as the particles move, and every new spacing
  // means a new Green's function (an extra transform, as costly as the rest
  // of the step); on this ladder it changes only when the extent crosses a
  // rung, at the price of a mesh up to 4.4% coarser than the tightest fit.
  static double ladder(double h) {
    double q = std::exp2(std::ceil(16 * std::log2(h)) / 16);
    if (q < h) q *= std::exp2(1.0 / 16);  // log2/exp2 rounding
    return q;
  }

  // Stable counting sort of the particles by x cell. The sorted records
  // hold what deposit and interpolation need (SortedParticle, SortedCell),
  // bucket x at start_[x] .. start_[x+1], so both stream through them.
  // Per-thread counts over fixed contiguous chunks: the result is the
  // unique stable order, whatever the threads.
  void bucket(const Sources& src, const MeshMap& map) {
    if (map.periodic)
      bucket<true>(src, map);
    else
      bucket<false>(src, map);
  }
  template <bool Periodic>
  void bucket(const Sources& src, const MeshMap& map) {
    const std::size_t np = src.n, nb = static_cast<std::size_t>(n_);
    sorted_.resize(np);
    cells_.resize(np);
    const int nt = omp_get_max_threads();
    counts_.assign(static_cast<std::size_t>(nt) * nb, 0);
    start_.assign(nb + 1, 0);
#pragma omp parallel num_threads(nt)
    {
      const auto t = static_cast<std::size_t>(omp_get_thread_num());
      const auto T = static_cast<std::size_t>(omp_get_num_threads());
      const std::size_t b = np * t / T, e = np * (t + 1) / T;
      std::size_t* cnt = &counts_[t * nb];
      for (std::size_t i = b; i < e; ++i) {
        int ix;
        double f;
        map.cell<Periodic>(src.x[i], 0, ix, f);
        ++cnt[ix];
      }
#pragma omp barrier
#pragma omp single
      {
        std::size_t sum = 0;
        for (std::size_t x = 0; x < nb; ++x) {
          start_[x] = sum;
          for (std::size_t u = 0; u < T; ++u) {
            const std::size_t c = counts_[u * nb + x];
            counts_[u * nb + x] = sum;
            sum += c;
          }
        }
        start_[nb] = sum;
      }
      for (std::size_t i = b; i < e; ++i) {
        int ix, iy, iz;
        double fx;
        map.cell<Periodic>(src.x[i], 0, ix, fx);
        double fy, fz;
        map.cell<Periodic>(src.y[i], 1, iy, fy);
        map.cell<Periodic>(src.z[i], 2, iz, fz);
        const std::size_t k = cnt[ix]++;
        sorted_[k] = {fx, fy, fz, src.m[i]};
        cells_[k] = {static_cast<std::uint32_t>(iy) << 16 | static_cast<std::uint32_t>(iz),
                     static_cast<std::uint32_t>(i)};
      }
    }
  }

  // Bucket x reaches planes x (weight 1 - fx) and x+1 (weight fx). Phase 0
  // deposits the even buckets, phase 1 the odd ones, so no two threads ever
  // write one plane; with an odd periodic mesh the last bucket, whose
  // second plane is plane 0, gets a phase of its own. Reading each bucket
  // once for both planes, rather than each plane gathering from buckets
  // x-1 and x, halves the reads of the sorted arrays. Also records span_:
  // the z cells each bucket occupies in each y row.
  void deposit(const MeshMap& map, double* grid, std::size_t plane, std::size_t row) {
    if (map.periodic)
      deposit<true>(map, grid, plane, row);
    else
      deposit<false>(map, grid, plane, row);
  }
  template <bool Periodic>
  void deposit(const MeshMap& map, double* grid, std::size_t plane, std::size_t row) {
    const int n = n_;
    const std::size_t nn = static_cast<std::size_t>(n);
    auto phase_of = [&](int b) { return Periodic && n % 2 == 1 && b == n - 1 ? 2 : b % 2; };
#pragma omp parallel
    {
#pragma omp for schedule(static)
      for (int x = 0; x < n; ++x) {
        std::memset(grid + static_cast<std::size_t>(x) * plane, 0, plane * sizeof(double));
        std::fill_n(span_.data() + static_cast<std::size_t>(x) * nn, nn, kEmpty);
      }
      for (int phase = 0; phase < 3; ++phase) {
#pragma omp for schedule(dynamic, 1)
        for (int b = 0; b < n; ++b) {
          const auto bu = static_cast<std::size_t>(b);
          if (phase_of(b) != phase || start_[bu] == start_[bu + 1]) continue;
          double* g0 = grid + bu * plane;
          double* g1 = grid + static_cast<std::size_t>(map.next<Periodic>(b)) * plane;
          Span* span = span_.data() + bu * nn;
          for (std::size_t k = start_[bu]; k < start_[bu + 1]; ++k) {
            const SortedParticle& p = sorted_[k];
            const double fx = p.fx, fy = p.fy, fz = p.fz, m = p.m;
            const std::uint32_t yz = cells_[k].yz;
            const int iy = static_cast<int>(yz >> 16), iz = static_cast<int>(yz & 0xffff);
            const std::size_t y0 = static_cast<std::size_t>(iy) * row,
                              y1 = static_cast<std::size_t>(map.next<Periodic>(iy)) * row;
            const std::size_t z0 = static_cast<std::size_t>(iz),
                              z1 = static_cast<std::size_t>(map.next<Periodic>(iz));
            const double w0 = m * (1 - fx), w1 = m * fx;
            g0[y0 + z0] += w0 * (1 - fy) * (1 - fz);
            g0[y0 + z1] += w0 * (1 - fy) * fz;
            g0[y1 + z0] += w0 * fy * (1 - fz);
            g0[y1 + z1] += w0 * fy * fz;
            g1[y0 + z0] += w1 * (1 - fy) * (1 - fz);
            g1[y0 + z1] += w1 * (1 - fy) * fz;
            g1[y1 + z0] += w1 * fy * (1 - fz);
            g1[y1 + z1] += w1 * fy * fz;
            Span& s = span[iy];
            s.lo = std::min(s.lo, static_cast<std::uint16_t>(iz));
            s.hi = std::max(s.hi, static_cast<std::uint16_t>(iz));
          }
        }
      }
    }
  }

  // Isolated mesh only. From span_: rows_[x][y], the z cells of row (x, y)
  // where forces are read (a particle's cloud covers buckets x-1 and x, rows
  // y-1 and y, cells z and z+1 of its own); mass_rows_, the rows that can
  // hold mass (the same rows); need_rows_, the rows of the potential that
  // the gradient's stencil reads around them (2 cells along x and along y).
  void occupied_rows() {
    const int n = n_;
    const std::size_t nn = static_cast<std::size_t>(n);
#pragma omp parallel
    {
#pragma omp for schedule(static)
      for (int x = 0; x < n; ++x)
        for (int y = 0; y < n; ++y) {
          Span r = kEmpty;
          for (int b = x - 1; b <= x; ++b)
            for (int v = y - 1; v <= y; ++v) {
              if (b < 0 || v < 0) continue;
              const Span s = span_[static_cast<std::size_t>(b) * nn + static_cast<std::size_t>(v)];
              if (s.lo > s.hi) continue;
              r.lo = std::min(r.lo, s.lo);
              r.hi = std::max(r.hi, static_cast<std::uint16_t>(s.hi + 1));
            }
          const std::size_t c = static_cast<std::size_t>(x) * nn + static_cast<std::size_t>(y);
          rows_[c] = r;
          mass_rows_[c] = r.lo <= r.hi;
        }
#pragma omp for schedule(static)
      for (int x = 0; x < n; ++x)
        for (int y = 0; y < n; ++y) {
          bool need = false;
          for (int d = -2; d <= 2; ++d) {
            const int u = x + d, v = y + d;
            if (u >= 0 && u < n) need |= mass_rows_[static_cast<std::size_t>(u) * nn + y] != 0;
            if (v >= 0 && v < n) need |= mass_rows_[static_cast<std::size_t>(x) * nn + v] != 0;
          }
          need_rows_[static_cast<std::size_t>(x) * nn + static_cast<std::size_t>(y)] = need;
        }
    }
  }

  // a = -grad phi, fourth-order differences: (8 (p1 - m1) - (p2 - m2)) / 12h,
  // stored interleaved (ax, ay, az) per cell so that interpolation reads
  // each corner from one place. Isolated: only the cells in rows_, which lie
  // at least 3 cells inside the octant (particles are at least 4 inside), so
  // the stencil never leaves it. Periodic: every cell, wrapping.
  void gradient(const MeshMap& map, const double* phi, std::size_t plane, std::size_t row) {
    const int n = n_;
    const std::size_t nn = static_cast<std::size_t>(n);
    const double s = -1.0 / (12 * map.h);
    double* force = force_.data();
    // Isolated: rows_ is empty within 3 cells of the faces.
    const int lo = map.periodic ? 0 : 2, hi = map.periodic ? n : n - 2;
#pragma omp parallel for schedule(dynamic, 1)
    for (int x = lo; x < hi; ++x) {
      const double* px[5];
      for (int d = -2; d <= 2; ++d)
        px[d + 2] = phi + static_cast<std::size_t>(map.wrap(x + d)) * plane;
      for (int y = lo; y < hi; ++y) {
        int zlo = 0, zhi = n - 1;
        if (!map.periodic) {
          const Span r = rows_[static_cast<std::size_t>(x) * nn + static_cast<std::size_t>(y)];
          if (r.lo > r.hi) continue;
          zlo = r.lo;
          zhi = r.hi;
        }
        std::size_t ry[5];
        for (int d = -2; d <= 2; ++d) ry[d + 2] = static_cast<std::size_t>(map.wrap(y + d)) * row;
        const double* c = px[2] + ry[2];
        const double *xm2 = px[0] + ry[2], *xm1 = px[1] + ry[2], *xp1 = px[3] + ry[2],
                     *xp2 = px[4] + ry[2];
        const double *ym2 = px[2] + ry[0], *ym1 = px[2] + ry[1], *yp1 = px[2] + ry[3],
                     *yp2 = px[2] + ry[4];
        double* out = force + 3 * ((static_cast<std::size_t>(x) * nn + y) * nn);
        auto cell = [&](int z, int zm2, int zm1, int zp1, int zp2) {
          double* o = out + 3 * static_cast<std::size_t>(z);
          o[0] = s * (8 * (xp1[z] - xm1[z]) - (xp2[z] - xm2[z]));
          o[1] = s * (8 * (yp1[z] - ym1[z]) - (yp2[z] - ym2[z]));
          o[2] = s * (8 * (c[zp1] - c[zm1]) - (c[zp2] - c[zm2]));
        };
        // Cells 2 .. n-3 never wrap; a periodic row's four edge cells do.
        for (int z = std::max(zlo, 2); z <= std::min(zhi, n - 3); ++z)
          cell(z, z - 2, z - 1, z + 1, z + 2);
        if (map.periodic)
          for (const int z : {0, 1, n - 2, n - 1})
            cell(z, map.wrap(z - 2), map.wrap(z - 1), map.wrap(z + 1), map.wrap(z + 2));
      }
    }
  }

  void interpolate(const MeshMap& map, Accels& acc) const {
    if (map.periodic)
      interpolate<true>(map, acc);
    else
      interpolate<false>(map, acc);
  }
  // In bucket order, streaming through the sorted arrays and the mesh;
  // writes a at the source index. (Writing in bucket order and permuting
  // afterwards was measured no faster, and needs another 24 bytes per
  // particle.)
  template <bool Periodic>
  void interpolate(const MeshMap& map, Accels& acc) const {
    const auto nx = static_cast<std::ptrdiff_t>(n_);
    const std::size_t n = static_cast<std::size_t>(n_);
    const double* force = force_.data();
#pragma omp parallel for schedule(dynamic, 1)
    for (std::ptrdiff_t x = 0; x < nx; ++x) {
      const std::size_t xs[2] = {static_cast<std::size_t>(x),
                                 static_cast<std::size_t>(map.next<Periodic>(static_cast<int>(x)))};
      for (std::size_t k = start_[x]; k < start_[x + 1]; ++k) {
        const SortedParticle& p = sorted_[k];
        const SortedCell cell = cells_[k];
        const int iy = static_cast<int>(cell.yz >> 16), iz = static_cast<int>(cell.yz & 0xffff);
        const std::size_t ys[2] = {static_cast<std::size_t>(iy),
                                   static_cast<std::size_t>(map.next<Periodic>(iy))};
        const std::size_t zs[2] = {static_cast<std::size_t>(iz),
                                   static_cast<std::size_t>(map.next<Periodic>(iz))};
        const double wx[2] = {1 - p.fx, p.fx}, wy[2] = {1 - p.fy, p.fy}, wz[2] = {1 - p.fz, p.fz};
        double ax = 0, ay = 0, az = 0;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b)
            for (int c = 0; c < 2; ++c) {
              const double* f = force + 3 * ((xs[a] * n + ys[b]) * n + zs[c]);
              const double w = wx[a] * wy[b] * wz[c];
              ax += w * f[0];
              ay += w * f[1];
              az += w * f[2];
            }
        const std::uint32_t i = cell.idx;
        acc.ax[i] = ax;
        acc.ay[i] = ay;
        acc.az[i] = az;
      }
    }
  }

  // phi_i = sum over the 8 corners c of w_c phi(c), in bucket order like
  // interpolate(), minus the particle's interaction with its own cloud:
  // the mesh potential at i includes m_i sum_{c,c'} w_c w_c' G(c - c'),
  // which the pair sum (j != i) does not. Per axis the weight pairs give
  // (1-f)^2 + f^2 for equal cells and 2 f (1-f) for neighbours, so the
  // term is m_i sum_{e in {0,1}^3} P_ex P_ey P_ez G(e) with G of the same
  // definition the mesh convolves with (isolated_green_at). It is up to
  // 2.38 m_i / h, so it matters wherever a particle is heavy against the
  // mass within a few cells: for two unit masses 10 cells apart it is over
  // ten times their pair potential ("a particle's own cloud" in
  // tests/sim/solvers/pm/particle_mesh_test.cpp fails without it). On a
  // smooth sphere it is smaller and of the opposite sign to the smoothing
  // error (the cloud binds itself, the smoothing unbinds pairs): measured
  // with the term switched off by hand in the "smooth sphere" test (4000
  // particles, grid 128), the energy's error went from 0.40% to 0.03%, the
  // rms per particle from 0.50% to 0.63%. That cancellation is an accident
  // of N (the term falls as 1/N at fixed total mass; at 20000 particles
  // the same switch gave 0.49% and 0.42%), so leaving the term in, the
  // rejected alternative, would hide the smoothing error the diagnostic's
  // estimate is meant to report behind an N-dependent bias.
  void interpolate_potential(const MeshMap& map, const double* grid, std::size_t plane,
                             std::size_t row, double* phi) const {
    const auto nx = static_cast<std::ptrdiff_t>(n_);
    double g[2][2][2];
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 2; ++c) g[a][b][c] = isolated_green_at(a, b, c, map.h, eps_);
#pragma omp parallel for schedule(dynamic, 1)
    for (std::ptrdiff_t x = 0; x < nx; ++x) {
      const auto ux = static_cast<std::size_t>(x);
      for (std::size_t k = start_[ux]; k < start_[ux + 1]; ++k) {
        const SortedParticle& q = sorted_[k];
        const SortedCell cell = cells_[k];
        const std::size_t iy = cell.yz >> 16, iz = cell.yz & 0xffff;
        const double wx[2] = {1 - q.fx, q.fx}, wy[2] = {1 - q.fy, q.fy}, wz[2] = {1 - q.fz, q.fz};
        double p = 0, self = 0;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b)
            for (int c = 0; c < 2; ++c)
              p += wx[a] * wy[b] * wz[c] * grid[(ux + a) * plane + (iy + b) * row + iz + c];
        const double px[2] = {wx[0] * wx[0] + wx[1] * wx[1], 2 * wx[0] * wx[1]},
                     py[2] = {wy[0] * wy[0] + wy[1] * wy[1], 2 * wy[0] * wy[1]},
                     pz[2] = {wz[0] * wz[0] + wz[1] * wz[1], 2 * wz[0] * wz[1]};
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b)
            for (int c = 0; c < 2; ++c) self += px[a] * py[b] * pz[c] * g[a][b][c];
        phi[cell.idx] = p - q.m * self;
      }
    }
  }

  int n_;
  bool periodic_;
  double box_, eps_;
  mem::CountingResource res_{mem::Category::Solver};
  double last_h_ = 0;  // mesh spacing of the last call (0: none yet)
  std::optional<PaddedConvolution> iso_;
  std::optional<IsolatedGreen> iso_green_;
  std::optional<PeriodicConvolution> per_;
  std::optional<PeriodicGreen> per_green_;
  // Particles sorted by x cell (see bucket()).
  SolverBuffer<SortedParticle> sorted_;
  SolverBuffer<SortedCell> cells_;
  std::vector<std::size_t> counts_, start_;
  // Occupancy, n x n: span_ per (bucket, y row); rows_, mass_rows_,
  // need_rows_ per (x, y) row of the mesh (see occupied_rows()).
  SolverBuffer<Span> span_, rows_;
  SolverBuffer<std::uint8_t> mass_rows_, need_rows_;
  SolverBuffer<double> force_;  // (ax, ay, az) per cell
};

}  // namespace

std::unique_ptr<Solver> make_particle_mesh_solver(const ForceParams& p) {
  check_softening(p);
  if (p.grid < kMinGrid || p.grid > kMaxGrid)
    throw std::invalid_argument("grid must be between " + std::to_string(kMinGrid) + " and " +
                                std::to_string(kMaxGrid) + " (got " + std::to_string(p.grid) + ")");
  if (!(p.box >= 0) || !std::isfinite(p.box))
    throw std::invalid_argument("box must be finite and >= 0 (got " + std::to_string(p.box) + ")");
  return std::make_unique<ParticleMeshSolver>(p);
}

}  // namespace slotsim::detail
