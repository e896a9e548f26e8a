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
// Particle passes (bucketing by x cell, deposit, interpolation) are in
// cic.{hpp,cpp}, with their contracts and their determinism argument: the
// deposit has no atomics, every cell's sum has one fixed order whatever the
// number of threads.
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
#include "sim/solvers/pm/cic.hpp"
#include "sim/solvers/pm/padded_convolution.hpp"
#include "sim/solvers/params_check.hpp"
#include "sim/solvers/pm/periodic_convolution.hpp"
#include "sim/solvers/pm/pm_green.hpp"

namespace slotsim::detail {
namespace {

constexpr int kMinGrid = kPmMinGrid, kMaxGrid = kPmMaxGrid;
static_assert(kMaxGrid <= 65536, "z cells are stored in 16 bits (Span)");

class ParticleMeshSolver final : public Solver {
 public:
  explicit ParticleMeshSolver(const ForceParams& p)
      : n_(p.grid),
        periodic_(p.periodic),
        box_(p.box),
        eps_(p.softening),
        buckets_(res_),
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
    const Mesh mesh = deposit(src);
    const MeshMap& map = mesh.map;
    const auto t1 = clock::now();

    convolve(map);
    gradient(map, mesh.grid, mesh.plane, mesh.row);
    const auto t2 = clock::now();

    interpolate_forces(map, buckets_, 0, n_, {force_.data(), 0});
    double* const out[3] = {acc.ax, acc.ay, acc.az};
    unbucket(buckets_, src.n, 3, out);
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
    const Mesh mesh = deposit(src);
    convolve(mesh.map);
    interpolate_potential(mesh.map, src, mesh.grid, mesh.plane, mesh.row, phi);
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
  Mesh deposit(const Sources& src) {
    if (src.n > 0xffffffffu) throw std::length_error("pm: more than 2^32 - 1 particles");
    Mesh mesh{place(src), nullptr, 0, 0};
    last_h_ = mesh.map.h;
    setup();
    mesh.grid = periodic_ ? per_->grid() : iso_->grid();
    mesh.plane = periodic_ ? per_->plane_stride() : iso_->plane_stride();
    mesh.row = periodic_ ? per_->row_stride() : iso_->row_stride();
    bucket_by_x(src, mesh.map, buckets_);
    const int n = n_;
#pragma omp parallel for schedule(static)
    for (int x = 0; x < n; ++x)
      std::memset(mesh.grid + static_cast<std::size_t>(x) * mesh.plane, 0, mesh.plane * sizeof(double));
    deposit_mass(mesh.map, buckets_, 0, n, {mesh.grid, mesh.plane, mesh.row, 0}, span_.data());
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
    const double need = periodic_ ? extent / (n_ - 1) : extent / (n_ - 2 * kPmMargin);
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
          Span r = kEmptySpan;
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

  // phi_i = sum over the 8 corners c of w_c phi(c), in bucket order
  // (cic.hpp), minus the particle's interaction with its own cloud:
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
  void interpolate_potential(const MeshMap& map, const Sources& src, double* grid, std::size_t plane,
                             std::size_t row, double* phi) {
    double g[2][2][2];
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 2; ++c) g[a][b][c] = isolated_green_at(a, b, c, map.h, eps_);
    detail::interpolate_potential(buckets_, 0, n_, {grid, plane, row, 0}, g);
    double* const out[3] = {phi, nullptr, nullptr};
    unbucket(buckets_, src.n, 1, out);
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
  // Particles sorted by x cell (cic.hpp, bucket_by_x()).
  XBuckets buckets_;
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
