#pragma once
// The accounts a store allocates through: one counting resource per kind of
// block, so a store can say exactly how many bytes its objects, tables,
// pointer index, columns and shared keys take. Held by unique_ptr so a store can be moved
// (into the layout variant) without its containers losing their resource.
//
// It also holds the --python-objects state (PyObjects below), because the
// stores free their objects from a static release(StoreMemory&, Obj*) that
// sees nothing else.
#include <cstdint>
#include <memory>
#include <mutex>

#include "sim/layouts/layout_bytes.hpp"
#include "sim/layouts/python_era.hpp"
#include "sim/memory/tracker.hpp"

namespace slotsim {

// CPython's float object (3.11-3.13 PyFloatObject): refcount, type, value.
// 24 B, one allocation each, as pymalloc hands them out. `type` doubles as
// the free-list link while the box is on the free list, as CPython 3.11's
// float free list links its objects through ob_type.
struct FloatBox {
  std::int64_t refcnt;
  const void* type;
  double value;
};
static_assert(sizeof(FloatBox) == 24);

// --python-objects: what CPython allocates around an instance and its values.
struct PyObjects {
  // PyFloat_MAXFREELIST in 3.11-3.13 (Objects/floatobject.c / pycore_freelist.h).
  static constexpr int kMaxFree = 100;
  bool on = false;
  PyEra era = py_era(kDefaultPyVersion);  // whose sizes (--python-objects=VERSION)
  std::size_t prefix = 0;      // header bytes in front of an object (0 when off; a store may vary it per object)
  long long header_bytes = 0;  // the prefixes of the live objects (in the `objects` account)
  // CPython bytes in front of a store's own dict blocks (the dict object's
  // header, and where that version allocates one with the dict, its values
  // array): in the `tables` account, split out of it like header_bytes.
  long long table_header_bytes = 0;
  FloatBox* free_head = nullptr;
  int free_count = 0;
  // Counters for tests and reports: boxes made by malloc vs. from the list.
  long long box_mallocs = 0, box_reuses = 0, box_frees = 0;
};

struct StoreMemory {
  mem::CountingResource objects{mem::Category::Particles};
  mem::CountingResource tables{mem::Category::Particles};
  mem::CountingResource index{mem::Category::Particles};
  mem::CountingResource columns{mem::Category::Particles};
  mem::CountingResource shared_keys{mem::Category::Particles};
  mem::CountingResource floats{mem::Category::Particles};
  PyObjects py;

  StoreMemory() = default;
  StoreMemory(const StoreMemory&) = delete;
  StoreMemory& operator=(const StoreMemory&) = delete;
  ~StoreMemory() {
    while (py.free_head) {
      FloatBox* b = py.free_head;
      py.free_head = static_cast<FloatBox*>(const_cast<void*>(b->type));
      floats.deallocate(b, sizeof(FloatBox), alignof(FloatBox));
    }
  }

  // A new box holding v: from the free list if it has one (CPython's
  // PyFloat_FromDouble), else a fresh 24-B allocation. The kernels write
  // from several OpenMP threads, so the list is taken under a lock, as the
  // GIL serialises CPython's; per-thread lists (3.13's free-threaded build)
  // were rejected: they would make the bytes depend on the thread count.
  FloatBox* new_box(double v) {
    std::lock_guard lock(free_mu_);
    FloatBox* b = py.free_head;
    if (b) {
      py.free_head = static_cast<FloatBox*>(const_cast<void*>(b->type));
      --py.free_count;
      ++py.box_reuses;
    } else {
      b = static_cast<FloatBox*>(floats.allocate(sizeof(FloatBox), alignof(FloatBox)));
      ++py.box_mallocs;
    }
    *b = FloatBox{1, &kFloatType, v};
    return b;
  }
  // The box's last reference is gone (float_dealloc): onto the free list
  // while it has room, else back to the allocator.
  void free_box(FloatBox* b) {
    std::lock_guard lock(free_mu_);
    ++py.box_frees;
    if (py.free_count < PyObjects::kMaxFree) {
      b->type = py.free_head;
      py.free_head = b;
      ++py.free_count;
    } else {
      floats.deallocate(b, sizeof(FloatBox), alignof(FloatBox));
    }
  }

  LayoutBytes bytes() const {
    LayoutBytes b;
    b.objects = objects.requested() - py.header_bytes;
    b.py_headers = py.header_bytes + py.table_header_bytes;
    b.tables = tables.requested() - py.table_header_bytes;
    b.index = index.requested();
    b.columns = columns.requested();
    b.shared_keys = shared_keys.requested();
    b.floats = floats.requested();
    b.usable_total = objects.usable() + tables.usable() + index.usable() + columns.usable() +
                     shared_keys.usable() + floats.usable();
    b.blocks = objects.blocks() + tables.blocks() + index.blocks() + columns.blocks() + shared_keys.blocks() +
               floats.blocks();
    return b;
  }

 private:
  // What a box's type pointer points at (PyFloat_Type); its address only.
  static inline const char kFloatType = 0;
  std::mutex free_mu_;
};

}  // namespace slotsim
