#pragma once
// --python-objects=VERSION: the sizes CPython VERSION allocates around an
// instance and its dict, for the heap-object layouts' CPython-faithful
// accounting (heap_objects.hpp). One entry per minor version 3.6-3.13, the
// versions this machine can check with tracemalloc (docs/LAYOUTS.md has the
// table, measured on each). Sizes are for 64-bit builds, as read from each
// version's headers and Objects/ sources (cited per field below); what the
// layouts do with them is in each store header's "--python-objects" comment.
//
// A table of versions rather than one "era" enum: the sizes change at
// different versions (the GC header at 3.8, the managed dict at 3.11, the
// weakref word at 3.12, the inline values at 3.13), so an era is not one
// set of sizes.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace slotsim {

struct PyVersion {
  int major = 3, minor = 11;
  friend constexpr bool operator==(PyVersion, PyVersion) = default;
  friend constexpr auto operator<=>(PyVersion, PyVersion) = default;
};

// Debian 12's python3, and what --python-objects without a value means.
inline constexpr PyVersion kDefaultPyVersion{3, 11};
inline constexpr PyVersion kOldestPyVersion{3, 6}, kNewestPyVersion{3, 13};

struct PyEra {
  PyVersion version;
  // PyGC_Head in front of every GC-tracked object: 3 words padded to
  // `long double` alignment up to 3.7 (Include/objimpl.h, `long double
  // dummy`), 2 words from 3.8 (Include/internal/pycore_gc.h).
  std::size_t gc = 16;
  std::size_t head = 16;  // PyObject_HEAD: refcount + type
  // Up to 3.7 a heap type whose instances hold no references is not GC
  // tracked (`__slots__ = ()`: 16 B, measured); from 3.8 every heap-type
  // instance is (it holds a reference to its type).
  bool empty_objects_tracked = true;
  // 3.11+: the dict pointer lives in a pre-header in front of the object
  // (Py_TPFLAGS_MANAGED_DICT, Objects/object_layout.md), with a second word
  // for the values (3.11) or the weakref list (3.12+, MANAGED_WEAKREF).
  bool managed_dict = false;
  bool weakref_in_preheader = false;  // 3.12+
  bool inline_values = false;         // 3.13: values inside the object
  std::size_t dict_object = 48;       // PyDictObject, Include/cpython/dictobject.h (3.6-3.13)
  std::size_t keys_header = 40;       // PyDictKeysObject before dk_indices: 40 (3.6-3.10), 32 (3.11+)
  std::size_t float_object = 24;      // PyFloatObject
};

inline constexpr PyEra py_era(PyVersion v) {
  PyEra e;
  e.version = v;
  if (v < PyVersion{3, 8}) {
    e.gc = 32;
    e.empty_objects_tracked = false;
  }
  if (v >= PyVersion{3, 11}) {
    e.managed_dict = true;
    e.keys_header = 32;
  }
  if (v >= PyVersion{3, 12}) e.weakref_in_preheader = true;
  if (v >= PyVersion{3, 13}) e.inline_values = true;
  return e;
}

// A plain class's instance without its values: GC, head, and the dict and
// weakref words (<= 3.10 in the object, tp_dictoffset / tp_weaklistoffset;
// 3.11 a dict+values pre-header and the weakref in the object; 3.12+ a
// dict|values + weakref pre-header).
inline constexpr std::size_t plain_instance_bytes(const PyEra& e) {
  return e.gc + e.head + 16 + (e.managed_dict && !e.weakref_in_preheader ? 8 : 0);
}
// 3.11/3.12's separate values array of `capacity` (new_values in
// Objects/dictobject.c: a prefix of capacity + 2 bytes rounded up to a
// word, holding the size and the insertion order, then the values), and
// 3.13's embedded one (_PyInlineValuesSize in Include/internal/
// pycore_object.h: a 4-byte header padded to a word, the values, then the
// insertion order rounded up to a word).
inline constexpr std::size_t values_array_bytes(const PyEra& e, std::size_t capacity) {
  if (e.inline_values) return 8 + 8 * capacity + (capacity + 7) / 8 * 8;
  return (capacity + 2 + 7) / 8 * 8 + 8 * capacity;
}
// <= 3.10: dicts of at most 2/3 of their hash size (USABLE_FRACTION in
// Objects/dictobject.c).
inline constexpr std::size_t usable_fraction(std::size_t size) { return size * 2 / 3; }

inline std::string py_version_text(PyVersion v) { return std::to_string(v.major) + "." + std::to_string(v.minor); }

// "3.10" -> {3, 10}; nullopt unless it is one of the versions above.
inline std::optional<PyVersion> parse_py_version(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= s.size() || s.size() > 5) return std::nullopt;
  int major = 0, minor = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == dot) continue;
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    (i < dot ? major : minor) = (i < dot ? major : minor) * 10 + (s[i] - '0');
  }
  const PyVersion v{major, minor};
  if (v < kOldestPyVersion || v > kNewestPyVersion) return std::nullopt;
  return v;
}

inline std::string py_version_range_text() {
  return py_version_text(kOldestPyVersion) + "-" + py_version_text(kNewestPyVersion);
}

}  // namespace slotsim
