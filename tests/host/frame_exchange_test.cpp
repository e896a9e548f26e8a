#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "host/frame_exchange.hpp"

using slotsim::host::FrameExchange;

TEST_CASE("frame exchange: nothing to acquire until published, then the newest") {
  FrameExchange<int> x(0);
  CHECK(!x.acquire());
  x.back() = 1;
  x.publish();
  x.back() = 2;
  x.publish();  // replaces 1 before the consumer looked
  REQUIRE(x.acquire());
  CHECK(x.front() == 2);
  CHECK(!x.acquire());
  CHECK(x.front() == 2);  // unchanged until the next publish
  x.back() = 3;
  x.publish();
  REQUIRE(x.acquire());
  CHECK(x.front() == 3);
}

TEST_CASE("frame exchange: the consumer never sees a frame the producer is writing") {
  // Each frame is filled with one value; a torn frame would mix two.
  using Frame = std::vector<int>;
  FrameExchange<Frame> x(Frame(4096, 0));
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int v = 1; v <= 20000; ++v) {
      for (int& e : x.back()) e = v;
      x.publish();
    }
    done = true;
  });
  int torn = 0, last = 0, backwards = 0;
  for (;;) {
    const bool finished = done.load();
    if (!x.acquire()) {
      if (finished) break;
      continue;
    }
    const Frame& f = x.front();
    for (int e : f) torn += e != f[0];
    backwards += f[0] < last;
    last = f[0];
  }
  producer.join();
  CHECK(torn == 0);
  CHECK(backwards == 0);
}
