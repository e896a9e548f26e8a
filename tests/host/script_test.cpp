#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "host/script.hpp"
#include "sim/fixtures.hpp"

using namespace slotsim;
using namespace slotsim::host;

namespace {
template <class T>
const T* command(const ScriptAction& a) {
  const auto* c = std::get_if<SimCommand>(&a.what);
  return c ? std::get_if<T>(c) : nullptr;
}

std::string error_of(const std::string& script) {
  try {
    parse_script(script);
  } catch (const ScriptError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("script: actions parse, in frame order, ties kept in written order") {
  const auto a = parse_script(
      "at 60 layout soa; at 30 layout slots\n"
      "at 90 set-attr charge 1.5; at 90 set-attr mass 2 17 # one particle\n"
      "at 100 screenshot a.png;; at 110 pause; at 111 step; at 112 resume; at 120 quit");
  REQUIRE(a.size() == 9);
  CHECK(a[0].frame == 30);
  REQUIRE(command<cmd::SwitchLayout>(a[0]));
  CHECK(command<cmd::SwitchLayout>(a[0])->to == Layout::Slots);
  CHECK(command<cmd::SwitchLayout>(a[1])->to == Layout::Soa);
  const auto* all = command<cmd::SetAttr>(a[2]);
  REQUIRE(all);
  CHECK(all->name == "charge");
  CHECK(all->value == 1.5);
  CHECK(!all->id.has_value());
  const auto* one = command<cmd::SetAttr>(a[3]);
  REQUIRE(one);
  CHECK(one->name == "mass");
  CHECK(one->id == std::size_t{17});
  REQUIRE(std::holds_alternative<ScreenshotAction>(a[4].what));
  CHECK(std::get<ScreenshotAction>(a[4].what).file == "a.png");
  CHECK(command<cmd::SetPaused>(a[5])->paused);
  CHECK(command<cmd::StepOnce>(a[6]));
  CHECK(!command<cmd::SetPaused>(a[7])->paused);
  CHECK(std::holds_alternative<QuitAction>(a[8].what));
  CHECK(a[3].source == "at 90 set-attr mass 2 17");
}

TEST_CASE("script: lessons measures without building the 10M-instance store") {
  const auto a = parse_script("at 3 lessons");
  REQUIRE(a.size() == 1);
  const auto* m = command<cmd::MeasureLessons>(a[0]);
  REQUIRE(m);
  CHECK(!m->options.build_big);
}

TEST_CASE("script: inherit names the attribute, the value defaults to 1") {
  const auto a = parse_script("at 40 inherit tag; at 50 inherit charge -2.5");
  REQUIRE(a.size() == 2);
  const auto* tag = command<cmd::Inherit>(a[0]);
  REQUIRE(tag);
  CHECK(tag->name == "tag");
  CHECK(tag->value == 1.0);
  const auto* charge = command<cmd::Inherit>(a[1]);
  REQUIRE(charge);
  CHECK(charge->name == "charge");
  CHECK(charge->value == -2.5);
  CHECK(error_of("at 5 inherit").find("usage: at FRAME inherit NAME [VALUE]") != std::string::npos);
  CHECK(error_of("at 5 inherit tag x").find("expected a number") != std::string::npos);
  CHECK(error_of("at 5 inherit tag 1 2").find("usage") != std::string::npos);
}

TEST_CASE("script: an empty script has no actions") {
  CHECK(parse_script("").empty());
  CHECK(parse_script(" ; \n ;").empty());
}

TEST_CASE("script: errors name the action and what is wrong") {
  const std::string e1 = error_of("at 10 layout dict; at 30 layout slotz");
  CHECK(e1.find("'at 30 layout slotz'") != std::string::npos);
  CHECK(e1.find("unknown layout 'slotz'") != std::string::npos);
  CHECK(error_of("at x layout dict").find("expected an integer for the frame") != std::string::npos);
  CHECK(error_of("at -1 layout dict").find("at least 0") != std::string::npos);
  CHECK(error_of("layout dict").find("expected 'at FRAME ACTION") != std::string::npos);
  CHECK(error_of("at 5 explode").find("unknown action 'explode'") != std::string::npos);
  CHECK(error_of("at 5 set-attr charge").find("usage: at FRAME set-attr") != std::string::npos);
  CHECK(error_of("at 5 set-attr charge one").find("expected a number") != std::string::npos);
  CHECK(error_of("at 5 solver warp").find("unknown solver 'warp'") != std::string::npos);
  CHECK(error_of("at 5 respawn nebula 100").find("unknown scene 'nebula'") != std::string::npos);
  CHECK(error_of("at 5 dt 0").find("dt must be positive") != std::string::npos);
  CHECK(error_of("at 5 dt inf").find("expected a number for dt") != std::string::npos);
  CHECK(error_of("at 5 pause now").find("usage") != std::string::npos);
  CHECK(error_of("at 5 screenshot shot.pdf").find(".png") != std::string::npos);
  // One line: scripts and tests read stderr line by line.
  CHECK(e1.find('\n') == std::string::npos);
}

TEST_CASE("script runner: an action waits for its frame and for the previous command") {
  ScriptRunner r(parse_script("at 10 layout dict; at 10 screenshot x.png; at 12 quit"));
  r.observe(0, false);
  CHECK(r.next(9) == nullptr);
  const ScriptAction* a = r.next(10);
  REQUIRE(a);
  CHECK(command<cmd::SwitchLayout>(*a));
  r.ran(7);  // posted as command 7
  // Not applied yet, or applied but the simulation still busy: wait.
  r.observe(6, false);
  CHECK(r.next(10) == nullptr);
  r.observe(7, true);
  CHECK(r.next(11) == nullptr);
  CHECK(!r.done());
  // Applied: shown for kSettleFrames frames before the next action runs.
  for (int k = 0; k < ScriptRunner::kSettleFrames; ++k) {
    CHECK(r.next(11) == nullptr);
    r.observe(7, false);
  }
  a = r.next(11);
  REQUIRE(a);
  CHECK(std::holds_alternative<ScreenshotAction>(a->what));
  r.ran(0);  // posted nothing: the next action need not wait
  CHECK(r.next(11) == nullptr);  // quit is due at 12
  a = r.next(12);
  REQUIRE(a);
  r.ran(0);
  CHECK(r.done());
  CHECK(r.next(100) == nullptr);
}

TEST_CASE("script runner: busy again after settling means not settled") {
  ScriptRunner r(parse_script("at 0 layout dict; at 0 layout soa"));
  r.observe(0, false);
  REQUIRE(r.next(0));
  r.ran(1);
  r.observe(1, false);
  r.observe(1, true);  // e.g. a command from the keyboard started
  r.observe(1, false);
  CHECK(r.next(5) == nullptr);
  r.observe(1, false);
  CHECK(r.next(5) != nullptr);
}

TEST_CASE("script: del-attr and read-dict, on one particle or all, every layout name parses") {
  const auto a = parse_script("at 1 del-attr tag; at 2 del-attr tag 7; at 3 read-dict; at 4 read-dict 9");
  REQUIRE(a.size() == 4);
  const auto* d = command<cmd::SetAttr>(a[0]);
  REQUIRE(d);
  CHECK(d->op == cmd::AttrOp::Delete);
  CHECK(d->name == "tag");
  CHECK(!d->id.has_value());
  CHECK(command<cmd::SetAttr>(a[1])->id == std::size_t(7));
  const auto* r = command<cmd::SetAttr>(a[2]);
  REQUIRE(r);
  CHECK(r->op == cmd::AttrOp::ReadDict);
  CHECK(!r->id.has_value());
  CHECK(command<cmd::SetAttr>(a[3])->id == std::size_t(9));
  CHECK(error_of("at 1 read-dict 1 2").find("usage: at FRAME read-dict [ID]") != std::string::npos);
  for (Layout l : kAllLayouts) {
    const auto s = parse_script("at 1 layout " + std::string(layout_name(l)));
    CHECK(command<cmd::SwitchLayout>(s[0])->to == l);
  }
  CHECK(error_of("at 1 layout nope").find(layout_names()) != std::string::npos);
}

TEST_CASE("script: integers are bounded, never narrowed (issue 20: threads 2147483648, speed 3000000000)") {
  CHECK(error_of("at 5 threads 100000").find("threads must be at most 256") != std::string::npos);
  CHECK(error_of("at 5 threads 2147483648").find("threads must be at most 256") != std::string::npos);
  CHECK(error_of("at 5 speed 3000000000").find("steps per frame must be at most 1000000") != std::string::npos);
  CHECK(error_of("at 5 respawn plummer 5000000000").find("the particle count must be at most 4294967295") !=
        std::string::npos);
  CHECK(error_of("at 99999999999999999999 pause").find("expected an integer for the frame") != std::string::npos);
  CHECK(error_of("at 5 set-attr charge 1 4294967295").find("the particle id must be at most") != std::string::npos);
  CHECK(parse_script("at 5 threads 256; at 6 speed 1000000").size() == 2);
}

TEST_CASE("script: the help, the error's list of actions and docs/GUI.md all come from the parser's table") {
  const std::string list = script_help();
  const std::string error = error_of("at 5 explode");
  const std::string docs = slotsim::testing::read_text(std::string(SLOTSIM_SOURCE_DIR) + "/docs/GUI.md");
  for (const ScriptActionInfo& v : script_actions()) {
    CAPTURE(v.verb);
    CHECK(!v.what.empty());
    // In the help with its arguments, in the unknown-action error by name.
    std::string with_args(v.verb);
    if (!v.args.empty()) with_args.append(" ").append(v.args);
    CHECK(list.find(with_args) != std::string::npos);
    std::string spaced(" ");
    spaced.append(v.verb);
    CHECK(error.find(spaced) != std::string::npos);
    // Every verb whose arguments are all optional parses without them.
    if (v.args.empty() || v.args.front() == '[') {
      CHECK_NOTHROW(parse_script("at 1 " + std::string(v.verb)));
    }
    // docs/GUI.md's table of actions lists it.
    std::string row("| `");
    row.append(v.verb);
    CHECK(docs.find(row) != std::string::npos);
  }
  // The two that gui --help used to leave out.
  CHECK(list.find("del-attr NAME [ID]") != std::string::npos);
  CHECK(list.find("read-dict [ID]") != std::string::npos);
}

TEST_CASE("script: the window's own actions (scale, sections, tabs, the clipping check, snapshots, tour rounds)") {
  const auto a = parse_script(
      "at 1 ui-scale 1.5; at 2 expand; at 3 show lessons 2; at 4 show compare; at 5 check-layout; at 6 snapshot;"
      "at 7 snapshot run.h5; at 8 screenshot; at 9 tour 5 4; at 10 tour");
  REQUIRE(a.size() == 10);
  REQUIRE(std::holds_alternative<UiScaleAction>(a[0].what));
  CHECK(std::get<UiScaleAction>(a[0].what).scale == 1.5f);
  CHECK(std::holds_alternative<ExpandAction>(a[1].what));
  CHECK(std::get<ShowAction>(a[2].what).tab == "lessons");
  CHECK(std::get<ShowAction>(a[2].what).claim == 2);
  CHECK(std::get<ShowAction>(a[3].what).claim == -1);
  CHECK(std::holds_alternative<CheckLayoutAction>(a[4].what));
  CHECK(command<cmd::SaveSnapshot>(a[5])->path.empty());
  CHECK(command<cmd::SaveSnapshot>(a[6])->path == "run.h5");
  CHECK(std::get<ScreenshotAction>(a[7].what).file.empty());
  CHECK(std::get<TourAction>(a[8].what).steps_per_layout == 5);
  CHECK(std::get<TourAction>(a[8].what).rounds == 4);
  CHECK(std::get<TourAction>(a[9].what).steps_per_layout == 10);
  CHECK(std::get<TourAction>(a[9].what).rounds == 3);
  CHECK(error_of("at 1 ui-scale 5").find("between 0.75 and 3") != std::string::npos);
  CHECK(error_of("at 1 show memory").find("compare, lessons or heap-map") != std::string::npos);
  CHECK(error_of("at 1 show compare 3").find("only lessons") != std::string::npos);
  CHECK(error_of("at 1 show heap-map 1").find("only lessons") != std::string::npos);
  const auto heap = parse_script("at 2 show heap-map");
  REQUIRE(heap.size() == 1);
  CHECK(std::get<ShowAction>(heap[0].what).tab == "heap-map");
  CHECK(error_of("at 1 tour 65").find("at most 64") != std::string::npos);
  // show's usage (typed in the action table) names exactly kShowTargets, in
  // order: a new target cannot leave `gui --help` stale.
  std::string targets;
  for (std::string_view t : kShowTargets) {
    if (!targets.empty()) targets += '|';
    targets += t;
  }
  int shows = 0;
  for (const ScriptActionInfo& i : script_actions())
    if (i.verb == "show") {
      ++shows;
      std::string usage(i.args);
      const std::size_t claim = usage.find(" [CLAIM]");  // lessons' optional argument
      REQUIRE(claim != std::string::npos);
      CHECK(usage.erase(claim, 8) == targets);
    }
  CHECK(shows == 1);
}

// The unknown-action message lists the table's verbs, every one and in order.
TEST_CASE("script: the unknown-action message names every action of the table") {
  std::string verbs;
  for (const ScriptActionInfo& a : script_actions()) {
    if (!verbs.empty()) verbs += ", ";
    verbs += a.verb;
  }
  CHECK(script_actions().size() >= 19);
  try {
    parse_script("at 1 fly");
    FAIL("no throw");
  } catch (const ScriptError& e) {
    CHECK(std::string(e.what()) == "--script: 'at 1 fly': unknown action 'fly' (choose: " + verbs + ")");
  }
  for (const ScriptActionInfo& a : script_actions()) {
    CAPTURE(a.verb);
    // every verb parses with its documented arguments replaced by samples
    CHECK(!a.what.empty());
  }
}

// Values a command's field cannot hold are refused, not narrowed.
TEST_CASE("script: threads, speed and counts out of range are refused, not narrowed") {
  CHECK_THROWS_WITH_AS(parse_script("at 1 threads 2147483648"), doctest::Contains("threads must be at most 256"),
                       ScriptError);
  CHECK_THROWS_WITH_AS(parse_script("at 1 threads 100000"), doctest::Contains("at most 256"), ScriptError);
  CHECK_THROWS_WITH_AS(parse_script("at 1 speed 3000000000"), doctest::Contains("steps per frame must be at most"),
                       ScriptError);
  CHECK_THROWS_WITH_AS(parse_script("at 1 respawn plummer 5000000000"), doctest::Contains("at most 4294967295"),
                       ScriptError);
  CHECK(parse_script("at 1 threads 256").size() == 1);
}
