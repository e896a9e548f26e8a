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
#include <cmath>
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
        sx_(res_),
        sidx_(res_),
        siy_(res_),
        siz_(res_),
        sfx_(res_),
        sfy_(res_),
        sfz_(res_),
        sm_(res_),
        fx_(res_),
        fy_(res_),
        fz_(res_) {}

  std::string_view name() const override { return "pm"; }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    phases = {};
    if (src.n == 0) return;
    if (src.n > 0xffffffffu) throw std::length_error("pm: more than 2^32 - 1 particles");
    const MeshMap map = place(src);
    setup();
    double* grid = periodic_ ? per_->grid() : iso_->grid();
    const std::size_t plane = periodic_ ? per_->plane_stride() : iso_->plane_stride();
    const std::size_t row = periodic_ ? per_->row_stride() : iso_->row_stride();
    if (periodic_)
      per_->clear();
    else
      iso_->clear();
    bucket(src, map);
    deposit(map, grid, plane, row);
    const auto t1 = clock::now();

    if (periodic_)
      per_->convolve(per_green_->get(map.h, eps_));
    else
      iso_->convolve(iso_green_->get(map.h, eps_));
    gradient(map, grid, plane, row);
    const auto t2 = clock::now();

    interpolate(map, acc);
    const auto t3 = clock::now();
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
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
    fx_.resize(cells);
    fy_.resize(cells);
    fz_.resize(cells);
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
    const double mag = std::max({std::abs(centre[0]), std::abs(centre[1]), std::abs(centre[2]), 1.0});
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
  // what deposit and interpolation need (source index, y/z cells, the three
  // fractions, mass) bucket by bucket, bucket x at start_[x] .. start_[x+1],
  // so both stream through them. Per-thread counts over fixed contiguous
  // chunks: the result is the unique stable order, whatever the threads.
  void bucket(const Sources& src, const MeshMap& map) {
    const std::size_t np = src.n, nb = static_cast<std::size_t>(n_);
    for (auto* b : {&sidx_, &siy_, &siz_}) b->resize(np);
    for (auto* b : {&sfx_, &sfy_, &sfz_, &sm_}) b->resize(np);
    sx_.resize(np);
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
        sx_[i] = static_cast<std::uint32_t>(ix);
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
        const std::size_t k = cnt[sx_[i]]++;
        int ix, iy, iz;
        double fx, fy, fz;
        map.cell(src.x[i], 0, ix, fx);
        map.cell(src.y[i], 1, iy, fy);
        map.cell(src.z[i], 2, iz, fz);
        sidx_[k] = static_cast<std::uint32_t>(i);
        siy_[k] = static_cast<std::uint32_t>(iy);
        siz_[k] = static_cast<std::uint32_t>(iz);
        sfx_[k] = fx;
        sfy_[k] = fy;
        sfz_[k] = fz;
        sm_[k] = src.m[i];
      }
    }
  }

  void deposit(const MeshMap& map, double* grid, std::size_t plane, std::size_t row) const {
    const int n = n_;
#pragma omp parallel for schedule(dynamic, 1)
    for (int x = 0; x < n; ++x) {
      double* g = grid + static_cast<std::size_t>(x) * plane;
      // Bucket x-1 reaches this plane with weight f, bucket x with 1 - f.
      for (int side = 0; side < 2; ++side) {
        const int bx = side == 0 ? x - 1 : x;
        if (bx < 0 && !map.periodic) continue;
        const auto b = static_cast<std::size_t>(map.wrap(bx));
        for (std::size_t k = start_[b]; k < start_[b + 1]; ++k) {
          const double fy = sfy_[k], fz = sfz_[k];
          const double wx = sm_[k] * (side == 0 ? sfx_[k] : 1 - sfx_[k]);
          const int iy = static_cast<int>(siy_[k]), iz = static_cast<int>(siz_[k]);
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

  // a = -grad phi, fourth-order differences: (8 (p1 - m1) - (p2 - m2)) / 12h.
  // Isolated: only cells at least 2 from the octant's faces (all that the
  // interpolation can reach); the stencil stays in the octant.
  void gradient(const MeshMap& map, const double* phi, std::size_t plane, std::size_t row) {
    const int n = n_, lo = map.periodic ? 0 : 2, hi = map.periodic ? n : n - 2;
    const double s = -1.0 / (12 * map.h);
    auto at = [&](int x, int y, int z) {
      return phi[static_cast<std::size_t>(map.wrap(x)) * plane +
                 static_cast<std::size_t>(map.wrap(y)) * row + static_cast<std::size_t>(map.wrap(z))];
    };
#pragma omp parallel for schedule(static)
    for (int x = lo; x < hi; ++x)
      for (int y = lo; y < hi; ++y)
        for (int z = lo; z < hi; ++z) {
          const std::size_t c = (static_cast<std::size_t>(x) * n + y) * n + z;
          fx_[c] = s * (8 * (at(x + 1, y, z) - at(x - 1, y, z)) - (at(x + 2, y, z) - at(x - 2, y, z)));
          fy_[c] = s * (8 * (at(x, y + 1, z) - at(x, y - 1, z)) - (at(x, y + 2, z) - at(x, y - 2, z)));
          fz_[c] = s * (8 * (at(x, y, z + 1) - at(x, y, z - 1)) - (at(x, y, z + 2) - at(x, y, z - 2)));
        }
  }

  void interpolate(const MeshMap& map, Accels& acc) const {
    const auto nx = static_cast<std::ptrdiff_t>(n_);
    const std::size_t n = static_cast<std::size_t>(n_);
#pragma omp parallel for schedule(dynamic, 1)
    for (std::ptrdiff_t x = 0; x < nx; ++x) {
      const std::size_t xs[2] = {static_cast<std::size_t>(x),
                                 static_cast<std::size_t>(map.wrap(static_cast<int>(x) + 1))};
      for (std::size_t k = start_[x]; k < start_[x + 1]; ++k) {
        const std::size_t ys[2] = {siy_[k], static_cast<std::size_t>(map.wrap(static_cast<int>(siy_[k]) + 1))};
        const std::size_t zs[2] = {siz_[k], static_cast<std::size_t>(map.wrap(static_cast<int>(siz_[k]) + 1))};
        const double wx[2] = {1 - sfx_[k], sfx_[k]}, wy[2] = {1 - sfy_[k], sfy_[k]},
                     wz[2] = {1 - sfz_[k], sfz_[k]};
        double ax = 0, ay = 0, az = 0;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b)
            for (int c = 0; c < 2; ++c) {
              const std::size_t cell = (xs[a] * n + ys[b]) * n + zs[c];
              const double w = wx[a] * wy[b] * wz[c];
              ax += w * fx_[cell];
              ay += w * fy_[cell];
              az += w * fz_[cell];
            }
        const std::uint32_t i = sidx_[k];
        acc.ax[i] = ax;
        acc.ay[i] = ay;
        acc.az[i] = az;
      }
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
  SolverBuffer<std::uint32_t> sx_, sidx_, siy_, siz_;
  SolverBuffer<double> sfx_, sfy_, sfz_, sm_;
  std::vector<std::size_t> counts_, start_;
  SolverBuffer<double> fx_, fy_, fz_;
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
