#pragma once
// Octree over Morton-sorted particles, stored as a flat preorder array: a
// node's first child is the next node and `next` skips its subtree, so a walk
// is a loop over indices with no stack and the order of visits is fixed by
// the tree alone. Nodes are made only where the keys of a range actually
// split (a range that lies in one octant is not given a one-child node), so
// there are at most 2 * leaves - 1 nodes.
#include <cstdint>
#include <memory_resource>
#include <vector>

#include "sim/memory/tracker.hpp"

namespace slotsim::detail {

// What the walk reads for every visited node.
struct TreeNode {
  double cx, cy, cz;         // centre of mass
  double rcrit2;             // accepted as a multipole iff distance^2 > rcrit2
  std::uint32_t next;        // index just past this subtree; == own index + 1 for a leaf
  std::uint32_t begin, end;  // range in the sorted particle arrays
  std::uint32_t unused = 0;
};

// Multipole of an accepted node, in the form the kernel wants: q = 3 S and
// t = 1.5 tr S, S being the second moment sum m d d^T about the centre of
// mass (not trace-free: the trace term is needed for the softened expansion).
struct NodeMoments {
  double m;
  double qxx, qyy, qzz, qxy, qxz, qyz;
  double t;
};

// Tight bounding box of a node's particles: centre and half-sides.
struct NodeBox {
  double cx, cy, cz, hx, hy, hz;
  double hmax() const { return hx > hy ? (hx > hz ? hx : hz) : (hy > hz ? hy : hz); }
};

struct Octree {
  explicit Octree(std::pmr::memory_resource* r) : nodes(r), moments(r), boxes(r) {}
  std::pmr::vector<TreeNode> nodes;
  std::pmr::vector<NodeMoments> moments;
  std::pmr::vector<NodeBox> boxes;
};

struct SortedParticles {
  const std::uint64_t* keys;
  const double *x, *y, *z, *m;
  std::uint32_t n;
};

// Builds the tree: leaves hold at most leaf_size particles (more only if
// their keys are all equal). The opening radius follows Barnes (1994):
// rcrit = l / theta + delta, l the longest side of the node's tight box and
// delta the offset of the centre of mass from the box centre; the delta term
// guards against a lopsided node whose mass sits near one face.
void build_octree(const SortedParticles& p, std::uint32_t leaf_size, double theta, Octree& t);

}  // namespace slotsim::detail
