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

struct ScreenshotAction {
  std::string file;
};
struct QuitAction {};
// The Compare panel's tour (K steps per layout; the script waits for it),
// its export, and the Memory panel's mark.
struct TourAction {
  std::uint64_t steps_per_layout;
};
struct ExportAction {
  std::string file;
};
struct MarkAction {};

struct ScriptAction {
  long frame = 0;
  std::string source;  // the action as written, for messages
  std::variant<SimCommand, ScreenshotAction, QuitAction, TourAction, ExportAction, MarkAction> what;
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
