// Replaces every form of the global operator new/delete so that all C++
// allocations in the process are counted. Blocks come straight from malloc;
// nothing is stored beside them, so the figures describe exactly the heap
// the program would have without the tracker.
#include "sim/memory/tracker.hpp"

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace slotsim::mem {
namespace {

struct Counters {
  std::atomic<std::int64_t> req{0}, usable{0}, peak_req{0}, peak_usable{0};
  std::atomic<std::int64_t> live{0}, allocs{0}, frees{0}, unsized{0};
};
// constinit: must be usable before any static constructor allocates.
constinit Counters g;

constexpr int kCats = static_cast<int>(Category::kCount);
struct CatCounters {
  std::atomic<std::int64_t> req{0}, usable{0}, blocks{0};
};
constinit CatCounters g_cat[kCats];

// A category's totals move with every block of every resource in it:
// +1 block on allocation, -1 on deallocation, and what is left when a
// resource dies.
void add_to_category(Category cat, std::int64_t requested, std::int64_t usable, std::int64_t blocks) {
  auto& c = g_cat[static_cast<int>(cat)];
  c.req.fetch_add(requested, std::memory_order_relaxed);
  c.usable.fetch_add(usable, std::memory_order_relaxed);
  c.blocks.fetch_add(blocks, std::memory_order_relaxed);
}

inline void raise_to(std::atomic<std::int64_t>& peak, std::int64_t v) {
  std::int64_t p = peak.load(std::memory_order_relaxed);
  while (v > p && !peak.compare_exchange_weak(p, v, std::memory_order_relaxed)) {
  }
}

inline void on_alloc(void* p, std::size_t requested) {
  const auto u = static_cast<std::int64_t>(malloc_usable_size(p));
  const auto r = static_cast<std::int64_t>(requested);
  raise_to(g.peak_req, g.req.fetch_add(r, std::memory_order_relaxed) + r);
  raise_to(g.peak_usable, g.usable.fetch_add(u, std::memory_order_relaxed) + u);
  g.live.fetch_add(1, std::memory_order_relaxed);
  g.allocs.fetch_add(1, std::memory_order_relaxed);
}

// requested < 0: unsized delete, the requested size is not known.
inline void on_free(void* p, std::int64_t requested) {
  const auto u = static_cast<std::int64_t>(malloc_usable_size(p));
  if (requested < 0) {
    requested = u;
    g.unsized.fetch_add(1, std::memory_order_relaxed);
  }
  g.req.fetch_sub(requested, std::memory_order_relaxed);
  g.usable.fetch_sub(u, std::memory_order_relaxed);
  g.live.fetch_sub(1, std::memory_order_relaxed);
  g.frees.fetch_add(1, std::memory_order_relaxed);
}

void* alloc_or_null(std::size_t n, std::size_t align) {
  if (n == 0) n = 1;  // new must return a unique pointer even for 0 bytes
  void* p = nullptr;
  if (align <= alignof(std::max_align_t)) {
    p = std::malloc(n);
  } else if (posix_memalign(&p, align, n) != 0) {
    p = nullptr;
  }
  return p;
}

void* alloc(std::size_t n, std::size_t align) {
  if (n == 0) n = 1;
  for (;;) {
    if (void* p = alloc_or_null(n, align)) {
      on_alloc(p, n);
      return p;
    }
    std::new_handler h = std::get_new_handler();
    if (!h) throw std::bad_alloc();
    h();
  }
}

void* alloc_nothrow(std::size_t n, std::size_t align) noexcept {
  try {
    return alloc(n, align);
  } catch (...) {
    return nullptr;
  }
}

void release(void* p, std::int64_t requested) noexcept {
  if (!p) return;
  on_free(p, requested);
  std::free(p);
}

std::int64_t read_meminfo_kb(const char* key) {
  FILE* f = std::fopen("/proc/meminfo", "r");
  if (!f) return 0;
  char line[256];
  std::int64_t kb = 0;
  const std::size_t klen = std::strlen(key);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, key, klen) == 0 && line[klen] == ':') {
      kb = std::strtoll(line + klen + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

}  // namespace

HeapStats heap_stats() {
  HeapStats s;
  s.current_requested = g.req.load(std::memory_order_relaxed);
  s.current_usable = g.usable.load(std::memory_order_relaxed);
  s.peak_requested = g.peak_req.load(std::memory_order_relaxed);
  s.peak_usable = g.peak_usable.load(std::memory_order_relaxed);
  s.live_blocks = g.live.load(std::memory_order_relaxed);
  s.total_allocs = g.allocs.load(std::memory_order_relaxed);
  s.total_frees = g.frees.load(std::memory_order_relaxed);
  s.unsized_frees = g.unsized.load(std::memory_order_relaxed);
  return s;
}

void reset_peak() {
  g.peak_req.store(g.req.load(std::memory_order_relaxed), std::memory_order_relaxed);
  g.peak_usable.store(g.usable.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

std::int64_t rss_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long long size = 0, resident = 0;
  const int got = std::fscanf(f, "%lld %lld", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

std::int64_t available_bytes() { return read_meminfo_kb("MemAvailable") * 1024; }

const char* category_name(Category c) {
  switch (c) {
    case Category::Particles: return "particles";
    case Category::Solver: return "solver";
    case Category::Render: return "render";
    case Category::Other: return "other";
    case Category::kCount: break;
  }
  return "?";
}

CountingResource::~CountingResource() {
  // Blocks still live here (an owner that leaked) must not stay in the
  // category totals forever.
  add_to_category(cat_, -requested(), -usable(), -blocks());
}

void* CountingResource::do_allocate(std::size_t bytes, std::size_t align) {
  void* p = align > __STDCPP_DEFAULT_NEW_ALIGNMENT__
                ? ::operator new(bytes, std::align_val_t(align))
                : ::operator new(bytes);
  const auto r = static_cast<std::int64_t>(bytes);
  const auto u = static_cast<std::int64_t>(malloc_usable_size(p));
  raise_to(peak_, requested_.fetch_add(r, std::memory_order_relaxed) + r);
  usable_.fetch_add(u, std::memory_order_relaxed);
  blocks_.fetch_add(1, std::memory_order_relaxed);
  add_to_category(cat_, r, u, 1);
  return p;
}

void CountingResource::do_deallocate(void* p, std::size_t bytes, std::size_t align) {
  const auto r = static_cast<std::int64_t>(bytes);
  const auto u = static_cast<std::int64_t>(malloc_usable_size(p));
  requested_.fetch_sub(r, std::memory_order_relaxed);
  usable_.fetch_sub(u, std::memory_order_relaxed);
  blocks_.fetch_sub(1, std::memory_order_relaxed);
  add_to_category(cat_, -r, -u, -1);
  if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
    ::operator delete(p, bytes, std::align_val_t(align));
  else
    ::operator delete(p, bytes);
}

CategoryStats category_stats(Category c) {
  const auto& k = g_cat[static_cast<int>(c)];
  return {k.req.load(std::memory_order_relaxed), k.usable.load(std::memory_order_relaxed),
          k.blocks.load(std::memory_order_relaxed)};
}

Snapshot take_snapshot() {
  Snapshot s;
  s.heap = heap_stats();
  for (int i = 0; i < kCats; ++i) s.categories[i] = category_stats(static_cast<Category>(i));
  s.rss = rss_bytes();
  s.time_s = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  return s;
}

SnapshotDiff compare(const Snapshot& a, const Snapshot& b) {
  SnapshotDiff d;
  d.requested = b.heap.current_requested - a.heap.current_requested;
  d.usable = b.heap.current_usable - a.heap.current_usable;
  d.blocks = b.heap.live_blocks - a.heap.live_blocks;
  d.rss = b.rss - a.rss;
  for (int i = 0; i < kCats; ++i) {
    d.categories[i].requested = b.categories[i].requested - a.categories[i].requested;
    d.categories[i].usable = b.categories[i].usable - a.categories[i].usable;
    d.categories[i].blocks = b.categories[i].blocks - a.categories[i].blocks;
  }
  d.seconds = b.time_s - a.time_s;
  return d;
}

}  // namespace slotsim::mem

namespace sm = slotsim::mem;
constexpr std::size_t kDefAlign = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

void* operator new(std::size_t n) { return sm::alloc(n, kDefAlign); }
void* operator new[](std::size_t n) { return sm::alloc(n, kDefAlign); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return sm::alloc_nothrow(n, kDefAlign); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return sm::alloc_nothrow(n, kDefAlign); }
void* operator new(std::size_t n, std::align_val_t a) { return sm::alloc(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return sm::alloc(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return sm::alloc_nothrow(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return sm::alloc_nothrow(n, static_cast<std::size_t>(a));
}

void operator delete(void* p) noexcept { sm::release(p, -1); }
void operator delete[](void* p) noexcept { sm::release(p, -1); }
void operator delete(void* p, std::size_t n) noexcept { sm::release(p, static_cast<std::int64_t>(n ? n : 1)); }
void operator delete[](void* p, std::size_t n) noexcept { sm::release(p, static_cast<std::int64_t>(n ? n : 1)); }
void operator delete(void* p, const std::nothrow_t&) noexcept { sm::release(p, -1); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { sm::release(p, -1); }
void operator delete(void* p, std::align_val_t) noexcept { sm::release(p, -1); }
void operator delete[](void* p, std::align_val_t) noexcept { sm::release(p, -1); }
void operator delete(void* p, std::size_t n, std::align_val_t) noexcept {
  sm::release(p, static_cast<std::int64_t>(n ? n : 1));
}
void operator delete[](void* p, std::size_t n, std::align_val_t) noexcept {
  sm::release(p, static_cast<std::int64_t>(n ? n : 1));
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { sm::release(p, -1); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { sm::release(p, -1); }
