// sim/io/isolated_call: a child that crashes, hangs, lies or throws becomes
// one IsolatedFailure in the parent, and the parent survives it.
#include "sim/io/isolated_call.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using slotsim::io::IsolatedFailure;
using slotsim::io::IsolationLimits;
using slotsim::io::run_isolated;
using slotsim::io::WireReader;
using slotsim::io::WireWriter;

namespace {

// The failure's message, and whether it came from the child's exception.
std::pair<std::string, bool> failure_of(const std::function<void(WireWriter&)>& produce,
                                        const std::function<void(WireReader&)>& consume, IsolationLimits lim = {}) {
  try {
    run_isolated(produce, consume, lim);
  } catch (const IsolatedFailure& e) {
    return {e.what(), e.from_child()};
  }
  return {"", false};
}

}  // namespace

TEST_CASE("isolated call: typed values and arrays in pieces arrive as sent") {
  std::vector<double> big(300000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = double(i) * 0.5;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<double> got(big.size());
  run_isolated(
      [&](WireWriter& w) {
        w.u64(UINT64_MAX);
        w.i64(-7);
        w.f64(2.5);
        w.str("name");
        w.bytes(big.data(), 1000 * sizeof(double));
        w.bytes(big.data() + 1000, (big.size() - 1000) * sizeof(double));
      },
      [&](WireReader& r) {
        u = r.u64();
        i = r.i64();
        f = r.f64();
        s = r.str(10);
        r.bytes(got.data(), got.size() * sizeof(double));
      });
  CHECK(u == UINT64_MAX);
  CHECK(i == -7);
  CHECK(f == 2.5);
  CHECK(s == "name");
  CHECK(std::memcmp(got.data(), big.data(), big.size() * sizeof(double)) == 0);
}

TEST_CASE("isolated call: the child's exception arrives as its message, even between two pieces of an array") {
  auto [what, from_child] = failure_of(
      [](WireWriter& w) {
        const double x[4] = {1, 2, 3, 4};
        w.bytes(x, sizeof x);
        throw std::runtime_error("f.h5: cannot read /PartType1/Coordinates");
      },
      [](WireReader& r) {
        double x[8];
        r.bytes(x, sizeof x);
      });
  CHECK(what == "f.h5: cannot read /PartType1/Coordinates");
  CHECK(from_child);
}

TEST_CASE("isolated call: a crash in the child is a failure naming the signal, and the parent lives on") {
  auto [what, from_child] = failure_of([](WireWriter&) { ::raise(SIGSEGV); }, [](WireReader& r) { r.u64(); });
  CHECK(what.find("crashed (signal 11") != std::string::npos);
  CHECK_FALSE(from_child);
  // A child that ends before the end of its answer.
  auto [early, _] = failure_of([](WireWriter& w) {
    w.u64(1);
    w.flush();
    ::_exit(0);
  }, [](WireReader& r) {
    r.u64();
    r.u64();
  });
  CHECK(early.find("stopped before the end") != std::string::npos);
}

TEST_CASE("isolated call: a silent child is killed after the idle timeout") {
  IsolationLimits lim;
  lim.idle_timeout_s = 1;
  const auto t0 = std::chrono::steady_clock::now();
  auto [what, from_child] = failure_of([](WireWriter&) { ::sleep(1000); }, [](WireReader& r) { r.u64(); }, lim);
  CHECK(what.find("no progress for 1 s") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
}

TEST_CASE("isolated call: a stream that lies (a longer array, another type, a huge string) is refused") {
  CHECK(failure_of([](WireWriter& w) { w.f64(1); }, [](WireReader& r) { r.u64(); }).first.find("malformed") !=
        std::string::npos);
  CHECK(failure_of([](WireWriter& w) { w.str(std::string(100, 'x')); }, [](WireReader& r) { r.str(10); })
            .first.find("more than the 10 allowed") != std::string::npos);
  CHECK(failure_of(
            [](WireWriter& w) {
              const char b[16] = {};
              w.bytes(b, 16);
            },
            [](WireReader& r) {
              char b[8];
              r.bytes(b, 8);
            })
            .first.find("longer than") != std::string::npos);
  // A validation error of the parent's own passes through, and the child
  // (blocked writing) is killed rather than waited for.
  CHECK_THROWS_AS(run_isolated(
                      [](WireWriter& w) {
                        std::vector<char> big(8 << 20);
                        for (;;) w.bytes(big.data(), big.size());
                      },
                      [](WireReader&) { throw std::invalid_argument("refused"); }),
                  std::invalid_argument);
}
