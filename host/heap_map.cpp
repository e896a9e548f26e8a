#include "host/heap_map.hpp"

#include "sim/ordering/morton.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/layouts/heap_block.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/particle_store.hpp"

namespace slotsim::host {

namespace {

std::uint32_t pack(float r, float g, float b) {
  auto c = [](float f) { return static_cast<std::uint32_t>(std::clamp(f, 0.0f, 1.0f) * 255.0f + 0.5f); };
  return 0xff000000u | c(b) << 16 | c(g) << 8 | c(r);
}

std::uint32_t dimmed(std::uint32_t rgba, float f) {
  const float r = float(rgba & 0xff) / 255, g = float(rgba >> 8 & 0xff) / 255, b = float(rgba >> 16 & 0xff) / 255;
  return pack(r * f, g * f, b * f);
}

}  // namespace

std::uint32_t rank_colour(float rank) {
  // A rainbow rather than a perceptual ramp: neighbouring Morton ranks must
  // be told apart at a glance, and the picture is about order, not value.
  static constexpr float stops[5][3] = {
      {0.15f, 0.25f, 1.0f}, {0.0f, 0.85f, 0.95f}, {0.2f, 0.9f, 0.25f}, {1.0f, 0.9f, 0.1f}, {1.0f, 0.2f, 0.1f}};
  const float t = std::clamp(std::isfinite(rank) ? rank : 0.0f, 0.0f, 1.0f) * 4.0f;
  const int i = std::min(static_cast<int>(t), 3);
  const float u = t - float(i);
  const float* a = stops[i];
  const float* b = stops[i + 1];
  return pack(a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u);
}

std::vector<float> morton_ranks(const std::vector<double>& xyz, const RankCube& cube) {
  const std::size_t m = xyz.size() / 3;
  std::vector<float> rank(m, 0.0f);
  if (m < 2) return rank;
  double lo[3], hi[3];
  for (int a = 0; a < 3; ++a) lo[a] = hi[a] = std::isfinite(xyz[a]) ? xyz[a] : 0.0;
  for (std::size_t i = 0; i < m; ++i)
    for (int a = 0; a < 3; ++a) {
      const double v = xyz[3 * i + a];
      if (!std::isfinite(v)) continue;
      lo[a] = std::min(lo[a], v);
      hi[a] = std::max(hi[a], v);
    }
  double side = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-300});
  if (cube.side > 0) {
    for (int a = 0; a < 3; ++a) lo[a] = cube.lo[a];
    side = cube.side;
  }
  // The ordering's own key (sim/ordering/morton.hpp); 2^21 - 1 steps so the
  // far faces still fall inside.
  const double scale = double((1 << detail::kMortonBits) - 1) / side;
  std::vector<std::uint64_t> key(m);
  for (std::size_t i = 0; i < m; ++i) key[i] = detail::morton_key(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2], lo, scale);
  std::vector<std::uint32_t> order(m);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return key[a] < key[b]; });
  for (std::size_t k = 0; k < m; ++k) rank[order[k]] = static_cast<float>(double(k) / double(m - 1));
  return rank;
}

HeapSample sample_heap(const ParticleStore& store, std::size_t max_samples, const RankCube& cube) {
  HeapSample h;
  h.layout = store.layout();
  h.n = store.size();
  if (h.n == 0 || max_samples == 0) return h;
  h.stride = (h.n + max_samples - 1) / max_samples;
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < h.n; i += h.stride) idx.push_back(i);
  h.sampled = idx.size();
  std::vector<double> xyz(3 * idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const ParticleRecord r = store.record(idx[k]);
    xyz[3 * k] = r.x;
    xyz[3 * k + 1] = r.y;
    xyz[3 * k + 2] = r.z;
  }
  h.index_rank = morton_ranks(xyz, cube);
  store.visit([&](const auto& s) {
    for (std::size_t k = 0; k < idx.size(); ++k) {
      const std::size_t i = idx[k];
      const float rank = h.index_rank[k];
      // Heap-object layouts give each object's block, the blocks its
      // __dict__ owns and its float objects (--python-objects), from their
      // first byte (headers of --python-objects included), as malloc handed
      // them out; any other
      // layout is drawn by the address of each declared attribute's cell,
      // which for aos is the record and for soa one lane of every column.
      if constexpr (requires { s.object_block(i); }) {
        const HeapBlock ob = s.object_block(i);
        h.spans.push_back({reinterpret_cast<std::uintptr_t>(ob.addr), static_cast<std::uint32_t>(ob.bytes),
                           SpanKind::Object, rank});
        if constexpr (requires { s.for_each_owned_block(i, [](HeapBlock) {}); }) {
          s.for_each_owned_block(i, [&](HeapBlock blk) {
            h.spans.push_back({reinterpret_cast<std::uintptr_t>(blk.addr), static_cast<std::uint32_t>(blk.bytes),
                               SpanKind::Table, rank});
          });
        }
        s.for_each_value_block(i, [&](HeapBlock blk) {
          h.spans.push_back({reinterpret_cast<std::uintptr_t>(blk.addr), static_cast<std::uint32_t>(blk.bytes),
                             SpanKind::Value, rank});
        });
      } else {
        for (int a = 0; a < kNumAttrs; ++a)
          if (const double* p = s.find_attr(i, declared_name(a)))
            h.spans.push_back({reinterpret_cast<std::uintptr_t>(p), sizeof(double), SpanKind::Cell, rank});
      }
    }
  });
  return h;
}

std::string_view span_legend(const HeapSample& s) {
  bool tables = false, objects = false, values = false;
  for (const HeapSpan& x : s.spans) {
    tables |= x.kind == SpanKind::Table;
    objects |= x.kind == SpanKind::Object;
    values |= x.kind == SpanKind::Value;
  }
  if (tables && values) return "bright: the object, dim: what its __dict__ holds, dark: its float objects";
  if (tables) return "bright: the object, dim: what its __dict__ holds";
  if (values) return "bright: the object, dark: its float objects";
  return objects ? "each block: one object" : "each run: the particle's cells in the arrays";
}

HeapRaster rasterise(const HeapSample& s, int width, int height) {
  HeapRaster r;
  r.width = std::max(width, 1);
  r.height = std::max(height, 1);
  const std::size_t pixels = static_cast<std::size_t>(r.width) * static_cast<std::size_t>(r.height);
  r.rgba.assign(pixels, kEmptyPixel);
  if (s.spans.empty()) return r;
  std::vector<HeapSpan> spans = s.spans;
  std::sort(spans.begin(), spans.end(), [](const HeapSpan& a, const HeapSpan& b) { return a.addr < b.addr; });

  // Regions: runs of spans whose gaps stay under kSqueezeGap.
  struct Region {
    std::uintptr_t lo, hi;
    std::uint64_t offset;  // laid-out bytes before it
  };
  std::vector<Region> regions;
  for (const HeapSpan& x : spans) {
    const std::uintptr_t end = x.addr + std::max<std::uint32_t>(x.bytes, 1);
    if (regions.empty() || x.addr > regions.back().hi + kSqueezeGap) regions.push_back({x.addr, end, 0});
    else regions.back().hi = std::max(regions.back().hi, end);
  }
  std::uint64_t total = 0;
  for (Region& g : regions) {
    g.offset = total;
    total += g.hi - g.lo;
  }
  r.regions = static_cast<int>(regions.size());
  r.span_bytes = total;
  r.lo = regions.front().lo;
  r.hi = regions.back().hi;
  // One pixel per squeezed gap; the rest share the laid-out bytes.
  const std::size_t gaps = regions.size() - 1;
  const std::size_t usable = pixels > gaps ? pixels - gaps : 1;
  const double per_pixel = std::max(1.0, double(total) / double(usable));
  auto pixel_of = [&](std::size_t g, std::uintptr_t a) {
    const double v = double(regions[g].offset + (a - regions[g].lo)) / per_pixel;
    return std::min(pixels - 1, static_cast<std::size_t>(v) + g);
  };
  for (std::size_t g = 1; g < regions.size(); ++g) r.rgba[std::min(pixels - 1, pixel_of(g, regions[g].lo) - 1)] = kGapPixel;
  std::size_t g = 0;
  for (const HeapSpan& x : spans) {
    while (x.addr >= regions[g].hi) ++g;
    const std::size_t p0 = pixel_of(g, x.addr), p1 = pixel_of(g, x.addr + std::max<std::uint32_t>(x.bytes, 1) - 1);
    // A __dict__'s blocks (table, dict object, values array) a little darker
    // than objects, so the object and what its dict owns can be told apart
    // where they interleave; float objects darker still (three levels of
    // one colour keep the particle's rank readable, where a hue per kind
    // would fight the rank's rainbow).
    const float shade = x.kind == SpanKind::Table ? 0.6f : x.kind == SpanKind::Value ? 0.35f : 1.0f;
    const std::uint32_t c = shade < 1.0f ? dimmed(rank_colour(x.rank), shade) : rank_colour(x.rank);
    for (std::size_t p = p0; p <= p1; ++p) r.rgba[p] = c;
  }
  return r;
}

std::vector<std::uint32_t> index_strip(const HeapSample& s, int width) {
  const std::size_t w = static_cast<std::size_t>(std::max(width, 1));
  std::vector<std::uint32_t> out(w, kEmptyPixel);
  if (s.index_rank.empty()) return out;
  for (std::size_t p = 0; p < w; ++p) {
    const std::size_t k = std::min(s.index_rank.size() - 1, p * s.index_rank.size() / w);
    out[p] = rank_colour(s.index_rank[k]);
  }
  return out;
}

}  // namespace slotsim::host
