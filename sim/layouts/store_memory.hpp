#pragma once
// The accounts a store allocates through: one counting resource per kind of
// block, so a store can say exactly how many bytes its objects, tables,
// pointer index and columns take. Held by unique_ptr so a store can be moved
// (into the layout variant) without its containers losing their resource.
#include <memory>

#include "sim/layouts/layout.hpp"
#include "sim/memory/tracker.hpp"

namespace slotsim {

struct StoreMemory {
  mem::CountingResource objects{mem::Category::Particles};
  mem::CountingResource tables{mem::Category::Particles};
  mem::CountingResource index{mem::Category::Particles};
  mem::CountingResource columns{mem::Category::Particles};

  LayoutBytes bytes() const {
    LayoutBytes b;
    b.objects = objects.requested();
    b.tables = tables.requested();
    b.index = index.requested();
    b.columns = columns.requested();
    b.usable_total = objects.usable() + tables.usable() + index.usable() + columns.usable();
    b.blocks = objects.blocks() + tables.blocks() + index.blocks() + columns.blocks();
    return b;
  }
};

}  // namespace slotsim
