// Barnes-Hut tree code: Morton-sorted octree, monopole + quadrupole moments,
// Plummer-softened, walked once per group of nearby particles.
//
// Softening of the quadrupole term: the Taylor expansion of the *softened*
// potential -m / sqrt(|y - d|^2 + eps^2) about the centre of mass, so with
// g_n = (r^2 + eps^2)^(-n/2) and y = x - com, S = sum m d d^T:
//   phi = -M g1 + (1/2) tr S g3 - (3/2) y.S.y g5
//   a   = -M g3 y + 3 g5 S y + (3/2) tr S g5 y - (15/2) g7 (y.S.y) y.
// At eps = 0 this is the usual trace-free quadrupole. The unsoftened
// quadrupole on top of a softened monopole was rejected: it is inconsistent
// at distances of a few eps, where the softened monopole already differs
// from 1/r^2 by more than the quadrupole term is worth.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <cstdlib>

#include "sim/solvers/buffer.hpp"
#include "sim/solvers/builtin.hpp"
#include "sim/solvers/morton.hpp"
#include "sim/solvers/octree.hpp"
#include "sim/solvers/params_check.hpp"
#include "sim/solvers/simd.hpp"

namespace slotsim::detail {
namespace {

// Leaf and group sizes, tuned on a 1M Plummer sphere on 2 threads (see
// docs/SOLVERS.md). Bigger groups share one walk between more particles but
// lengthen every particle's interaction list.
static std::uint32_t kLeafSize = getenv("BHL") ? atoi(getenv("BHL")) : 8;
static std::uint32_t kGroupSize = getenv("BHG") ? atoi(getenv("BHG")) : 32;
// Targets evaluated together: two 2-lane vectors, for instruction-level
// parallelism across the independent accumulators.
constexpr std::size_t kTargets = 4;

struct Far {  // an accepted node
  double x, y, z, m, qxx, qyy, qzz, qxy, qxz, qyz, t;
};
struct Near {  // a particle summed directly
  double x, y, z, m;
};

// Per-thread lists, reused between groups and calls.
struct Scratch {
  explicit Scratch(std::pmr::memory_resource* r) : far(r), near(r) {}
  std::pmr::vector<Far> far;
  std::pmr::vector<Near> near;
};

struct Lanes {
  v2d x, y, z, ax, ay, az;
};

inline void far_term(const Far& f, v2d eps2, Lanes& l) {
  const v2d rx = splat(f.x) - l.x, ry = splat(f.y) - l.y, rz = splat(f.z) - l.z;
  const v2d r2 = rx * rx + ry * ry + rz * rz + eps2;
  const v2d g1 = splat(1.0) / vsqrt(r2);
  const v2d g2 = g1 * g1;
  const v2d g3 = g1 * g2, g5 = g3 * g2, g7 = g5 * g2;
  const v2d qxx = splat(f.qxx), qyy = splat(f.qyy), qzz = splat(f.qzz);
  const v2d qxy = splat(f.qxy), qxz = splat(f.qxz), qyz = splat(f.qyz);
  const v2d qrx = qxx * rx + qxy * ry + qxz * rz;
  const v2d qry = qxy * rx + qyy * ry + qyz * rz;
  const v2d qrz = qxz * rx + qyz * ry + qzz * rz;
  const v2d rqr = rx * qrx + ry * qry + rz * qrz;
  // r = com - x = -y, q = 3S, t = 1.5 tr S; see the derivation at the top.
  const v2d s = splat(f.m) * g3 - splat(f.t) * g5 + splat(2.5) * g7 * rqr;
  l.ax += s * rx - g5 * qrx;
  l.ay += s * ry - g5 * qry;
  l.az += s * rz - g5 * qrz;
}

// The self term (and any particle at exactly the same place, whose pull has
// no direction) is masked out by the unsoftened distance being zero.
inline void near_term(const Near& p, v2d eps2, Lanes& l) {
  const v2d rx = splat(p.x) - l.x, ry = splat(p.y) - l.y, rz = splat(p.z) - l.z;
  const v2d d2 = rx * rx + ry * ry + rz * rz;
  const v2d r2 = d2 + eps2;
  const v2d g1 = splat(1.0) / vsqrt(r2);
  const v2d w = select(d2 > splat(0.0), splat(p.m) * (g1 * g1 * g1), splat(0.0));
  l.ax += w * rx;
  l.ay += w * ry;
  l.az += w * rz;
}

class BarnesHutSolver final : public Solver {
 public:
  explicit BarnesHutSolver(const ForceParams& p)
      : eps2_(p.softening * p.softening),
        theta_(p.theta),
        keys_(res_),
        perm_(res_),
        tmp_keys_(res_),
        tmp_perm_(res_),
        xs_(res_),
        ys_(res_),
        zs_(res_),
        ms_(res_),
        tree_(&res_),
        groups_(&res_) {}

  std::string_view name() const override { return "bh"; }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    if (src.n > std::numeric_limits<std::uint32_t>::max() - 1)
      throw std::length_error("bh: more than 2^32 - 2 particles");
    build(src);
    const auto t1 = clock::now();

    const int nt = omp_get_max_threads();
    while (scratch_.size() < static_cast<std::size_t>(nt)) scratch_.emplace_back(&res_);
    const auto ng = static_cast<std::ptrdiff_t>(groups_.size());
    // Dynamic schedule is safe for determinism: a group's result does not
    // depend on which thread computes it, only the load balance does.
#pragma omp parallel
    {
      Scratch& sc = scratch_[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(dynamic, 4)
      for (std::ptrdiff_t g = 0; g < ng; ++g) {
        const std::uint32_t node = groups_[static_cast<std::size_t>(g)];
        walk(tree_.boxes[node], sc);
        if (!getenv("NOEVAL")) evaluate(tree_.nodes[node].begin, tree_.nodes[node].end, sc, acc);
      }
    }
    phases = {};
    phases.build_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    phases.solve_ms = std::chrono::duration<double, std::milli>(clock::now() - t1).count();
  }

 private:
  void build(const Sources& src) {
    const auto n = static_cast<std::uint32_t>(src.n);
    const Cube cube = bounding_cube(src);
    morton_sort(src, cube, keys_, perm_, tmp_keys_, tmp_perm_);
    xs_.resize(n);
    ys_.resize(n);
    zs_.resize(n);
    ms_.resize(n);
    const auto sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t k = 0; k < sn; ++k) {
      const std::uint32_t i = perm_[k];
      xs_[k] = src.x[i];
      ys_[k] = src.y[i];
      zs_[k] = src.z[i];
      ms_[k] = src.m[i];
    }
    build_octree({keys_.data(), xs_.data(), ys_.data(), zs_.data(), ms_.data(), n}, kLeafSize,
                 theta_, tree_);
    // Groups: the topmost nodes small enough (or leaves), in preorder.
    groups_.clear();
    const auto nn = static_cast<std::uint32_t>(tree_.nodes.size());
    for (std::uint32_t i = 0; i < nn;) {
      const TreeNode& nd = tree_.nodes[i];
      if (nd.end - nd.begin <= kGroupSize || nd.next == i + 1) {
        groups_.push_back(i);
        i = nd.next;
      } else {
        ++i;
      }
    }
  }

  // Builds the interaction lists of one group. A node is accepted only if it
  // passes the opening test for the nearest point of the group's box, hence
  // for every particle of the group; a node overlapping the box (in
  // particular any node holding one of the group's particles) is never
  // accepted, since its distance there is zero.
  void walk(const NodeBox& g, Scratch& sc) const {
    sc.far.clear();
    sc.near.clear();
    const TreeNode* nodes = tree_.nodes.data();
    const auto nn = static_cast<std::uint32_t>(tree_.nodes.size());
    for (std::uint32_t i = 0; i < nn;) {
      const TreeNode& nd = nodes[i];
      const double dx = std::max(std::abs(nd.cx - g.cx) - g.hx, 0.0);
      const double dy = std::max(std::abs(nd.cy - g.cy) - g.hy, 0.0);
      const double dz = std::max(std::abs(nd.cz - g.cz) - g.hz, 0.0);
      const double d2 = dx * dx + dy * dy + dz * dz;
      const bool leaf = nd.next == i + 1;
      if (d2 > nd.rcrit2 && nd.end - nd.begin > 1) {
        const NodeMoments& mo = tree_.moments[i];
        sc.far.push_back(
            {nd.cx, nd.cy, nd.cz, mo.m, mo.qxx, mo.qyy, mo.qzz, mo.qxy, mo.qxz, mo.qyz, mo.t});
        i = nd.next;
      } else if (leaf || d2 > nd.rcrit2) {
        // A lone particle is cheaper (and exact) as a direct term.
        for (std::uint32_t k = nd.begin; k < nd.end; ++k)
          sc.near.push_back({xs_[k], ys_[k], zs_[k], ms_[k]});
        i = nd.next;
      } else {
        ++i;
      }
    }
  }

  // Each target sums the far list, then the near list, in list order; the
  // lanes only decide which targets are computed side by side.
  void evaluate(std::uint32_t b, std::uint32_t e, const Scratch& sc, Accels& acc) const {
    const v2d eps2 = splat(eps2_);
    for (std::uint32_t i0 = b; i0 < e; i0 += kTargets) {
      double tx[kTargets], ty[kTargets], tz[kTargets];
      for (std::size_t k = 0; k < kTargets; ++k) {
        // Past the end, repeat the last target; its results are dropped.
        const std::uint32_t i = std::min<std::uint32_t>(i0 + static_cast<std::uint32_t>(k), e - 1);
        tx[k] = xs_[i], ty[k] = ys_[i], tz[k] = zs_[i];
      }
      Lanes l0{{tx[0], tx[1]}, {ty[0], ty[1]}, {tz[0], tz[1]}, {}, {}, {}};
      Lanes l1{{tx[2], tx[3]}, {ty[2], ty[3]}, {tz[2], tz[3]}, {}, {}, {}};
      for (const Far& f : sc.far) {
        far_term(f, eps2, l0);
        far_term(f, eps2, l1);
      }
      for (const Near& p : sc.near) {
        near_term(p, eps2, l0);
        near_term(p, eps2, l1);
      }
      const double ax[kTargets] = {l0.ax[0], l0.ax[1], l1.ax[0], l1.ax[1]};
      const double ay[kTargets] = {l0.ay[0], l0.ay[1], l1.ay[0], l1.ay[1]};
      const double az[kTargets] = {l0.az[0], l0.az[1], l1.az[0], l1.az[1]};
      for (std::size_t k = 0; k < kTargets && i0 + k < e; ++k) {
        const std::uint32_t i = perm_[i0 + k];
        acc.ax[i] = ax[k];
        acc.ay[i] = ay[k];
        acc.az[i] = az[k];
      }
    }
  }

  double eps2_, theta_;
  mem::CountingResource res_{mem::Category::Solver};
  SolverBuffer<std::uint64_t> keys_;
  SolverBuffer<std::uint32_t> perm_;
  SolverBuffer<std::uint64_t> tmp_keys_;
  SolverBuffer<std::uint32_t> tmp_perm_;
  SolverBuffer<double> xs_, ys_, zs_, ms_;
  Octree tree_;
  std::pmr::vector<std::uint32_t> groups_;
  std::pmr::vector<Scratch> scratch_{&res_};
};

}  // namespace

std::unique_ptr<Solver> make_barnes_hut_solver(const ForceParams& p) {
  check_softening(p);
  if (!(p.theta > 0) || !std::isfinite(p.theta))
    throw std::invalid_argument("theta must be finite and > 0 (got " + std::to_string(p.theta) +
                                ")");
  return std::make_unique<BarnesHutSolver>(p);
}

}  // namespace slotsim::detail
