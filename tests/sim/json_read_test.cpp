// sim/json_read: the JSON reader the claims table depends on.
#include "sim/json_read.hpp"

#include <doctest/doctest.h>

#include <string>

using slotsim::JsonError;
using slotsim::JsonValue;
using slotsim::parse_json;

TEST_CASE("json_read: objects, arrays, scalars, in document order") {
  const JsonValue v = parse_json(R"( {"b": 1, "a": [true, false, null, -2.5e3, "x"], "o": {}, "e": []} )");
  REQUIRE(v.is_object());
  REQUIRE(v.keys().size() == 4);
  CHECK(v.keys()[0] == "b");  // not sorted
  CHECK(v.keys()[1] == "a");
  CHECK(v.at("b").number() == 1);
  const auto& a = v.at("a").array();
  REQUIRE(a.size() == 5);
  CHECK(a[0].boolean());
  CHECK(!a[1].boolean());
  CHECK(a[2].is_null());
  CHECK(a[3].number() == -2500.0);
  CHECK(a[4].string() == "x");
  CHECK(v.at("o").is_object());
  CHECK(v.at("o").keys().empty());
  CHECK(v.at("e").array().empty());
  CHECK(v.find("missing") == nullptr);
  CHECK(a[0].find("x") == nullptr);  // not an object
}

TEST_CASE("json_read: numbers are read exactly as written") {
  CHECK(parse_json("0.1").number() == 0.1);
  CHECK(parse_json("296.00144").number() == 296.00144);
  CHECK(parse_json("-0").number() == 0.0);
  CHECK(parse_json("1E+2").number() == 100.0);
  CHECK(parse_json("123456789012345678").number() == 123456789012345678.0);
}

TEST_CASE("json_read: string escapes, \\u and surrogate pairs to UTF-8") {
  CHECK(parse_json(R"("a\"b\\c\/d\n\t")").string() == "a\"b\\c/d\n\t");
  CHECK(parse_json(R"("\u00e9")").string() == "\xc3\xa9");
  CHECK(parse_json(R"("\u20ac")").string() == "\xe2\x82\xac");
  CHECK(parse_json(R"("\ud83d\ude00")").string() == "\xf0\x9f\x98\x80");
  CHECK(parse_json("\"'Slots' object has no attribute 'charge'\"").string() ==
        "'Slots' object has no attribute 'charge'");
}

TEST_CASE("json_read: malformed documents are refused with the offset") {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "\"abc",
                          "\"\\x\"", "\"\\ud83d\"", "\"\\ude00\"", "{1: 2}", "[1] 2", "nan", "\"a\nb\""}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_json(bad), JsonError);
  }
  try {
    parse_json("[1, 2, ?]");
    FAIL("no throw");
  } catch (const JsonError& e) {
    CHECK(std::string(e.what()).find("offset 7") != std::string::npos);
  }
}

TEST_CASE("json_read: wrong kinds and missing keys name what was expected") {
  const JsonValue v = parse_json(R"({"n": 1})");
  CHECK_THROWS_WITH_AS(v.at("n").string(), "JSON: expected a string, found a number", JsonError);
  CHECK_THROWS_WITH_AS(v.at("m"), "JSON: missing key \"m\"", JsonError);
  CHECK_THROWS_AS(v.array(), JsonError);
}

TEST_CASE("json_read: nesting is bounded, so hostile input cannot exhaust the stack") {
  CHECK_NOTHROW(parse_json(std::string(150, '[') + std::string(150, ']')));
  CHECK_THROWS_AS(parse_json(std::string(5000, '[') + std::string(5000, ']')), JsonError);
}
