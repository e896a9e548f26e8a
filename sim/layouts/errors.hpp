#pragma once
#include <stdexcept>
#include <string>

namespace slotsim {

// Setting an attribute the layout cannot hold. what() is Python's wording:
// "AttributeError: 'Particle' object has no attribute 'charge'".
class AttributeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A conversion the target layout cannot represent; the source is untouched.
class ConvertError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Refused before allocating: the estimate exceeds available memory.
class MemoryRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline std::string attribute_error_text(const std::string& cls, const std::string& attr) {
  return "AttributeError: '" + cls + "' object has no attribute '" + attr + "'";
}

}  // namespace slotsim
