// libFuzzer harness for the particle CSV loader: any byte string must give
// either particles that obey the reader's rules or a CsvError, never a
// crash, a hang or another exception. Built by .ci/fuzz with clang when it
// is installed (g++ has no libFuzzer) and run there for a bounded time.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sim/io/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto ps = slotsim::parse_particles_csv(text, "fuzz.csv");
    if (ps.empty()) std::abort();  // "at least one particle" is a rule
    for (const auto& p : ps)
      for (int a = 0; a < slotsim::kNumAttrs; ++a)
        if (!std::isfinite(p.get(a)) || (a == slotsim::MASS && !(p.get(a) > 0))) std::abort();
  } catch (const slotsim::CsvError&) {
  }
  return 0;
}
