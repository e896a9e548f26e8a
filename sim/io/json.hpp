#pragma once
// JSON for every document slotsim writes (the batch, bench and claims
// reports, the Compare export) or reads (measure_objects.py's output, the
// reports in tests): nlohmann-json, Debian's nlohmann-json3-dev.
//
// ordered_json, not json: a report's keys stay in the order the code writes
// them, which is the order docs/*.md document (json sorts them). A report is
// written with report_text() and read with parse_json_text(), so every
// document has one spelling and one set of error messages.
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace slotsim::io {

using Json = nlohmann::ordered_json;

// A document that cannot be read, or a member that is missing or of the
// wrong type: what() is one line, starting "JSON: ".
struct JsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Nesting deeper than this is refused while parsing: no document slotsim
// reads nests more than 6 levels, and a hostile one should not reach the
// limits of the parser or of the destructor.
inline constexpr int kJsonMaxDepth = 200;

// The text of a report: two-space indentation and a final newline. NaN and
// infinities become null (nlohmann's rule, as the reports document); bytes
// that are not UTF-8 (a file name, a child's message) become U+FFFD instead
// of failing the whole report.
std::string report_text(const Json& j);

// Parses one document; throws JsonError with the byte offset on bad input.
Json parse_json_text(std::string_view text);

// Typed members of an object, each throwing JsonError naming the key:
// "JSON: missing key \"k\"" or "JSON: \"k\" is not a number".
const Json& member(const Json& obj, std::string_view key);
double number(const Json& obj, std::string_view key);
bool boolean(const Json& obj, std::string_view key);
const std::string& text(const Json& obj, std::string_view key);
const Json& array(const Json& obj, std::string_view key);

}  // namespace slotsim::io
