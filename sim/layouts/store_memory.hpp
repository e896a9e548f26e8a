#pragma once
// The accounts a store allocates through: one counting resource per kind of
// block, so a store can say exactly how many bytes its objects, tables,
// pointer index, columns and shared keys take. Held by unique_ptr so a store can be moved
// (into the layout variant) without its containers losing their resource.
#include <memory>

#include "sim/layouts/layout_bytes.hpp"
#include "sim/memory/tracker.hpp"

namespace slotsim {

struct StoreMemory {
  mem::CountingResource objects{mem::Category::Particles};
  mem::CountingResource tables{mem::Category::Particles};
  mem::CountingResource index{mem::Category::Particles};
  mem::CountingResource columns{mem::Category::Particles};
  mem::CountingResource shared_keys{mem::Category::Particles};

  LayoutBytes bytes() const {
    LayoutBytes b;
    b.objects = objects.requested();
    b.tables = tables.requested();
    b.index = index.requested();
    b.columns = columns.requested();
    b.shared_keys = shared_keys.requested();
    b.usable_total =
        objects.usable() + tables.usable() + index.usable() + columns.usable() + shared_keys.usable();
    b.blocks = objects.blocks() + tables.blocks() + index.blocks() + columns.blocks() + shared_keys.blocks();
    return b;
  }
};

}  // namespace slotsim
