// sim/io/json: the conventions every report and every document slotsim
// reads share (nlohmann::ordered_json underneath): key order, numbers that
// round-trip, one-line errors, bounded nesting.
#include "sim/io/json.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

using slotsim::io::Json;
using slotsim::io::JsonError;
using slotsim::io::parse_json_text;
using slotsim::io::report_text;

TEST_CASE("json: a report keeps the order its keys were written in") {
  Json j;
  j["zeta"] = 1;
  j["alpha"] = "x";
  j["mid"] = Json::array({true, nullptr});
  const std::string t = report_text(j);
  CHECK(t.find("zeta") < t.find("alpha"));
  CHECK(t.find("alpha") < t.find("mid"));
  CHECK(t.back() == '\n');
  const Json back = parse_json_text(t);
  CHECK(back.begin().key() == "zeta");
  CHECK(back == j);
}

TEST_CASE("json: doubles round-trip exactly, NaN and infinities are written as null") {
  Json j = Json::array({0.1 + 0.2, 296.00144, -0.0, 1e300, std::numeric_limits<double>::quiet_NaN(), -INFINITY});
  const Json back = parse_json_text(report_text(j));
  CHECK(back[0].get<double>() == 0.1 + 0.2);
  CHECK(back[1].get<double>() == 296.00144);
  CHECK(back[3].get<double>() == 1e300);
  CHECK(back[4].is_null());
  CHECK(back[5].is_null());
}

TEST_CASE("json: 64-bit integers are written in full") {
  Json j;
  j["h"] = std::uint64_t(18446744073709551615ull);
  CHECK(report_text(j).find("18446744073709551615") != std::string::npos);
  CHECK(parse_json_text(report_text(j))["h"].get<std::uint64_t>() == 18446744073709551615ull);
}

TEST_CASE("json: strings are escaped, and bytes that are not UTF-8 do not fail the report") {
  Json j;
  j["s"] = std::string("q\"b\\\n\x01");
  j["path"] = std::string("ic:/tmp/\xff\xfe.csv");  // a file name in another encoding
  std::string t;
  REQUIRE_NOTHROW(t = report_text(j));
  CHECK(t.find(R"("q\"b\\\n\u0001")") != std::string::npos);
  CHECK(parse_json_text(t)["s"] == "q\"b\\\n\x01");
  CHECK(parse_json_text(t)["path"].get<std::string>().find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
}

TEST_CASE("json: malformed documents are refused in one line that says where") {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "\"abc",
                          "\"\\x\"", "\"\\ud83d\"", "{1: 2}", "[1] 2", "nan", "\"a\nb\""}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_json_text(bad), JsonError);
  }
  try {
    parse_json_text("[1, 2, ?]");
    FAIL("no throw");
  } catch (const JsonError& e) {
    const std::string w = e.what();
    CHECK(w.rfind("JSON: ", 0) == 0);
    CHECK(w.find("column 8") != std::string::npos);
    CHECK(w.find('\n') == std::string::npos);
  }
}

TEST_CASE("json: missing keys and wrong types name the key") {
  const Json v = parse_json_text(R"({"n": 1, "s": "x", "a": [1], "b": true})");
  CHECK(slotsim::io::number(v, "n") == 1);
  CHECK(slotsim::io::text(v, "s") == "x");
  CHECK(slotsim::io::boolean(v, "b"));
  CHECK(slotsim::io::array(v, "a").size() == 1);
  CHECK_THROWS_WITH_AS(slotsim::io::text(v, "n"), "JSON: \"n\" is not a string", JsonError);
  CHECK_THROWS_WITH_AS(slotsim::io::number(v, "s"), "JSON: \"s\" is not a number", JsonError);
  CHECK_THROWS_WITH_AS(slotsim::io::member(v, "m"), "JSON: missing key \"m\"", JsonError);
  CHECK_THROWS_AS(slotsim::io::member(v["a"], "x"), JsonError);  // not an object
}

TEST_CASE("json: nesting is bounded, so a hostile document is refused before it is built") {
  CHECK_NOTHROW(parse_json_text(std::string(150, '[') + std::string(150, ']')));
  CHECK_THROWS_AS(parse_json_text(std::string(5000, '[') + std::string(5000, ']')), JsonError);
  CHECK_THROWS_AS(parse_json_text(std::string(100000, '[')), JsonError);
}
