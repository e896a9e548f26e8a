#pragma once
// `slotsim bench --claims [--python [PYTHON]]`: the lecture's eight claims
// beside slotsim's two dict models and, when asked, the real interpreter.
// The table itself is built by sim/lessons (shared with the GUI); this file
// prints it and writes the JSON.
#include <cstddef>
#include <string>

namespace slotsim::app {

struct ClaimsOptions {
  std::size_t big = 10000000;     // --claims-instances
  std::size_t sample = 100000;    // --claims-sample
  int repeats = 9;                // timed repeats per store
  bool python = false;            // --python given
  std::string python_path;        // its value ("" = the configured default)
  bool python_quick = false;      // --python-quick: the script's seconds-long mode
  std::string json;               // --json FILE
};

// Validates first (one line, non-zero exit on bad input), then measures.
int run_claims_report(const ClaimsOptions& o);

}  // namespace slotsim::app
