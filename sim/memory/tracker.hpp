#pragma once
// Heap accounting, modelled on Python's tracemalloc.
//
// Two levels:
//  * a process-wide count kept by the replaced global operator new/delete
//    (tracker.cpp). It stores nothing per allocation: the usable size comes
//    from malloc_usable_size() at both ends, the requested size from the
//    argument to new and the size passed to sized delete. A header per block
//    was rejected because it would inflate exactly the small objects
//    (per-particle heap objects) this tool exists to measure.
//  * per-owner accounting through CountingResource, a std::pmr resource each
//    store or solver allocates through, so "bytes of this store" is exact and
//    bytes per instance = store bytes / N.
#include <atomic>
#include <cstdint>
#include <memory_resource>
#include <string>
#include <vector>

namespace slotsim::mem {

struct HeapStats {
  std::int64_t current_requested = 0;  // bytes asked for, live now
  std::int64_t current_usable = 0;     // malloc_usable_size of live blocks
  std::int64_t peak_requested = 0;     // max of current_requested since reset_peak()
  std::int64_t peak_usable = 0;
  std::int64_t live_blocks = 0;
  std::int64_t total_allocs = 0;
  std::int64_t total_frees = 0;
  // Frees through unsized operator delete: the requested size is unknown
  // there (no header), so the usable size is subtracted instead. Counted so
  // a report can say how much of current_requested is estimate.
  std::int64_t unsized_frees = 0;
};

HeapStats heap_stats();
// Sets the peaks to the current values (tracemalloc.reset_peak()).
void reset_peak();

// Resident set size from /proc/self/statm, in bytes (0 if unreadable).
std::int64_t rss_bytes();
// MemAvailable from /proc/meminfo, in bytes (0 if unreadable).
std::int64_t available_bytes();

// What an owner's bytes are for. Used for the per-category report.
enum class Category : int { Particles = 0, Solver, Render, Other, kCount };
const char* category_name(Category c);

// Counts what passes through it, then forwards to the global operator new
// (so the process-wide figure includes it too). Thread-safe.
class CountingResource final : public std::pmr::memory_resource {
 public:
  explicit CountingResource(Category cat = Category::Other) : cat_(cat) {}
  ~CountingResource() override;
  CountingResource(const CountingResource&) = delete;
  CountingResource& operator=(const CountingResource&) = delete;

  std::int64_t requested() const { return requested_.load(std::memory_order_relaxed); }
  std::int64_t usable() const { return usable_.load(std::memory_order_relaxed); }
  std::int64_t blocks() const { return blocks_.load(std::memory_order_relaxed); }
  std::int64_t peak_requested() const { return peak_.load(std::memory_order_relaxed); }
  Category category() const { return cat_; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t align) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override;
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
    return this == &o;
  }
  Category cat_;
  std::atomic<std::int64_t> requested_{0}, usable_{0}, blocks_{0}, peak_{0};
};

// Totals over every live CountingResource of a category.
struct CategoryStats {
  std::int64_t requested = 0, usable = 0, blocks = 0;
};
CategoryStats category_stats(Category c);

// tracemalloc-style snapshots: take_snapshot() records the heap, RSS and
// every category; compare() gives the differences, newer minus older.
struct Snapshot {
  HeapStats heap;
  CategoryStats categories[static_cast<int>(Category::kCount)];
  std::int64_t rss = 0;
  double time_s = 0;  // steady clock, seconds
};
Snapshot take_snapshot();

struct SnapshotDiff {
  std::int64_t requested = 0, usable = 0, blocks = 0, rss = 0;
  CategoryStats categories[static_cast<int>(Category::kCount)];
  double seconds = 0;
};
SnapshotDiff compare(const Snapshot& older, const Snapshot& newer);

}  // namespace slotsim::mem
