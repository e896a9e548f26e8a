#pragma once
// One heap block a particle owns, from its first byte (the --python-objects
// pad in front of a dict included) to its last: what the GUI's heap map
// draws (host/heap_map.cpp). A dict's blocks are what the store's `tables`
// account counts plus, under --python-objects, the dicts' headers (which
// LayoutBytes reports under py_headers).
// Stores whose objects own blocks beside themselves (a dict, a split
// dict's values array, a combined table) list them with
//   template <class F> void for_each_owned_block(std::size_t i, F&& f) const
// calling f(HeapBlock) once per block. An address alone (the first version,
// table_address()) could name one block per particle, so the heap map left
// out split-keys' dict and values, which are most of its bytes.
#include <cstddef>

namespace slotsim {

struct HeapBlock {
  const void* addr;
  std::size_t bytes;
};

}  // namespace slotsim
