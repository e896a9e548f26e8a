// Particle-mesh gravity: cloud-in-cell deposit, FFT convolution with the
// softened Green's function, 4-point finite-difference gradient, CIC
// interpolation back to the particles.
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
// x cell (a stable counting sort); each mesh plane x is then filled by one
// thread, from bucket x-1 then bucket x, each in particle order. So every
// cell's sum has one fixed order, whatever the number of threads. (Private
// per-thread meshes summed in a fixed order were the alternative: as many
// extra meshes as threads, and results that depend on the thread count.)
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
static double pm_cpu_ms() { timespec ts; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); return ts.tv_sec*1e3+ts.tv_nsec*1e-6; }
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/solvers/buffer.hpp"
#include "sim/solvers/builtin.hpp"
#include "sim/solvers/morton.hpp"
#include "sim/solvers/padded_convolution.hpp"
#include "sim/solvers/params_check.hpp"
#include "sim/solvers/periodic_convolution.hpp"
#include "sim/solvers/pm_green.hpp"

namespace slotsim::detail {
namespace {

constexpr int kMinGrid = 16, kMaxGrid = 1024;
constexpr int kMargin = 4;  // cells between the particles and the octant's faces
static_assert(kMaxGrid <= 65536, "y and z cells are packed into 16 bits each");

// Where the mesh is for one call, and the map from positions to cells.
struct MeshMap {
  int n;
  bool periodic;
  double origin[3];
  double h, inv_h;
  // Cell index and fraction along one axis.
  void cell(double pos, int axis, int& i, double& f) const {
    double u = (pos - origin[axis]) * inv_h;
    if (periodic) {
      u -= n * std::floor(u / n);
      i = static_cast<int>(u);
      if (i >= n) i = 0, u = 0;  // u rounded up to exactly n
    } else {
      // The fit keeps u in [kMargin, n - kMargin]; the clamp only guards
      // rounding at the faces.
      i = std::clamp(static_cast<int>(std::floor(u)), kMargin - 1, n - kMargin);
    }
    f = std::clamp(u - i, 0.0, 1.0);
  }
  int wrap(int i) const { return periodic ? (i + n) % n : i; }
};

class ParticleMeshSolver final : public Solver {
 public:
  explicit ParticleMeshSolver(const ForceParams& p)
      : n_(p.grid),
        periodic_(p.periodic),
        box_(p.box),
        eps_(p.softening),
        sfx_(res_),
        sfy_(res_),
        sfz_(res_),
        sm_(res_),
        syz_(res_),
        rank_(res_),
        force_(res_),
        out_(res_) {}

  std::string_view name() const override { return "pm"; }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    double pc[8]; int np_ = 0; pc[np_++] = pm_cpu_ms();
    phases = {};
    if (src.n == 0) return;
    if (src.n > 0xffffffffu) throw std::length_error("pm: more than 2^32 - 1 particles");
    const MeshMap map = place(src);
    setup();
    double* grid = periodic_ ? per_->grid() : iso_->grid();
    const std::size_t plane = periodic_ ? per_->plane_stride() : iso_->plane_stride();
    const std::size_t row = periodic_ ? per_->row_stride() : iso_->row_stride();
    pc[np_++] = pm_cpu_ms();
    bucket(src, map);
    pc[np_++] = pm_cpu_ms();
    deposit(map, grid, plane, row);
    if (std::getenv("PM_HIST")) { std::size_t mx = 0; for (int x = 0; x < n_; ++x) { mx = std::max(mx, start_[x+1]-start_[x]); std::fprintf(stderr, "%zu ", start_[x+1]-start_[x]); } std::fprintf(stderr, "\nmax %zu h %g\n", mx, map.h);
      std::vector<char> rowt(static_cast<std::size_t>(n_)*n_, 0); std::vector<char> cellt(static_cast<std::size_t>(n_)*n_*n_, 0);
      for (int x = 0; x < n_; ++x) for (std::size_t k = start_[x]; k < start_[x+1]; ++k) { int iy = syz_[k] >> 16, iz = syz_[k] & 0xffff; for (int a=0;a<2;++a) for (int b=0;b<2;++b) { rowt[(x+a)*n_ + iy+b] = 1; for (int c=0;c<2;++c) cellt[((x+a)*n_ + iy+b)*n_+iz+c]=1; } }
      std::size_t nr = 0, nc = 0; for (char c : rowt) nr += c; for (char c : cellt) nc += c; std::fprintf(stderr, "rows touched %zu of %d, cells %zu\n", nr, n_*n_, nc); }
    pc[np_++] = pm_cpu_ms();
    const auto t1 = clock::now();

    if (periodic_)
      per_->convolve(per_green_->get(map.h, eps_));
    else
      iso_->convolve(iso_green_->get(map.h, eps_));
    pc[np_++] = pm_cpu_ms();
    gradient(map, grid, plane, row);
    pc[np_++] = pm_cpu_ms();
    const auto t2 = clock::now();

    interpolate(map, src, acc);
    pc[np_++] = pm_cpu_ms();
    if (std::getenv("PM_PROF")) std::fprintf(stderr, "place %.1f bucket %.1f deposit %.1f conv %.1f grad %.1f interp %.1f total %.1f\n", pc[1]-pc[0], pc[2]-pc[1], pc[3]-pc[2], pc[4]-pc[3], pc[5]-pc[4], pc[6]-pc[5], pc[6]-pc[0]);
    const auto t3 = clock::now();
    auto ms = [](auto a, auto b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    phases.build_ms = ms(t0, t1);
    phases.solve_ms = ms(t1, t2);
    phases.interpolate_ms = ms(t2, t3);
  }

 private:
  // Mesh buffers are made on first use, not in the constructor: an isolated
  // 128 mesh is ~200 MB, and a solver may be built only to be listed.
  void setup() {
    if (periodic_ && !per_) {
      per_.emplace(n_, res_);
      per_green_.emplace(n_, res_);
    } else if (!periodic_ && !iso_) {
      iso_.emplace(n_, res_);
      iso_green_.emplace(n_, res_);
    }
    const std::size_t cells = static_cast<std::size_t>(n_) * n_ * n_;
    force_.resize(3 * cells);
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

  // Stable counting sort of the particles by x cell. The sorted arrays hold
  // what deposit and interpolation need (fractions, mass, y/z cells), bucket
  // x at start_[x] .. start_[x+1], so both stream through them; rank_[i] is
  // particle i's place in that order. Separate arrays rather than one record
  // per particle: the deposit loop ran ~1.6x slower on 40-byte records. Per-thread counts over fixed contiguous chunks: the
  // result is the unique stable order, whatever the threads.
  void bucket(const Sources& src, const MeshMap& map) {
    const std::size_t np = src.n, nb = static_cast<std::size_t>(n_);
    for (auto* a : {&sfx_, &sfy_, &sfz_, &sm_}) a->resize(np);
    syz_.resize(np);
    rank_.resize(np);
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
        map.cell(src.x[i], 0, ix, f);
        rank_[i] = static_cast<std::uint32_t>(ix);
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
        const std::size_t k = cnt[rank_[i]]++;
        int ix, iy, iz;
        map.cell(src.x[i], 0, ix, sfx_[k]);
        map.cell(src.y[i], 1, iy, sfy_[k]);
        map.cell(src.z[i], 2, iz, sfz_[k]);
        sm_[k] = src.m[i];
        syz_[k] = static_cast<std::uint32_t>(iy) << 16 | static_cast<std::uint32_t>(iz);
        rank_[i] = static_cast<std::uint32_t>(k);
      }
    }
  }

  // Plane x is zeroed here, then filled, while it is in cache (a separate
  // clearing pass over the mesh was the alternative).
  void deposit(const MeshMap& map, double* grid, std::size_t plane, std::size_t row) const {
    const int n = n_;
    if (std::getenv("PM_SEPCLEAR")) {
#pragma omp parallel for schedule(static)
    for (int x = 0; x < n; ++x) std::memset(grid + static_cast<std::size_t>(x) * plane, 0, plane * sizeof(double));
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (int x = 0; x < n; ++x) {
      double* g = grid + static_cast<std::size_t>(x) * plane;
      if (!std::getenv("PM_SEPCLEAR")) std::memset(g, 0, plane * sizeof(double));
      // Bucket x-1 reaches this plane with weight f, bucket x with 1 - f.
      for (int side = 0; side < 2; ++side) {
        const int bx = side == 0 ? x - 1 : x;
        if (bx < 0 && !map.periodic) continue;
        const auto b = static_cast<std::size_t>(map.wrap(bx));
        for (std::size_t k = start_[b]; k < start_[b + 1]; ++k) {
          const double fy = sfy_[k], fz = sfz_[k];
          const double wx = sm_[k] * (side == 0 ? sfx_[k] : 1 - sfx_[k]);
          const int iy = static_cast<int>(syz_[k] >> 16), iz = static_cast<int>(syz_[k] & 0xffff);
          const int iy1 = map.wrap(iy + 1), iz1 = map.wrap(iz + 1);
          double* r0 = g + static_cast<std::size_t>(iy) * row;
          double* r1 = g + static_cast<std::size_t>(iy1) * row;
          r0[iz] += wx * (1 - fy) * (1 - fz);
          r0[iz1] += wx * (1 - fy) * fz;
          r1[iz] += wx * fy * (1 - fz);
          r1[iz1] += wx * fy * fz;
        }
      }
    }
  }

  // a = -grad phi, fourth-order differences: (8 (p1 - m1) - (p2 - m2)) / 12h,
  // stored interleaved (ax, ay, az) per cell so that interpolation reads
  // each corner from one place. Isolated: only cells at least 2 from the
  // octant's faces (all that the interpolation can reach), so the stencil
  // never leaves the octant and needs no wrapping.
  void gradient(const MeshMap& map, const double* phi, std::size_t plane, std::size_t row) {
    const int n = n_, lo = map.periodic ? 0 : 2, hi = map.periodic ? n : n - 2;
    const double s = -1.0 / (12 * map.h);
    double* force = force_.data();
#pragma omp parallel for schedule(static)
    for (int x = lo; x < hi; ++x) {
      const double* px[5];
      for (int d = -2; d <= 2; ++d)
        px[d + 2] = phi + static_cast<std::size_t>(map.wrap(x + d)) * plane;
      for (int y = lo; y < hi; ++y) {
        std::size_t ry[5];
        for (int d = -2; d <= 2; ++d) ry[d + 2] = static_cast<std::size_t>(map.wrap(y + d)) * row;
        const double* c = px[2] + ry[2];
        const double *xm2 = px[0] + ry[2], *xm1 = px[1] + ry[2], *xp1 = px[3] + ry[2],
                     *xp2 = px[4] + ry[2];
        const double *ym2 = px[2] + ry[0], *ym1 = px[2] + ry[1], *yp1 = px[2] + ry[3],
                     *yp2 = px[2] + ry[4];
        double* out = force + 3 * ((static_cast<std::size_t>(x) * n + y) * n);
        auto cell = [&](int z, int zm2, int zm1, int zp1, int zp2) {
          double* o = out + 3 * static_cast<std::size_t>(z);
          o[0] = s * (8 * (xp1[z] - xm1[z]) - (xp2[z] - xm2[z]));
          o[1] = s * (8 * (yp1[z] - ym1[z]) - (yp2[z] - ym2[z]));
          o[2] = s * (8 * (c[zp1] - c[zm1]) - (c[zp2] - c[zm2]));
        };
        // z in [2, n-2) never wraps; the periodic mesh's four edge cells do.
        for (int z = 2; z < n - 2; ++z) cell(z, z - 2, z - 1, z + 1, z + 2);
        if (map.periodic)
          for (const int z : {0, 1, n - 2, n - 1})
            cell(z, map.wrap(z - 2), map.wrap(z - 1), map.wrap(z + 1), map.wrap(z + 2));
      }
    }
  }

  // Interpolates in bucket order into out_ (streaming through the records
  // and the mesh), then permutes to source order reading out_ at rank_[i].
  // Writing acc[sidx] directly was the alternative: three scattered stores
  // per particle into three arrays, where this has one scattered 24-byte read.
  void interpolate(const MeshMap& map, const Sources& src, Accels& acc) {
    const auto nx = static_cast<std::ptrdiff_t>(n_);
    const std::size_t n = static_cast<std::size_t>(n_);
    out_.resize(3 * src.n);
    const double* force = force_.data();
    double* res = out_.data();
#pragma omp parallel for schedule(dynamic, 1)
    for (std::ptrdiff_t x = 0; x < nx; ++x) {
      const std::size_t xs[2] = {static_cast<std::size_t>(x),
                                 static_cast<std::size_t>(map.wrap(static_cast<int>(x) + 1))};
      for (std::size_t k = start_[x]; k < start_[x + 1]; ++k) {
        const int iy = static_cast<int>(syz_[k] >> 16), iz = static_cast<int>(syz_[k] & 0xffff);
        const std::size_t ys[2] = {static_cast<std::size_t>(iy),
                                   static_cast<std::size_t>(map.wrap(iy + 1))};
        const std::size_t zs[2] = {static_cast<std::size_t>(iz),
                                   static_cast<std::size_t>(map.wrap(iz + 1))};
        const double wx[2] = {1 - sfx_[k], sfx_[k]}, wy[2] = {1 - sfy_[k], sfy_[k]},
                     wz[2] = {1 - sfz_[k], sfz_[k]};
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
        res[3 * k] = ax;
        res[3 * k + 1] = ay;
        res[3 * k + 2] = az;
      }
    }
    const auto np = static_cast<std::ptrdiff_t>(src.n);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < np; ++i) {
      const double* a = res + 3 * static_cast<std::size_t>(rank_[i]);
      acc.ax[i] = a[0];
      acc.ay[i] = a[1];
      acc.az[i] = a[2];
    }
  }

  int n_;
  bool periodic_;
  double box_, eps_;
  mem::CountingResource res_{mem::Category::Solver};
  std::optional<PaddedConvolution> iso_;
  std::optional<IsolatedGreen> iso_green_;
  std::optional<PeriodicConvolution> per_;
  std::optional<PeriodicGreen> per_green_;
  // Particles sorted by x cell (see bucket()).
  SolverBuffer<double> sfx_, sfy_, sfz_, sm_;
  SolverBuffer<std::uint32_t> syz_;  // y cell << 16 | z cell
  SolverBuffer<std::uint32_t> rank_;
  std::vector<std::size_t> counts_, start_;
  SolverBuffer<double> force_;  // (ax, ay, az) per cell
  SolverBuffer<double> out_;    // (ax, ay, az) per particle, bucket order
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
