#pragma once
// Which rows of an isolated mesh the particles touch. Isolated meshes are
// mostly empty (a margin of 4 cells on every side, and the particles of a
// centrally concentrated system occupy a small fraction of the rows). The
// deposit (cic.hpp) records, per bucket and y row, the z range its
// particles cover (a Span); from that follow the rows that hold mass (the
// only ones the forward transform needs), the cells where forces are read
// (the only ones the gradient computes) and the rows of the potential those
// need (the only ones the inverse transform produces). The serial solver
// runs these over the whole mesh, a rank of the distributed one over its
// planes; periodic meshes transform every row and need none of it.
#include <cstddef>
#include <cstdint>

namespace slotsim::detail {

// The z cells a bucket's particles occupy in one y row: [lo, hi], empty
// when lo > hi.
struct Span {
  std::uint16_t lo, hi;
};
inline constexpr Span kEmptySpan{0xffff, 0};

// For planes x0 .. x1 (inclusive) of a mesh of n^3 cells, from the spans of
// buckets x-1 and x (spans: n x n, at spans[b * n + y]; a bucket this
// caller did not deposit must hold empty spans): rows[(x - x0) n + y], the
// z cells of row (x, y) where forces are read (a particle's cloud covers
// buckets x-1 and x, rows y-1 and y, cells z and z+1 of its own), and
// mass[same], whether the row can hold mass (the same rows).
void force_rows(const Span* spans, int n, int x0, int x1, Span* rows, std::uint8_t* mass);

// need[(x - x0) n + y] for planes x0 .. x1: the rows of the potential that
// the gradient's stencil reads around the rows with mass (2 cells along x
// and along y); mass_all is the whole mesh's n x n flags.
void need_rows(const std::uint8_t* mass_all, int n, int x0, int x1, std::uint8_t* need);

}  // namespace slotsim::detail
