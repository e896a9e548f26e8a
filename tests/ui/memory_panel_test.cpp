// The Memory panel's blocks (ui/memory_panel.cpp) as the side column pages
// them: here, that the heap map's picture carries the key a script's
// `show heap-map` turns the column to. The parser (host/script.cpp) and the
// panel both take it from host/script.hpp; this checks the pair, which
// tests/host/script_test.cpp and tests/ui/pager_test.cpp each check only
// from their side. Building the blocks draws nothing, so no window is needed
// (no heap sample has arrived, so nothing is uploaded to a texture either).
#include <doctest/doctest.h>

#include <memory_resource>
#include <string>
#include <variant>
#include <vector>

#include "host/script.hpp"
#include "host/sim_thread.hpp"
#include "ui/overlay.hpp"
#include "ui/pager.hpp"

using namespace slotsim;
using namespace slotsim::ui;

TEST_CASE("memory panel: the heap map's picture is the one block that `show heap-map` turns the column to") {
  SimConfig cfg;
  cfg.scene = "plummer";
  cfg.particles = 500;
  cfg.layout = Layout::Dict;
  cfg.solver = "none";
  SimThread sim(cfg, /*start_paused=*/true);
  SimFrame frame(std::pmr::get_default_resource());
  frame.stats.has_system = true;
  frame.stats.layout = Layout::Dict;
  frame.stats.n = 500;
  const SimProgress progress{};
  const std::string gl_renderer, font;
  OverlayContext ctx{frame, progress, sim, RenderMode::Points, gl_renderer, 0, 0, "", {}, font};
  OverlayState st;
  std::vector<PageBlock> blocks;
  memory_blocks(ctx, st, blocks);

  const auto script = parse_script("at 1 show heap-map");
  REQUIRE(script.size() == 1);
  const std::string target = std::get<ShowAction>(script[0].what).tab;
  int keyed = 0;
  for (const PageBlock& b : blocks)
    if (b.key == target) {
      ++keyed;
      CHECK(b.section == "heap map");
    }
  CHECK(keyed == 1);
  // Every key the panel gives is one that `show` accepts.
  for (const PageBlock& b : blocks)
    if (!b.key.empty()) CHECK_NOTHROW(parse_script("at 1 show " + b.key));
}
