#pragma once
// `slotsim bench --claims [--python [SPEC]]`: the lecture's eight claims
// beside slotsim's models of each CPython era and, when asked, one column
// per real interpreter (SPEC: empty = the python3 on PATH; a comma list; or
// `all`, lessons/interpreters.hpp). The table itself is built by
// lessons/lessons.cpp (shared with the GUI); this file runs the
// interpreters, prints the report and writes the JSON.
#include <cstddef>
#include <string>

namespace slotsim::app {

struct ClaimsOptions {
  std::size_t big = 10000000;     // --claims-instances
  std::size_t sample = 100000;    // --claims-sample
  int pairs = 31;                 // timing pairs per comparison (lessons/verdict.hpp)
  bool python = false;            // --python given
  std::string python_spec;        // its value ("" = the python3 on PATH)
  bool python_quick = false;      // --python-quick: the script's seconds-long mode
  std::string json;               // --json FILE
};

// Validates first (one line, non-zero exit on bad input), then measures.
int run_claims_report(const ClaimsOptions& o);

}  // namespace slotsim::app
