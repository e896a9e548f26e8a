#include "sim/solvers/bh/octree.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace slotsim::detail {
namespace {

void split(const SortedParticles& p, std::uint32_t leaf_size, std::uint32_t b, std::uint32_t e,
           std::pmr::vector<TreeNode>& out) {
  const auto self = static_cast<std::uint32_t>(out.size());
  out.push_back(TreeNode{0, 0, 0, 0, self + 1, b, e});
  const std::uint64_t diff = p.keys[b] ^ p.keys[e - 1];
  if (e - b <= leaf_size || diff == 0) return;
  // The highest differing bit fixes the level at which this range splits.
  const int top = 63 - std::countl_zero(diff);
  const int shift = top - top % 3;
  auto digit = [&](std::uint64_t k) { return (k >> shift) & 7; };
  for (std::uint32_t cb = b; cb < e;) {
    const std::uint64_t d = digit(p.keys[cb]);
    const std::uint64_t* ce = std::partition_point(p.keys + cb, p.keys + e,
                                                   [&](std::uint64_t k) { return digit(k) <= d; });
    const auto ci = static_cast<std::uint32_t>(ce - p.keys);
    split(p, leaf_size, cb, ci, out);
    cb = ci;
  }
  out[self].next = static_cast<std::uint32_t>(out.size());
}

void leaf_moments(const SortedParticles& p, const TreeNode& nd, double c[3], NodeMoments& mo,
                  double lo[3], double hi[3]) {
  double m = 0, sx = 0, sy = 0, sz = 0;
  lo[0] = hi[0] = p.x[nd.begin];
  lo[1] = hi[1] = p.y[nd.begin];
  lo[2] = hi[2] = p.z[nd.begin];
  for (std::uint32_t i = nd.begin; i < nd.end; ++i) {
    m += p.m[i];
    sx += p.m[i] * p.x[i];
    sy += p.m[i] * p.y[i];
    sz += p.m[i] * p.z[i];
    lo[0] = std::min(lo[0], p.x[i]), hi[0] = std::max(hi[0], p.x[i]);
    lo[1] = std::min(lo[1], p.y[i]), hi[1] = std::max(hi[1], p.y[i]);
    lo[2] = std::min(lo[2], p.z[i]), hi[2] = std::max(hi[2], p.z[i]);
  }
  if (m != 0) {
    c[0] = sx / m, c[1] = sy / m, c[2] = sz / m;
  } else {  // massless particles: any centre will do, they contribute nothing
    for (int a = 0; a < 3; ++a) c[a] = 0.5 * (lo[a] + hi[a]);
  }
  mo = NodeMoments{m, 0, 0, 0, 0, 0, 0, 0};
  for (std::uint32_t i = nd.begin; i < nd.end; ++i) {
    const double dx = p.x[i] - c[0], dy = p.y[i] - c[1], dz = p.z[i] - c[2];
    mo.qxx += p.m[i] * dx * dx;
    mo.qyy += p.m[i] * dy * dy;
    mo.qzz += p.m[i] * dz * dz;
    mo.qxy += p.m[i] * dx * dy;
    mo.qxz += p.m[i] * dx * dz;
    mo.qyz += p.m[i] * dy * dz;
  }
}

// Fills the box and the opening radius from the centre of mass and the bounds.
void finish(double theta, const double c[3], const double lo[3], const double hi[3], TreeNode& nd,
            NodeBox& box) {
  box = NodeBox{0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]), 0.5 * (lo[2] + hi[2]),
                0.5 * (hi[0] - lo[0]), 0.5 * (hi[1] - lo[1]), 0.5 * (hi[2] - lo[2])};
  nd.cx = c[0], nd.cy = c[1], nd.cz = c[2];
  const double l = 2 * std::max({box.hx, box.hy, box.hz});
  const double dx = c[0] - box.cx, dy = c[1] - box.cy, dz = c[2] - box.cz;
  const double rc = l / theta + std::sqrt(dx * dx + dy * dy + dz * dz);
  nd.rcrit2 = rc * rc;
}

}  // namespace

void build_octree(const SortedParticles& p, std::uint32_t leaf_size, double theta, Octree& t) {
  t.nodes.clear();
  t.moments.clear();
  t.boxes.clear();
  if (p.n == 0) return;
  split(p, leaf_size, 0, p.n, t.nodes);
  const auto nn = static_cast<std::ptrdiff_t>(t.nodes.size());
  t.moments.resize(t.nodes.size());
  t.boxes.resize(t.nodes.size());

  // Leaves hold all the per-particle work and are independent: parallel.
#pragma omp parallel for schedule(dynamic, 512)
  for (std::ptrdiff_t i = 0; i < nn; ++i) {
    TreeNode& nd = t.nodes[i];
    if (nd.next != i + 1) continue;
    double c[3], lo[3], hi[3];
    leaf_moments(p, nd, c, t.moments[i], lo, hi);
    finish(theta, c, lo, hi, nd, t.boxes[i]);
  }

  // Internal nodes from their children, children first (reverse preorder).
  // Serial: fewer nodes than leaves, a handful of children each.
  for (std::ptrdiff_t i = nn - 1; i >= 0; --i) {
    TreeNode& nd = t.nodes[i];
    if (nd.next == i + 1) continue;
    double m = 0, sx = 0, sy = 0, sz = 0, lo[3], hi[3];
    for (auto k = static_cast<std::uint32_t>(i + 1); k < nd.next; k = t.nodes[k].next) {
      const double mk = t.moments[k].m;
      m += mk;
      sx += mk * t.nodes[k].cx;
      sy += mk * t.nodes[k].cy;
      sz += mk * t.nodes[k].cz;
      const NodeBox& b = t.boxes[k];
      const double klo[3] = {b.cx - b.hx, b.cy - b.hy, b.cz - b.hz};
      const double khi[3] = {b.cx + b.hx, b.cy + b.hy, b.cz + b.hz};
      for (int a = 0; a < 3; ++a) {
        lo[a] = k == i + 1 ? klo[a] : std::min(lo[a], klo[a]);
        hi[a] = k == i + 1 ? khi[a] : std::max(hi[a], khi[a]);
      }
    }
    double c[3];
    if (m != 0) {
      c[0] = sx / m, c[1] = sy / m, c[2] = sz / m;
    } else {
      for (int a = 0; a < 3; ++a) c[a] = 0.5 * (lo[a] + hi[a]);
    }
    // Parallel-axis theorem: S = sum over children of S_k + m_k d_k d_k^T.
    NodeMoments mo{m, 0, 0, 0, 0, 0, 0, 0};
    for (auto k = static_cast<std::uint32_t>(i + 1); k < nd.next; k = t.nodes[k].next) {
      const NodeMoments& ck = t.moments[k];
      const double mk = ck.m;
      const double dx = t.nodes[k].cx - c[0], dy = t.nodes[k].cy - c[1], dz = t.nodes[k].cz - c[2];
      mo.qxx += ck.qxx + mk * dx * dx;
      mo.qyy += ck.qyy + mk * dy * dy;
      mo.qzz += ck.qzz + mk * dz * dz;
      mo.qxy += ck.qxy + mk * dx * dy;
      mo.qxz += ck.qxz + mk * dx * dz;
      mo.qyz += ck.qyz + mk * dy * dz;
    }
    t.moments[i] = mo;
    finish(theta, c, lo, hi, nd, t.boxes[i]);
  }

  // Until here the q fields held the raw S; now the kernel's form.
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < nn; ++i) {
    NodeMoments& mo = t.moments[i];
    mo.t = 1.5 * (mo.qxx + mo.qyy + mo.qzz);
    mo.qxx *= 3, mo.qyy *= 3, mo.qzz *= 3, mo.qxy *= 3, mo.qxz *= 3, mo.qyz *= 3;
  }
}

}  // namespace slotsim::detail
