// Barnes-Hut tree code: Morton-sorted octree, monopole + quadrupole moments,
// Plummer-softened, with interaction lists built per group of nearby
// particles by a simultaneous descent of the target tree (descend()).
//
// Softening of the quadrupole term: the Taylor expansion of the *softened*
// potential -m / sqrt(|y - d|^2 + eps^2) about the centre of mass (the
// first-order term vanishes there), so with
// g_n = (r^2 + eps^2)^(-n/2), y = x - com and S = sum m d d^T:
//   phi = -M g1 + (1/2) tr S g3 - (3/2) y.S.y g5
//   a   = -M g3 y + 3 g5 S y + (3/2) tr S g5 y - (15/2) g7 (y.S.y) y.
// At eps = 0 this is the usual trace-free quadrupole. The unsoftened
// quadrupole on top of a softened monopole was rejected: it is inconsistent
// at distances of a few eps, where the softened monopole already differs
// from 1/r^2 by more than the quadrupole term is worth.
//
// Precision: accepted nodes are summed in single precision, positions taken
// relative to the task's centre (their error, ~1e-7 relative per term, is far
// below the truncation error of the expansion, ~1e-3). Particles summed
// directly have their separation computed in double (a close pair's
// separation can be many orders below the distance to any origin) and the
// rest in single precision; see bh_kernel_body.inl. Final sums are double.
//
// Potential (Solver::potentials, for the energy diagnostic): the same walk
// (descend(), one definition parametrised by what a finished group does),
// so the same nodes are accepted for the same targets, evaluated with the
// phi line above in the same precision. A separate walk was rejected: two
// copies of the opening logic would drift apart, and the potential would no
// longer carry the error of the forces it is meant to check.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/solvers/bh/bh_kernels.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/builtin.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/solvers/bh/octree.hpp"
#include "sim/solvers/params_check.hpp"

namespace slotsim::detail {
namespace {

// Leaf and group sizes, tuned on a 1M Plummer sphere on 2 threads (see
// docs/SOLVERS.md). A group is evaluated as a whole: bigger groups fill the
// SIMD lanes and amortise the descent, but lengthen every particle's lists
// (at 1M: ~1000 nodes + ~90 particles per particle with groups of 8, ~1230 +
// ~490 with 256); between 128 and 512 the cost is flat.
constexpr std::uint32_t kLeafSize = 8;
constexpr std::uint32_t kGroupSize = 256;
// Accepted nodes closer than this (squared, softening included) go to the
// double-precision list: in float, g7 = r^-7 overflows below r ~ 4e-6.
constexpr double kFloatSafeR2 = 1e-9;
// Top-level target nodes per call, shared dynamically among the threads.
constexpr std::uint32_t kTasksPerCall = 256;

struct Far {  // an accepted node in double precision (see kFloatSafeR2)
  double x, y, z, m, qxx, qyy, qzz, qxy, qxz, qyz, t;
};

// Per-thread state of one task's descent, reused between tasks and calls.
// The three lists are stacks: what the target nodes on the current path have
// accepted, already in the form the kernels read, so a group inherits its
// ancestors' lists without gathering anything.
struct Scratch {
  explicit Scratch(std::pmr::memory_resource* r)
      : farf(r),
        far(r),
        near(r),
        cand(r),
        fx(r),
        fy(r),
        fz(r),
        fax(r),
        fay(r),
        faz(r),
        nax(r),
        nay(r),
        naz(r),
        fphi(r),
        nphi(r),
        x(r),
        y(r),
        z(r) {
    cand.resize(kMortonBits + 2);
  }
  double ref[3] = {0, 0, 0};     // the task's centre: origin of the FarF positions
  // Terms this call: target x accepted node (float or double list), and
  // target x particle. Kept apart for kernel_floor(), which times each kind.
  std::uint64_t node_terms = 0, particle_terms = 0;
  std::pmr::vector<FarF> farf;   // accepted nodes, single precision
  std::pmr::vector<Far> far;     // accepted nodes too close for float's range
  std::pmr::vector<NearD> near;  // particles summed directly
  // Candidates deferred to the children of the target node at each depth
  // (sized once: a Morton octree is at most kMortonBits + 1 levels deep, and
  // growing it mid-descent would move the vectors the callers are reading).
  std::pmr::vector<std::pmr::vector<std::uint32_t>> cand;
  // One group's targets (float relative to ref for the far kernel, double
  // for the near one) and the kernels' results (forces, or potentials).
  std::pmr::vector<float> fx, fy, fz, fax, fay, faz, nax, nay, naz, fphi, nphi;
  std::pmr::vector<double> x, y, z;
};

// Same algebra as far_body in bh_kernel_body.inl, in double, one target.
void far_term_double(const Far& f, double eps2, double x, double y, double z, double& ax,
                     double& ay, double& az) {
  const double rx = f.x - x, ry = f.y - y, rz = f.z - z;
  const double r2 = rx * rx + ry * ry + rz * rz + eps2;
  const double g1 = 1.0 / std::sqrt(r2);
  const double g2 = g1 * g1;
  const double g3 = g1 * g2, g5 = g3 * g2, g7 = g5 * g2;
  const double qrx = f.qxx * rx + f.qxy * ry + f.qxz * rz;
  const double qry = f.qxy * rx + f.qyy * ry + f.qyz * rz;
  const double qrz = f.qxz * rx + f.qyz * ry + f.qzz * rz;
  const double rqr = rx * qrx + ry * qry + rz * qrz;
  const double s = f.m * g3 - f.t * g5 + 2.5 * g7 * rqr;
  ax += s * rx - g5 * qrx;
  ay += s * ry - g5 * qry;
  az += s * rz - g5 * qrz;
}

// The potential of the same expansion, in double (far_phi_body's algebra).
double far_phi_double(const Far& f, double eps2, double x, double y, double z) {
  const double rx = f.x - x, ry = f.y - y, rz = f.z - z;
  const double r2 = rx * rx + ry * ry + rz * rz + eps2;
  const double g1 = 1.0 / std::sqrt(r2);
  const double g2 = g1 * g1;
  const double g3 = g1 * g2, g5 = g3 * g2;
  const double qrx = f.qxx * rx + f.qxy * ry + f.qxz * rz;
  const double qry = f.qxy * rx + f.qyy * ry + f.qyz * rz;
  const double qrz = f.qxz * rx + f.qyz * ry + f.qzz * rz;
  const double rqr = rx * qrx + ry * qry + rz * qrz;
  return f.t * (1.0 / 3.0) * g3 - f.m * g1 - 0.5 * g5 * rqr;
}

class BarnesHutSolver final : public Solver {
 public:
  explicit BarnesHutSolver(const ForceParams& p)
      : eps2_(p.softening * p.softening),
        theta_(p.theta),
        kernels_(usable_bh_kernels().front()),
        keys_(res_),
        perm_(res_),
        tmp_keys_(res_),
        tmp_perm_(res_),
        xs_(res_),
        ys_(res_),
        zs_(res_),
        ms_(res_),
        tree_(&res_),
        tasks_(&res_),
        scratch_(&res_) {}

  std::string_view name() const override { return "bh"; }
  std::uint64_t interactions() const override { return interactions_; }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    accelerations_of(src, 0, src.n, acc, phases);
  }

  // The targets [first, first + count) only: the walk skips every target
  // node (task, child) without one, and evaluate() writes only theirs. A
  // group's lists depend on its place in the tree, not on which other
  // groups are walked, so each target gets the bits of the full walk.
  void accelerations_of(const Sources& src, std::size_t first, std::size_t count, Accels& acc,
                        SolverPhases& phases) override {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    build(src);
    select_targets(first, count);
    const auto t1 = clock::now();
    walk([&](std::uint32_t t, Scratch& sc) { evaluate(t, sc, acc); });
    node_terms_ = particle_terms_ = 0;
    for (const auto& sc : scratch_) {
      node_terms_ += sc.node_terms;
      particle_terms_ += sc.particle_terms;
    }
    interactions_ = node_terms_ + particle_terms_;
    phases = {};
    phases.build_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    phases.solve_ms = std::chrono::duration<double, std::milli>(clock::now() - t1).count();
  }

  bool has_potentials() const override { return true; }
  // A tree of its own, built from src like accelerations() builds one (the
  // previous call's tree may be of other positions). interactions_ is left
  // alone: it describes the last force call, which bench divides by.
  bool potentials(const Sources& src, double* phi) override { return potentials_of(src, 0, src.n, phi); }
  bool potentials_of(const Sources& src, std::size_t first, std::size_t count, double* phi) override {
    build(src);
    select_targets(first, count);
    walk([&](std::uint32_t t, Scratch& sc) { evaluate_potential(t, sc, phi); });
    return true;
  }

  // The walk's kernels on flat lists (Solver::kernel_floor). The lists are
  // real ones: those of a sample of the last call's groups (every group of
  // kSampleTasks tasks spread evenly over the call's tasks, at most
  // kSampleGroupsPerTask each, taken at a stride), with their own targets,
  // padded as the walk pads them, so the values, list lengths and group
  // sizes (hence the idle padded lanes) are the walk's. The timed loops run
  // kernels_.far over the sampled node lists and kernels_.near over the
  // particle lists, cycling through the sample until they have summed as
  // many terms of each kind as the call did, on all threads (dynamic
  // schedule, one group per item, as the walk). Cache state: a group's
  // lists (~50 KB) are read once per pass of targets, so after the first
  // pass they come from L1/L2, in the walk as here; only the first pass
  // differs (here from L2/L3, in the walk just written by the gather). The
  // walk's rare double-precision node list (nodes closer than kFloatSafeR2)
  // is counted among the node terms at the SIMD kernel's cost. Timing one
  // kernel at a time, rather than both per group, gives each kind's cost
  // per term, so the figure follows the call's own mix.
  KernelFloor kernel_floor(int repeats) override {
    KernelFloor r;
    r.kernel = kernels_.name;
    if (interactions_ == 0 || tasks_.empty() || repeats < 1) return r;
    r.node_terms = node_terms_;
    r.particle_terms = particle_terms_;
    const std::vector<Sample> samples = capture_samples();
    r.sample_groups = samples.size();
    std::vector<double> node_ns, particle_ns;
    for (int k = 0; k < repeats; ++k) {
      node_ns.push_back(time_kernel(samples, true, node_terms_));
      particle_ns.push_back(time_kernel(samples, false, particle_terms_));
    }
    auto median = [](std::vector<double>& v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    r.node_ns = median(node_ns);
    r.particle_ns = median(particle_ns);
    r.ms = (double(node_terms_) * r.node_ns + double(particle_terms_) * r.particle_ns) * 1e-6;
    return r;
  }

 private:
  // Targets [first, first + count) of the sources (after build()): all of
  // them needs no bookkeeping; a subset counts, per sorted position, the
  // targets before it, so a node holds one iff the count grows across it.
  void select_targets(std::size_t first, std::size_t count) {
    const std::size_t n = xs_.size();
    if (first > n || count > n - first) throw std::out_of_range("bh: target range outside the sources");
    first_ = first;
    count_ = count;
    subset_ = !(first == 0 && count == n);
    if (!subset_) return;
    targets_before_.resize(n + 1);
    std::uint32_t c = 0;
    for (std::size_t k = 0; k < n; ++k) {
      targets_before_[k] = c;
      c += is_target(perm_[k]);
    }
    targets_before_[n] = c;
  }
  bool is_target(std::uint32_t i) const { return std::size_t(i) - first_ < count_; }
  bool has_targets(std::uint32_t node) const {
    const TreeNode& nd = tree_.nodes[node];
    return !subset_ || targets_before_[nd.end] > targets_before_[nd.begin];
  }

  // kernel_floor()'s sample: at most 16 x 16 groups, ~15 MB at most.
  static constexpr std::size_t kSampleTasks = 16, kSampleGroupsPerTask = 16;
  // One captured group: its targets, padded as load_targets() pads them
  // (n real ones), and the lists the walk gave it.
  struct Sample {
    std::size_t n = 0, padded = 0;
    std::vector<float> fx, fy, fz;
    std::vector<double> x, y, z;
    std::vector<FarF> farf;
    std::vector<NearD> near;
  };

  // Descends kSampleTasks tasks spread over the call's tasks (serially: the
  // sample, not the time, matters here) and copies every stride-th group's
  // targets and lists, so each sampled task gives at most
  // kSampleGroupsPerTask groups spread over its subtree.
  std::vector<Sample> capture_samples() {
    if (scratch_.empty()) scratch_.emplace_back(&res_);
    Scratch& sc = scratch_[0];
    std::vector<Sample> out;
    // Only the tasks and groups the last call walked: with a target subset
    // (accelerations_of) the walk skips every node without a target.
    std::vector<std::uint32_t> walked;
    for (const std::uint32_t task : tasks_)
      if (has_targets(task)) walked.push_back(task);
    const std::size_t ntasks = walked.size(), nsample = std::min(kSampleTasks, ntasks);
    for (std::size_t s = 0; s < nsample; ++s) {
      const std::uint32_t task = walked[s * ntasks / nsample], root = 0;
      std::size_t groups = 0;
      for (std::uint32_t i = task; i < tree_.nodes[task].next;) {
        if (!has_targets(i)) {
          i = tree_.nodes[i].next;
        } else if (is_group(i)) {
          ++groups;
          i = tree_.nodes[i].next;
        } else {
          ++i;
        }
      }
      const std::size_t stride = std::max<std::size_t>(1, (groups + kSampleGroupsPerTask - 1) / kSampleGroupsPerTask);
      std::size_t seen = 0;
      sc.ref[0] = tree_.boxes[task].cx;
      sc.ref[1] = tree_.boxes[task].cy;
      sc.ref[2] = tree_.boxes[task].cz;
      descend(task, &root, 1, 0, sc, [&](std::uint32_t t, Scratch& g) {
        if (seen++ % stride != 0) return;
        Sample m;
        m.n = tree_.nodes[t].end - tree_.nodes[t].begin;
        m.padded = load_targets(t, g);
        m.fx.assign(g.fx.begin(), g.fx.begin() + static_cast<std::ptrdiff_t>(m.padded));
        m.fy.assign(g.fy.begin(), g.fy.begin() + static_cast<std::ptrdiff_t>(m.padded));
        m.fz.assign(g.fz.begin(), g.fz.begin() + static_cast<std::ptrdiff_t>(m.padded));
        m.x.assign(g.x.begin(), g.x.begin() + static_cast<std::ptrdiff_t>(m.padded));
        m.y.assign(g.y.begin(), g.y.begin() + static_cast<std::ptrdiff_t>(m.padded));
        m.z.assign(g.z.begin(), g.z.begin() + static_cast<std::ptrdiff_t>(m.padded));
        m.farf.assign(g.farf.begin(), g.farf.end());
        m.near.assign(g.near.begin(), g.near.end());
        out.push_back(std::move(m));
      });
    }
    return out;
  }

  // Wall ns per counted term of one kernel (node: far, else near) run over
  // the samples, cycling, until about `terms` terms are summed; 0 if the
  // call had none of that kind.
  double time_kernel(const std::vector<Sample>& samples, bool node, std::uint64_t terms) const {
    std::vector<std::uint64_t> cost;
    std::uint64_t per_cycle = 0;
    std::size_t width = 0;
    for (const Sample& s : samples) {
      cost.push_back(s.n * (node ? s.farf.size() : s.near.size()));
      per_cycle += cost.back();
      width = std::max(width, s.padded);
    }
    if (per_cycle == 0 || terms == 0) return 0;
    const std::size_t ns = samples.size();
    const auto items = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(double(terms) / double(per_cycle) * double(ns))));
    std::uint64_t summed = 0;
    for (std::size_t j = 0; j < items % ns; ++j) summed += cost[j];
    summed += (items / ns) * per_cycle;
    const auto eps2f = static_cast<float>(eps2_);
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel
    {
      std::vector<float> ax(width), ay(width), az(width);
#pragma omp for schedule(dynamic, 1)
      for (std::ptrdiff_t j = 0; j < static_cast<std::ptrdiff_t>(items); ++j) {
        const Sample& s = samples[static_cast<std::size_t>(j) % ns];
        if (node)
          kernels_.far(s.farf.data(), s.farf.size(), eps2f,
                       {s.fx.data(), s.fy.data(), s.fz.data(), ax.data(), ay.data(), az.data(), s.padded});
        else
          kernels_.near(s.near.data(), s.near.size(), eps2f,
                        {s.x.data(), s.y.data(), s.z.data(), ax.data(), ay.data(), az.data(), s.padded});
      }
    }
    const double ns_total =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    return ns_total / double(summed);
  }

  // Runs descend() from every task; at each group, eval(group, scratch).
  // Dynamic schedule is safe for determinism: a task's result does not
  // depend on which thread computes it, only the load balance does.
  template <class Eval>
  void walk(const Eval& eval) {
    const int nt = omp_get_max_threads();
    while (scratch_.size() < static_cast<std::size_t>(nt)) scratch_.emplace_back(&res_);
    const auto ntasks = static_cast<std::ptrdiff_t>(tasks_.size());
    for (auto& sc : scratch_) sc.node_terms = sc.particle_terms = 0;
#pragma omp parallel
    {
      Scratch& sc = scratch_[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(dynamic, 1)
      for (std::ptrdiff_t k = 0; k < ntasks; ++k) {
        const std::uint32_t root = 0, task = tasks_[static_cast<std::size_t>(k)];
        if (!has_targets(task)) continue;
        sc.ref[0] = tree_.boxes[task].cx;
        sc.ref[1] = tree_.boxes[task].cy;
        sc.ref[2] = tree_.boxes[task].cz;
        descend(task, &root, 1, 0, sc, eval);
      }
    }
  }

  void build(const Sources& src) {
    if (src.n > std::numeric_limits<std::uint32_t>::max() - 1)
      throw std::length_error("bh: more than 2^32 - 2 particles");
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
    // Tasks: the topmost nodes holding at most n / kTasksPerCall particles.
    // A function of n alone, never of the thread count, since where the
    // descent starts decides which target node tests which candidate.
    tasks_.clear();
    const auto nn = static_cast<std::uint32_t>(tree_.nodes.size());
    const std::uint32_t task_size = std::max(kGroupSize, n / kTasksPerCall);
    for (std::uint32_t i = 0; i < nn;) {
      const TreeNode& nd = tree_.nodes[i];
      if (nd.end - nd.begin <= task_size || nd.next == i + 1) {
        tasks_.push_back(i);
        i = nd.next;
      } else {
        ++i;
      }
    }
  }

  bool is_group(std::uint32_t i) const {
    const TreeNode& nd = tree_.nodes[i];
    return nd.end - nd.begin <= kGroupSize || nd.next == i + 1;
  }

  // Handles target node t given the candidates its ancestors could not
  // decide. Each candidate (and, when it is opened, its subtree) is tested
  // against t's box: passing nodes are accepted for every particle below t
  // (their distance can only grow for a smaller box), failing nodes are
  // opened here if they are at least as large as t and otherwise deferred
  // to t's children, where they may still pass. At a group nothing is
  // deferred: the group's lists are complete and it is evaluated. Compared
  // with walking the whole tree once per group, the top of the tree is
  // tested once per target node instead of once per group. eval(t, sc)
  // consumes a finished group's lists (forces or potentials).
  template <class Eval>
  void descend(std::uint32_t t, const std::uint32_t* cand, std::size_t ncand, std::size_t depth,
               Scratch& sc, const Eval& eval) const {
    const std::size_t farf_mark = sc.farf.size(), far_mark = sc.far.size(),
                      near_mark = sc.near.size();
    std::pmr::vector<std::uint32_t>& defer = sc.cand[depth];
    defer.clear();
    const NodeBox& g = tree_.boxes[t];
    const bool group = is_group(t);
    const double tsize = 2 * std::max({g.hx, g.hy, g.hz});
    const TreeNode* nodes = tree_.nodes.data();
    for (std::size_t c = 0; c < ncand; ++c) {
      const std::uint32_t end = nodes[cand[c]].next;
      for (std::uint32_t i = cand[c]; i < end;) {
        const TreeNode& nd = nodes[i];
        const double dx = std::max(std::abs(nd.cx - g.cx) - g.hx, 0.0);
        const double dy = std::max(std::abs(nd.cy - g.cy) - g.hy, 0.0);
        const double dz = std::max(std::abs(nd.cz - g.cz) - g.hz, 0.0);
        const bool leaf = nd.next == i + 1;
        const double d2 = dx * dx + dy * dy + dz * dz;
        if (d2 > nd.rcrit2) {
          if (nd.end - nd.begin > 1)
            accept_node(i, d2, sc);
          else  // a lone particle is cheaper, and exact, as a direct term
            accept_particles(nd.begin, nd.end, sc);
          i = nd.next;
        } else if (group && leaf) {
          accept_particles(nd.begin, nd.end, sc);
          i = nd.next;
        } else if (group || (!leaf && 2 * tree_.boxes[i].hmax() >= tsize)) {
          ++i;  // open: its first child is next in preorder
        } else {
          defer.push_back(i);
          i = nd.next;
        }
      }
    }
    if (group) {
      eval(t, sc);
    } else {
      for (std::uint32_t ch = t + 1; ch < nodes[t].next; ch = nodes[ch].next)
        if (has_targets(ch)) descend(ch, defer.data(), defer.size(), depth + 1, sc, eval);
    }
    sc.farf.resize(farf_mark);
    sc.far.resize(far_mark);
    sc.near.resize(near_mark);
  }

  // d2 is the node's distance from the accepting target box; boxes below
  // it are smaller, so no target that inherits the entry is closer.
  void accept_node(std::uint32_t i, double d2, Scratch& sc) const {
    const TreeNode& nd = tree_.nodes[i];
    const NodeMoments& mo = tree_.moments[i];
    if (d2 + eps2_ >= kFloatSafeR2) {
      auto f = [](double v) { return static_cast<float>(v); };
      sc.farf.push_back({f(nd.cx - sc.ref[0]), f(nd.cy - sc.ref[1]), f(nd.cz - sc.ref[2]), f(mo.m),
                         f(mo.qxx), f(mo.qyy), f(mo.qzz), f(mo.qxy), f(mo.qxz), f(mo.qyz), f(mo.t),
                         0});
    } else {
      sc.far.push_back(
          {nd.cx, nd.cy, nd.cz, mo.m, mo.qxx, mo.qyy, mo.qzz, mo.qxy, mo.qxz, mo.qyz, mo.t});
    }
  }

  void accept_particles(std::uint32_t b, std::uint32_t e, Scratch& sc) const {
    for (std::uint32_t k = b; k < e; ++k) sc.near.push_back({xs_[k], ys_[k], zs_[k], ms_[k]});
  }

  // A group's targets, padded to kTargetPad: absolute (double) for the near
  // kernels, relative to the task centre (float) for the far ones. Returns
  // the padded count.
  std::size_t load_targets(std::uint32_t t, Scratch& sc) const {
    const std::uint32_t b = tree_.nodes[t].begin, e = tree_.nodes[t].end;
    const std::size_t n = e - b, padded = (n + kTargetPad - 1) / kTargetPad * kTargetPad;
    for (auto* v : {&sc.fx, &sc.fy, &sc.fz}) v->resize(padded);
    for (auto* v : {&sc.x, &sc.y, &sc.z}) v->resize(padded);
    for (std::size_t k = 0; k < padded; ++k) {
      // Past the end, repeat the last target; its results are dropped.
      const std::size_t i = b + std::min(k, n - 1);
      sc.x[k] = xs_[i];
      sc.y[k] = ys_[i];
      sc.z[k] = zs_[i];
      sc.fx[k] = static_cast<float>(xs_[i] - sc.ref[0]);
      sc.fy[k] = static_cast<float>(ys_[i] - sc.ref[1]);
      sc.fz[k] = static_cast<float>(zs_[i] - sc.ref[2]);
    }
    return padded;
  }

  // Each target's sum: far list plus near list (each in list order, in
  // float), then the (rare) double far list.
  void evaluate(std::uint32_t t, Scratch& sc, Accels& acc) const {
    const std::uint32_t b = tree_.nodes[t].begin, e = tree_.nodes[t].end;
    const std::size_t n = e - b;
    sc.node_terms += n * (sc.farf.size() + sc.far.size());
    sc.particle_terms += n * sc.near.size();
    const std::size_t padded = load_targets(t, sc);
    for (auto* v : {&sc.fax, &sc.fay, &sc.faz, &sc.nax, &sc.nay, &sc.naz}) v->resize(padded);
    const auto eps2f = static_cast<float>(eps2_);
    kernels_.far(sc.farf.data(), sc.farf.size(), eps2f,
                 {sc.fx.data(), sc.fy.data(), sc.fz.data(), sc.fax.data(), sc.fay.data(),
                  sc.faz.data(), padded});
    kernels_.near(sc.near.data(), sc.near.size(), eps2f,
                  {sc.x.data(), sc.y.data(), sc.z.data(), sc.nax.data(), sc.nay.data(),
                   sc.naz.data(), padded});
    for (std::size_t k = 0; k < n; ++k) {
      double ax = static_cast<double>(sc.fax[k]) + static_cast<double>(sc.nax[k]);
      double ay = static_cast<double>(sc.fay[k]) + static_cast<double>(sc.nay[k]);
      double az = static_cast<double>(sc.faz[k]) + static_cast<double>(sc.naz[k]);
      for (const Far& f : sc.far) far_term_double(f, eps2_, sc.x[k], sc.y[k], sc.z[k], ax, ay, az);
      const std::uint32_t i = perm_[b + k];
      if (!is_target(i)) continue;
      acc.ax[i - first_] = ax;
      acc.ay[i - first_] = ay;
      acc.az[i - first_] = az;
    }
  }

  // evaluate() for the potential: the same lists, order and precision.
  void evaluate_potential(std::uint32_t t, Scratch& sc, double* phi) const {
    const std::uint32_t b = tree_.nodes[t].begin, e = tree_.nodes[t].end;
    const std::size_t n = e - b;
    const std::size_t padded = load_targets(t, sc);
    for (auto* v : {&sc.fphi, &sc.nphi}) v->resize(padded);
    const auto eps2f = static_cast<float>(eps2_);
    kernels_.far_phi(sc.farf.data(), sc.farf.size(), eps2f,
                     {sc.fx.data(), sc.fy.data(), sc.fz.data(), sc.fphi.data(), padded});
    kernels_.near_phi(sc.near.data(), sc.near.size(), eps2f,
                      {sc.x.data(), sc.y.data(), sc.z.data(), sc.nphi.data(), padded});
    for (std::size_t k = 0; k < n; ++k) {
      double p = static_cast<double>(sc.fphi[k]) + static_cast<double>(sc.nphi[k]);
      for (const Far& f : sc.far) p += far_phi_double(f, eps2_, sc.x[k], sc.y[k], sc.z[k]);
      if (is_target(perm_[b + k])) phi[perm_[b + k] - first_] = p;
    }
  }

  double eps2_, theta_;
  BhKernels kernels_;
  mem::CountingResource res_{mem::Category::Solver};
  std::uint64_t interactions_ = 0, node_terms_ = 0, particle_terms_ = 0;
  SolverBuffer<std::uint64_t> keys_;
  SolverBuffer<std::uint32_t> perm_;
  SolverBuffer<std::uint64_t> tmp_keys_;
  SolverBuffer<std::uint32_t> tmp_perm_;
  SolverBuffer<double> xs_, ys_, zs_, ms_;
  Octree tree_;
  std::pmr::vector<std::uint32_t> tasks_;
  std::pmr::vector<Scratch> scratch_;
  // The targets of the current call (select_targets).
  std::size_t first_ = 0, count_ = 0;
  bool subset_ = false;
  std::pmr::vector<std::uint32_t> targets_before_{&res_};
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
