// Particle-mesh gravity: cloud-in-cell deposit, FFT convolution with the
// softened Green's function, 4-point finite-difference gradient, CIC
// interpolation back to the particles. The potential (Solver::potentials,
// isolated meshes only) is the convolution's own mesh potential read with
// the same CIC weights, minus each particle's own cloud (see below).
//
// The pieces, each shared with the distributed solver (dist/pm_solver.cpp,
// which runs them on one rank's slab of the mesh and gets these bits):
//   mesh_map.hpp        where the mesh goes (placement rules), the map from
//                       positions to cells, ranges of planes;
//   cic.hpp             the particle passes: bucket, deposit,
//                       interpolation, unbucket (and why the deposit is
//                       deterministic);
//   occupied_rows.hpp   the rows of an isolated mesh that hold mass or are
//                       read;
//   gradient.hpp        the force mesh from the potential;
//   line_convolution.hpp and its two kinds, padded (isolated) and periodic;
//   pm_green.hpp        the Green's functions.
//
// Gradient: 4-point finite differences of the potential (fourth order),
// rather than a spectral gradient, which would need three inverse transforms
// instead of one. No deconvolution of the CIC window: it would sharpen the
// force at a few cells at the cost of noise at the Nyquist scale.
//
// Isolated meshes transform only the rows the particles touch
// (occupied_rows.hpp). The forces are those of the dense computation up to
// rounding; the periodic mode transforms every row.
//
// phi_i = sum over the 8 corners c of w_c phi(c), in bucket order like
// the forces (cic.hpp), minus the particle's interaction with its own cloud:
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

#include "sim/ordering/morton.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/builtin.hpp"
#include "sim/solvers/params_check.hpp"
#include "sim/solvers/pm/cic.hpp"
#include "sim/solvers/pm/gradient.hpp"
#include "sim/solvers/pm/mesh_map.hpp"
#include "sim/solvers/pm/occupied_rows.hpp"
#include "sim/solvers/pm/padded_convolution.hpp"
#include "sim/solvers/pm/periodic_convolution.hpp"
#include "sim/solvers/pm/pm_green.hpp"

namespace slotsim::detail {
namespace {

constexpr int kMinGrid = kPmMinGrid, kMaxGrid = kPmMaxGrid;

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
    const auto t1 = clock::now();

    convolve(mesh.map);
    const Planes force{force_.data(), 3 * static_cast<std::size_t>(n_) * n_, 0, n_, n_};
    mesh_gradient(mesh.map, mesh.grid, mesh.row, force, 0, n_, rows_.data(), 0);
    const auto t2 = clock::now();

    interpolate_forces(mesh.map, buckets_, 0, n_, force);
    double* const out[3] = {acc.ax, acc.ay, acc.az};
    unbucket(buckets_, src.n, 3, out);
    const auto t3 = clock::now();
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
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
    double g[2][2][2];
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 2; ++c) g[a][b][c] = isolated_green_at(a, b, c, mesh.map.h, eps_);
    interpolate_potential(buckets_, 0, n_, mesh.grid, mesh.row, g);
    double* const out[3] = {phi, nullptr, nullptr};
    unbucket(buckets_, src.n, 1, out);
    return true;
  }

 private:
  // The mesh of one call, holding the deposited mass: its placement, and
  // the grid's planes with their row stride.
  struct Mesh {
    MeshMap map;
    Planes grid;
    std::size_t row;
  };
  // What forces and potentials share up to the convolution: place the mesh
  // on the particles, sort them into x buckets, deposit their mass.
  Mesh deposit(const Sources& src) {
    if (src.n > 0xffffffffu) throw std::length_error("pm: more than 2^32 - 1 particles");
    Mesh mesh{place_mesh(bounding_cube(src), n_, periodic_, box_), {}, 0};
    last_h_ = mesh.map.h;
    setup();
    mesh.grid = periodic_ ? per_->planes() : iso_->planes();
    mesh.row = periodic_ ? per_->row_stride() : iso_->row_stride();
    bucket_by_x(src, mesh.map, buckets_);
    const Planes& g = mesh.grid;
#pragma omp parallel for schedule(static)
    for (int x = 0; x < g.count; ++x)
      std::memset(g.base + static_cast<std::size_t>(x) * g.stride, 0, g.stride * sizeof(double));
    detail::deposit_mass(mesh.map, buckets_, 0, n_, g, mesh.row, span_.data());
    return mesh;
  }

  // Mass to potential, in place on the mesh. Isolated: only the rows the
  // particles' clouds and the gradient's stencil read are produced.
  void convolve(const MeshMap& map) {
    if (periodic_) {
      per_->convolve(per_green_->get(map.h, eps_));
    } else {
      force_rows(span_.data(), n_, 0, n_ - 1, rows_.data(), mass_rows_.data());
      need_rows(mass_rows_.data(), n_, 0, n_ - 1, need_rows_.data());
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
  // Occupancy, n x n: span_ per (bucket, y row), from the deposit; rows_,
  // mass_rows_, need_rows_ per (x, y) row of the mesh (occupied_rows.hpp);
  // isolated meshes only.
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
