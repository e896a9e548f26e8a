#pragma once
// A small JSON reader: enough for the documents slotsim itself consumes (the
// CPython measurement script's output, report files in tests). Hand-written
// because the stack has no JSON library and one document a run does not
// justify a new dependency; app/json.hpp is the matching writer.
//
// The whole document becomes a tree of JsonValue. Objects keep their keys in
// document order in two parallel vectors (a std::map was rejected: order
// matters when a value is written back out, and objects here are small, so a
// linear find is as fast as a tree).
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace slotsim {

// Thrown with the byte offset and what was expected there.
struct JsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class JsonValue {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_number() const { return kind_ == Kind::Number; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_object() const { return kind_ == Kind::Object; }

  // Typed access; each throws JsonError naming the kind it found instead.
  double number() const;
  bool boolean() const;
  const std::string& string() const;
  const std::vector<JsonValue>& array() const;

  // Objects: the member `key`, or nullptr if absent (or not an object).
  const JsonValue* find(std::string_view key) const;
  // The member `key`; throws JsonError("missing key ...") if absent.
  const JsonValue& at(std::string_view key) const;
  const std::vector<std::string>& keys() const { return keys_; }
  // Object members in document order (parallel to keys()), array elements.
  const std::vector<JsonValue>& items() const { return items_; }

 private:
  friend class JsonParser;
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<std::string> keys_;   // objects only
  std::vector<JsonValue> items_;    // array elements or object values
};

// Parses one JSON document (RFC 8259; surrounding whitespace allowed,
// anything else after it is an error). Nesting deeper than 200 levels is
// refused rather than risking the stack on hostile input.
JsonValue parse_json(std::string_view text);

}  // namespace slotsim
