// The report writer every JSON output goes through.
#include "app/json.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

using slotsim::app::Json;

TEST_CASE("json: nesting, commas, and keys") {
  Json j;
  j.begin_object().field("a", 1).key("b").begin_array().value(1).value("x").begin_object().end_object().end_array();
  j.field("c", true).end_object();
  CHECK(j.str() == R"({"a": 1, "b": [1, "x", {}], "c": true})");
}

TEST_CASE("json: strings are escaped, control bytes as \\u00XX") {
  Json j;
  j.value(std::string("q\"b\\\n\x01"));
  CHECK(j.str() == R"("q\"b\\\u000a\u0001")");
}

TEST_CASE("json: doubles round-trip exactly and non-finite values become null") {
  const double v = 0.1 + 0.2;
  Json j;
  j.begin_array().value(v).value(std::numeric_limits<double>::quiet_NaN()).value(-INFINITY).end_array();
  const std::string s = j.str();
  CHECK(std::strtod(s.c_str() + 1, nullptr) == v);
  CHECK(s.find("null, null]") != std::string::npos);
}

TEST_CASE("json: 64-bit integers are written in full") {
  Json j;
  j.value(static_cast<unsigned long long>(18446744073709551615ull));
  CHECK(j.str() == "18446744073709551615");
}
