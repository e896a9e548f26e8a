#pragma once
// The heap map: where the particles' memory lives. A sample of particles is
// taken on the simulation thread (sample_heap); each sampled particle's
// object, the blocks its __dict__ owns (heap-object layouts: a table, or
// split-keys' dict and values array; sim/layouts/heap_block.hpp) and, under
// --python-objects, the float objects holding its values, or its
// cells inside the contiguous blocks (aos, soa), become spans of addresses,
// coloured by the particle's rank along the Morton curve of its position. rasterise() lays
// the address range out as a picture, row after row like a hex dump, with
// large unused gaps between regions squeezed to a one-pixel rule.
//
// What it shows: after `--sort-every` a dict's pointer index is in Morton
// order (the index strip turns into a smooth rainbow) while its objects stay
// where malloc put them (the map stays noise): sorting pointers does not
// sort objects. For aos and soa the records themselves move, so the map
// turns smooth too.
//
// No GUI dependency (the panel turns the raster into a texture), so it is
// unit-tested in tests/host/heap_map_test.cpp.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/layouts/layout.hpp"

namespace slotsim {
class ParticleStore;
}

namespace slotsim::host {

// Object: a particle's heap object; Table: a block its __dict__ owns (the
// dict, its values array, its table); Value: under --python-objects, a
// float object holding one of its declared values; Cell: an attribute
// inside aos' or soa's contiguous blocks.
enum class SpanKind : std::uint8_t { Object = 0, Table, Cell, Value };

// One block (or part of one) of a sampled particle. 16 bytes: address,
// size, colour rank; the kind fits in the padding.
struct HeapSpan {
  std::uintptr_t addr = 0;
  std::uint32_t bytes = 0;
  SpanKind kind = SpanKind::Object;
  float rank = 0;  // Morton rank of the particle in [0, 1]
};

struct HeapSample {
  Layout layout = Layout::Soa;
  std::size_t n = 0;        // particles in the store
  std::size_t sampled = 0;  // particles in the sample (every stride-th by index)
  std::size_t stride = 1;
  std::vector<HeapSpan> spans;
  // Morton rank of each sampled particle in storage-index order: what a
  // loop over the particles visits, left to right.
  std::vector<float> index_rank;
  double sample_ms = 0;  // what taking it cost the simulation thread (set by the caller)
};

// The cube Morton keys quantise (as detail::Cube in the Morton ordering's morton.hpp).
struct RankCube {
  double lo[3] = {0, 0, 0};
  double side = 0;  // 0: use the points' own bounding cube
};

// What one block of the address-order map is, for its legend: "bright: the
// object", then ", dim: what its __dict__ holds" and ", dark: its float
// objects" for whichever of those the sample holds ("each block: one
// object" for objects alone), else the cells of the arrays. Read from the
// spans themselves rather than from a list of layouts (such a list named
// split-keys' objects "cells in the arrays").
std::string_view span_legend(const HeapSample& s);

// Every `stride`-th particle by storage index, at most max_samples of them.
// `cube` should be the bounding cube of all particles (what --sort-every
// quantises), so the sample's ranks follow the store's sorted order; the
// sample's own cube (side 0) shifts the curve's coarse cells wherever the
// sample misses the outermost particles.
HeapSample sample_heap(const ParticleStore& store, std::size_t max_samples, const RankCube& cube = {});

// Morton ranks in [0, 1] of the points (3 doubles each): rank of each
// point's Z-order key (the Morton ordering's 21 bits per axis) in
// `cube` (or the points' bounding cube), ties in input order. One point
// gets 0.
std::vector<float> morton_ranks(const std::vector<double>& xyz, const RankCube& cube = {});

struct HeapRaster {
  int width = 0, height = 0;
  std::vector<std::uint32_t> rgba;  // width * height, 0xAABBGGRR (little-endian RGBA8)
  int regions = 0;                  // address ranges separated by a squeezed gap
  std::uint64_t span_bytes = 0;     // address bytes laid out (gaps excluded)
  std::uintptr_t lo = 0, hi = 0;    // lowest and highest address drawn
};

// Gaps between spans wider than this (and 1/64 of the laid-out bytes) are
// squeezed: glibc serves big blocks with mmap far from the brk heap.
inline constexpr std::uint64_t kSqueezeGap = 1u << 20;

HeapRaster rasterise(const HeapSample& s, int width, int height);
// The index strip: index_rank drawn left to right, `width` pixels, one row.
std::vector<std::uint32_t> index_strip(const HeapSample& s, int width);

// rank in [0, 1] -> opaque RGBA8 (blue, cyan, green, yellow, red).
std::uint32_t rank_colour(float rank);
inline constexpr std::uint32_t kEmptyPixel = 0xff180f0fu;  // dark background
inline constexpr std::uint32_t kGapPixel = 0xff606060u;    // a squeezed gap

}  // namespace slotsim::host
