#pragma once
// --script: timed actions for demos and tests, e.g.
//   "at 30 layout slots; at 60 layout soa; at 90 set-attr charge 1.0;
//    at 100 screenshot a.png"
// Actions are separated by ';' or newlines, each "at FRAME VERB ARGS...";
// the verbs and their arguments are the action table in script.cpp
// (script_actions(), shown by `slotsim gui --help`).
// They run in order. An action runs at its frame or, if the simulation is
// still busy with the previous scripted command (a conversion of a million
// particles takes seconds), as soon as that is applied, so every step of a
// script is seen on screen and in the frame log whatever the machine's speed.
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "host/sim_command.hpp"

namespace slotsim::host {

// what() is one line naming the action, e.g.
// "--script: 'at 30 layout slotz': unknown layout 'slotz' (choose: ...)".
class ScriptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// FILE as written (relative to the working directory, like every other
// path on the command line); empty: a new name in the output folder, as
// the Screenshot button does.
struct ScreenshotAction {
  std::string file;
};
struct QuitAction {};
// The Compare panel's tour (K steps per layout; the script waits for it),
// its export, and the Memory panel's mark.
struct TourAction {
  std::uint64_t steps_per_layout;
  int rounds = 3;  // interleaved rounds (A B C ... A B C)
};
struct ExportAction {
  std::string file;
};
struct MarkAction {};
// The UI scale (the View section's slider).
struct UiScaleAction {
  float scale;
};
// Opens every folded section of the panels (what the clipping test checks
// must fit too).
struct ExpandAction {};
// What `show` takes: the bottom strip's two tabs, then the keys of the page
// blocks that a side column turns to (PageBlock::key, ui/pager.hpp): the one
// key so far is kHeapMapBlock, which ui/memory_panel.cpp gives the heap
// map's picture. The parser's checks and message derive from this list.
inline constexpr std::string_view kShowCompare = "compare", kShowLessons = "lessons", kHeapMapBlock = "heap-map";
inline constexpr std::array<std::string_view, 3> kShowTargets = {kShowCompare, kShowLessons, kHeapMapBlock};

// The bottom strip's tab: "compare" or "lessons"; with lessons, claim >= 0
// also opens that claim's details. kHeapMapBlock: the side column holding
// the heap map's picture turns to its page (PagerState::turn_to).
struct ShowAction {
  std::string tab;
  int claim = -1;
};
// The clipping check (ui/layout_audit.hpp) of the frame it runs in: prints
// what it found and makes the exit status 1 if any text is cut.
struct CheckLayoutAction {};

struct ScriptAction {
  long frame = 0;
  std::string source;  // the action as written, for messages
  std::variant<SimCommand, ScreenshotAction, QuitAction, TourAction, ExportAction, MarkAction, UiScaleAction,
               ExpandAction, ShowAction, CheckLayoutAction>
      what;
};

// One script action as the action table in script.cpp defines it: the
// parser, its error messages and `gui --help` all read that table.
struct ScriptActionInfo {
  std::string_view verb;  // "set-attr"
  std::string_view args;  // "NAME VALUE [ID]" ("" for none)
  std::string_view what;  // one line
};
std::vector<ScriptActionInfo> script_actions();
// "layout, set-attr, ..." in table order.
std::string script_action_names();
// "layout NAME; set-attr NAME VALUE [ID]; ..." for --help.
std::string script_help();

// Parses and validates (layout, solver and scene names, numbers) without
// running anything; actions come back sorted by frame, ties in written order.
std::vector<ScriptAction> parse_script(std::string_view text);

class ScriptRunner {
 public:
  // Frames the window shows a command's outcome before the next action:
  // ImGui sizes auto-fitting panels from the previous frame's content, so a
  // screenshot taken on the first frame after a result arrives would cut
  // off its last line.
  static constexpr int kSettleFrames = 2;

  explicit ScriptRunner(std::vector<ScriptAction> actions) : actions_(std::move(actions)) {}

  // Once per frame, with the shown frame's last applied command and whether
  // the simulation is busy.
  void observe(std::uint64_t applied_seq, bool busy);
  // The action to run now, or null: none is due at `frame`, or the last
  // command the script posted has not been applied and shown for
  // kSettleFrames frames yet.
  const ScriptAction* next(long frame) const;
  // After running the action next() returned; `seq` is the sequence number
  // of the command it posted, 0 if it posted none.
  void ran(std::uint64_t seq);
  // The next action waits `frames` frames more (an action that changed
  // what the window draws: ImGui sizes tables and auto-fitting windows
  // from the frames before, so a check or a screenshot right after it
  // would see them mid-way).
  void settle(int frames) { settled_frames_ = kSettleFrames - frames; }
  // Every action ran and every command it posted is applied and shown.
  bool done() const { return next_ >= actions_.size() && settled(); }

 private:
  bool settled() const { return settled_frames_ >= kSettleFrames; }
  std::vector<ScriptAction> actions_;
  std::size_t next_ = 0;
  std::uint64_t waiting_for_ = 0;
  int settled_frames_ = kSettleFrames;
};

}  // namespace slotsim::host
