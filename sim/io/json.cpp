#include "sim/io/json.hpp"

namespace slotsim::io {
namespace {

[[noreturn]] void fail(std::string_view key, const char* what) {
  throw JsonError("JSON: \"" + std::string(key) + "\" " + what);
}

}  // namespace

std::string report_text(const Json& j) {
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Json parse_json_text(std::string_view text) {
  // The callback sees every value as it starts; refusing at the depth limit
  // stops a hostile document before it is built.
  const Json::parser_callback_t depth_guard = [](int depth, Json::parse_event_t, Json&) {
    if (depth > kJsonMaxDepth)
      throw JsonError("JSON: nested deeper than " + std::to_string(kJsonMaxDepth) + " levels");
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), depth_guard);
  } catch (const Json::parse_error& e) {
    // nlohmann's own text names the byte and what it expected; only its
    // "[json.exception.parse_error.101] " prefix is noise to a user.
    std::string what = e.what();
    if (const auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw JsonError("JSON: " + what);
  }
}

const Json& member(const Json& obj, std::string_view key) {
  if (!obj.is_object()) throw JsonError("JSON: expected an object holding \"" + std::string(key) + "\"");
  const auto it = obj.find(std::string(key));
  if (it == obj.end()) throw JsonError("JSON: missing key \"" + std::string(key) + "\"");
  return *it;
}

double number(const Json& obj, std::string_view key) {
  const Json& v = member(obj, key);
  if (!v.is_number()) fail(key, "is not a number");
  return v.get<double>();
}

bool boolean(const Json& obj, std::string_view key) {
  const Json& v = member(obj, key);
  if (!v.is_boolean()) fail(key, "is not true or false");
  return v.get<bool>();
}

const std::string& text(const Json& obj, std::string_view key) {
  const Json& v = member(obj, key);
  if (!v.is_string()) fail(key, "is not a string");
  return v.get_ref<const std::string&>();
}

const Json& array(const Json& obj, std::string_view key) {
  const Json& v = member(obj, key);
  if (!v.is_array()) fail(key, "is not an array");
  return v;
}

}  // namespace slotsim::io
