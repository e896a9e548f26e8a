#pragma once
// Interned attribute names. As in CPython, every attribute name is one shared
// key object with its hash computed once; table lookups compare the hash and
// then the pointer, never the characters.
#include <cstdint>
#include <string>
#include <string_view>

namespace slotsim {

struct Name {
  std::string text;
  std::uint64_t hash;
};

// Returns the unique Name for `text`, creating it on first use. Names live
// for the whole process (like interned strings). Thread-safe.
const Name* intern(std::string_view text);
// The pre-interned Name of declared attribute a (see particle.hpp).
const Name* declared_name(int a);

// declared_name(A) for a compile-time A, looked up once: the kernels' form.
template <int A>
const Name* declared_name_of() {
  static const Name* const n = declared_name(A);
  return n;
}

std::uint64_t hash_name(std::string_view text);

// Whether n is one of the seven declared attribute names (pointer compare).
bool is_declared(const Name* n);

}  // namespace slotsim
