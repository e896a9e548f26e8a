#pragma once
namespace slotsim {

// Bytes a store holds, by what they are for. requested = bytes asked of the
// allocator; usable = what malloc actually set aside (malloc_usable_size).
struct LayoutBytes {
  long long objects = 0;      // per-particle heap objects (dict, slots, slots+dict, shared-keys)
  long long tables = 0;       // per-instance attribute hash tables (a particle's own dict)
  long long index = 0;        // arrays of pointers to the objects
  long long columns = 0;      // contiguous arrays (aos records, soa columns, extra columns)
  long long shared_keys = 0;  // per-class keys shared by every instance (shared-keys)
  // --python-objects only (0 otherwise): CPython's object header, GC
  // pre-header and managed-dict/weakref words in front of each object (same
  // block as the object; split out of `objects` here), and the 24-B float
  // objects that hold the values, free-listed ones included.
  long long py_headers = 0;
  long long floats = 0;
  long long total() const { return objects + tables + index + columns + shared_keys + py_headers + floats; }
  long long usable_total = 0;
  long long blocks = 0;  // live allocations
};

}  // namespace slotsim
